"""The lake key policy: root delegation, named administrators, use through S3 only."""

import pytest

from components.documents.key_policy import KEY_ADMIN_ACTIONS, KEY_USE_ACTIONS, lake_key_policy
from tests.support import statement

ADMINS = ["arn:aws:iam::123456789012:role/LakeAdmin", "arn:aws:iam::123456789012:role/Deployer"]


def policy(admins=ADMINS) -> dict:
    return lake_key_policy("aws", "123456789012", "eu-west-1", admins)


def test_statements_in_order():
    assert policy()["Version"] == "2012-10-17"
    assert [s["Sid"] for s in policy()["Statement"]] == [
        "EnableIamPolicies",
        "AllowKeyAdministration",
        "DenyUseOutsideS3",
        "DenyUseByOtherAccounts",
    ]


def test_root_statement_lets_iam_delegate():
    assert statement(policy(), "EnableIamPolicies") == {
        "Sid": "EnableIamPolicies",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def test_administrators_manage_but_cannot_use_or_grant():
    admin = statement(policy(), "AllowKeyAdministration")
    assert admin["Principal"] == {"AWS": sorted(ADMINS)}
    assert admin["Action"] == list(KEY_ADMIN_ACTIONS)
    assert "Condition" not in admin
    for forbidden in ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:*"):
        assert forbidden not in admin["Action"]
    assert not any("*" in a for a in admin["Action"])


def test_use_only_through_s3_of_the_region():
    assert statement(policy(), "DenyUseOutsideS3") == {
        "Sid": "DenyUseOutsideS3",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": list(KEY_USE_ACTIONS),
        "Resource": "*",
        "Condition": {
            "StringNotEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"},
            "Bool": {"aws:PrincipalIsAWSService": "false"},
        },
    }


def test_use_only_by_principals_of_the_account():
    assert statement(policy(), "DenyUseByOtherAccounts") == {
        "Sid": "DenyUseByOtherAccounts",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": list(KEY_USE_ACTIONS),
        "Resource": "*",
        "Condition": {
            "StringNotEquals": {"kms:CallerAccount": "123456789012"},
            "Bool": {"aws:PrincipalIsAWSService": "false"},
        },
    }


def test_use_denies_cover_every_data_key_action_but_not_administration():
    assert set(KEY_USE_ACTIONS) == {
        "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom", "kms:ReEncryptTo",
    }
    assert not set(KEY_USE_ACTIONS) & set(KEY_ADMIN_ACTIONS)


def test_no_administrator_statement_without_administrators():
    assert [s["Sid"] for s in policy([])["Statement"]] == [
        "EnableIamPolicies", "DenyUseOutsideS3", "DenyUseByOtherAccounts",
    ]


def test_no_allow_to_any_principal_and_kms_star_only_for_root():
    for s in policy()["Statement"]:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        if s["Effect"] == "Allow":
            principals = s["Principal"]["AWS"]
            assert "*" not in (principals if isinstance(principals, list) else [principals]), s["Sid"]
        if s["Sid"] != "EnableIamPolicies":
            assert not any(a.endswith("*") for a in actions), s["Sid"]


def test_partition_flows_into_arns():
    doc = lake_key_policy("aws-cn", "123456789012", "cn-north-1", [])
    assert statement(doc, "EnableIamPolicies")["Principal"] == {"AWS": "arn:aws-cn:iam::123456789012:root"}


CRAWLER = "arn:aws:iam::123456789012:role/mlteam-prod-images-crawler"


def key_with(**options) -> dict:
    return lake_key_policy("aws", "123456789012", "eu-west-1", ADMINS, **options)


def test_options_add_statements_between_administration_and_denies():
    doc = key_with(via_services=("glue",), log_groups=("/aws-glue/crawlers*",),
                                crawler_role_arns=(CRAWLER,))
    assert [s["Sid"] for s in doc["Statement"]] == [
        "EnableIamPolicies",
        "AllowKeyAdministration",
        "AllowCrawlersToDecryptThroughS3",
        "AllowCloudWatchLogsEncryption",
        "DenyUseOutsideS3",
        "DenyUseByOtherAccounts",
    ]


