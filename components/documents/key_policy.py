"""Key policy of the lake's KMS key.

- the account root: IAM policies of the account may grant use of the key (without it only this
  policy could, and a mistake would lock the account out);
- the named administrators: manage the key, with no use of it;
- optional grants: the crawler roles' decryption through S3 (the key side of
  ``crawler_role.crawler_policy``), and the CloudWatch Logs service's encryption of named log
  groups (crawler logs, encrypted by the crawlers' security configuration);
- two denies that hold whatever IAM grants: cryptographic use only through S3 in the lake's
  region (``kms:ViaService``; plus the ``via_services`` named, e.g. Glue for the Data Catalog),
  and only by principals of the lake's account (``kms:CallerAccount``). An Allow could not do
  this: Allow statements add up, and the root statement already lets IAM grant everything.
"""

from __future__ import annotations

from .arns import log_group_arn, regional_service
from .grants import via_service
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


def deny_use_outside_s3(region: str, via_services: tuple[str, ...] = ()) -> Statement:
    """Use of the key only through S3 (and ``via_services``) in the lake's region, whatever IAM
    policies grant. With several services, ``StringNotEquals`` denies a call through none of them."""
    for service in via_services:
        if "." in service or not service:
            raise ValueError(f"via_services holds service names such as 'glue', got {service!r}")
    allowed = sorted(regional_service(service, region) for service in {"s3", *via_services})
    # S3 alone stays a string, as the policy has always been written.
    via = allowed if len(allowed) > 1 else allowed[0]
    return _deny_use("DenyUseOutsideS3", {"StringNotEquals": {"kms:ViaService": via}})


def deny_use_by_other_accounts(account_id: str, consumer_accounts: tuple[str, ...] = ()) -> Statement:
    """Use of the key only by principals of the lake's account, and of the accounts of its
    external consumers (whose roles the key policy names one by one)."""
    accounts = sorted({account_id, *consumer_accounts})
    # The lake's account alone stays a string, as the policy has always been written.
    callers = accounts if len(accounts) > 1 else account_id
    return _deny_use("DenyUseByOtherAccounts", {"StringNotEquals": {"kms:CallerAccount": callers}})


def allow_crawlers_to_decrypt(crawler_role_arns: tuple[str, ...], region: str) -> Statement:
    """The crawler roles may decrypt what they read through S3: the key side of their identity
    policy's grant, so that the key policy itself names who decrypts lake data, and the grant
    holds even if the root statement is ever narrowed."""
    return {
        "Sid": "AllowCrawlersToDecryptThroughS3",
        "Effect": "Allow",
        "Principal": {"AWS": sorted(crawler_role_arns)},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": via_service("s3", region),
    }


def allow_consumers_through_s3(sid: str, action: str, role_arns: tuple[str, ...], region: str) -> Statement:
    """External consumers' roles may use the key through S3: the key side of their exported
    identity policy. Cross-account, the key policy must allow them itself: the root statement only
    delegates to IAM policies of the lake's account."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": sorted(role_arns)},
        "Action": action,
        "Resource": "*",
        "Condition": via_service("s3", region),
    }


def allow_log_encryption(partition: str, region: str, account_id: str, log_groups: tuple[str, ...]) -> Statement:
    """CloudWatch Logs may encrypt and read the named log groups of the account with the key.

    The key policy AWS documents for encrypted log groups, scoped by the log group ARN that
    CloudWatch Logs puts in the encryption context
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html), with
    two changes. Its wildcards (kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*)
    are written out, and its kms:Describe* is left out: kms:DescribeKey carries no encryption
    context, so under this condition it is never allowed anyway. And ``StringLike``, the type of
    encryption-context keys, rather than AWS's ``ArnLike``: with one trailing ``*`` both match
    the same log groups.
    """
    return {
        "Sid": "AllowCloudWatchLogsEncryption",
        "Effect": "Allow",
        "Principal": {"Service": regional_service("logs", region)},
        "Action": list(KEY_USE_ACTIONS),
        "Resource": "*",
        "Condition": {
            "StringLike": {
                "kms:EncryptionContext:aws:logs:arn": sorted(
                    log_group_arn(partition, region, account_id, name) for name in log_groups
                )
            }
        },
    }


def lake_key_policy(
    partition: str,
    account_id: str,
    region: str,
    administrators: list[str],
    *,
    via_services: tuple[str, ...] = (),
    log_groups: tuple[str, ...] = (),
    crawler_role_arns: tuple[str, ...] = (),
    consumer_decrypt_arns: tuple[str, ...] = (),
    consumer_data_key_arns: tuple[str, ...] = (),
    consumer_accounts: tuple[str, ...] = (),
) -> PolicyDocument:
    """The key policy; each option adds to it, and none given leaves the four base statements.

    ``via_services``: services besides S3 (``"glue"``) through which the account may use the key.
    ``log_groups``: log group names (patterns, ``/aws-glue/crawlers*``) CloudWatch Logs may
    encrypt with the key. ``crawler_role_arns``: roles granted decryption through S3.
    ``consumer_decrypt_arns`` / ``consumer_data_key_arns``: external consumers' roles granted
    kms:Decrypt / kms:GenerateDataKey through S3 (``consumer_access.external_key_grants``);
    ``consumer_accounts``: their accounts, which the key's other-accounts deny then admits.
    """
    statements = [enable_iam_policies(partition, account_id)]
    if administrators:
        statements.append(allow_key_administration(administrators))
    if crawler_role_arns:
        statements.append(allow_crawlers_to_decrypt(crawler_role_arns, region))
    statements += _consumer_statements(consumer_decrypt_arns, consumer_data_key_arns, region)
    if log_groups:
        statements.append(allow_log_encryption(partition, region, account_id, log_groups))
    statements += [deny_use_outside_s3(region, via_services), deny_use_by_other_accounts(account_id, consumer_accounts)]
    return policy_document(statements)


def _consumer_statements(decrypt_arns: tuple[str, ...], data_key_arns: tuple[str, ...], region: str) -> list[Statement]:
    statements = []
    if decrypt_arns:
        statements.append(allow_consumers_through_s3("AllowConsumersToDecryptThroughS3", "kms:Decrypt",
                                                     decrypt_arns, region))
    if data_key_arns:
        statements.append(allow_consumers_through_s3("AllowConsumersToGenerateDataKeysThroughS3",
                                                     "kms:GenerateDataKey", data_key_arns, region))
    return statements
