from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.s3_6_cross_account import RULE
from tests.policies.builders import ACCOUNT, OTHER_ACCOUNT, arn, lake, statuses, zone_bucket

PASS = ("pass", "no statement allows another account to change the bucket's policy, ACLs or encryption")


def raw_granting(principal, action, condition=None, **lake_changes):
    """The raw bucket alone, its policy extended with an Allow named Grant."""
    grant = {"Sid": "Grant", "Effect": "Allow", "Principal": principal, "Action": action,
             "Resource": [arn("ml-dev-raw"), f"{arn('ml-dev-raw')}/*"]}
    if condition:
        grant["Condition"] = condition
    policy = zone_bucket("raw").policy
    bucket = zone_bucket("raw", policy={**policy, "Statement": [*policy["Statement"], grant]})
    return lake(buckets=(bucket,), **lake_changes)


def test_pass():
    assert statuses(RULE.check(lake())) == {"ml-dev-raw": PASS, "ml-dev-logs": PASS}


def test_fail_other_account_may_rewrite_the_policy():
    model = raw_granting({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:role/Partner"}, ["s3:PutBucketPolicy", "s3:GetObject"])
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", f"statement Grant allows s3:PutBucketPolicy to account {OTHER_ACCOUNT}, not the "
                               f"lake's account {ACCOUNT}"),
    }


def test_fail_any_account_by_wildcard_principal():
    assert statuses(RULE.check(raw_granting("*", "s3:Put*"))) == {
        "ml-dev-raw": ("fail", "statement Grant allows s3:PutBucketAcl, s3:PutBucketPolicy, "
                               "s3:PutEncryptionConfiguration, s3:PutObjectAcl to any account (any principal, no "
                               "condition restricting the callers)"),
    }


def test_pass_own_account_data_actions_services_and_pinned_wildcards():
    assert statuses(RULE.check(raw_granting({"AWS": ACCOUNT}, "s3:*"))) == {"ml-dev-raw": PASS}
    assert statuses(RULE.check(raw_granting({"AWS": OTHER_ACCOUNT}, "s3:GetObject"))) == {"ml-dev-raw": PASS}
    assert statuses(RULE.check(raw_granting({"Service": "logging.s3.amazonaws.com"}, "s3:*"))) == {"ml-dev-raw": PASS}
    pinned = {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
    assert statuses(RULE.check(raw_granting("*", "s3:PutObjectAcl", pinned))) == {"ml-dev-raw": PASS}


def test_unknown_account_id_with_an_account_principal():
    model = raw_granting({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "s3:PutObjectAcl", account_id=UNKNOWN)
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("unknown", f"statement Grant allows s3:PutObjectAcl to account {OTHER_ACCOUNT}, and the "
                                  "lake's account id is not known"),
    }


def test_unknown_account_id_matters_only_where_an_account_is_named():
    assert statuses(RULE.check(lake(account_id=UNKNOWN))) == {"ml-dev-raw": PASS, "ml-dev-logs": PASS}


def test_unknown_principal():
    assert statuses(RULE.check(raw_granting({"AWS": UNKNOWN}, "s3:PutBucketAcl"))) == {
        "ml-dev-raw": ("unknown", "statement Grant cannot be known before deployment"),
    }


def test_not_applicable_without_buckets():
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }
