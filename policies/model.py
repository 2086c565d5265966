"""The normalised model of a lake that every rule reads.

Adapters build it from the offline plan (``adapters/plan.py``), from a ``pulumi preview`` inside
the policy pack (``adapters/pack.py``) and from the live account (``adapters/live/``). Rules never see raw
provider properties, so one rule serves all three.

Three kinds of value, kept apart on purpose:
- a value: what is configured;
- ``None``: nothing is configured (no policy, no lifecycle...), which a rule may judge;
- ``UNKNOWN``: the value exists but cannot be known yet (an ARN during ``pulumi preview``), or a
  live read could not establish it (access denied; ``Lake.unverified`` says why); rules report
  it as unknown, never as a pass or a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar, Union


class Unknown:
    """Marker of a value that cannot be known before deployment."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()
T = TypeVar("T")
Maybe = Union[T, None, Unknown]  # noqa: UP007 (a type alias over a TypeVar)


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def contains_unknown(value: Any) -> bool:
    """True when ``value`` or anything inside it (dicts, lists) is unknown."""
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


LOGS_ZONE = "logs"


@dataclass(frozen=True)
class Encryption:
    algorithm: Maybe[str]  # "aws:kms", "aws:kms:dsse", "AES256"
    kms_key_id: Maybe[str] = None
    bucket_key_enabled: Maybe[bool] = None
    blocked_encryption_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublicAccessBlock:
    block_public_acls: Maybe[bool]
    block_public_policy: Maybe[bool]
    ignore_public_acls: Maybe[bool]
    restrict_public_buckets: Maybe[bool]

    def flags(self) -> dict[str, Maybe[bool]]:
        return {
            "BlockPublicAcls": self.block_public_acls,
            "BlockPublicPolicy": self.block_public_policy,
            "IgnorePublicAcls": self.ignore_public_acls,
            "RestrictPublicBuckets": self.restrict_public_buckets,
        }


@dataclass(frozen=True)
class Transition:
    days: Maybe[int]
    storage_class: Maybe[str]


@dataclass(frozen=True)
class LifecycleRule:
    id: str
    enabled: Maybe[bool]
    prefix: Maybe[str] = ""  # "" or None: the whole bucket
    transitions: tuple[Transition, ...] = ()
    expiration_days: Maybe[int] = None
    expired_object_delete_marker: Maybe[bool] = None
    noncurrent_transitions: tuple[Transition, ...] = ()
    noncurrent_expiration_days: Maybe[int] = None
    abort_incomplete_multipart_upload_days: Maybe[int] = None
    # A tag or object-size filter narrows the rule to some of the objects under its prefix.
    filtered: Maybe[bool] = False


@dataclass(frozen=True)
class Lifecycle:
    rules: tuple[LifecycleRule, ...]
    minimum_object_size: Maybe[str] = None


@dataclass(frozen=True)
class Logging:
    target_bucket: Maybe[str]
    target_prefix: Maybe[str] = None


@dataclass(frozen=True)
class Bucket:
    name: str
    # Where the finding points: a URN (plan, pack) or an ARN (live).
    ref: str
    arn: Maybe[str] = UNKNOWN
    tags: dict[str, Any] = field(default_factory=dict)
    versioning: Maybe[str] = None  # "Enabled", "Suspended", or None (never enabled)
    encryption: Maybe[Encryption] = None
    public_access_block: Maybe[PublicAccessBlock] = None
    ownership: Maybe[str] = None  # "BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"
    acl: Maybe[str] = None  # canned ACL of a BucketAcl resource, if any
    policy: Maybe[dict[str, Any]] = None
    # S3's own verdict on the policy (GetBucketPolicyStatus); None: this source cannot tell.
    policy_public: Maybe[bool] = None
    lifecycle: Maybe[Lifecycle] = None
    logging: Maybe[Logging] = None
    notifications: Maybe[tuple[dict[str, Any], ...]] = None
    force_destroy: Maybe[bool] = None
    protect: bool | None = None  # None: this source cannot tell
    retain_on_delete: bool | None = None

    @property
    def zone(self) -> str | None:
        zone = self.tags.get("zone")
        return zone if isinstance(zone, str) else None

    @property
    def is_logs_bucket(self) -> bool:
        return self.zone == LOGS_ZONE

    @property
    def is_data_bucket(self) -> bool:
        return self.zone is not None and not self.is_logs_bucket


@dataclass(frozen=True)
class Key:
    name: str
    ref: str
    arn: Maybe[str] = UNKNOWN
    tags: dict[str, Any] = field(default_factory=dict)
    rotation_enabled: Maybe[bool] = None
    deletion_window_days: Maybe[int] = None
    policy: Maybe[dict[str, Any]] = None
    pending_deletion: Maybe[bool] = False
    # KMS's KeyState: "Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable"...
    state: Maybe[str] = "Enabled"
    protect: bool | None = None
    retain_on_delete: bool | None = None

    @property
    def is_lake_key(self) -> bool:
        return "lake" in self.tags


@dataclass(frozen=True)
class IamPolicy:
    """An identity policy (inline role policy or managed policy)."""

    name: str
    ref: str
    document: Maybe[dict[str, Any]]
    # "managed" (a customer managed policy, Security Hub KMS.1) or "inline" (KMS.2); no default,
    # so an adapter cannot file a managed policy under the wrong control by omission.
    kind: str
    tags: dict[str, Any] = field(default_factory=dict)  # a consumer's policy carries consumer=<name>


@dataclass(frozen=True)
class VpcEndpoint:
    """A VPC endpoint; the lake's is an S3 gateway endpoint whose policy narrows what may pass."""

    name: str
    ref: str
    service_name: Maybe[str] = None  # "com.amazonaws.<region>.s3"
    endpoint_type: Maybe[str] = None  # "Gateway", "Interface"
    policy: Maybe[dict[str, Any]] = None  # None: the default policy, which allows everything
    endpoint_id: Maybe[str] = UNKNOWN  # "vpce-...", what aws:SourceVpce conditions name
    vpc_id: Maybe[str] = None  # the VPC it serves (how the live audit finds the lake's VPC)


@dataclass(frozen=True)
class Crawler:
    name: str
    ref: str
    role_arn: Maybe[str] = None  # what its Role names: an ARN or, as Glue also accepts, a role name
    # The ref (URN) of the role resource its role input depends on (plan, pack): how a crawler finds
    # its role while the role's ARN is unknown. None: this source cannot tell.
    role_ref: str | None = None
    database: Maybe[str] = None
    s3_paths: tuple[Maybe[str], ...] = ()  # "s3://bucket/prefix"
    security_configuration: Maybe[str] = None  # the name of a GlueSecurityConfiguration
    event_queue_arns: tuple[Maybe[str], ...] = ()  # the SQS queues of its S3 events (event mode)
    recrawl_behavior: Maybe[str] = None  # "CRAWL_EVERYTHING", "CRAWL_EVENT_MODE"...


@dataclass(frozen=True)
class GlueSecurityConfiguration:
    """How Glue encrypts what a crawler or job writes: S3 data, CloudWatch logs, job bookmarks."""

    name: str
    ref: str
    s3_mode: Maybe[str] = None  # "SSE-KMS", "SSE-S3", "DISABLED"
    cloudwatch_mode: Maybe[str] = None  # "SSE-KMS", "DISABLED"
    job_bookmarks_mode: Maybe[str] = None  # "CSE-KMS", "DISABLED"
    key_arns: tuple[Maybe[str], ...] = ()


@dataclass(frozen=True)
class CatalogEncryption:
    """The Glue Data Catalog's encryption settings (one per account and region)."""

    ref: str
    mode: Maybe[str] = None  # "SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE", "DISABLED"
    key_arn: Maybe[str] = None
    password_encrypted: Maybe[bool] = None
    password_key_arn: Maybe[str] = None

    @property
    def name(self) -> str:
        """What findings name: the account's catalog has no name of its own."""
        return "data-catalog"


@dataclass(frozen=True)
class Workgroup:
    """An Athena workgroup and where (and how encrypted) its query results go."""

    name: str
    ref: str
    enforced: Maybe[bool] = None  # clients cannot override the result configuration
    cutoff: Maybe[int] = None  # bytes scanned per query
    output_location: Maybe[str] = None
    encryption_option: Maybe[str] = None  # "SSE_S3", "SSE_KMS", "CSE_KMS"
    kms_key_arn: Maybe[str] = None


@dataclass(frozen=True)
class Queue:
    name: str
    ref: str
    arn: Maybe[str] = UNKNOWN
    encrypted: Maybe[bool] = None  # SQS-managed SSE or a KMS key
    kms_key_id: Maybe[str] = None
    policy: Maybe[dict[str, Any]] = None  # of its QueuePolicy, if any
    has_dead_letter_queue: Maybe[bool] = None  # it has a redrive policy


@dataclass(frozen=True)
class AttachedPolicy:
    """A managed policy attached to a role: customer managed (its document from the stack or the
    account) or AWS managed (its document from the pinned list, or read live)."""

    arn: Maybe[str]
    # UNKNOWN: the document cannot be known (an AWS managed policy outside the pinned list during
    # a plan, a denied GetPolicyVersion); rules judging reach report it as unknown.
    document: Maybe[dict[str, Any]] = UNKNOWN


@dataclass(frozen=True)
class Role:
    """An IAM role with its trust policy, its inline policies (RolePolicy documents) and the
    managed policies attached to it."""

    name: str
    ref: str
    arn: Maybe[str] = UNKNOWN
    trust_policy: Maybe[dict[str, Any]] = None
    policies: tuple[Maybe[dict[str, Any]], ...] = ()
    attached: tuple[AttachedPolicy, ...] = ()
    tags: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConsumerGrant:
    """One declared grant of a consumer, resolved to the zone's bucket."""

    zone: str
    bucket: str  # the zone bucket's name
    access: str  # "read", "write", "delete", "query"
    prefixes: tuple[str, ...] = ()  # (): the whole bucket
    database: Maybe[str] = None  # the zone's Glue database (what a query grant reads)


@dataclass(frozen=True)
class Consumer:
    """A workload or person the stack config declares as a user of the lake (``datalake:consumers``).

    ``kind``: "service" (a role the lake creates for a service), "principal" (an existing role or
    user of the lake's account, given a policy the lake creates), "external" (a role of a trusted
    other account, granted through the bucket and key policies). ``policies`` are the identity
    policy documents the lake gives it: the created customer managed policy, or for an external
    consumer the document it exports for the other account to attach.
    """

    name: str
    ref: str  # the URN of its policy (or role), or "consumer:<name>"
    kind: str
    principal_arn: Maybe[str]  # the role or user that acts (a service consumer's role: its ARN)
    grants: Maybe[tuple[ConsumerGrant, ...]] = ()  # UNKNOWN: the source cannot tell (live without a plan)
    require_endpoint: Maybe[bool] = False
    policies: tuple[Maybe[dict[str, Any]], ...] = ()
    service: str | None = None  # "sagemaker.amazonaws.com" for a service consumer
    role_ref: str | None = None  # the ref of the Role the lake creates for it (service consumers)
    policy_name: Maybe[str] = None  # the customer managed policy's name (None: external)
    attached: Maybe[bool] = None  # is the policy attached to the principal (service, attach: true)
    # Does the config ask the lake to attach the policy (a service consumer, or ``attach: true``)? None:
    # this source cannot tell (a live audit without a plan).
    attach: bool | None = None
    # An ec2 consumer's instance profile (named as its role): the names of the roles it holds; None:
    # there is none (every other kind of consumer).
    instance_profile: Maybe[tuple[str, ...]] | None = None


@dataclass(frozen=True)
class FlowLog:
    """A VPC flow log: what traffic of its VPC it captures and where it delivers the records."""

    name: str
    ref: str
    traffic_type: Maybe[str] = None  # "ALL", "ACCEPT", "REJECT"
    destination_type: Maybe[str] = None  # "s3", "cloud-watch-logs", "kinesis-data-firehose"
    destination: Maybe[str] = None  # an ARN: "arn:aws:s3:::bucket/prefix/", a log group's, a stream's
    max_aggregation_interval: Maybe[int] = None  # seconds: 60 or 600
    file_format: Maybe[str] = None  # S3 only: "plain-text", "parquet"
    hive_compatible_partitions: Maybe[bool] = None
    per_hour_partition: Maybe[bool] = None
    # AWS's DeliverLogsStatus: "SUCCESS", "FAILED" (e.g. a bucket policy that refuses delivery)...;
    # None: the source cannot tell (a plan).
    delivery_status: Maybe[str] = None


