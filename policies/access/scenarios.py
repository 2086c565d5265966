"""What the matrix asks: the actions, and the request contexts each is tried in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Action, and whether it targets the bucket ARN or an object ARN.
ACTIONS: tuple[tuple[str, str], ...] = (
    ("s3:GetObject", "object"),
    ("s3:PutObject", "object"),
    ("s3:ListBucket", "bucket"),
    ("s3:DeleteObject", "object"),
    ("s3:PutBucketPolicy", "bucket"),
)
OBJECT_KEY = "datasets/example/part-0000.parquet"
SSE = "s3:x-amz-server-side-encryption"
SSE_KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id"
MODERN_TLS = {"aws:SecureTransport": "true", "s3:TlsVersion": 1.3}
OTHER_KEY = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Scenario:
    label: str
    context: dict[str, Any]
    # None: tried with every action; else only with these (the SSE headers exist on uploads only).
    actions: frozenset[str] | None = field(default=None)

    def applies_to(self, action: str) -> bool:
        return self.actions is None or action in self.actions


def scenarios(lake_key_arn: str | None, endpoint_id: str | None = None) -> list[Scenario]:
    """The contexts tried. With an endpoint, the baseline is split into requests through it and
    from elsewhere, and the encryption-header contexts come through the endpoint, so they show only
    what the headers decide. Athena acting for a caller (from its own network) is tried with or
    without an endpoint: it is a perimeter's exception, and the only way a query consumer reads its
    zone (``aws:CalledVia``), which the baseline alone would hide."""
    uploads = frozenset({"s3:PutObject"})
    inside = {"aws:SourceVpce": endpoint_id} if endpoint_id else {}
    tried = [Scenario("TLS 1.3", dict(MODERN_TLS))]
    if endpoint_id:
        tried = [Scenario("via endpoint", {**MODERN_TLS, **inside}), Scenario("outside endpoint", dict(MODERN_TLS))]
    tried.append(Scenario("via Athena", {**MODERN_TLS, "aws:ViaAWSService": "true",
                                         "aws:CalledVia": ["athena.amazonaws.com"]}))
    secure = {**MODERN_TLS, **inside}
    return tried + [
        Scenario("no TLS", {"aws:SecureTransport": "false", **inside}),
        Scenario("TLS 1.0", {"aws:SecureTransport": "true", "s3:TlsVersion": 1.0, **inside}),
        Scenario("SSE-KMS, lake key", {**secure, SSE: "aws:kms", SSE_KEY: lake_key_arn or "none"}, uploads),
        Scenario("SSE-KMS, other key", {**secure, SSE: "aws:kms", SSE_KEY: OTHER_KEY}, uploads),
        Scenario("SSE-KMS, no key id", {**secure, SSE: "aws:kms"}, uploads),
        Scenario("SSE-S3 (AES256)", {**secure, SSE: "AES256"}, uploads),
    ]
