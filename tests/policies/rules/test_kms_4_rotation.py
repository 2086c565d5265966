from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.kms_4_rotation import RULE
from tests.policies.builders import lake, lake_key, statuses


def test_pass():
    assert statuses(RULE.check(lake())) == {"lake-key-key": ("pass", "automatic key rotation is enabled")}


def test_fail_disabled_and_not_configured():
    keys = (lake_key(rotation_enabled=False), lake_key(name="other-key", tags={}, rotation_enabled=None))
    assert statuses(RULE.check(lake(keys=keys))) == {
        "lake-key-key": ("fail", "automatic key rotation is disabled; it must be enabled"),
        "other-key": ("fail", "automatic key rotation is not configured; it must be enabled"),
    }


def test_unknown():
    assert statuses(RULE.check(lake(keys=(lake_key(rotation_enabled=UNKNOWN),)))) == {
        "lake-key-key": ("unknown", "whether automatic key rotation is enabled cannot be known before deployment"),
    }


def test_not_applicable_without_keys():
    assert statuses(RULE.check(replace(lake(), keys=()))) == {
        "lake": ("not_applicable", "the stack declares no KMS key"),
    }
