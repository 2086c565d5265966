"""Bucket policy of a secure bucket: transport rules for every bucket, upload rules for KMS ones.

Uploads without any SSE header stay allowed by default: the bucket's default encryption applies
to them, and denying them breaks clients that rely on it. ``require_sse_header`` turns that into
a deny for teams that want every client to state its encryption.
"""

from __future__ import annotations

from .perimeter import Perimeter, deny_outside_endpoint
from .statements import PolicyDocument, Statement, deny_insecure_transport, deny_outdated_tls, policy_document

SSE_HEADER = "s3:x-amz-server-side-encryption"
SSE_KMS_KEY_HEADER = "s3:x-amz-server-side-encryption-aws-kms-key-id"
SSE_C_HEADER = "s3:x-amz-server-side-encryption-customer-algorithm"


def _deny_put_object(sid: str, bucket_arn: str, condition: dict) -> Statement:
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{bucket_arn}/*",
        "Condition": condition,
    }


def deny_non_kms_sse_header(bucket_arn: str) -> Statement:
    """Deny uploads whose SSE header is present but asks for anything other than ``aws:kms``.

    ``Null: false`` limits the deny to requests that carry the header; without it the statement
    would also deny header-less uploads that default encryption handles.
    """
    return _deny_put_object(
        "DenyNonKmsEncryptionHeader",
        bucket_arn,
        {"StringNotEquals": {SSE_HEADER: "aws:kms"}, "Null": {SSE_HEADER: "false"}},
    )


def deny_other_kms_key(bucket_arn: str, key_arn: str) -> Statement:
    """Deny uploads that name a KMS key other than the lake key (clients must send its full ARN).

    A string operator, not an ARN one: the header holds whatever the client sent, a key ARN, a bare
    key id or an alias, and IAM documents the ARN operators on ARNs only, so how ArnNotEquals reads
    a bare id is undefined. StringNotEquals fails closed: anything but the exact ARN is denied, the
    lake key's own id and alias included (``lake data`` sends the ARN).
    """
    return _deny_put_object(
        "DenyOtherKmsKey",
        bucket_arn,
        {"StringNotEquals": {SSE_KMS_KEY_HEADER: key_arn}, "Null": {SSE_KMS_KEY_HEADER: "false"}},
    )


def deny_kms_header_without_key(bucket_arn: str) -> Statement:
    """Deny ``aws:kms`` uploads that name no key: S3 would encrypt them with the AWS managed key
    ``aws/s3`` instead of the lake key. Clients either send no SSE header (default encryption
    applies the lake key) or ``aws:kms`` with the lake key's ARN."""
    return _deny_put_object(
        "DenyKmsHeaderWithoutKey",
        bucket_arn,
        {"StringEquals": {SSE_HEADER: "aws:kms"}, "Null": {SSE_KMS_KEY_HEADER: "true"}},
    )


def deny_sse_c(bucket_arn: str) -> Statement:
    """Deny customer-provided keys (SSE-C): the lake could not read or audit such objects."""
    return _deny_put_object("DenySseC", bucket_arn, {"Null": {SSE_C_HEADER: "false"}})


def deny_missing_sse_header(bucket_arn: str) -> Statement:
    """Strict mode: deny uploads that carry no SSE header at all."""
    return _deny_put_object("DenyMissingEncryptionHeader", bucket_arn, {"Null": {SSE_HEADER: "true"}})


def secure_bucket_policy(
    bucket_arn: str,
    kms_key_arn: str | None,
    require_sse_header: bool = False,
    extra_statements: tuple[Statement, ...] = (),
    perimeter: Perimeter | None = None,
) -> PolicyDocument:
    """The whole policy of a secure bucket.

    ``kms_key_arn`` None means an SSE-S3 bucket (the access-log target), which gets the transport
    rules only: S3 log delivery sends no SSE header and cannot use a KMS key.
    ``perimeter``: deny requests from outside the lake's endpoints (see ``perimeter``); None, the
    default, leaves the bucket reachable from any network its other rules allow.
    """
    statements = [deny_insecure_transport(bucket_arn), deny_outdated_tls(bucket_arn)]
    if kms_key_arn is not None:
        statements += [
            deny_non_kms_sse_header(bucket_arn),
            deny_other_kms_key(bucket_arn, kms_key_arn),
            deny_kms_header_without_key(bucket_arn),
            deny_sse_c(bucket_arn),
        ]
        if require_sse_header:
            statements.append(deny_missing_sse_header(bucket_arn))
    if perimeter is not None:
        statements.append(deny_outside_endpoint(bucket_arn, perimeter.endpoint_ids, perimeter.exempt_principal_arns))
    return policy_document(statements + list(extra_statements))
