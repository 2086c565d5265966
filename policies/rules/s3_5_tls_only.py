"""S3.5: the bucket policy refuses every request made without TLS, on the bucket and its objects."""

from __future__ import annotations

from ..iam import Statement
from ..model import Lake
from ..rule import Finding, Rule, Severity, per_bucket
from ._policy_reading import flag, judge_request_deny, only_condition

RULE_ID = "S3.5"
REQUESTS = "requests without TLS (Bool aws:SecureTransport false)"


def without_tls(statement: Statement) -> bool:
    """The statement's only condition is ``Bool aws:SecureTransport false`` (string or boolean)."""
    condition = only_condition(statement)
    if condition is None:
        return False
    operator, key, values = condition
    return operator == "Bool" and key == "aws:securetransport" and "false" in map(flag, values)


def check(model: Lake) -> list[Finding]:
    return per_bucket(RULE_ID, model.buckets, lambda bucket: judge_request_deny(bucket, REQUESTS, without_tls))


RULE = Rule(
    id=RULE_ID,
    title="S3 bucket policies require requests to use TLS",
    severity=Severity.HIGH,
    rationale="Without a deny on aws:SecureTransport false, S3 accepts plain HTTP: data and signed requests "
    "cross the network in clear text. A statement on `bucket/*` alone leaves bucket-level calls (listing, "
    "policy and ACL changes) open.",
    remediation="SecureBucket's policy starts with DenyInsecureTransport (components/documents/statements.py): "
    "Deny s3:* to Principal \"*\" on the bucket ARN and `bucket/*` with Bool aws:SecureTransport \"false\" and no "
    "other condition; restore it, with both resource forms.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-5",
    check=check,
    scope="every bucket",
)
