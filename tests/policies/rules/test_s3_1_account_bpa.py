from dataclasses import replace

from policies.model import UNKNOWN, PublicAccessBlock
from policies.rules.s3_1_account_bpa import RULE
from tests.policies.builders import lake, statuses


def judge(block):
    return statuses(RULE.check(lake(account_public_access_block=block)))


def test_pass():
    assert judge(PublicAccessBlock(True, True, True, True)) == {"lake": ("pass", "all four settings are true")}


def test_fail_off_and_not_set():
    assert judge(PublicAccessBlock(False, True, None, True)) == {
        "lake": ("fail", "BlockPublicAcls is false, must be true; IgnorePublicAcls is not set, must be true"),
    }


def test_unknown_flag_and_unknown_settings():
    assert judge(PublicAccessBlock(True, UNKNOWN, True, True)) == {
        "lake": ("unknown", "BlockPublicPolicy cannot be known before deployment"),
    }
    assert judge(UNKNOWN) == {
        "lake": ("unknown", "the account-level Block Public Access settings cannot be known before deployment"),
    }


def test_a_failing_flag_outweighs_an_unknown_one():
    assert judge(PublicAccessBlock(True, UNKNOWN, True, False)) == {
        "lake": ("fail", "RestrictPublicBuckets is false, must be true"),
    }


def test_not_applicable_when_the_stack_does_not_manage_it():
    assert statuses(RULE.check(lake())) == {
        "lake": ("not_applicable", "the stack does not manage account-level Block Public Access"),
    }


def test_fail_live_account_without_account_level_configuration():
    assert statuses(RULE.check(replace(lake(), source="live", account_public_access_block=None))) == {
        "lake": ("fail", "the account has no account-level Block Public Access configuration; all four settings "
                         "must be true"),
    }