def test_no_option_keeps_the_base_policy():
    assert key_with(via_services=(), log_groups=(), crawler_role_arns=(), consumer_decrypt_arns=(),
                    consumer_data_key_arns=(), consumer_accounts=()) == policy()


def test_use_through_s3_or_the_named_services_of_the_region():
    condition = statement(key_with(via_services=("glue",)), "DenyUseOutsideS3")["Condition"]
    assert condition == {
        "StringNotEquals": {"kms:ViaService": ["glue.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com"]},
        "Bool": {"aws:PrincipalIsAWSService": "false"},
    }


@pytest.mark.parametrize("service", ["glue.eu-west-1.amazonaws.com", ""])
def test_via_services_are_service_names(service):
    with pytest.raises(ValueError, match="service names such as 'glue'"):
        key_with(via_services=(service,))


def test_cloudwatch_logs_encrypts_the_named_log_groups_only():
    assert statement(key_with(log_groups=("/aws-glue/crawlers*",)), "AllowCloudWatchLogsEncryption") == {
        "Sid": "AllowCloudWatchLogsEncryption",
        "Effect": "Allow",
        "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
        "Action": list(KEY_USE_ACTIONS),
        "Resource": "*",
        "Condition": {
            "StringLike": {
                "kms:EncryptionContext:aws:logs:arn": [
                    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws-glue/crawlers*"
                ]
            }
        },
    }


def test_crawlers_decrypt_through_s3_only():
    assert statement(key_with(crawler_role_arns=(CRAWLER,)), "AllowCrawlersToDecryptThroughS3") == {
        "Sid": "AllowCrawlersToDecryptThroughS3",
        "Effect": "Allow",
        "Principal": {"AWS": [CRAWLER]},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
    }


READER = "arn:aws:iam::345678901234:role/Research"
WRITER = "arn:aws:iam::456789012345:role/Ingest"


def consumers_key() -> dict:
    return key_with(crawler_role_arns=(CRAWLER,), log_groups=("/aws-glue/crawlers*",),
                    consumer_decrypt_arns=(WRITER, READER), consumer_data_key_arns=(WRITER,),
                    consumer_accounts=("456789012345", "345678901234"))


def test_external_consumers_come_after_the_crawlers():
    assert [s["Sid"] for s in consumers_key()["Statement"]] == [
        "EnableIamPolicies",
        "AllowKeyAdministration",
        "AllowCrawlersToDecryptThroughS3",
        "AllowConsumersToDecryptThroughS3",
        "AllowConsumersToGenerateDataKeysThroughS3",
        "AllowCloudWatchLogsEncryption",
        "DenyUseOutsideS3",
        "DenyUseByOtherAccounts",
    ]


def test_external_consumers_decrypt_and_writers_generate_data_keys_through_s3_only():
    doc = consumers_key()
    through_s3 = {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}
    assert statement(doc, "AllowConsumersToDecryptThroughS3") == {
        "Sid": "AllowConsumersToDecryptThroughS3", "Effect": "Allow", "Principal": {"AWS": [READER, WRITER]},
        "Action": "kms:Decrypt", "Resource": "*", "Condition": through_s3,
    }
    assert statement(doc, "AllowConsumersToGenerateDataKeysThroughS3") == {
        "Sid": "AllowConsumersToGenerateDataKeysThroughS3", "Effect": "Allow", "Principal": {"AWS": [WRITER]},
        "Action": "kms:GenerateDataKey", "Resource": "*", "Condition": through_s3,
    }


def test_the_other_accounts_deny_admits_the_consumers_accounts():
    assert statement(consumers_key(), "DenyUseByOtherAccounts")["Condition"] == {
        "StringNotEquals": {"kms:CallerAccount": ["123456789012", "345678901234", "456789012345"]},
        "Bool": {"aws:PrincipalIsAWSService": "false"},
    }


def test_the_lake_account_among_the_consumer_accounts_changes_nothing():
    assert key_with(consumer_accounts=("123456789012",)) == policy()
