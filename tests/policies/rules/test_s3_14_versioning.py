from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.s3_14_versioning import RULE
from tests.policies.builders import lake, logs_bucket, statuses, zone_bucket


def test_pass():
    assert statuses(RULE.check(lake())) == {
        "ml-dev-raw": ("pass", "versioning is Enabled"),
        "ml-dev-logs": ("pass", "versioning is Enabled"),
    }


def test_fail_suspended_and_missing():
    model = lake(buckets=(zone_bucket("raw", versioning="Suspended"), logs_bucket(versioning=None)))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "versioning is Suspended; it must be Enabled"),
        "ml-dev-logs": ("fail", "versioning is not configured; it must be Enabled"),
    }


def test_unknown_is_neither_pass_nor_fail():
    model = lake(buckets=(zone_bucket("raw", versioning=UNKNOWN),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("unknown", "the versioning status cannot be known before deployment"),
    }


def test_not_applicable_without_buckets():
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }
