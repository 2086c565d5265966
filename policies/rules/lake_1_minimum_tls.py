"""LAKE.1: the bucket policy refuses requests negotiated with a TLS version older than 1.2."""

from __future__ import annotations

from ..iam import Statement
from ..model import Lake
from ..rule import Finding, Rule, Severity, per_bucket
from ._policy_reading import Named, judge_request_deny, names, only_condition

RULE_ID = "LAKE.1"
MINIMUM_TLS = 1.2
REQUESTS = "requests with TLS older than 1.2 (NumericLessThan s3:TlsVersion 1.2)"


def tls_floor(statement: Statement) -> float | None:
    """The version below which the statement denies (its only condition ``NumericLessThan
    s3:TlsVersion``); several values deny below the highest. None for any other statement."""
    condition = only_condition(statement)
    if condition is None or condition[:2] != ("NumericLessThan", "s3:tlsversion"):
        return None
    try:
        return max(float(value) for value in condition[2])
    except (TypeError, ValueError):
        return None


def modern_tls_only(statement: Statement) -> bool:
    floor = tls_floor(statement)
    return floor is not None and floor >= MINIMUM_TLS


def outdated_floors(others: list[Named]) -> str | None:
    """Names the statements that deny old TLS with too low a threshold, with their value."""
    low = [(name, s) for name, s in others if tls_floor(s) is not None]
    if not low:
        return None
    floors = ", ".join(f"{tls_floor(s):g}" for _, s in low)
    return (f"the policy denies only TLS versions below {floors} ({names(low)}); the threshold must be "
            f"{MINIMUM_TLS} or higher")


def check(model: Lake) -> list[Finding]:
    return per_bucket(
        RULE_ID, model.buckets, lambda bucket: judge_request_deny(bucket, REQUESTS, modern_tls_only, outdated_floors)
    )


RULE = Rule(
    id=RULE_ID,
    title="S3 bucket policies refuse TLS versions older than 1.2",
    severity=Severity.HIGH,
    rationale="TLS 1.0 and 1.1 have known weaknesses and are deprecated by AWS; S3 still negotiates them with "
    "old clients unless the bucket policy denies requests whose s3:TlsVersion is below 1.2.",
    remediation="SecureBucket's policy carries DenyOutdatedTls (components/documents/statements.py): Deny s3:* to "
    "Principal \"*\" on the bucket ARN and `bucket/*` with NumericLessThan s3:TlsVersion at MINIMUM_TLS_VERSION "
    "(\"1.2\"); restore it, and never lower the threshold.",
    reference="https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingEncryptionInTransit.html",
    check=check,
    scope="every bucket",
)
