"""From Pulumi resources (type, camelCase properties, options) to the lake model.

Shared by the plan adapter and the policy-pack adapter: they differ only in where records come
from. Split S3 settings are joined to their bucket by the bucket reference Pulumi records (the
``bucket`` property dependency), falling back to the bucket name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..iam import account_of, aws_principals, statements
from ..model import (
    UNKNOWN,
    Bucket,
    Encryption,
    IamPolicy,
    Key,
    Lake,
    Lifecycle,
    LifecycleRule,
    Logging,
    PublicAccessBlock,
    Transition,
    is_unknown,
)


@dataclass(frozen=True)
class ResourceRecord:
    type: str
    urn: str
    name: str
    props: dict[str, Any]
    protect: bool | None = None
    retain_on_delete: bool | None = None
    # URN of the bucket a split S3 setting refers to (its ``bucket`` property dependency).
    bucket_urn: str | None = None


@dataclass(frozen=True)
class LakeContext:
    """What the source knows about the stack beyond its resources (None: derive it)."""

    source: str
    account_id: Any = None
    region: Any = None
    partition: Any = None
    production: bool | None = None
    administrators: tuple[str, ...] | None = None
    deployer: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def get(props: Any, *path: str | int) -> Any:
    """``props[path...]``: None when absent, UNKNOWN when any level is unknown."""
    value = props
    for step in path:
        if is_unknown(value):
            return UNKNOWN
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            return None
    return value


def parse_policy(value: Any) -> Any:
    """A policy document from a JSON string (the provider's form) or a dict; UNKNOWN stays so."""
    if value is None or is_unknown(value) or isinstance(value, dict):
        return value
    try:
        document = json.loads(value)
    except (TypeError, ValueError):
        return {"Statement": []}  # unreadable: rules see a policy that grants and denies nothing
    return document if isinstance(document, dict) else {"Statement": []}


def _transitions(items: Any, days_key: str) -> tuple[Transition, ...]:
    if is_unknown(items):
        return (Transition(UNKNOWN, UNKNOWN),)
    return tuple(Transition(get(t, days_key), get(t, "storageClass")) for t in items or [])


def _lifecycle_rule(rule: dict[str, Any]) -> LifecycleRule:
    prefix = get(rule, "filter", "prefix")
    return LifecycleRule(
        id=get(rule, "id") or "",
        enabled=UNKNOWN if is_unknown(get(rule, "status")) else get(rule, "status") == "Enabled",
        prefix=prefix if prefix is not None else (get(rule, "prefix") or ""),
        transitions=_transitions(get(rule, "transitions"), "days"),
        expiration_days=get(rule, "expiration", "days"),
        expired_object_delete_marker=get(rule, "expiration", "expiredObjectDeleteMarker"),
        noncurrent_transitions=_transitions(get(rule, "noncurrentVersionTransitions"), "noncurrentDays"),
        noncurrent_expiration_days=get(rule, "noncurrentVersionExpiration", "noncurrentDays"),
        abort_incomplete_multipart_upload_days=get(rule, "abortIncompleteMultipartUpload", "daysAfterInitiation"),
    )


def _lifecycle(props: dict[str, Any]) -> Any:
    rules = get(props, "rules")
    if is_unknown(rules):
        return UNKNOWN
    return Lifecycle(
        rules=tuple(_lifecycle_rule(r) for r in rules or []),
        minimum_object_size=get(props, "transitionDefaultMinimumObjectSize"),
    )


def _encryption(props: dict[str, Any]) -> Any:
    rule = get(props, "rules", 0)
    if is_unknown(rule):
        return UNKNOWN
    blocked = get(rule, "blockedEncryptionTypes")
    return Encryption(
        algorithm=get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"),
        kms_key_id=get(rule, "applyServerSideEncryptionByDefault", "kmsMasterKeyId"),
        bucket_key_enabled=get(rule, "bucketKeyEnabled"),
        blocked_encryption_types=UNKNOWN if is_unknown(blocked) else tuple(blocked or ()),
    )


def _public_access_block(props: dict[str, Any]) -> PublicAccessBlock:
    return PublicAccessBlock(
        block_public_acls=get(props, "blockPublicAcls"),
        block_public_policy=get(props, "blockPublicPolicy"),
        ignore_public_acls=get(props, "ignorePublicAcls"),
        restrict_public_buckets=get(props, "restrictPublicBuckets"),
    )


def _notifications(props: dict[str, Any]) -> Any:
    groups = [get(props, key) for key in ("queues", "topics", "lambdaFunctions")]
    if any(is_unknown(g) for g in groups):
        return UNKNOWN
    return tuple(item for group in groups for item in group or [])


# Split setting type -> (Bucket field, reader of the setting's properties).
_SETTINGS: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
    "aws:s3/bucketVersioning:BucketVersioning": ("versioning", lambda p: get(p, "versioningConfiguration", "status")),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "encryption", _encryption),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ("public_access_block", _public_access_block),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (
        "ownership", lambda p: get(p, "rule", "objectOwnership")),
    "aws:s3/bucketAcl:BucketAcl": ("acl", lambda p: get(p, "acl")),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy", lambda p: parse_policy(get(p, "policy"))),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ("lifecycle", _lifecycle),
    "aws:s3/bucketLogging:BucketLogging": (
        "logging", lambda p: Logging(get(p, "targetBucket"), get(p, "targetPrefix"))),
    "aws:s3/bucketNotification:BucketNotification": ("notifications", _notifications),
}
BUCKET_TYPE = "aws:s3/bucket:Bucket"
KEY_TYPE = "aws:kms/key:Key"
ACCOUNT_BPA_TYPE = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
IAM_POLICY_TYPES = {
    "aws:iam/policy:Policy": "managed",
    "aws:iam/rolePolicy:RolePolicy": "inline",
    "aws:iam/userPolicy:UserPolicy": "inline",
    "aws:iam/groupPolicy:GroupPolicy": "inline",
}


