"""Typed inputs of the lake's components, with secure defaults and the reason for each.

These dataclasses are the contract between the stack configuration (``lake/config``, which
validates ``Pulumi.<stack>.yaml`` and builds them) and the components (which only read them).
Every default here is also documented in the README's configuration table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# Storage classes a lifecycle transition may target, coldest last. Transitions must go strictly
# colder: S3 rejects moving objects "up" this list.
STORAGE_CLASS_ORDER: tuple[str, ...] = ("STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")

# Minimum storage duration billed by each class (days). Deleting or moving an object earlier is
# charged as if it stayed this long (S3 pricing, "minimum storage duration charge").
MIN_STORAGE_DAYS: dict[str, int] = {
    "STANDARD_IA": 30,
    "GLACIER_IR": 90,
    "GLACIER": 90,
    "DEEP_ARCHIVE": 180,
}

# S3 refuses a transition to STANDARD_IA for objects younger than 30 days.
MIN_DAYS_BEFORE_IA = 30

# Since September 2024 S3 does not transition objects smaller than 128 KB by default: sending many
# small objects to Glacier costs more in per-object overhead than it saves.
DEFAULT_MINIMUM_OBJECT_SIZE = "all_storage_classes_128K"
MINIMUM_OBJECT_SIZE_CHOICES = ("all_storage_classes_128K", "varies_by_storage_class")


@dataclass(frozen=True)
class Transition:
    """Move objects to ``storage_class`` ``days`` after creation (or after becoming noncurrent)."""

    days: int
    storage_class: str


@dataclass(frozen=True)
class NoncurrentVersions:
    """What happens to versions once they are overwritten or deleted.

    Versioning is always on, so without an expiry old versions pile up and are billed forever.
    """

    transitions: tuple[Transition, ...] = (Transition(30, "STANDARD_IA"),)
    expiration_days: int = 90
    # Keep this many newest noncurrent versions regardless of age (None: keep none past expiry).
    newer_noncurrent_versions: int | None = None


@dataclass(frozen=True)
class LifecycleSettings:
    """Lifecycle of one bucket. The defaults tier cold data down and clean up every leftover."""

    transitions: tuple[Transition, ...] = (
        Transition(30, "STANDARD_IA"),
        Transition(90, "GLACIER_IR"),
    )
    # None: current objects never expire (a data lake keeps its data unless told otherwise).
    expiration_days: int | None = None
    noncurrent: NoncurrentVersions = field(default_factory=NoncurrentVersions)
    # Incomplete multipart uploads are invisible yet billed; nothing in S3 aborts them by default.
    abort_incomplete_multipart_upload_days: int = 7
    # Remove delete markers that no longer hide any version (they slow down listings).
    expired_object_delete_marker: bool = True
    minimum_object_size: str = DEFAULT_MINIMUM_OBJECT_SIZE
    # Key prefix the tiering rule applies to ("" = the whole bucket). Clean-up rules always
    # cover the whole bucket.
    prefix: str = ""


def default_logs_lifecycle() -> LifecycleSettings:
    """Access logs are small objects (< 128 KB), so tiering saves nothing; keep them a year."""
    return LifecycleSettings(
        transitions=(),
        expiration_days=365,
        noncurrent=NoncurrentVersions(transitions=(), expiration_days=30),
    )


@dataclass(frozen=True)
class ZoneSettings:
    """One zone of the lake (raw, processed, curated, ...): one bucket with its own lifecycle."""

    name: str
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)


DEFAULT_ZONES: tuple[str, ...] = ("raw", "processed", "curated")


@dataclass(frozen=True)
class KeySettings:
    """The lake's KMS customer key."""

    # 30 days (the maximum) gives the longest window to cancel an accidental deletion.
    deletion_window_days: int = 30


@dataclass(frozen=True)
class LogsSettings:
    """The bucket receiving S3 server access logs of every zone bucket."""

    lifecycle: LifecycleSettings = field(default_factory=default_logs_lifecycle)


@dataclass(frozen=True)
class NetworkSettings:
    """Where the lake is reached from: the team's VPC, through an S3 gateway endpoint."""

    # An existing VPC and the route tables its private subnets use; None: create a minimal VPC
    # (two private subnets in two AZs, no NAT, no internet gateway).
    vpc_id: str | None = None
    route_table_ids: tuple[str, ...] = ()
    # CIDR of the VPC the lake creates (ignored with vpc_id); its first two quarters become the
    # private subnets.
    cidr: str = "10.42.0.0/16"
    # AZs of the created subnets; empty: the region's first two.
    availability_zones: tuple[str, ...] = ()
    # Buckets outside the lake the endpoint also lets the account reach (names), e.g. a shared
    # model registry; everything else through this endpoint is refused.
    allowed_buckets: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetSettings:
    """A dataset under a zone prefix, catalogued by its own Glue crawler."""

    name: str
    zone: str
    prefix: str  # "images/": ends with "/", no leading "/"
    # AWS cron expression ("cron(0 2 * * ? *)"); None: run on demand (or on events).
    schedule: str | None = None
    # Crawl only what S3 event notifications report (S3 -> SQS -> crawler), not whole prefixes.
    event_mode: bool = False


