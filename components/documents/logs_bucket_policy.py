"""The statement that lets S3 server access logging write into the lake's logs bucket."""

from __future__ import annotations

from .service_grants import allow_service_for_sources
from .statements import Statement

LOG_DELIVERY_SERVICE = "logging.s3.amazonaws.com"


def allow_access_log_delivery(
    logs_bucket_arn: str, log_prefix: str, source_bucket_arns: list[str], account_id: str
) -> Statement:
    """Allow the logging service to write under ``log_prefix`` for the lake's own buckets only."""
    return allow_service_for_sources(
        "AllowS3ServerAccessLogDelivery", LOG_DELIVERY_SERVICE, "s3:PutObject",
        f"{logs_bucket_arn}/{log_prefix}*", source_bucket_arns, account_id,
    )


# VPC flow logs to S3 go through CloudWatch Logs' delivery service. The statements follow "Amazon S3
# bucket permissions for flow logs" (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html):
# PutObject with the bucket-owner-full-control ACL (which BucketOwnerEnforced accepts), the ACL check on the
# bucket, both limited to log sources of the lake's account and region (aws:SourceAccount, aws:SourceArn).
FLOW_LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com"
# The page grants s3:Get* and s3:List* on the bucket; GetBucketAcl is what delivery checks, and ListBucket
# avoids the AccessDenied entries CloudTrail shows without it (CloudWatch Logs' "Logs sent to Amazon S3").
FLOW_LOG_ACL_CHECK_ACTIONS = ["s3:GetBucketAcl", "s3:ListBucket"]


def _flow_log_sources(partition: str, region: str, account_id: str) -> dict[str, dict[str, str]]:
    return {
        "StringEquals": {"aws:SourceAccount": account_id},
        "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:{region}:{account_id}:*"},
    }


def flow_log_keys(log_prefix: str, account_id: str, hive_compatible: bool) -> str:
    """Where delivery writes the account's flow logs: ``AWSLogs/<account>/`` or, with Hive-compatible
    prefixes, ``AWSLogs/aws-account-id=<account>/`` (the two layouts of the page above)."""
    account = f"aws-account-id={account_id}" if hive_compatible else account_id
    return f"{log_prefix}AWSLogs/{account}/*"


def allow_flow_log_delivery(
    logs_bucket_arn: str, log_prefix: str, partition: str, region: str, account_id: str, hive_compatible: bool = True
) -> list[Statement]:
    """Let log delivery write the account's flow logs of ``region`` under ``log_prefix``, and check
    the bucket's ACL; nothing else, and for no other account's or region's log sources."""
    sources = _flow_log_sources(partition, region, account_id)
    service = {"Service": FLOW_LOG_DELIVERY_SERVICE}
    return [
        {
            "Sid": "AllowVpcFlowLogDelivery",
            "Effect": "Allow",
            "Principal": service,
            "Action": "s3:PutObject",
            "Resource": f"{logs_bucket_arn}/{flow_log_keys(log_prefix, account_id, hive_compatible)}",
            "Condition": {**sources, "StringEquals": {
                **sources["StringEquals"], "s3:x-amz-acl": "bucket-owner-full-control"}},
        },
        {
            "Sid": "AllowVpcFlowLogAclCheck",
            "Effect": "Allow",
            "Principal": service,
            "Action": FLOW_LOG_ACL_CHECK_ACTIONS,
            "Resource": logs_bucket_arn,
            "Condition": sources,
        },
    ]
