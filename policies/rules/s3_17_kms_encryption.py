"""S3.17: data is encrypted at rest with the lake's KMS key; the logs bucket with SSE-S3.

S3 server access log delivery cannot write to a bucket whose default encryption is SSE-KMS, so
the logs bucket is the one bucket that must not use the lake key.
"""

from __future__ import annotations

from ..model import Bucket, Lake, Maybe, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_bucket, unknown

RULE_ID = "S3.17"
KMS = "aws:kms"
SSE_S3 = "AES256"


def judge(bucket: Bucket, lake_key_arn: Maybe[str]) -> Verdict:
    encryption = bucket.encryption
    if is_unknown(encryption) or (encryption is not None and is_unknown(encryption.algorithm)):
        return unknown("the default encryption cannot be known before deployment")
    algorithm = encryption.algorithm if encryption is not None else None
    if bucket.is_logs_bucket:
        return _judge_logs_bucket(algorithm)
    if algorithm != KMS:
        return failed(f"default encryption is {algorithm or 'not configured'}; it must be {KMS} with the lake key")
    key = encryption.kms_key_id
    if is_unknown(key) or is_unknown(lake_key_arn):
        return unknown("the bucket's KMS key or the lake key's ARN cannot be known before deployment")
    if not key:
        return failed(f"{KMS} names no key, so S3 uses the AWS managed key aws/s3; it must name the lake key")
    if lake_key_arn is None:
        return passed(f"{KMS} with key {key} (the stack declares no single lake key to compare it with)")
    if key != lake_key_arn:
        return failed(f"{KMS} with key {key}, not the lake key; name the lake key by its ARN, {lake_key_arn}")
    return passed(f"{KMS} with the lake key {lake_key_arn}")


def _judge_logs_bucket(algorithm: str | None) -> Verdict:
    if algorithm == SSE_S3:
        return passed(f"the logs bucket uses SSE-S3 ({SSE_S3}), the encryption S3 access log delivery can write to")
    return failed(f"default encryption is {algorithm or 'not configured'}; the logs bucket must use SSE-S3 "
                  f"({SSE_S3}), because S3 server access log delivery cannot write to a bucket encrypted with SSE-KMS")


def check(model: Lake) -> list[Finding]:
    return per_bucket(RULE_ID, model.buckets, lambda bucket: judge(bucket, model.lake_key_arn))


RULE = Rule(
    id=RULE_ID,
    title="S3 buckets are encrypted at rest with the lake's KMS key",
    severity=Severity.HIGH,
    rationale="With the lake's customer key, reading data needs both S3 and KMS permissions, key use is logged "
    "in CloudTrail, and disabling the key cuts access at once; the AWS managed key aws/s3 or SSE-S3 offer "
    "neither control. The logs bucket is the exception: log delivery cannot write to SSE-KMS buckets.",
    remediation="SecureBucket sets `aws:kms` with the lake key's ARN (`kms_key_arn`) for every zone bucket and "
    "AES256 for the logs bucket (`kms_key_arn=None`); restore the `s3.BucketServerSideEncryptionConfiguration` "
    "of the bucket named in the finding.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-17",
    check=check,
    scope="every bucket (the logs bucket: SSE-S3)",
)
