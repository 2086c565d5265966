from dataclasses import replace

from policies.model import UNKNOWN, Logging
from policies.rules.s3_9_access_logging import RULE
from tests.policies.builders import lake, logs_bucket, statuses, zone_bucket

LOGS_TARGET = ("not_applicable", "this is the lake's logs bucket, the access-log target: logging it into itself "
                                 "would loop")


def raw_logging_to(target):
    return lake(buckets=(zone_bucket("raw", logging=Logging(target, "access-logs/")), zone_bucket("curated"),
                         logs_bucket()))


def test_pass_and_logs_bucket_not_applicable():
    assert statuses(RULE.check(lake())) == {
        "ml-dev-raw": ("pass", "server access logs go to the lake's logs bucket ml-dev-logs"),
        "ml-dev-logs": LOGS_TARGET,
    }


def test_fail_not_configured():
    model = lake(buckets=(zone_bucket("raw", logging=None), logs_bucket()))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "server access logging is not configured"),
        "ml-dev-logs": LOGS_TARGET,
    }


def test_fail_logs_into_itself():
    assert statuses(RULE.check(raw_logging_to("ml-dev-raw")))["ml-dev-raw"] == (
        "fail", "server access logs go to the bucket itself (ml-dev-raw); they must go to the lake's logs bucket"
    )


def test_fail_target_outside_the_stack():
    assert statuses(RULE.check(raw_logging_to("someone-elses-bucket")))["ml-dev-raw"] == (
        "fail", "server access logs go to someone-elses-bucket, which is not a bucket of this stack"
    )


def test_fail_target_is_a_zone_bucket():
    assert statuses(RULE.check(raw_logging_to("ml-dev-curated")))["ml-dev-raw"] == (
        "fail", "server access logs go to ml-dev-curated, which is not the lake's logs bucket (zone tag 'logs')"
    )


def test_bucket_outside_the_lake_is_judged_like_a_data_bucket():
    stray = zone_bucket("raw", name="stray", tags={}, logging=None)
    assert statuses(RULE.check(lake(buckets=(stray, logs_bucket())))) == {
        "stray": ("fail", "server access logging is not configured"),
        "ml-dev-logs": LOGS_TARGET,
    }


def test_unknown_target():
    model = lake(buckets=(zone_bucket("raw", logging=Logging(UNKNOWN)), zone_bucket("curated", logging=UNKNOWN)))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("unknown", "the access-log target cannot be known before deployment"),
        "ml-dev-curated": ("unknown", "the access-log target cannot be known before deployment"),
    }


def test_not_applicable_without_buckets():
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }
