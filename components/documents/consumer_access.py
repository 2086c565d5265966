"""The documents that give a consumer (``datalake:consumers``) exactly its declared access.

SKELETON: the signatures below are the interface other modules call; the bodies are written by
the builder work of issue 15.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..settings import GrantSettings
from .statements import PolicyDocument, Statement


@dataclass(frozen=True)
class LakeTarget:
    """What a consumer's documents name, resolved (plain strings: call inside an ``apply``)."""

    partition: str
    region: str
    account_id: str  # the lake's account
    key_arn: str
    zone_buckets: Mapping[str, str]  # zone -> bucket ARN
    databases: Mapping[str, str]  # zone -> Glue database name
    workgroup: str  # the Athena workgroup's name
    results_bucket_arn: str
    results_prefix: str  # "results/": where the workgroup writes query results
    endpoint_id: str | None = None  # the lake's S3 endpoint (``requireEndpoint``)


def consumer_identity_policy(
    grants: Sequence[GrantSettings], lake: LakeTarget, *, caller_account: str, require_endpoint: bool
) -> PolicyDocument:
    """The identity policy of one consumer: every grant with its KMS half (through S3 only,
    ``kms:CallerAccount`` = ``caller_account``, the consumer's own account)."""
    raise NotImplementedError


def service_trust_policy(service_principal: str, account_id: str) -> PolicyDocument:
    """Trust policy of a role the lake creates for a service consumer: that service only, for
    the lake's account (``aws:SourceAccount``)."""
    raise NotImplementedError


def consumer_bucket_statements(
    consumer: str, principal_arn: str, bucket_arn: str, grants: Sequence[GrantSettings]
) -> list[Statement]:
    """Bucket policy statements granting an external consumer's role its grants on one bucket
    (``grants`` are the consumer's grants on this bucket's zone)."""
    raise NotImplementedError


def external_key_grants(consumers: Mapping[str, Sequence[GrantSettings]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(roles that decrypt through S3, roles that also generate data keys through S3) among the
    external consumers' role ARNs -> their grants."""
    raise NotImplementedError
