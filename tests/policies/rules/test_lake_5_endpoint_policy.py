from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.lake_5_endpoint_policy import RULE
from tests.policies.builders import ACCOUNT, endpoint, lake, statuses

NAME = "network-s3-endpoint"
PASSING = "no statement allows any principal on every bucket without a condition restricting the callers"
OPEN = {"Sid": "AllowAll", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}


def judge(*statements):
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    return statuses(RULE.check(lake(endpoints=(endpoint(policy=policy),))))


def test_pass_the_lake_endpoint_policy():
    assert statuses(RULE.check(lake())) == {NAME: ("pass", PASSING)}


def test_pass_every_bucket_for_the_account_only_and_listed_buckets_and_denies():
    pinned = {**OPEN, "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}}
    listed = {**OPEN, "Sid": "Listed", "Resource": ["arn:aws:s3:::ml-dev-raw", "arn:aws:s3:::ml-dev-raw/*"]}
    deny = {**OPEN, "Sid": "DenyAll", "Effect": "Deny"}
    assert judge(pinned, listed, deny) == {NAME: ("pass", PASSING)}


def test_fail_no_policy():
    assert statuses(RULE.check(lake(endpoints=(endpoint(policy=None),)))) == {
        NAME: ("fail", "no endpoint policy declared: the default policy allows anyone every action on every bucket"),
    }


def test_fail_open_to_anyone_on_every_resource():
    s3_star = {**OPEN, "Sid": "AnyBucket", "Principal": {"AWS": "*"},
               "Resource": ["arn:aws:s3:::*", "arn:aws:s3:::*/*"]}
    not_resource = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::x/*"}
    negated = {**OPEN, "Sid": "NotOurs", "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}}
    assert judge(OPEN, s3_star, not_resource, negated) == {
        NAME: ("fail", "statement AllowAll allows any principal on *, with no condition restricting the callers; "
                       "statement AnyBucket allows any principal on arn:aws:s3:::*, arn:aws:s3:::*/*, with no "
                       "condition restricting the callers; statement #3 (no Sid) allows any principal on every "
                       "resource but arn:aws:s3:::x/*, with no condition restricting the callers; statement NotOurs "
                       "allows any principal on *, with no condition restricting the callers"),
    }


def test_unknown_policy_and_unknown_resource():
    assert statuses(RULE.check(lake(endpoints=(endpoint(policy=UNKNOWN),)))) == {
        NAME: ("unknown", "the endpoint policy cannot be known before deployment"),
    }
    assert judge({**OPEN, "Resource": [UNKNOWN]}) == {
        NAME: ("unknown", "statement AllowAll cannot be known before deployment"),
    }


def test_not_applicable_without_endpoints():
    assert statuses(RULE.check(replace(lake(), endpoints=()))) == {
        "lake": ("not_applicable", "the stack declares no VPC endpoint"),
    }
