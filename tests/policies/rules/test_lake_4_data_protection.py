from dataclasses import replace

from policies.model import UNKNOWN, Bucket
from policies.rules.lake_4_data_protection import RULE
from tests.policies.builders import lake, lake_key, logs_bucket, statuses, zone_bucket

KEPT = {"protect": True, "retain_on_delete": True}
BUCKET_PASS = ("pass", "protect and retain_on_delete are True, force_destroy is False")
KEY_PASS = ("pass", "protect and retain_on_delete are True")


def production(raw: Bucket | None = None, logs: Bucket | None = None, **key_changes):
    buckets = (raw or zone_bucket("raw", **KEPT), logs or logs_bucket(**KEPT))
    return statuses(RULE.check(lake(production=True, buckets=buckets, keys=(lake_key(**{**KEPT, **key_changes}),))))


def test_pass():
    assert production() == {"ml-dev-raw": BUCKET_PASS, "ml-dev-logs": BUCKET_PASS, "lake-key-key": KEY_PASS}


def test_only_zone_buckets_logs_bucket_and_lake_keys_are_judged():
    untagged = zone_bucket("scratch", tags={})
    other_key = lake_key(name="other-key", tags={})
    model = lake(production=True, buckets=(zone_bucket("raw", **KEPT), untagged), keys=(lake_key(**KEPT), other_key))
    assert statuses(RULE.check(model)) == {"ml-dev-raw": BUCKET_PASS, "lake-key-key": KEY_PASS}


def test_fail_unprotected_bucket_force_destroy_and_unretained_key():
    assert production(zone_bucket("raw", protect=False, retain_on_delete=False),
                      logs_bucket(**KEPT, force_destroy=True), retain_on_delete=False) == {
        "ml-dev-raw": ("fail", "protect is False, must be True; retain_on_delete is False, must be True"),
        "ml-dev-logs": ("fail", "force_destroy is True, must be False"),
        "lake-key-key": ("fail", "retain_on_delete is False, must be True"),
    }


def test_fail_on_protect_even_when_retain_cannot_be_told():
    assert production(zone_bucket("raw", protect=False, retain_on_delete=None)) == {
        "ml-dev-raw": ("fail", "protect is False, must be True"),
        "ml-dev-logs": BUCKET_PASS,
        "lake-key-key": KEY_PASS,
    }


def test_unknown_retain_on_delete_in_the_policy_pack_and_unknown_force_destroy():
    assert production(zone_bucket("raw", protect=True, retain_on_delete=None),
                      logs_bucket(**KEPT, force_destroy=UNKNOWN), protect=None) == {
        "ml-dev-raw": ("unknown", "this source cannot tell retain_on_delete"),
        "ml-dev-logs": ("unknown", "force_destroy cannot be known before deployment"),
        "lake-key-key": ("unknown", "this source cannot tell protect"),
    }


def test_unknown_whether_production():
    assert statuses(RULE.check(lake(production=None))) == {
        "lake": ("unknown", "the stack does not say whether it is production"),
    }


def test_not_applicable_outside_production():
    assert statuses(RULE.check(lake())) == {"lake": ("not_applicable", "the stack is not production")}


def test_not_applicable_without_lake_resources():
    assert statuses(RULE.check(replace(lake(production=True), buckets=(), keys=()))) == {
        "lake": ("not_applicable", "the stack declares no zone bucket, logs bucket or lake key"),
    }
