"""Key policy of the lake's KMS key.

Three statements: the account root (so IAM policies can grant use of the key; without it only
this policy could, and a mistake would lock the account out), the named administrators (manage
the key, never use it), and use through S3 in the lake's region by principals of the account.
"""

from __future__ import annotations

from .statements import PolicyDocument, Statement, policy_document

# Managing the key, listed one by one: no wildcard, and no kms:CreateGrant, so administrators
# cannot hand themselves the right to decrypt data.
KEY_ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)

# What S3 needs to encrypt and decrypt objects with SSE-KMS (and S3 Bucket Keys).
KEY_USE_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)


def account_root_arn(partition: str, account_id: str) -> str:
    return f"arn:{partition}:iam::{account_id}:root"


def enable_iam_policies(partition: str, account_id: str) -> Statement:
    """The account root statement: lets IAM policies of the account delegate use of the key."""
    return {
        "Sid": "EnableIamPolicies",
        "Effect": "Allow",
        "Principal": {"AWS": account_root_arn(partition, account_id)},
        "Action": "kms:*",
        "Resource": "*",
    }


def allow_key_administration(administrators: list[str]) -> Statement:
    return {
        "Sid": "AllowKeyAdministration",
        "Effect": "Allow",
        "Principal": {"AWS": sorted(administrators)},
        "Action": list(KEY_ADMIN_ACTIONS),
        "Resource": "*",
    }


def allow_use_through_s3(partition: str, account_id: str, region: str) -> Statement:
    """Use of the key for principals of the account, only when S3 calls KMS on their behalf."""
    return {
        "Sid": "AllowUseThroughS3",
        "Effect": "Allow",
        "Principal": {"AWS": account_root_arn(partition, account_id)},
        "Action": list(KEY_USE_ACTIONS),
        "Resource": "*",
        "Condition": {
            "StringEquals": {
                "kms:ViaService": f"s3.{region}.amazonaws.com",
                "kms:CallerAccount": account_id,
            }
        },
    }


def lake_key_policy(
    partition: str, account_id: str, region: str, administrators: list[str]
) -> PolicyDocument:
    statements = [enable_iam_policies(partition, account_id)]
    if administrators:
        statements.append(allow_key_administration(administrators))
    statements.append(allow_use_through_s3(partition, account_id, region))
    return policy_document(statements)
