from dataclasses import replace

from policies.model import UNKNOWN, Lifecycle, LifecycleRule, Transition
from policies.rules.s3_13_lifecycle import RULE
from tests.policies.builders import lake, lifecycle, logs_bucket, statuses, zone_bucket

PASS = ("pass", "4 enabled rules: transitions and expirations in order, incomplete multipart uploads aborted, "
                "noncurrent versions expired")
ABORT = LifecycleRule("abort", True, abort_incomplete_multipart_upload_days=7)
NONCURRENT = LifecycleRule("noncurrent", True, noncurrent_expiration_days=90)


def raw_with_rules(*rules, **changes):
    """The raw bucket alone, its lifecycle made of ``rules``."""
    return lake(buckets=(zone_bucket("raw", lifecycle=Lifecycle(rules), **changes),))


def tiering(*transitions, expiration_days=None):
    return LifecycleRule("tier", True, transitions=tuple(Transition(d, c) for d, c in transitions),
                         expiration_days=expiration_days)


def verdict(*rules, **changes):
    return statuses(RULE.check(raw_with_rules(*rules, **changes)))["ml-dev-raw"]


def test_pass():
    assert statuses(RULE.check(lake())) == {"ml-dev-raw": PASS, "ml-dev-logs": PASS}


def test_pass_unversioned_bucket_needs_no_noncurrent_expiry():
    assert verdict(tiering((30, "STANDARD_IA"), (120, "DEEP_ARCHIVE"), expiration_days=300), ABORT,
                   versioning=None) == (
        "pass", "2 enabled rules: transitions and expirations in order, incomplete multipart uploads aborted")


def test_fail_no_lifecycle_or_no_enabled_rule():
    assert statuses(RULE.check(lake(buckets=(zone_bucket("raw", lifecycle=None),)))) == {
        "ml-dev-raw": ("fail", "no lifecycle configuration"),
    }
    assert verdict(LifecycleRule("off", False, abort_incomplete_multipart_upload_days=7)) == (
        "fail", "the lifecycle has no enabled rule")


def test_fail_standard_ia_before_day_30():
    assert verdict(tiering((10, "STANDARD_IA")), ABORT, NONCURRENT) == (
        "fail", "rule tier: objects move to STANDARD_IA at day 10; S3 requires day 30 or later")


def test_fail_warmer_and_earlier_transition():
    assert verdict(tiering((30, "STANDARD_IA"), (120, "GLACIER"), (90, "GLACIER_IR")), ABORT, NONCURRENT) == (
        "fail", "rule tier: objects move from GLACIER to GLACIER_IR, which is not colder; rule tier: objects move to "
                "GLACIER_IR at day 90, not after the move to GLACIER at day 120")


def test_fail_leaves_standard_ia_too_soon():
    assert verdict(tiering((30, "STANDARD_IA"), (45, "GLACIER")), ABORT, NONCURRENT) == (
        "fail", "rule tier: objects move to GLACIER 15 days after STANDARD_IA; S3 requires 30 days in STANDARD_IA "
                "first")


def test_fail_expiration_before_the_minimum_storage_duration():
    assert verdict(tiering((30, "STANDARD_IA"), (90, "GLACIER_IR"), expiration_days=120), ABORT, NONCURRENT) == (
        "fail", "rule tier: objects expire at day 120, before day 180 (GLACIER_IR from day 90 bills at least 90 days)")


def test_fail_noncurrent_schedule_follows_the_same_rules():
    noncurrent = LifecycleRule("noncurrent", True, noncurrent_transitions=(Transition(7, "STANDARD_IA"),),
                               noncurrent_expiration_days=20)
    assert verdict(ABORT, noncurrent) == (
        "fail", "rule noncurrent: noncurrent versions move to STANDARD_IA at day 7; S3 requires day 30 or later; "
                "rule noncurrent: noncurrent versions expire at day 20, before day 37 (STANDARD_IA from day 7 bills at "
                "least 30 days)")


def test_fail_class_outside_the_lakes_order():
    assert verdict(tiering((30, "ONEZONE_IA"), (90, "GLACIER")), ABORT, NONCURRENT) == (
        "fail", "rule tier: objects move to ONEZONE_IA at day 30, which this rule cannot judge (day-based transitions "
                "to STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE only)")


def test_fail_cleanup_missing_or_only_under_a_prefix():
    prefixed_abort = replace(ABORT, prefix="tmp/")
    assert verdict(prefixed_abort, replace(NONCURRENT, enabled=False)) == (
        "fail", "no enabled rule aborts incomplete multipart uploads for the whole bucket; versioning is Enabled but "
                "no enabled rule expires noncurrent versions for the whole bucket")


def test_fail_suspended_versioning_still_keeps_noncurrent_versions():
    assert verdict(ABORT, versioning="Suspended") == (
        "fail", "versioning is Suspended but no enabled rule expires noncurrent versions for the whole bucket")


def test_fail_reports_every_problem_of_every_bucket():
    model = lake(buckets=(
        zone_bucket("raw", lifecycle=Lifecycle((tiering((10, "STANDARD_IA")), NONCURRENT))),
        logs_bucket(lifecycle=replace(lifecycle(), rules=lifecycle().rules[2:])),
    ))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "rule tier: objects move to STANDARD_IA at day 10; S3 requires day 30 or later; no "
                               "enabled rule aborts incomplete multipart uploads for the whole bucket"),
        "ml-dev-logs": ("fail", "versioning is Enabled but no enabled rule expires noncurrent versions for the "
                                "whole bucket"),
    }


def test_unknown_lifecycle_value():
    assert verdict(tiering((UNKNOWN, "STANDARD_IA")), ABORT, NONCURRENT) == (
        "unknown", "the lifecycle configuration cannot be known before deployment")
    assert statuses(RULE.check(lake(buckets=(zone_bucket("raw", lifecycle=UNKNOWN),)))) == {
        "ml-dev-raw": ("unknown", "the lifecycle configuration cannot be known before deployment"),
    }


def test_unknown_versioning_without_noncurrent_expiry():
    assert verdict(ABORT, versioning=UNKNOWN) == (
        "unknown", "no enabled rule expires noncurrent versions, and whether versioning is on cannot be known before "
                   "deployment")


def test_not_applicable_without_buckets():
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }
