from dataclasses import replace

from policies.model import UNKNOWN, Lifecycle, LifecycleRule, Transition
from policies.rules.s3_13_lifecycle import RULE
from tests.policies.builders import recorded_statuses, lake, lifecycle, logs_bucket, statuses, zone_bucket

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


# --- the rules together, as S3 applies them (policies/lifecycle_schedule.py) ---------------------

EXPIRE_ALL = LifecycleRule("expire-all", True, expiration_days=60)
TIER_IMAGES = LifecycleRule("tier-images", True, prefix="images/", transitions=(
    Transition(30, "STANDARD_IA"), Transition(90, "GLACIER")))


def test_fail_a_rule_expiring_every_object_first_makes_a_narrower_move_dead():
    assert verdict(EXPIRE_ALL, TIER_IMAGES, ABORT, NONCURRENT) == (
        "fail", "rule tier-images never moves objects under images/ to GLACIER at day 90: rule expire-all expires "
                "every one of them at day 60")


def test_fail_a_colder_move_of_another_rule_makes_a_move_dead():
    archive = LifecycleRule("archive", True, transitions=(Transition(60, "DEEP_ARCHIVE"),))
    assert verdict(archive, TIER_IMAGES, ABORT, NONCURRENT) == (
        "fail", "rule tier-images never moves objects under images/ to GLACIER at day 90: they are in DEEP_ARCHIVE "
                "from day 60 (rule archive)")


def test_fail_rules_that_together_leave_a_class_too_early():
    short = LifecycleRule("short-lived", True, prefix="images/", expiration_days=100)
    assert verdict(TIER_IMAGES, short, ABORT, NONCURRENT) == (
        "fail", "objects under images/ expire at day 100 (rule short-lived), before day 180 (GLACIER from day 90, "
                "rule tier-images, bills at least 90 days)")


def test_pass_a_narrower_rule_with_a_shorter_retention():
    scratch = LifecycleRule("scratch", True, prefix="tmp/", expiration_days=7)
    assert verdict(tiering((30, "STANDARD_IA"), expiration_days=400), scratch, ABORT, NONCURRENT) == (
        "pass", "4 enabled rules: transitions and expirations in order, incomplete multipart uploads aborted, "
                "noncurrent versions expired")


def test_unknown_which_of_a_same_day_move_and_expiration_wins():
    expire = LifecycleRule("expire", True, expiration_days=90)
    assert verdict(tiering((90, "GLACIER")), expire, ABORT, NONCURRENT, versioning=UNKNOWN) == (
        "unknown", "a transition and an expiration fall on the same day, and which wins depends on whether "
                   "versioning is on, which cannot be known before deployment")



def test_recorded_dev_and_prod_plans_pass():
    assert recorded_statuses(RULE) == {"dev": {"pass"}, "prod": {"pass"}}
