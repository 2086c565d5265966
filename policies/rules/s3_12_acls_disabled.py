"""S3.12: ACLs are disabled, so that policies alone decide access."""

from __future__ import annotations

from ..model import Bucket, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_bucket, unknown

RULE_ID = "S3.12"
# With this object ownership S3 ignores every ACL: policies alone decide access.
ACLS_DISABLED = "BucketOwnerEnforced"


def judge(bucket: Bucket) -> Verdict:
    ownership = bucket.ownership
    if is_unknown(ownership):
        return unknown("the object ownership setting cannot be known before deployment")
    if ownership == ACLS_DISABLED:
        return passed(f"object ownership is {ACLS_DISABLED}: ACLs are disabled")
    setting = f"object ownership is {ownership}" if ownership else "no ownership controls are declared"
    return failed(f"{setting}, which leaves ACLs enabled; it must be {ACLS_DISABLED}")


def check(model: Lake) -> list[Finding]:
    return per_bucket(RULE_ID, model.buckets, judge)


RULE = Rule(
    id=RULE_ID,
    title="S3 buckets do not use ACLs",
    severity=Severity.MEDIUM,
    rationale="ACLs grant access outside the bucket policy, per object and invisibly to policy reviews; with "
    "BucketOwnerEnforced the bucket owner owns every object and ACLs are ignored.",
    remediation="SecureBucket declares `s3.BucketOwnershipControls` with object_ownership BucketOwnerEnforced; "
    "restore it, and drop any `s3.BucketAcl` resource.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-12",
    check=check,
    scope="every bucket",
)
