"""The statement that lets S3 server access logging write into the lake's logs bucket."""

from __future__ import annotations

from .statements import Statement

LOG_DELIVERY_SERVICE = "logging.s3.amazonaws.com"


def allow_access_log_delivery(
    logs_bucket_arn: str, log_prefix: str, source_bucket_arns: list[str], account_id: str
) -> Statement:
    """Allow the logging service to write under ``log_prefix`` for the lake's own buckets only.

    ``aws:SourceArn`` and ``aws:SourceAccount`` stop any other bucket (even one of another
    account that names ours as its target) from using the service to write here: the
    confused-deputy protection AWS recommends for this grant.
    """
    return {
        "Sid": "AllowS3ServerAccessLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": LOG_DELIVERY_SERVICE},
        "Action": "s3:PutObject",
        "Resource": f"{logs_bucket_arn}/{log_prefix}*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": sorted(source_bucket_arns)},
            "StringEquals": {"aws:SourceAccount": account_id},
        },
    }
