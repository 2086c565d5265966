"""From Pulumi resources (type, camelCase properties, options) to the lake model.

Shared by the plan adapter and the policy-pack adapter: they differ only in where records come
from. Split S3 settings are joined to their bucket by the bucket reference Pulumi records (the
``bucket`` property dependency), falling back to the bucket name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from ..aws_managed import pinned_document
from ..iam import account_of, aws_principals, statements
from ..model import (
    UNKNOWN,
    AttachedPolicy,
    Bucket,
    CatalogEncryption,
    Crawler,
    Encryption,
    FlowLog,
    GlueSecurityConfiguration,
    IamPolicy,
    Key,
    Lake,
    Lifecycle,
    LifecycleRule,
    Logging,
    PublicAccessBlock,
    Queue,
    Role,
    Transition,
    Vpc,
    VpcEndpoint,
    Workgroup,
    is_unknown,
)

T = TypeVar("T")


@dataclass(frozen=True)
class ResourceRecord:
    type: str
    urn: str
    name: str
    props: dict[str, Any]
    protect: bool | None = None
    retain_on_delete: bool | None = None
    # Input property -> URN of the resource whose output it uses (Pulumi's property dependencies):
    # how a split S3 setting finds its bucket, a QueuePolicy its queue, a RolePolicy its role.
    dependencies: dict[str, str] = field(default_factory=dict)

    @property
    def bucket_urn(self) -> str | None:
        return self.dependencies.get("bucket")


@dataclass(frozen=True)
class LakeContext:
    """What the source knows about the stack beyond its resources (None: derive it)."""

    source: str
    account_id: Any = None
    region: Any = None
    partition: Any = None
    production: bool | None = None
    perimeter: bool | None = None
    administrators: tuple[str, ...] | None = None
    deployer: str | None = None
    # The network allowlist (datalake:network.allowedBuckets): only the plan's settings give it;
    # the policy pack cannot read the stack configuration.
    allowed_buckets: Any = UNKNOWN
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
    except (TypeError, ValueError, RecursionError):  # RecursionError: thousands of nested brackets
        return {"Statement": []}  # unreadable: rules see a policy that grants and denies nothing
    return document if isinstance(document, dict) else {"Statement": []}


def _transitions(items: Any, days_key: str) -> tuple[Transition, ...]:
    if is_unknown(items):
        return (Transition(UNKNOWN, UNKNOWN),)
    return tuple(Transition(get(t, days_key), get(t, "storageClass")) for t in items or [])


# Filter fields beyond the prefix: each narrows a rule to some of the objects under its prefix.
NARROWING_FILTERS = ("tag", "objectSizeGreaterThan", "objectSizeLessThan")


def _narrowed(filter_: Any) -> Any:
    """Does the filter (or its ``and``) hold a tag or size condition? UNKNOWN if it cannot be told."""
    if is_unknown(filter_) or is_unknown(get(filter_, "and")):
        return UNKNOWN
    conditions = (filter_ or {}, get(filter_, "and") or {})
    return any(get(c, f) is not None for c in conditions for f in (*NARROWING_FILTERS, "tags"))


def _lifecycle_rule(rule: dict[str, Any]) -> LifecycleRule:
    prefix = get(rule, "filter", "prefix")
    if prefix is None:
        prefix = get(rule, "filter", "and", "prefix")  # a prefix combined with tags or sizes
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
        filtered=_narrowed(get(rule, "filter")),
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
        bucket_key_enabled=_or_default(get(rule, "bucketKeyEnabled"), False),
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


def _name(record: ResourceRecord, prop: str = "name") -> str:
    """The physical name the program gives, else the Pulumi resource name."""
    name = get(record.props, prop)
    return name if isinstance(name, str) else record.name


def _computed(props: dict[str, Any], prop: str) -> Any:
    """An output the provider computes (an ARN, an id): UNKNOWN until the source knows it."""
    value = get(props, prop)
    return UNKNOWN if value is None else value


def _bucket(record: ResourceRecord) -> Bucket:
    props = record.props
    return Bucket(
        name=_name(record, "bucket"),
        ref=record.urn,
        arn=_computed(props, "arn"),
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
        arn=_computed(props, "arn"),
        tags=_tags(props),
        rotation_enabled=get(props, "enableKeyRotation"),
        deletion_window_days=get(props, "deletionWindowInDays"),
        policy=parse_policy(get(props, "policy")),
        pending_deletion=False,  # a key declared by the program is never pending deletion
        state=_key_state(get(props, "isEnabled")),
        protect=record.protect,
        retain_on_delete=record.retain_on_delete,
    )


def _key_state(is_enabled: Any) -> Any:
    """The provider creates a key enabled unless ``isEnabled`` is false."""
    if is_unknown(is_enabled):
        return UNKNOWN
    return "Disabled" if is_enabled is False else "Enabled"


def _attached(
    records: list[ResourceRecord], owner_type: str, owner_key: Callable[[ResourceRecord], Any],
    attached_types: Iterable[str], prop: str,
) -> dict[str, list[ResourceRecord]]:
    """``{owner URN: its attached records}``, in record order: an attached record names its owner
    in ``prop``, joined by that property's dependency, falling back to the property's value
    (a bucket name, a queue URL, a role name) equal to the owner's ``owner_key``."""
    owners = {key: r.urn for r in records if r.type == owner_type and isinstance(key := owner_key(r), str)}
    # Every owner joins by dependency, even one whose key is unknown (a VPC's id in a first preview).
    urns, types = {r.urn for r in records if r.type == owner_type}, set(attached_types)
    joined: dict[str, list[ResourceRecord]] = {}
    for record in records:
        if record.type not in types:
            continue
        dependency = record.dependencies.get(prop)
        urn = dependency if dependency in urns else owners.get(get(record.props, prop))
        if urn is not None:
            joined.setdefault(urn, []).append(record)
    return joined


