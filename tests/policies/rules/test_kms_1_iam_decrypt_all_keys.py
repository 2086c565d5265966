from policies.model import UNKNOWN, IamPolicy
from policies.rules.kms_1_iam_decrypt_all_keys import RULE
from tests.policies.builders import ACCOUNT, KEY_ARN, OTHER_ACCOUNT, REGION, lake, statuses

USE_LAKE_KEY = {"Sid": "UseLakeKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": KEY_ARN}
DECRYPT_ANYTHING = {"Sid": "DecryptAnything", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}


def policy(*statements, name="analyst-read", kind="managed") -> IamPolicy:
    return IamPolicy(name, f"urn:pulumi:dev::datalake::aws:iam/policy:Policy::{name}",
                     {"Version": "2012-10-17", "Statement": list(statements)}, kind)


def judge(*policies, **changes):
    return statuses(RULE.check(lake(iam_policies=policies, **changes)))


def test_pass_scoped_to_the_lake_key_and_inline_policies_ignored():
    assert judge(policy(USE_LAKE_KEY), policy(DECRYPT_ANYTHING, name="inline", kind="inline")) == {
        "analyst-read": ("pass", "no statement allows kms:Decrypt or kms:ReEncryptFrom on every KMS key"),
    }


def test_pass_deny_and_other_actions_on_every_key():
    deny = {**DECRYPT_ANYTHING, "Sid": "NoDecrypt", "Effect": "Deny"}
    describe = {"Sid": "Describe", "Effect": "Allow", "Action": ["kms:DescribeKey", "kms:Encrypt"], "Resource": "*"}
    assert judge(policy(deny, describe)) == {
        "analyst-read": ("pass", "no statement allows kms:Decrypt or kms:ReEncryptFrom on every KMS key"),
    }


def test_fail_decrypt_on_star():
    assert judge(policy(USE_LAKE_KEY, DECRYPT_ANYTHING)) == {
        "analyst-read": ("fail", 'statement DecryptAnything allows kms:Decrypt on every KMS key (Resource "*")'),
    }


def test_fail_wildcard_action_on_every_key_arn():
    statement = {"Sid": "KmsAdmin", "Effect": "Allow", "Action": ["kms:*"], "Resource": ["arn:aws:kms:*:*:key/*"]}
    assert judge(policy(statement)) == {
        "analyst-read": ("fail", "statement KmsAdmin allows kms:Decrypt and kms:ReEncryptFrom on every KMS key "
                                 '(Resource "arn:aws:kms:*:*:key/*")'),
    }


def test_fail_partial_wildcard_action():
    statement = {"Sid": "Decrypters", "Effect": "Allow", "Action": "kms:De*", "Resource": "*"}
    assert judge(policy(statement)) == {
        "analyst-read": ("fail", 'statement Decrypters allows kms:Decrypt on every KMS key (Resource "*")'),
    }


def test_fail_not_resource_and_not_action():
    not_resource = {"Sid": "AllButLake", "Effect": "Allow", "Action": "kms:ReEncrypt*", "NotResource": KEY_ARN}
    not_action = {"Effect": "Allow", "NotAction": "kms:Encrypt", "Resource": "*"}
    assert judge(policy(not_resource, not_action)) == {
        "analyst-read": ("fail", f'statement AllButLake allows kms:ReEncryptFrom on every KMS key but NotResource '
                                 f'["{KEY_ARN}"]; statement #2 (no Sid) allows kms:Decrypt and kms:ReEncryptFrom on '
                                 'every KMS key (Resource "*")'),
    }


def test_fail_a_condition_does_not_scope_the_keys():
    via_s3 = {**DECRYPT_ANYTHING, "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}
    assert judge(policy(via_s3)) == {
        "analyst-read": ("fail", 'statement DecryptAnything allows kms:Decrypt on every KMS key (Resource "*")'),
    }


def test_fail_every_key_of_the_account():
    statement = {"Sid": "AccountKeys", "Effect": "Allow", "Action": "kms:Decrypt",
                 "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*"}
    assert judge(policy(statement)) == {
        "analyst-read": ("fail", f'statement AccountKeys allows kms:Decrypt on every KMS key (Resource '
                                 f'"arn:aws:kms:{REGION}:{ACCOUNT}:key/*")'),
    }


def test_pass_keys_of_another_account_or_region():
    statement = {"Sid": "PartnerKeys", "Effect": "Allow", "Action": "kms:Decrypt",
                 "Resource": [f"arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/*", f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/*"]}
    assert judge(policy(statement)) == {
        "analyst-read": ("pass", "no statement allows kms:Decrypt or kms:ReEncryptFrom on every KMS key"),
    }


def test_fail_every_key_in_the_lake_partition():
    statement = {"Sid": "China", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws-cn:kms:*"}
    assert judge(policy(statement), partition="aws-cn") == {
        "analyst-read": ("fail", 'statement China allows kms:Decrypt on every KMS key (Resource "arn:aws-cn:kms:*")'),
    }


def test_unknown_key_arn_during_preview():
    assert judge(policy({**USE_LAKE_KEY, "Resource": [UNKNOWN]})) == {
        "analyst-read": ("unknown", "whether statement UseLakeKey allows kms:Decrypt or kms:ReEncryptFrom on every "
                                    "KMS key cannot be known before deployment"),
    }


def test_a_known_star_fails_next_to_an_unknown_arn():
    assert judge(policy({**DECRYPT_ANYTHING, "Resource": [UNKNOWN, "*"]})) == {
        "analyst-read": ("fail", 'statement DecryptAnything allows kms:Decrypt on every KMS key (Resource "*")'),
    }


def test_unknown_document():
    unknown_policy = IamPolicy("analyst-read", "urn:analyst-read", UNKNOWN, "managed")
    assert judge(unknown_policy) == {
        "analyst-read": ("unknown", "the policy document cannot be known before deployment"),
    }


def test_not_applicable_without_managed_policies():
    expected = {"lake": ("not_applicable", "the stack declares no customer managed IAM policy")}
    assert statuses(RULE.check(lake())) == expected
    assert judge(policy(DECRYPT_ANYTHING, kind="inline")) == expected
