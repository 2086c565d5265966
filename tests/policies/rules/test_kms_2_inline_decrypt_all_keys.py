from policies.model import UNKNOWN
from policies.rules.kms_2_inline_decrypt_all_keys import RULE
from tests.policies.builders import KEY_ARN, lake, statuses
from tests.policies.rules.test_kms_1_iam_decrypt_all_keys import DECRYPT_ANYTHING, USE_LAKE_KEY, policy


def judge(*policies):
    return statuses(RULE.check(lake(iam_policies=policies)))


def test_pass_scoped_to_the_lake_key_and_managed_policies_ignored():
    assert judge(policy(USE_LAKE_KEY, name="crawler", kind="inline"), policy(DECRYPT_ANYTHING)) == {
        "crawler": ("pass", "no statement allows kms:Decrypt or kms:ReEncryptFrom on every KMS key"),
    }


def test_fail_decrypt_on_star():
    assert judge(policy(DECRYPT_ANYTHING, name="crawler", kind="inline")) == {
        "crawler": ("fail", 'statement DecryptAnything allows kms:Decrypt on every KMS key (Resource "*")'),
    }


def test_fail_re_encrypt_with_not_resource():
    statement = {"Sid": "MoveKeys", "Effect": "Allow", "Action": "kms:ReEncryptFrom", "NotResource": [KEY_ARN]}
    assert judge(policy(statement, name="crawler", kind="inline")) == {
        "crawler": ("fail", f'statement MoveKeys allows kms:ReEncryptFrom on every KMS key but NotResource ["{KEY_ARN}"]'),
    }


def test_unknown_resource():
    assert judge(policy({**USE_LAKE_KEY, "Resource": UNKNOWN}, name="crawler", kind="inline")) == {
        "crawler": ("unknown", "whether statement UseLakeKey allows kms:Decrypt or kms:ReEncryptFrom on every KMS "
                               "key cannot be known before deployment"),
    }


def test_not_applicable_without_inline_policies():
    expected = {"lake": ("not_applicable", "the stack declares no inline IAM policy")}
    assert statuses(RULE.check(lake())) == expected
    assert judge(policy(DECRYPT_ANYTHING)) == expected
