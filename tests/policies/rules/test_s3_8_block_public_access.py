from dataclasses import replace

from policies.model import UNKNOWN, PublicAccessBlock
from policies.rules.s3_8_block_public_access import RULE
from tests.policies.builders import lake, logs_bucket, statuses, zone_bucket

PASS = ("pass", "all four Block Public Access flags are true")


def test_pass():
    assert statuses(RULE.check(lake())) == {"ml-dev-raw": PASS, "ml-dev-logs": PASS}


def test_fail_missing_configuration():
    model = lake(buckets=(zone_bucket("raw", public_access_block=None),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "no bucket-level Block Public Access configuration; all four flags must be true"),
    }


def test_fail_lists_every_flag_off_even_beside_an_unknown_one():
    model = lake(buckets=(
        zone_bucket("raw", public_access_block=PublicAccessBlock(True, False, True, None)),
        logs_bucket(public_access_block=PublicAccessBlock(False, True, UNKNOWN, True)),
    ))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "Block Public Access flags not true: BlockPublicPolicy, RestrictPublicBuckets"),
        "ml-dev-logs": ("fail", "Block Public Access flags not true: BlockPublicAcls"),
    }


def test_unknown_configuration_or_flag():
    model = lake(buckets=(
        zone_bucket("raw", public_access_block=UNKNOWN),
        logs_bucket(public_access_block=PublicAccessBlock(True, True, UNKNOWN, True)),
    ))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("unknown", "the Block Public Access configuration cannot be known before deployment"),
        "ml-dev-logs": ("unknown", "Block Public Access flags cannot be known before deployment: IgnorePublicAcls"),
    }


def test_not_applicable_without_buckets():
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }
