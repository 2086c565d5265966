"""S3.9: every bucket sends its server access logs to the lake's logs bucket."""

from __future__ import annotations

from ..model import Bucket, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Status, Verdict, failed, passed, per_bucket, unknown

RULE_ID = "S3.9"


def judge(bucket: Bucket, model: Lake) -> Verdict:
    if bucket.is_logs_bucket:
        return (Status.NOT_APPLICABLE,
                "this is the lake's logs bucket, the access-log target: logging it into itself would loop")
    logging = bucket.logging
    if is_unknown(logging) or (logging is not None and is_unknown(logging.target_bucket)):
        return unknown("the access-log target cannot be known before deployment")
    if logging is None or not logging.target_bucket:
        return failed("server access logging is not configured")
    target = logging.target_bucket
    if target == bucket.name:
        return failed(f"server access logs go to the bucket itself ({target}); they must go to the lake's logs bucket")
    target_bucket = model.bucket_named(target)
    if target_bucket is None:
        return failed(f"server access logs go to {target}, which is not a bucket of this stack")
    if not target_bucket.is_logs_bucket:
        return failed(f"server access logs go to {target}, which is not the lake's logs bucket (zone tag 'logs')")
    return passed(f"server access logs go to the lake's logs bucket {target}")


def check(model: Lake) -> list[Finding]:
    return per_bucket(RULE_ID, model.buckets, lambda bucket: judge(bucket, model))


RULE = Rule(
    id=RULE_ID,
    title="S3 buckets have server access logging enabled",
    severity=Severity.MEDIUM,
    rationale="Access logs record every request (who, what, when, from where): without them an incident on "
    "the lake's data cannot be investigated. They go to one separate bucket that readers of the data cannot "
    "touch.",
    remediation="SecureBucket declares `s3.BucketLogging` to the logs bucket (`<name>-<stack>-logs`, prefix "
    "`access-logs/`) for every zone bucket; restore it with that target, which the logs bucket's "
    "AllowS3ServerAccessLogDelivery grant accepts.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-9",
    check=check,
    scope="every bucket but the logs bucket (the log target)",
)
