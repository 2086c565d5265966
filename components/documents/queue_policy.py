"""Policy of a dataset's S3 event queue: the dataset's bucket may send to it, over TLS only.

The crawler that reads the queue needs no statement here: its role's identity policy grants it,
and the queue is in the same account.
"""

from __future__ import annotations

from .service_grants import allow_service_for_sources
from .statements import PolicyDocument, Statement, policy_document

S3_SERVICE = "s3.amazonaws.com"


def allow_s3_notifications(queue_arn: str, bucket_arn: str, account_id: str) -> Statement:
    """S3 may send the event notifications of ``bucket_arn`` only (not of a bucket of another
    account, nor of one of ours created later)."""
    return allow_service_for_sources(
        "AllowS3EventNotifications", S3_SERVICE, "sqs:SendMessage", queue_arn, [bucket_arn], account_id
    )


def deny_insecure_queue_transport(queue_arn: str) -> Statement:
    """Deny every request made without TLS, to everyone."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": queue_arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def notification_queue_policy(queue_arn: str, bucket_arn: str, account_id: str) -> PolicyDocument:
    return policy_document([allow_s3_notifications(queue_arn, bucket_arn, account_id),
                            deny_insecure_queue_transport(queue_arn)])