@dataclass(frozen=True)
class Vpc:
    """A VPC of the lake: the one it creates, or the existing one its endpoint is in."""

    name: str
    ref: str
    vpc_id: Maybe[str] = UNKNOWN
    # True: the lake's stack creates it; False: an existing VPC the config names; None: this source
    # cannot tell (a live VPC without the lake's tag).
    created_by_lake: bool | None = None
    # None: this source does not see them (a plan knows nothing of an existing VPC's flow logs).
    flow_logs: Maybe[tuple[FlowLog, ...]] = ()
    tags: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Unverified:
    """A setting a live read could not establish: the call was denied or kept failing.

    The model holds UNKNOWN for it, so no rule can pass it; the audit reports it as
    "could not verify" instead of guessing."""

    resource: str  # bucket name, key id, crawler name, or "account"
    ref: str  # ARN of the resource
    setting: str  # what was being read, as the model names it: "policy", "encryption"...
    operation: str  # the API call: "GetBucketPolicy"
    error: str  # "AccessDenied: Access Denied"


@dataclass(frozen=True)
class Untagged:
    """A resource a live audit tied to the lake otherwise than by its tag (its name, a policy naming
    the lake's buckets, its VPC, the selection) that lacks the tag lake=<lake>: judged like the
    others, and reported, since tag-based tools (cost, ABAC, tag-scoped audits) miss it."""

    kind: str  # "bucket", "endpoint", "workgroup", "crawler"
    resource: str
    ref: str
    found_by: str  # "its policy naming the lake's buckets"
    lake: str  # the value of the lake tag it lacks


@dataclass(frozen=True)
class Missing:
    """A resource the plan declares that the live account lacks (``lake audit --against-plan``)."""

    kind: str  # as drift names kinds: "bucket", "crawler", "security configuration"...
    resource: str


@dataclass(frozen=True)
class Lake:
    source: str  # "plan", "preview", "live"
    account_id: Maybe[str] = UNKNOWN
    region: Maybe[str] = UNKNOWN
    partition: Maybe[str] = "aws"
    production: bool | None = None
    administrators: tuple[str, ...] = ()
    deployer: str | None = None
    # Principals outside the lake's account that the stack config names explicitly (ARNs or
    # account ids); none today: a later issue adds cross-account consumers.
    trusted_principals: tuple[str, ...] = ()
    # The AWS Organizations id the config names, if any: aws:PrincipalOrgID conditions equal to it
    # count as the lake's own principals.
    organization_id: str | None = None
    # Buckets outside the lake that the network config allowlists through the endpoint;
    # UNKNOWN when the source cannot tell (a live audit without --against-plan).
    allowed_buckets: Maybe[tuple[str, ...]] = ()
    buckets: tuple[Bucket, ...] = ()
    keys: tuple[Key, ...] = ()
    iam_policies: tuple[IamPolicy, ...] = ()
    # Managed by this stack? None: the stack does not manage account-level Block Public Access.
    account_public_access_block: Maybe[PublicAccessBlock] = None
    # Is the data perimeter on? None: this source cannot tell.
    perimeter: bool | None = None
    endpoints: tuple[VpcEndpoint, ...] = ()
    crawlers: tuple[Crawler, ...] = ()
    security_configurations: tuple[GlueSecurityConfiguration, ...] = ()
    # None: the stack does not manage the Data Catalog's encryption.
    catalog_encryption: CatalogEncryption | None = None
    workgroups: tuple[Workgroup, ...] = ()
    queues: tuple[Queue, ...] = ()
    roles: tuple[Role, ...] = ()
    # The consumers the stack config declares (plan; live with --against-plan), with their grants.
    consumers: tuple[Consumer, ...] = ()
    vpcs: tuple[Vpc, ...] = ()
    unverified: tuple[Unverified, ...] = ()
    untagged: tuple[Untagged, ...] = ()  # live only
    missing: tuple[Missing, ...] = ()  # live, against a plan

    @property
    def lake_keys(self) -> tuple[Key, ...]:
        return tuple(k for k in self.keys if k.is_lake_key)

    @property
    def lake_key_arn(self) -> Maybe[str]:
        """The lake key's ARN, or None when the lake has no (single) key."""
        keys = self.lake_keys
        return keys[0].arn if len(keys) == 1 else None

    def bucket_named(self, name: Any) -> Bucket | None:
        return next((b for b in self.buckets if b.name == name), None)

    def security_configuration_named(self, name: Any) -> GlueSecurityConfiguration | None:
        return next((c for c in self.security_configurations if c.name == name), None)

    @property
    def event_queue_arns(self) -> frozenset[Any]:
        """The queues crawlers read S3 events from."""
        return frozenset(arn for c in self.crawlers for arn in c.event_queue_arns)
