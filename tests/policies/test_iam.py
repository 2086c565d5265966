"""The IAM document helpers the rules share."""

import pytest

from policies.iam import (
    account_of,
    action_matches,
    covers_action,
    covers_resource,
    is_anyone,
    is_public_allow,
    resource_matches,
    restricts_callers,
)


def test_actions_are_case_insensitive_and_resources_case_sensitive():
    assert action_matches("s3:get*", "s3:GetObject")
    assert action_matches("s3:?etObject", "s3:GetObject")
    assert not action_matches("s3:Put*", "s3:GetObject")
    assert resource_matches("arn:aws:s3:::lake-*/*", "arn:aws:s3:::lake-raw/x")
    assert not resource_matches("arn:aws:s3:::Lake-*", "arn:aws:s3:::lake-raw")


def test_not_action_and_not_resource():
    statement = {"Effect": "Deny", "NotAction": "s3:GetBucketPolicy", "NotResource": "arn:aws:s3:::a"}
    assert covers_action(statement, "s3:PutObject") and not covers_action(statement, "s3:getbucketpolicy")
    assert covers_resource(statement, "arn:aws:s3:::b") and not covers_resource(statement, "arn:aws:s3:::a")


def test_not_principal_is_anyone_only_in_an_allow():
    assert is_anyone({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}})
    assert not is_anyone({"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}})
    assert is_anyone({"Effect": "Deny", "Principal": {"AWS": "*"}})


@pytest.mark.parametrize(
    ("condition", "restricts"),
    [
        ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, True),
        ({"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::lake-*"}}, True),
        ({"StringNotEquals": {"aws:SourceAccount": "123456789012"}}, False),
        ({"StringLike": {"aws:PrincipalArn": "*"}}, False),
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, False),
        ({"StringEquals": {"s3:prefix": "home/"}}, False),
    ],
)
def test_restricting_conditions(condition, restricts):
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Condition": condition}
    assert restricts_callers(statement) is restricts
    assert is_public_allow(statement) is not restricts


def test_account_of():
    assert account_of("arn:aws:iam::123456789012:role/A") == "123456789012"
    assert account_of("123456789012") == "123456789012"
    assert account_of("logging.s3.amazonaws.com") is None
    assert account_of("*") is None
