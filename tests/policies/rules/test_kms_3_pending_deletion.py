from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.kms_3_pending_deletion import RULE
from tests.policies.builders import lake, lake_key, statuses


def test_pass():
    assert statuses(RULE.check(lake())) == {"lake-key-key": ("pass", "the key is not pending deletion")}


def test_fail_pending_deletion_on_any_key():
    other = lake_key(name="other-key", tags={}, pending_deletion=True)
    assert statuses(RULE.check(lake(keys=(lake_key(), other)))) == {
        "lake-key-key": ("pass", "the key is not pending deletion"),
        "other-key": ("fail", "the key is pending deletion"),
    }


def test_unknown():
    assert statuses(RULE.check(lake(keys=(lake_key(pending_deletion=UNKNOWN),)))) == {
        "lake-key-key": ("unknown", "whether the key is pending deletion cannot be known before deployment"),
    }


def test_not_applicable_without_keys():
    assert statuses(RULE.check(replace(lake(), keys=()))) == {
        "lake": ("not_applicable", "the stack declares no KMS key"),
    }
