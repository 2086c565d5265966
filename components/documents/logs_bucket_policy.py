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
