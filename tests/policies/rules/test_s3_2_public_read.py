from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.s3_2_public_read import RULE
from tests.policies.builders import ACCOUNT, arn, lake, logs_bucket, statuses, zone_bucket

RAW = arn("ml-dev-raw")
PASS = ("pass", "neither the bucket policy nor an ACL grants public read access")


def raw_with(*statements, **changes):
    """The raw zone bucket alone, its generated policy extended with ``statements``."""
    policy = zone_bucket("raw").policy
    policy = {**policy, "Statement": [*policy["Statement"], *statements]}
    return lake(buckets=(zone_bucket("raw", policy=policy, **changes),))


def allow(sid, principal, action, **extra):
    return {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": action, "Resource": f"{RAW}/*", **extra}


def test_pass():
    assert statuses(RULE.check(lake())) == {"ml-dev-raw": PASS, "ml-dev-logs": PASS}


def test_fail_public_get_object():
    model = raw_with(allow("PublicRead", "*", "s3:GetObject"))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "statement PublicRead allows s3:GetObject to anyone (any principal, no condition "
                               "restricting the callers)"),
    }


def test_fail_wildcard_action_names_every_read_action_it_covers():
    model = raw_with(allow("PublicGets", {"AWS": "*"}, "s3:Get*"))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "statement PublicGets allows s3:GetObject, s3:GetObjectVersion, s3:GetBucketAcl, "
                               "s3:GetObjectAcl to anyone (any principal, no condition restricting the callers)"),
    }


def test_fail_not_principal_allow_is_public_and_unnamed_statement_is_numbered():
    statement = {"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "s3:ListBucket",
                 "Resource": RAW}
    assert statuses(RULE.check(raw_with(statement))) == {
        "ml-dev-raw": ("fail", "statement #7 (no Sid) allows s3:ListBucket to anyone (any principal, no condition "
                               "restricting the callers)"),
    }


def test_fail_public_acl_while_acls_are_enabled():
    model = lake(buckets=(zone_bucket("raw", ownership="BucketOwnerPreferred", acl="authenticated-read"),
                          logs_bucket(ownership=None, acl="public-read")))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "the bucket ACL is authenticated-read and ACLs are enabled (object ownership "
                               "BucketOwnerPreferred, not BucketOwnerEnforced)"),
        "ml-dev-logs": ("fail", "the bucket ACL is public-read and ACLs are enabled (object ownership not "
                                "configured, not BucketOwnerEnforced)"),
    }


def test_fail_reports_policy_and_acl_together():
    model = raw_with(allow("PublicRead", "*", "s3:GetObject"), ownership="ObjectWriter", acl="public-read-write")
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "statement PublicRead allows s3:GetObject to anyone (any principal, no condition "
                               "restricting the callers); the bucket ACL is public-read-write and ACLs are enabled "
                               "(object ownership ObjectWriter, not BucketOwnerEnforced)"),
    }


def test_pass_when_acls_are_disabled_or_callers_are_pinned_or_actions_are_not_reads():
    pinned = allow("OrgRead", "*", "s3:GetObject", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})
    write_only = allow("PublicWrite", "*", "s3:PutObject")
    model = raw_with(pinned, write_only, acl="public-read")
    assert statuses(RULE.check(model)) == {"ml-dev-raw": PASS}


def test_unknown_policy():
    model = lake(buckets=(zone_bucket("raw", policy=UNKNOWN),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("unknown", "the bucket policy cannot be known before deployment"),
    }


def test_unknown_principal_of_a_statement():
    model = raw_with(allow("Partner", {"AWS": UNKNOWN}, "s3:GetObject"))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("unknown", "statement Partner cannot be known before deployment"),
    }


def test_unknown_acl_while_acls_are_enabled():
    model = lake(buckets=(zone_bucket("raw", ownership="BucketOwnerPreferred", acl=UNKNOWN),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("unknown", "the bucket ACL cannot be known before deployment"),
    }


def test_unknown_source_arns_still_pin_the_log_delivery_grant():
    policy = logs_bucket().policy
    delivery = policy["Statement"][-1]
    unknown_sources = {**delivery, "Condition": {**delivery["Condition"], "ArnLike": {"aws:SourceArn": [UNKNOWN]}}}
    model = lake(buckets=(logs_bucket(policy={**policy, "Statement": [*policy["Statement"][:-1], unknown_sources]}),))
    assert statuses(RULE.check(model)) == {"ml-dev-logs": PASS}


def test_not_applicable_without_buckets():
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }


def test_fail_when_s3_itself_reports_the_policy_public():
    assert statuses(RULE.check(lake(buckets=(replace(zone_bucket(), policy_public=True),)))) == {
        "ml-dev-raw": ("fail", "S3 itself reports the bucket policy as public (GetBucketPolicyStatus IsPublic)"),
    }


def test_pass_when_s3_reports_the_policy_not_public():
    assert statuses(RULE.check(lake(buckets=(replace(zone_bucket(), policy_public=False),)))) == {"ml-dev-raw": PASS}


def test_a_failure_found_in_the_policy_is_reported_in_its_own_words_when_s3_agrees():
    model = raw_with(allow("PublicRead", "*", "s3:GetObject"), policy_public=True)
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "statement PublicRead allows s3:GetObject to anyone (any principal, no condition "
                               "restricting the callers)"),
    }