def _buckets(records: list[ResourceRecord]) -> tuple[Bucket, ...]:
    settings = _attached(records, BUCKET_TYPE, lambda r: _name(r, "bucket"), _SETTINGS, "bucket")
    buckets = []
    for record in (r for r in records if r.type == BUCKET_TYPE):
        bucket = _bucket(record)
        for setting in settings.get(record.urn, []):
            attribute, read = _SETTINGS[setting.type]
            bucket = replace(bucket, **{attribute: read(setting.props)})
        buckets.append(bucket)
    return tuple(buckets)


def lake_key_policy(keys: Iterable[Key]) -> dict[str, Any] | None:
    policies = [k.policy for k in keys if k.is_lake_key and isinstance(k.policy, dict)]
    return policies[0] if policies else None


def _derived_account(policy: dict[str, Any] | None) -> Any:
    """The account of the lake key's root statement: known even during a first preview."""
    for statement in statements(policy):
        if statement.get("Sid") == "EnableIamPolicies":
            return next((account_of(p) for p in aws_principals(statement) if account_of(p)), UNKNOWN)
    return UNKNOWN


def derived_administrators(policy: dict[str, Any] | None) -> tuple[str, ...]:
    for statement in statements(policy):
        if statement.get("Sid") == "AllowKeyAdministration":
            return tuple(p for p in aws_principals(statement) if p != "*")
    return ()


def derived_production(buckets: Iterable[Bucket], keys: Iterable[Key]) -> bool | None:
    values = {r.tags.get("production") for r in (*buckets, *keys) if "production" in r.tags}
    return values == {"true"} if values and not any(is_unknown(v) for v in values) else None


ENDPOINT_TYPE = "aws:ec2/vpcEndpoint:VpcEndpoint"
CRAWLER_TYPE = "aws:glue/crawler:Crawler"
SECURITY_CONFIGURATION_TYPE = "aws:glue/securityConfiguration:SecurityConfiguration"
CATALOG_ENCRYPTION_TYPE = "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings"
WORKGROUP_TYPE = "aws:athena/workgroup:Workgroup"
QUEUE_TYPE = "aws:sqs/queue:Queue"
QUEUE_POLICY_TYPE = "aws:sqs/queuePolicy:QueuePolicy"
ROLE_TYPE = "aws:iam/role:Role"
ROLE_POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy"
ROLE_ATTACHMENT_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
MANAGED_POLICY_TYPE = "aws:iam/policy:Policy"


def _endpoint(record: ResourceRecord) -> VpcEndpoint:
    props = record.props
    return VpcEndpoint(
        name=record.name,
        ref=record.urn,
        service_name=get(props, "serviceName"),
        endpoint_type=get(props, "vpcEndpointType"),
        policy=parse_policy(get(props, "policy")),
        endpoint_id=_computed(props, "id"),
        vpc_id=get(props, "vpcId"),
    )


def _crawler(record: ResourceRecord) -> Crawler:
    props = record.props
    targets = get(props, "s3Targets")
    targets = [UNKNOWN] if is_unknown(targets) else targets or []
    return Crawler(
        name=_name(record),
        ref=record.urn,
        role_arn=get(props, "role"),
        role_ref=record.dependencies.get("role"),
        database=get(props, "databaseName"),
        s3_paths=tuple(get(t, "path") for t in targets),
        security_configuration=get(props, "securityConfiguration"),
        event_queue_arns=tuple(arn for t in targets if (arn := get(t, "eventQueueArn")) is not None),
        recrawl_behavior=get(props, "recrawlPolicy", "recrawlBehavior"),
    )


def _security_configuration(record: ResourceRecord) -> GlueSecurityConfiguration:
    config = get(record.props, "encryptionConfiguration")
    parts = ("s3Encryption", "cloudwatchEncryption", "jobBookmarksEncryption")
    return GlueSecurityConfiguration(
        name=_name(record),
        ref=record.urn,
        s3_mode=get(config, "s3Encryption", "s3EncryptionMode"),
        cloudwatch_mode=get(config, "cloudwatchEncryption", "cloudwatchEncryptionMode"),
        job_bookmarks_mode=get(config, "jobBookmarksEncryption", "jobBookmarksEncryptionMode"),
        key_arns=tuple(arn for part in parts if (arn := get(config, part, "kmsKeyArn")) is not None),
    )


def _catalog_encryption(record: ResourceRecord) -> CatalogEncryption:
    settings = get(record.props, "dataCatalogEncryptionSettings")
    return CatalogEncryption(
        ref=record.urn,
        mode=get(settings, "encryptionAtRest", "catalogEncryptionMode"),
        key_arn=get(settings, "encryptionAtRest", "sseAwsKmsKeyId"),
        password_encrypted=get(settings, "connectionPasswordEncryption", "returnConnectionPasswordEncrypted"),
        password_key_arn=get(settings, "connectionPasswordEncryption", "awsKmsKeyId"),
    )


def _workgroup(record: ResourceRecord) -> Workgroup:
    config = get(record.props, "configuration")
    result = get(config, "resultConfiguration")
    enforced = get(config, "enforceWorkgroupConfiguration")
    return Workgroup(
        name=_name(record),
        ref=record.urn,
        # The provider enforces a declared configuration unless told otherwise.
        enforced=enforced if config is None else _or_default(enforced, True),
        cutoff=get(config, "bytesScannedCutoffPerQuery"),
        output_location=get(result, "outputLocation"),
        encryption_option=get(result, "encryptionConfiguration", "encryptionOption"),
        kms_key_arn=get(result, "encryptionConfiguration", "kmsKeyArn"),
    )


def _queue_encrypted(sqs_managed: Any, kms_key_id: Any) -> Any:
    """A KMS key (even one unknown yet) or SQS-managed SSE encrypts the queue."""
    if sqs_managed is True or kms_key_id is not None:
        return True
    return UNKNOWN if is_unknown(sqs_managed) else False


def _has_dead_letter_queue(redrive_policy: Any) -> Any:
    if redrive_policy is None:
        return False
    document = parse_policy(redrive_policy)  # a JSON string, like a policy
    return UNKNOWN if is_unknown(document) else get(document, "deadLetterTargetArn") is not None


