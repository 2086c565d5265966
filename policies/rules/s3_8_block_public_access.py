"""S3.8: every bucket has its own Block Public Access configuration, with all four flags on."""

from __future__ import annotations

from ..model import Bucket, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_bucket, unknown

RULE_ID = "S3.8"


def judge(bucket: Bucket) -> Verdict:
    block = bucket.public_access_block
    if is_unknown(block):
        return unknown("the Block Public Access configuration cannot be known before deployment")
    if block is None:
        return failed("no bucket-level Block Public Access configuration; all four flags must be true")
    flags = block.flags()
    off = [name for name, value in flags.items() if value is not True and not is_unknown(value)]
    if off:
        return failed(f"Block Public Access flags not true: {', '.join(off)}")
    undecided = [name for name, value in flags.items() if is_unknown(value)]
    if undecided:
        return unknown(f"Block Public Access flags cannot be known before deployment: {', '.join(undecided)}")
    return passed("all four Block Public Access flags are true")


def check(model: Lake) -> list[Finding]:
    return per_bucket(RULE_ID, model.buckets, judge)


RULE = Rule(
    id=RULE_ID,
    title="S3 buckets block public access at the bucket level",
    severity=Severity.HIGH,
    rationale="Block Public Access overrides any public policy or ACL added later by mistake; without it one "
    "careless statement publishes the bucket.",
    remediation="SecureBucket declares `s3.BucketPublicAccessBlock` with BlockPublicAcls, BlockPublicPolicy, "
    "IgnorePublicAcls and RestrictPublicBuckets all true; restore the resource or the flags named in the finding.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-8",
    check=check,
    scope="every bucket",
)
