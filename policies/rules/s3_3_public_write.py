"""S3.3: nobody outside the lake's callers can write to a bucket, by policy or by ACL."""

from __future__ import annotations

from ..model import Bucket, Lake
from ..rule import Finding, Rule, Severity, Verdict, per_bucket
from .s3_2_public_read import public_access

RULE_ID = "S3.3"
WRITE_ACTIONS = (
    "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutLifecycleConfiguration",
)
PUBLIC_WRITE_ACLS = ("public-read-write",)


def judge(bucket: Bucket) -> Verdict:
    return public_access(bucket, "write", WRITE_ACTIONS, PUBLIC_WRITE_ACLS)


def check(model: Lake) -> list[Finding]:
    return per_bucket(RULE_ID, model.buckets, judge)


RULE = Rule(
    id=RULE_ID,
    title="S3 buckets prohibit public write access",
    severity=Severity.CRITICAL,
    rationale="Anyone who can put or delete objects, or rewrite the bucket policy, ACLs or lifecycle, can "
    "poison training data, destroy the lake or take it over.",
    remediation="SecureBucket's policy grants nothing to anyone; remove the public Allow statement named in the "
    "finding (or pin its callers with a condition such as aws:SourceArn and aws:SourceAccount, as the logs "
    "bucket's AllowS3ServerAccessLogDelivery does), and keep ownership controls at BucketOwnerEnforced.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-3",
    check=check,
    scope="every bucket",
)