# Access levels a consumer grant may give (components/documents/consumer_access.py builds each):
# read (get, list), write (put, multipart), delete (delete markers only: versions are never
# destroyed), query (Athena on the zone's Glue database through the lake's workgroup).
ACCESS_LEVELS = ("read", "write", "delete", "query")

# The services a consumer role may be created for (``service:``) and the principal that assumes it.
CONSUMER_SERVICES = {
    "sagemaker": "sagemaker.amazonaws.com",
    "glue": "glue.amazonaws.com",
    "ec2": "ec2.amazonaws.com",
    "lambda": "lambda.amazonaws.com",
    "ecs-tasks": "ecs-tasks.amazonaws.com",
    "batch": "batch.amazonaws.com",
    "emr-serverless": "emr-serverless.amazonaws.com",
}


def principal_account(arn: str) -> str:
    """The account of an IAM ARN (``arn:aws:iam::123456789012:role/Name``)."""
    return arn.split(":")[4]


def consumer_kind(service: str | None, principal: str | None, trusted_accounts: Iterable[str]) -> str:
    """"service", "principal" or "external". It must be known when resources are declared, before the
    deployment's account is: a principal of a ``datalake:trustedAccounts`` account is external (those
    are the accounts besides the lake's), any other is of the lake's account."""
    if service is not None:
        return "service"
    return "external" if principal_account(principal or "") in set(trusted_accounts) else "principal"


@dataclass(frozen=True)
class GrantSettings:
    """One access level on one zone, on the whole zone or on some of its prefixes."""

    zone: str
    access: str  # one of ACCESS_LEVELS
    prefixes: tuple[str, ...] = ()  # (): the whole zone; else "images/"-style prefixes


@dataclass(frozen=True)
class ConsumerSettings:
    """A workload or person using the lake, with exactly one identity:

    - ``service``: a role the lake creates, trusted by that service only (``aws:SourceAccount``);
    - ``principal`` in the lake's account: an existing role or user; the lake creates the policy
      and attaches it when ``attach`` is set (else exports it, to attach elsewhere);
    - ``principal`` in a trusted other account: the bucket and key policies grant that role,
      and the identity policy it must attach is exported.
    """

    name: str
    grants: tuple[GrantSettings, ...]
    principal: str | None = None
    service: str | None = None
    attach: bool = False
    # Requests must come through the lake's endpoint. None: as the perimeter (on in production);
    # False with the perimeter on exempts this consumer from it.
    require_endpoint: bool | None = None


@dataclass(frozen=True)
class AthenaSettings:
    """The lake's Athena workgroup; its results go to a dedicated bucket, encrypted."""

    # Queries scanning more are cancelled: a runaway query on a data lake costs real money.
    bytes_scanned_cutoff_per_query: int = 10 * 1024**3
    # Query results are scratch data: expire them.
    results_expiration_days: int = 30


@dataclass(frozen=True)
class LakeSettings:
    """Everything the program needs, validated. Built by ``lake.config`` from the stack config."""

    name: str
    stack: str
    zones: tuple[ZoneSettings, ...] = tuple(ZoneSettings(z) for z in DEFAULT_ZONES)
    # IAM principal ARNs that administer the lake (key administrators).
    administrators: tuple[str, ...] = ()
    # The role or user that runs `pulumi up`; informs the access matrix, grants nothing.
    deployer: str | None = None
    # Production stacks protect and retain their buckets and key (no accidental `pulumi destroy`).
    production: bool = False
    # Strict mode: deny PutObject without an SSE header instead of relying on default encryption.
    # Off by default because it breaks clients that rely on bucket default encryption.
    require_sse_header: bool = False
    key: KeySettings = field(default_factory=KeySettings)
    logs: LogsSettings = field(default_factory=LogsSettings)
    tags: dict[str, str] = field(default_factory=dict)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    # Deny S3 requests that do not come through the lake's endpoint. None: on for production.
    perimeter: bool | None = None
    datasets: tuple[DatasetSettings, ...] = ()
    athena: AthenaSettings = field(default_factory=AthenaSettings)
    consumers: tuple[ConsumerSettings, ...] = ()
    # Account ids besides aws:allowedAccountIds whose principals may be consumers.
    trusted_accounts: tuple[str, ...] = ()

    @property
    def perimeter_enabled(self) -> bool:
        return self.production if self.perimeter is None else self.perimeter

    def requires_endpoint(self, consumer: ConsumerSettings) -> bool:
        """Must the consumer's requests come through the lake's endpoint? Its own setting, else the perimeter's."""
        return self.perimeter_enabled if consumer.require_endpoint is None else consumer.require_endpoint
