"""Building blocks shared by every policy document of the lake."""

from __future__ import annotations

from typing import Any

Statement = dict[str, Any]
PolicyDocument = dict[str, Any]

POLICY_VERSION = "2012-10-17"
# Oldest TLS version the lake accepts; 1.0 and 1.1 have known weaknesses and are deprecated by AWS.
# A number, not a string: s3:TlsVersion is a numeric key (IAM accepts "1.2" too, linters do not).
MINIMUM_TLS_VERSION = 1.2


def policy_document(statements: list[Statement]) -> PolicyDocument:
    """Wrap statements in a document, refusing any statement without a Sid.

    Sids are how reviewers, findings and the access matrix name a statement, so each must have one
    and they must be unique within the document.
    """
    sids = [s.get("Sid") for s in statements]
    if not all(sids) or len(set(sids)) != len(sids):
        raise ValueError(f"every statement needs a unique Sid, got {sids}")
    return {"Version": POLICY_VERSION, "Statement": statements}


def service_may_assume(sid: str, service_principal: str, account_id: str) -> Statement:
    """The statement of a trust policy: ``service_principal`` may assume the role, for
    ``account_id`` only (``aws:SourceAccount``: the confused-deputy protection for a service)."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service_principal},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }


def bucket_and_objects(bucket_arn: str) -> list[str]:
    """Both resource forms: a statement on ``bucket/*`` alone leaves bucket-level calls open."""
    return [bucket_arn, f"{bucket_arn}/*"]


def _deny_all_requests(sid: str, bucket_arn: str, condition: dict[str, Any]) -> Statement:
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": bucket_and_objects(bucket_arn),
        "Condition": condition,
    }


def deny_insecure_transport(bucket_arn: str) -> Statement:
    """Deny every request made without TLS (Security Hub S3.5, CIS 2.1.1)."""
    return _deny_all_requests("DenyInsecureTransport", bucket_arn, {"Bool": {"aws:SecureTransport": "false"}})


def deny_outdated_tls(bucket_arn: str) -> Statement:
    """Deny requests negotiated with a TLS version older than ``MINIMUM_TLS_VERSION``."""
    return _deny_all_requests(
        "DenyOutdatedTls", bucket_arn, {"NumericLessThan": {"s3:TlsVersion": MINIMUM_TLS_VERSION}}
    )