def _tags(props: dict[str, Any]) -> dict[str, Any]:
    tags = get(props, "tags")
    return tags if isinstance(tags, dict) else {}


def _or_default(value: Any, default: Any) -> Any:
    """The provider's default for a property the program left out."""
    return default if value is None else value


def _bucket(record: ResourceRecord) -> Bucket:
    props = record.props
    name = get(props, "bucket")
    return Bucket(
        name=name if isinstance(name, str) else record.name,
        ref=record.urn,
        arn=get(props, "arn") if get(props, "arn") is not None else UNKNOWN,
        tags=_tags(props),
        force_destroy=_or_default(get(props, "forceDestroy"), False),
        protect=record.protect,
        retain_on_delete=record.retain_on_delete,
    )


def _key(record: ResourceRecord) -> Key:
    props = record.props
    return Key(
        name=record.name,
        ref=record.urn,
        arn=get(props, "arn") if get(props, "arn") is not None else UNKNOWN,
        tags=_tags(props),
        rotation_enabled=get(props, "enableKeyRotation"),
        deletion_window_days=get(props, "deletionWindowInDays"),
        policy=parse_policy(get(props, "policy")),
        pending_deletion=False,  # a key declared by the program is never pending deletion
        protect=record.protect,
        retain_on_delete=record.retain_on_delete,
    )


def _buckets(records: list[ResourceRecord]) -> tuple[Bucket, ...]:
    by_urn = {r.urn: _bucket(r) for r in records if r.type == BUCKET_TYPE}
    by_name = {b.name: urn for urn, b in by_urn.items()}
    for record in records:
        setting = _SETTINGS.get(record.type)
        if setting is None:
            continue
        urn = record.bucket_urn if record.bucket_urn in by_urn else by_name.get(get(record.props, "bucket"))
        if urn is not None:
            attribute, read = setting
            by_urn[urn] = replace(by_urn[urn], **{attribute: read(record.props)})
    return tuple(by_urn.values())


def _lake_key_policy(keys: Iterable[Key]) -> dict[str, Any] | None:
    policies = [k.policy for k in keys if k.is_lake_key and isinstance(k.policy, dict)]
    return policies[0] if policies else None


def _derived_account(policy: dict[str, Any] | None) -> Any:
    """The account of the lake key's root statement: known even during a first preview."""
    for statement in statements(policy):
        if statement.get("Sid") == "EnableIamPolicies":
            return next((account_of(p) for p in aws_principals(statement) if account_of(p)), UNKNOWN)
    return UNKNOWN


def _derived_administrators(policy: dict[str, Any] | None) -> tuple[str, ...]:
    for statement in statements(policy):
        if statement.get("Sid") == "AllowKeyAdministration":
            return tuple(p for p in aws_principals(statement) if p != "*")
    return ()


def _derived_production(buckets: Iterable[Bucket], keys: Iterable[Key]) -> bool | None:
    values = {r.tags.get("production") for r in (*buckets, *keys) if "production" in r.tags}
    return values == {"true"} if values and not any(is_unknown(v) for v in values) else None


def build_lake(records: Iterable[ResourceRecord], context: LakeContext) -> Lake:
    records = list(records)
    buckets = _buckets(records)
    keys = tuple(_key(r) for r in records if r.type == KEY_TYPE)
    key_policy = _lake_key_policy(keys)
    account_bpa = next((_public_access_block(r.props) for r in records if r.type == ACCOUNT_BPA_TYPE), None)
    return Lake(
        source=context.source,
        account_id=context.account_id or _derived_account(key_policy),
        region=context.region or UNKNOWN,
        partition=context.partition or "aws",
        production=context.production if context.production is not None else _derived_production(buckets, keys),
        administrators=context.administrators
        if context.administrators is not None
        else _derived_administrators(key_policy),
        deployer=context.deployer,
        buckets=buckets,
        keys=keys,
        iam_policies=tuple(
            IamPolicy(r.name, r.urn, parse_policy(get(r.props, "policy")), IAM_POLICY_TYPES[r.type])
            for r in records
            if r.type in IAM_POLICY_TYPES
        ),
        account_public_access_block=account_bpa,
    )
