from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.kms_5_public_key import RULE
from tests.policies.builders import ACCOUNT, lake, lake_key, statuses

PASSING = "no statement allows any principal without a condition restricting the callers"
PUBLIC_USE = {"Sid": "PublicUse", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}


def with_statements(*extra):
    policy = lake_key().policy
    return lake(keys=(lake_key(policy={**policy, "Statement": [*policy["Statement"], *extra]}),))


def test_pass_with_denies_to_everyone():
    assert statuses(RULE.check(lake())) == {"lake-key-key": ("pass", PASSING)}


def test_pass_star_pinned_to_the_account():
    pinned = {**PUBLIC_USE, "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}}}
    assert statuses(RULE.check(with_statements(pinned))) == {"lake-key-key": ("pass", PASSING)}


def test_fail_star_principal():
    assert statuses(RULE.check(with_statements(PUBLIC_USE))) == {
        "lake-key-key": ("fail", "statement PublicUse allows any principal, with no condition restricting the callers"),
    }


def test_fail_aws_star_not_principal_and_negated_condition():
    aws_star = {**PUBLIC_USE, "Sid": "AwsStar", "Principal": {"AWS": "*"}}
    not_principal = {"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
                     "Resource": "*"}
    negated = {**PUBLIC_USE, "Sid": "NotOurs", "Condition": {"StringNotEquals": {"kms:CallerAccount": ACCOUNT}}}
    assert statuses(RULE.check(with_statements(aws_star, not_principal, negated))) == {
        "lake-key-key": ("fail", "statement AwsStar allows any principal, with no condition restricting the callers; "
                                 "statement #6 (no Sid) allows every principal but its NotPrincipal, with no condition "
                                 "restricting the callers; statement NotOurs allows any principal, with no condition "
                                 "restricting the callers"),
    }


def test_fail_no_key_policy():
    assert statuses(RULE.check(lake(keys=(lake_key(policy=None),)))) == {
        "lake-key-key": ("fail", "no key policy declared"),
    }


def test_unknown_policy_and_unknown_principal():
    assert statuses(RULE.check(lake(keys=(lake_key(policy=UNKNOWN),)))) == {
        "lake-key-key": ("unknown", "the key policy cannot be known before deployment"),
    }
    assert statuses(RULE.check(with_statements({**PUBLIC_USE, "Principal": {"AWS": UNKNOWN}}))) == {
        "lake-key-key": ("unknown", "statement PublicUse cannot be known before deployment"),
    }


def test_a_deny_with_an_unknown_part_is_never_a_grant():
    deny = {**PUBLIC_USE, "Sid": "DenyOthers", "Effect": "Deny", "Principal": {"AWS": UNKNOWN}}
    assert statuses(RULE.check(with_statements(deny))) == {"lake-key-key": ("pass", PASSING)}


def test_not_applicable_without_keys():
    assert statuses(RULE.check(replace(lake(), keys=()))) == {
        "lake": ("not_applicable", "the stack declares no KMS key"),
    }
