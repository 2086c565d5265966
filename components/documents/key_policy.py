"""Key policy of the lake's KMS key.

- the account root: IAM policies of the account may grant use of the key (without it only this
  policy could, and a mistake would lock the account out);
- the named administrators: manage the key, with no use of it;
- two denies that hold whatever IAM grants: cryptographic use only through S3 in the lake's
  region (``kms:ViaService``), and only by principals of the lake's account
  (``kms:CallerAccount``). An Allow could not do this: Allow statements add up, and the root
  statement already lets IAM grant everything.
"""

from __future__ import annotations

from .statements import PolicyDocument, Statement, policy_document

# Managing the key, listed one by one: no wildcard and no cryptographic action. (Administrators
# can still rewrite this policy with kms:PutKeyPolicy; CloudTrail records it.) No kms:CreateGrant:
# grants would let them delegate use without a policy change.
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

# Cryptographic use of the key: what S3 needs for SSE-KMS (and Bucket Keys), plus the rest of the
# data-key family, so that the S3-only rule leaves no direct path open.
KEY_USE_ACTIONS = (
    "kms:Decrypt",
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


def _deny_use(sid: str, condition: dict) -> Statement:
    """Deny cryptographic use to every principal of any account when ``condition`` holds.

    AWS services acting as themselves (``aws:PrincipalIsAWSService``: log delivery, event
    notifications) are left to the Allow statements written for them: ``kms:ViaService`` and
    ``kms:CallerAccount`` are not set for their calls, so these denies would block them all.
    """
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": list(KEY_USE_ACTIONS),
        "Resource": "*",
        "Condition": {**condition, "Bool": {"aws:PrincipalIsAWSService": "false"}},
    }


def deny_use_outside_s3(region: str) -> Statement:
    """Use of the key only through S3 in the lake's region, whatever IAM policies grant."""
    return _deny_use("DenyUseOutsideS3", {"StringNotEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}})


def deny_use_by_other_accounts(account_id: str) -> Statement:
    """Use of the key only by principals of the lake's account."""
    return _deny_use("DenyUseByOtherAccounts", {"StringNotEquals": {"kms:CallerAccount": account_id}})


def lake_key_policy(
    partition: str, account_id: str, region: str, administrators: list[str]
) -> PolicyDocument:
    statements = [enable_iam_policies(partition, account_id)]
    if administrators:
        statements.append(allow_key_administration(administrators))
    statements += [deny_use_outside_s3(region), deny_use_by_other_accounts(account_id)]
    return policy_document(statements)
