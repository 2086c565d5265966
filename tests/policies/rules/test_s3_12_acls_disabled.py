from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.s3_12_acls_disabled import RULE
from tests.policies.builders import lake, logs_bucket, statuses, zone_bucket

PASS = ("pass", "object ownership is BucketOwnerEnforced: ACLs are disabled")


def test_pass():
    assert statuses(RULE.check(lake())) == {"ml-dev-raw": PASS, "ml-dev-logs": PASS}


def test_fail_acls_enabled_or_no_ownership_controls():
    model = lake(buckets=(zone_bucket("raw", ownership="BucketOwnerPreferred"), logs_bucket(ownership=None)))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "object ownership is BucketOwnerPreferred, which leaves ACLs enabled; it must be "
                               "BucketOwnerEnforced"),
        "ml-dev-logs": ("fail", "no ownership controls are declared, which leaves ACLs enabled; it must be "
                                "BucketOwnerEnforced"),
    }


def test_unknown_ownership():
    model = lake(buckets=(zone_bucket("raw", ownership=UNKNOWN),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("unknown", "the object ownership setting cannot be known before deployment"),
    }


def test_not_applicable_without_buckets():
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }
