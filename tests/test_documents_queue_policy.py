"""The S3 event queue policy: one bucket of one account may send, over TLS only."""

from components.documents.queue_policy import notification_queue_policy
from tests.support import statement

QUEUE = "arn:aws:sqs:eu-west-1:123456789012:mlteam-prod-images-events"
BUCKET = "arn:aws:s3:::mlteam-prod-raw"


def policy() -> dict:
    return notification_queue_policy(QUEUE, BUCKET, "123456789012")


def test_statements_in_order():
    assert policy()["Version"] == "2012-10-17"
    assert [s["Sid"] for s in policy()["Statement"]] == ["AllowS3EventNotifications", "DenyInsecureTransport"]


def test_s3_sends_for_the_dataset_bucket_of_the_account_only():
    assert statement(policy(), "AllowS3EventNotifications") == {
        "Sid": "AllowS3EventNotifications",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": QUEUE,
        "Condition": {
            "ArnLike": {"aws:SourceArn": [BUCKET]},
            "StringEquals": {"aws:SourceAccount": "123456789012"},
        },
    }


def test_deny_requests_without_tls_to_everyone():
    assert statement(policy(), "DenyInsecureTransport") == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": QUEUE,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
