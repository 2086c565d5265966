from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.kms_3_pending_deletion import RULE
from tests.policies.builders import lake, lake_key, statuses

PASSING = "the key is enabled and not pending deletion"


def judge(*keys):
    return statuses(RULE.check(lake(keys=keys)))


def test_pass():
    assert statuses(RULE.check(lake())) == {"lake-key-key": ("pass", PASSING)}


def test_fail_pending_deletion_on_any_key_by_flag_or_state():
    flagged = lake_key(name="flagged", tags={}, pending_deletion=True)
    by_state = lake_key(name="by-state", tags={}, state="PendingDeletion")
    assert judge(lake_key(), flagged, by_state) == {
        "lake-key-key": ("pass", PASSING),
        "flagged": ("fail", "the key is pending deletion"),
        "by-state": ("fail", "the key is pending deletion"),
    }


def test_fail_disabled():
    assert judge(lake_key(state="Disabled")) == {
        "lake-key-key": ("fail", "the key is disabled: nothing encrypted under it can be read"),
    }


def test_fail_other_states_named():
    assert judge(lake_key(name="import", state="PendingImport"), lake_key(name="gone", state="Unavailable")) == {
        "import": ("fail", "the key is in state PendingImport: KMS uses only an Enabled key, so nothing encrypted "
                           "under it can be read"),
        "gone": ("fail", "the key is in state Unavailable: KMS uses only an Enabled key, so nothing encrypted "
                         "under it can be read"),
    }


def test_unknown():
    assert judge(lake_key(pending_deletion=UNKNOWN)) == {
        "lake-key-key": ("unknown", "whether the key is pending deletion cannot be known before deployment"),
    }
    assert judge(lake_key(state=UNKNOWN)) == {
        "lake-key-key": ("unknown", "the key's state cannot be known before deployment"),
    }


def test_not_applicable_without_keys():
    assert statuses(RULE.check(replace(lake(), keys=()))) == {
        "lake": ("not_applicable", "the stack declares no KMS key"),
    }
