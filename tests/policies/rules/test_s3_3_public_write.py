from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.s3_3_public_write import RULE
from tests.policies.builders import arn, lake, logs_bucket, statuses, zone_bucket

PASS = ("pass", "neither the bucket policy nor an ACL grants public write access")


def logs_with(statement, **changes):
    """The logs bucket alone, its generated policy (with the log-delivery grant) plus ``statement``."""
    policy = logs_bucket().policy
    return lake(buckets=(logs_bucket(policy={**policy, "Statement": [*policy["Statement"], statement]}, **changes),))


def test_pass_including_the_pinned_log_delivery_grant():
    assert statuses(RULE.check(lake())) == {"ml-dev-raw": PASS, "ml-dev-logs": PASS}


def test_fail_public_put_object():
    public = {"Sid": "Dropbox", "Effect": "Allow", "Principal": "*", "Action": ["s3:PutObject"],
              "Resource": f"{arn('ml-dev-logs')}/*"}
    assert statuses(RULE.check(logs_with(public))) == {
        "ml-dev-logs": ("fail", "statement Dropbox allows s3:PutObject to anyone (any principal, no condition "
                                "restricting the callers)"),
    }


def test_fail_everything_to_anyone_lists_every_write_action():
    public = {"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:*",
              "Resource": [arn("ml-dev-logs"), f"{arn('ml-dev-logs')}/*"]}
    assert statuses(RULE.check(logs_with(public))) == {
        "ml-dev-logs": ("fail", "statement Open allows s3:PutObject, s3:DeleteObject, s3:DeleteObjectVersion, "
                                "s3:PutObjectAcl, s3:PutBucketPolicy, s3:DeleteBucketPolicy, s3:PutBucketAcl, "
                                "s3:PutLifecycleConfiguration to anyone (any principal, no condition restricting the "
                                "callers)"),
    }


def test_fail_public_read_write_acl_while_acls_are_enabled():
    model = lake(buckets=(zone_bucket("raw", ownership="ObjectWriter", acl="public-read-write"),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "the bucket ACL is public-read-write and ACLs are enabled (object ownership "
                               "ObjectWriter, not BucketOwnerEnforced)"),
    }


def test_pass_read_only_grants_are_not_writes():
    public_read = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": f"{arn('ml-dev-logs')}/*"}
    model = logs_with(public_read, ownership="ObjectWriter", acl="public-read")
    assert statuses(RULE.check(model)) == {"ml-dev-logs": PASS}


def test_unknown_condition_block_could_unpin_the_callers():
    pinned = {"Sid": "Partner", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
              "Resource": f"{arn('ml-dev-logs')}/*", "Condition": {"StringEquals": UNKNOWN}}
    assert statuses(RULE.check(logs_with(pinned))) == {
        "ml-dev-logs": ("unknown", "statement Partner cannot be known before deployment"),
    }


def test_unknown_ownership_with_a_public_acl():
    model = lake(buckets=(zone_bucket("raw", ownership=UNKNOWN, acl="public-read-write"),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("unknown", "the bucket ACL is public-read-write, and whether ACLs are disabled cannot be "
                               "known before deployment"),
    }


def test_not_applicable_without_buckets():
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }
