"""The access-log delivery grant of the logs bucket."""

from components.documents.logs_bucket_policy import allow_access_log_delivery


def test_delivery_scoped_to_prefix_source_buckets_and_account():
    s = allow_access_log_delivery(
        "arn:aws:s3:::ml-dev-logs",
        "access-logs/",
        ["arn:aws:s3:::ml-dev-raw", "arn:aws:s3:::ml-dev-curated"],
        "123456789012",
    )
    assert s == {
        "Sid": "AllowS3ServerAccessLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::ml-dev-logs/access-logs/*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": ["arn:aws:s3:::ml-dev-curated", "arn:aws:s3:::ml-dev-raw"]},
            "StringEquals": {"aws:SourceAccount": "123456789012"},
        },
    }
