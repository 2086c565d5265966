from policies.model import UNKNOWN
from policies.rules.lake_8_athena_workgroup import RULE
from tests.policies.builders import KEY_ARN, lake, statuses, workgroup

NAME = "ml-dev"
OTHER_KEY = KEY_ARN.replace("11111111", "99999999")


def judge(model=None, **changes):
    return statuses(RULE.check(model or lake(workgroups=(workgroup(**changes),))))


def test_pass_with_the_lake_key():
    assert judge(lake()) == {
        NAME: ("pass", "the workgroup enforces its configuration and encrypts query results with SSE_KMS"),
    }


def test_pass_cse_kms_any_key_when_the_lake_has_none():
    assert judge(lake(keys=(), workgroups=(workgroup(encryption_option="CSE_KMS", kms_key_arn=OTHER_KEY),))) == {
        NAME: ("pass", "the workgroup enforces its configuration and encrypts query results with CSE_KMS"),
    }


def test_fail_not_enforced_and_sse_s3():
    assert judge(enforced=False, encryption_option="SSE_S3", kms_key_arn=None) == {
        NAME: ("fail", "the workgroup does not enforce its configuration: clients may send results elsewhere, "
                       "unencrypted; query results are encrypted with SSE_S3, must be SSE_KMS or CSE_KMS"),
    }


def test_fail_unencrypted():
    assert judge(encryption_option=None, kms_key_arn=None) == {NAME: ("fail", "query results are not encrypted")}


def test_fail_another_key_or_none():
    assert judge(kms_key_arn=OTHER_KEY) == {
        NAME: ("fail", f"query results are encrypted with {OTHER_KEY}, not the lake key {KEY_ARN}"),
    }
    assert judge(kms_key_arn=None) == {NAME: ("fail", "query results are SSE_KMS with no KMS key named")}


def test_unknown():
    assert judge(enforced=UNKNOWN) == {
        NAME: ("unknown", "whether the workgroup enforces its configuration cannot be known before deployment"),
    }
    assert judge(kms_key_arn=UNKNOWN) == {
        NAME: ("unknown", "the key of the query results cannot be known before deployment"),
    }


def test_not_applicable_without_workgroups():
    assert judge(lake(workgroups=())) == {"lake": ("not_applicable", "the stack declares no Athena workgroup")}