def _queues(records: list[ResourceRecord]) -> tuple[Queue, ...]:
    policies = _attached(records, QUEUE_TYPE, lambda r: get(r.props, "id"), [QUEUE_POLICY_TYPE], "queueUrl")
    queues = []
    for record in (r for r in records if r.type == QUEUE_TYPE):
        props, attached = record.props, policies.get(record.urn, [])
        queues.append(Queue(
            name=_name(record),
            ref=record.urn,
            arn=_computed(props, "arn"),
            encrypted=_queue_encrypted(get(props, "sqsManagedSseEnabled"), get(props, "kmsMasterKeyId")),
            kms_key_id=get(props, "kmsMasterKeyId"),
            policy=parse_policy(get(attached[-1].props, "policy")) if attached else None,
            has_dead_letter_queue=_has_dead_letter_queue(get(props, "redrivePolicy")),
        ))
    return tuple(queues)


def _roles(records: list[ResourceRecord]) -> tuple[Role, ...]:
    policies = _attached(records, ROLE_TYPE, _name, [ROLE_POLICY_TYPE], "role")
    attachments = _attached(records, ROLE_TYPE, _name, [ROLE_ATTACHMENT_TYPE], "role")
    managed = _managed_documents(records)
    return tuple(
        Role(
            name=_name(record),
            ref=record.urn,
            arn=_computed(record.props, "arn"),
            trust_policy=parse_policy(get(record.props, "assumeRolePolicy")),
            policies=tuple(parse_policy(get(p.props, "policy")) for p in policies.get(record.urn, [])),
            attached=_attached_policies(record, attachments.get(record.urn, []), managed),
            tags=_tags(record.props),
        )
        for record in records
        if record.type == ROLE_TYPE
    )


def _managed_documents(records: list[ResourceRecord]) -> dict[str, tuple[Any, Any]]:
    """``{URN: (ARN, document)}`` of the customer managed policies the stack declares."""
    return {r.urn: (_computed(r.props, "arn"), parse_policy(get(r.props, "policy")))
            for r in records if r.type == MANAGED_POLICY_TYPE}


def _attached_policies(role: ResourceRecord, attachments: list[ResourceRecord],
                       managed: dict[str, tuple[Any, Any]]) -> tuple[AttachedPolicy, ...]:
    """The role's RolePolicyAttachments, then its ``managedPolicyArns`` (the provider's other way
    to attach them), each once."""
    found = [_attachment(a.dependencies.get("policyArn"), get(a.props, "policyArn"), managed) for a in attachments]
    listed = get(role.props, "managedPolicyArns")
    if is_unknown(listed):
        return (*found, AttachedPolicy(UNKNOWN, UNKNOWN))
    found += [_attachment(None, arn, managed) for arn in listed or [] if arn not in {p.arn for p in found}]
    return tuple(found)


def _attachment(urn: str | None, arn: Any, managed: dict[str, tuple[Any, Any]]) -> AttachedPolicy:
    """A customer managed policy of the stack (by dependency, else by ARN), an AWS managed one
    from the pinned list, or an unknown document."""
    declared = managed.get(urn) if urn else next((m for m in managed.values() if m[0] == arn), None)
    if declared is not None:
        return AttachedPolicy(arn if isinstance(arn, str) else declared[0], declared[1])
    pinned = pinned_document(arn)
    return AttachedPolicy(arn, UNKNOWN if pinned is None else pinned)


VPC_TYPE = "aws:ec2/vpc:Vpc"
FLOW_LOG_TYPE = "aws:ec2/flowLog:FlowLog"
# The provider's defaults (and AWS's) for what a FlowLog leaves out; the S3 ones apply to S3 only.
FLOW_LOG_DEFAULTS = {"logDestinationType": "cloud-watch-logs", "maxAggregationInterval": 600}
S3_DESTINATION_DEFAULTS = {"fileFormat": "plain-text", "hiveCompatiblePartitions": False, "perHourPartition": False}


def _flow_log(record: ResourceRecord) -> FlowLog:
    props = {**FLOW_LOG_DEFAULTS, **{k: v for k, v in record.props.items() if v is not None}}
    options = get(props, "destinationOptions")
    if props["logDestinationType"] == "s3" and not is_unknown(options):
        options = {**S3_DESTINATION_DEFAULTS, **(options or {})}
    return FlowLog(
        name=record.name,
        ref=record.urn,
        traffic_type=get(props, "trafficType"),
        destination_type=get(props, "logDestinationType"),
        destination=get(props, "logDestination"),
        max_aggregation_interval=get(props, "maxAggregationInterval"),
        file_format=get(options, "fileFormat"),
        hive_compatible_partitions=get(options, "hiveCompatiblePartitions"),
        per_hour_partition=get(options, "perHourPartition"),
    )


