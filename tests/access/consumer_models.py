"""Lakes with consumers, for the proof of LAKE.16 and the rules that judge consumer roles.

A dev-like lake (raw, processed, curated, query results, logs; the key; the workgroup) and three
consumers as the dev and prod examples declare them, with the documents the program builds for
them (components/documents/consumer_access.py, the key policy and the bucket policies), so that a
test breaks one statement at a time.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.consumer_access import (
    LakeTarget,
    consumer_bucket_statements,
    consumer_identity_policy,
    external_key_grants,
    service_trust_policy,
)
from components.documents.key_policy import lake_key_policy
from components.settings import GrantSettings
from policies.model import AttachedPolicy, Consumer, ConsumerGrant, Lake, Role
from tests.policies.builders import ACCOUNT, ADMIN, KEY_ARN, OTHER_ACCOUNT, REGION, arn, lake, lake_key, logs_bucket
from tests.policies.builders import endpoint, urn, workgroup, zone_bucket

ZONES = ("raw", "processed", "curated")
RESULTS = "ml-dev-query-results"
ENDPOINT = endpoint().endpoint_id
TRAINING_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ml-dev-consumer-training"
ANALYST = f"arn:aws:iam::{ACCOUNT}:role/Analyst"
PARTNER = f"arn:aws:iam::{OTHER_ACCOUNT}:role/Research"
TARGET = LakeTarget(
    partition="aws", region=REGION, account_id=ACCOUNT, key_arn=KEY_ARN,
    zone_buckets={z: arn(f"ml-dev-{z}") for z in ZONES}, databases={z: f"ml_dev_{z}" for z in ZONES},
    workgroup=workgroup().name, results_bucket_arn=arn(RESULTS), results_prefix="results/", endpoint_id=ENDPOINT,
)


def grant(zone: str, access: str, *prefixes: str) -> ConsumerGrant:
    return ConsumerGrant(zone, f"ml-dev-{zone}", access, tuple(prefixes),
                         TARGET.databases[zone] if access == "query" else None)


def settings(grants: tuple[ConsumerGrant, ...]) -> list[GrantSettings]:
    return [GrantSettings(g.zone, g.access, g.prefixes) for g in grants]


def consumer(name: str, grants: tuple[ConsumerGrant, ...], principal: str, kind: str = "service",
             require_endpoint: bool = False) -> Consumer:
    """A consumer with the identity policy the lake builds for it."""
    policy = consumer_identity_policy(settings(grants), TARGET, caller_account=principal.split(":")[4],
                                      require_endpoint=require_endpoint)
    return Consumer(
        name=name, ref=f"consumer:{name}", kind=kind, principal_arn=principal, grants=grants,
        require_endpoint=require_endpoint, policies=(policy,),
        service="sagemaker.amazonaws.com" if kind == "service" else None,
        role_ref=urn("aws:iam/role:Role", f"consumer-{name}", "datalake:consumers:Consumers") if kind == "service"
        else None,
        policy_name=None if kind == "external" else f"ml-dev-consumer-{name}",
    )


def training() -> Consumer:
    """The dev example's service consumer: read on curated, write on processed/features/."""
    return consumer("training", (grant("curated", "read"), grant("processed", "write", "features/")), TRAINING_ROLE)


def analysts() -> Consumer:
    """The dev example's analysts: query on curated, through the endpoint."""
    return consumer("analysts", (grant("curated", "query"),), ANALYST, kind="principal", require_endpoint=True)


def partner() -> Consumer:
    """A role of another account: read on curated/features/, write on processed/shared/."""
    return consumer("partner", (grant("curated", "read", "features/"), grant("processed", "write", "shared/")),
                    PARTNER, kind="external")


def with_statements(c: Consumer, edit) -> Consumer:
    """``c`` with ``edit`` applied to its identity policy's statements (a list -> a list)."""
    document = c.policies[0]
    return replace(c, policies=({**document, "Statement": edit([dict(s) for s in document["Statement"]])},))


def consumer_role(c: Consumer, **changes: Any) -> Role:
    """The role the lake creates for a service consumer: its service trusted, its policy attached."""
    name = f"ml-dev-consumer-{c.name}"
    policy = AttachedPolicy(f"arn:aws:iam::{ACCOUNT}:policy/{name}", c.policies[0])
    role = Role(name, str(c.role_ref), arn=str(c.principal_arn),
                trust_policy=service_trust_policy(str(c.service), ACCOUNT), attached=(policy,),
                tags={"lake": "ml", "stack": "dev", "consumer": c.name})
    return replace(role, **changes)


def _bucket_policy(zone: str, external: tuple[Consumer, ...]) -> dict[str, Any]:
    extra = [s for c in external for s in consumer_bucket_statements(
        c.name, str(c.principal_arn), arn(f"ml-dev-{zone}"), settings(tuple(g for g in c.grants if g.zone == zone)))
        if any(g.zone == zone for g in c.grants)]
    return secure_bucket_policy(arn(f"ml-dev-{zone}"), KEY_ARN, extra_statements=tuple(extra))


def _key_policy(external: tuple[Consumer, ...]) -> dict[str, Any]:
    decrypt, data_keys = external_key_grants({str(c.principal_arn): settings(c.grants) for c in external})
    return lake_key_policy("aws", ACCOUNT, REGION, [ADMIN], via_services=("glue",), consumer_decrypt_arns=decrypt,
                           consumer_data_key_arns=data_keys,
                           consumer_accounts=tuple(sorted({str(c.principal_arn).split(":")[4] for c in external})))


def consumer_lake(*consumers: Consumer, **changes: Any) -> Lake:
    """The dev-like lake with ``consumers``; external ones granted by the bucket and key policies."""
    external = tuple(c for c in consumers if c.kind == "external")
    zones = tuple(zone_bucket(z, policy=_bucket_policy(z, external)) for z in ZONES)
    return lake(buckets=(*zones, zone_bucket("query-results"), logs_bucket()),
                keys=(lake_key(policy=_key_policy(external)),), consumers=consumers,
                **changes)
