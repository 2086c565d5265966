"""S3.14: buckets keep every version of every object."""

from __future__ import annotations

from ..model import Bucket, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_bucket, unknown

RULE_ID = "S3.14"


def judge(bucket: Bucket) -> Verdict:
    status = bucket.versioning
    if is_unknown(status):
        return unknown("the versioning status cannot be known before deployment")
    if status == "Enabled":
        return passed("versioning is Enabled")
    return failed(f"versioning is {status or 'not configured'}; it must be Enabled")


def check(model: Lake) -> list[Finding]:
    return per_bucket(RULE_ID, model.buckets, judge)


RULE = Rule(
    id=RULE_ID,
    title="S3 buckets have versioning enabled",
    severity=Severity.HIGH,
    rationale="Without versioning an overwrite or delete destroys data at once: no recovery from a bad "
    "pipeline run, a mistaken `aws s3 rm`, or ransomware.",
    remediation="SecureBucket always declares `s3.BucketVersioning` with status Enabled; restore it if it was "
    "removed or suspended.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-14",
    check=check,
    scope="every bucket",
)