def _vpcs(records: list[ResourceRecord], endpoints: Iterable[VpcEndpoint]) -> tuple[Vpc, ...]:
    """The VPCs the stack declares, with their flow logs (joined by the flow log's ``vpcId``), then
    the existing VPCs its endpoints are in: not the stack's, so their flow logs are not seen (None)
    unless the stack declares some for them."""
    joined = _attached(records, VPC_TYPE, lambda r: get(r.props, "id"), [FLOW_LOG_TYPE], "vpcId")
    declared = [r for r in records if r.type == VPC_TYPE]
    vpcs = [Vpc(name=_tag_name(r), ref=r.urn, vpc_id=_computed(r.props, "id"), created_by_lake=True,
                flow_logs=tuple(_flow_log(f) for f in joined.get(r.urn, [])), tags=_tags(r.props))
            for r in declared]
    known = {v.vpc_id for v in vpcs}
    existing = sorted({e.vpc_id for e in endpoints if isinstance(e.vpc_id, str) and e.vpc_id not in known})
    orphans = [r for r in records if r.type == FLOW_LOG_TYPE and r.dependencies.get("vpcId") not in joined]
    for vpc_id in existing:
        logs = tuple(_flow_log(f) for f in orphans if get(f.props, "vpcId") == vpc_id)
        vpcs.append(Vpc(name=vpc_id, ref=vpc_id, vpc_id=vpc_id, created_by_lake=False, flow_logs=logs or None))
    return tuple(vpcs)


def _tag_name(record: ResourceRecord) -> str:
    """The Name tag, which the live audit also names the VPC by, else the resource name."""
    name = _tags(record.props).get("Name")
    return name if isinstance(name, str) else record.name


def _of_type(records: list[ResourceRecord], type_: str, read: Callable[[ResourceRecord], T]) -> tuple[T, ...]:
    return tuple(read(r) for r in records if r.type == type_)


def build_lake(records: Iterable[ResourceRecord], context: LakeContext) -> Lake:
    records = list(records)
    buckets = _buckets(records)
    keys = _of_type(records, KEY_TYPE, _key)
    key_policy = lake_key_policy(keys)
    account_bpa = next((_public_access_block(r.props) for r in records if r.type == ACCOUNT_BPA_TYPE), None)
    return Lake(
        source=context.source,
        account_id=context.account_id or _derived_account(key_policy),
        region=context.region or UNKNOWN,
        partition=context.partition or "aws",
        production=context.production if context.production is not None else derived_production(buckets, keys),
        administrators=context.administrators
        if context.administrators is not None
        else derived_administrators(key_policy),
        deployer=context.deployer,
        allowed_buckets=context.allowed_buckets,
        buckets=buckets,
        keys=keys,
        iam_policies=tuple(
            IamPolicy(r.name, r.urn, parse_policy(get(r.props, "policy")), IAM_POLICY_TYPES[r.type], _tags(r.props))
            for r in records
            if r.type in IAM_POLICY_TYPES
        ),
        account_public_access_block=account_bpa,
        perimeter=context.perimeter,
        endpoints=_of_type(records, ENDPOINT_TYPE, _endpoint),
        vpcs=_vpcs(records, _of_type(records, ENDPOINT_TYPE, _endpoint)),
        crawlers=_of_type(records, CRAWLER_TYPE, _crawler),
        security_configurations=_of_type(records, SECURITY_CONFIGURATION_TYPE, _security_configuration),
        catalog_encryption=next(iter(_of_type(records, CATALOG_ENCRYPTION_TYPE, _catalog_encryption)), None),
        workgroups=_of_type(records, WORKGROUP_TYPE, _workgroup),
        queues=_queues(records),
        roles=_roles(records),
    )
