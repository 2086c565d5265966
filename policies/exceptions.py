"""Controls of the catalogue that the rule set deliberately does not enforce, and why.

Kept as data so that RULES.md lists them next to the rules (``policies/docs.py``) and a test
checks that no control is both enforced and excepted.
"""

from __future__ import annotations

from dataclasses import dataclass

SECURITY_HUB_GUIDE = "https://docs.aws.amazon.com/securityhub/latest/userguide"


@dataclass(frozen=True)
class NotEnforced:
    id: str  # the Security Hub control id
    title: str
    why: str  # why the lake does not enforce it
    instead: str  # what protects the data instead, or when to turn the control on
    checkov: tuple[str, ...] = ()  # checkov's checks of the same control, waived for the same reason

    @property
    def reference(self) -> str:
        family = self.id.split(".")[0].lower()
        return f"{SECURITY_HUB_GUIDE}/{family}-controls.html#{self.id.lower().replace('.', '-')}"


NOT_ENFORCED = (
    NotEnforced(
        id="S3.7",
        title="S3 general purpose buckets should use cross-Region replication",
        why="Replication keeps a second full copy of every object version in another region: storage is paid "
        "twice, plus inter-region transfer and replication requests, and the copies need a KMS key in the "
        "destination region (keys are regional). Copying a dataset to another region is also a data-residency "
        "decision that only its owner can take, not a platform default.",
        instead="Versioning (S3.14) and LAKE.4 protect against deletion within the region. Enable replication "
        "per dataset when a recovery objective or regulation requires it: a replica bucket in the chosen "
        "region, a replication role and a key there.",
        checkov=("CKV_AWS_144",),
    ),
    NotEnforced(
        id="S3.15",
        title="S3 general purpose buckets should have Object Lock enabled",
        why="Object Lock makes object versions write-once: in compliance mode nobody, not even the root user, "
        "can delete a locked version before its retention ends, so erasure requests and the lifecycle rules "
        "that expire noncurrent versions cannot act on it. Once enabled on a bucket it can never be disabled, "
        "nor versioning suspended, and S3 cannot deliver access logs to a bucket that has it.",
        instead="Versioning (S3.14) keeps every overwritten or deleted object recoverable and LAKE.4 stops "
        "Pulumi from deleting the buckets; permanent deletion needs s3:DeleteObjectVersion, which only the "
        "administrators should hold. Object Lock will be offered later as a per-stack option for zone buckets "
        "(never the logs bucket), for stacks whose regulation requires write-once storage.",
    ),
    NotEnforced(
        id="S3.20",
        title="S3 general purpose buckets should have MFA delete enabled",
        why="Only the account's root user can enable MFA delete, through the API with the serial number and a "
        "current code of the root user's MFA device in the request: the role that runs Pulumi cannot, and "
        "infrastructure as code would have to hold root credentials. S3 also does not support lifecycle "
        "configuration on a bucket with MFA delete, so the lake's lifecycle rules (S3.13) would have to go.",
        instead="Versioning (S3.14) keeps every overwritten or deleted object recoverable, LAKE.4 stops Pulumi "
        "from deleting the buckets, and permanent deletion needs s3:DeleteObjectVersion, which only the "
        "administrators should hold. A team that must have MFA delete enables it by hand with the root user and "
        "gives up lifecycle rules on that bucket.",
    ),
    NotEnforced(
        id="S3.11",
        title="S3 general purpose buckets should have event notifications enabled",
        why="Notifications are worth their queue only where something consumes them: the lake turns them on for "
        "the zone buckets of datasets in event mode (datalake:datasets[].eventMode: object-created events go to an "
        "SQS queue the dataset's crawler reads). Elsewhere a notification with no consumer adds a queue or rule to "
        "secure and pay for without informing anyone.",
        instead="Set eventMode on the datasets whose crawler should read only new objects: the lake then declares "
        "the bucket notification and its SQS queue (LAKE.9 checks the queue). Server access logs (S3.9) record "
        "every request on every bucket.",
        checkov=("CKV2_AWS_62",),
    ),
    NotEnforced(
        id="S3.10",
        title="S3 general purpose buckets with versioning enabled should have Lifecycle configurations",
        why="Every lake bucket is versioned (S3.14), and S3.13 already requires an enabled lifecycle rule on "
        "every bucket, plus one that expires noncurrent versions where versioning is on: a rule for S3.10 would "
        "report the same findings twice.",
        instead="S3.13 covers it.",
    ),
)


@dataclass(frozen=True)
class ScannerWaiver:
    """A check of another scanner, run on the plan as a Terraform plan document (scripts/scan_plan.py),
    that fails on the lake by design and matches no control of the catalogue."""

    tool: str
    id: str  # the scanner's check id
    title: str  # the scanner's own title
    resources: str  # which of the lake's resources it fails on
    why: str
    instead: str
    reference: str


SCANNER_WAIVERS = (
    ScannerWaiver(
        tool="checkov",
        id="CKV_AWS_145",
        title="Ensure that S3 buckets are encrypted with KMS by default",
        resources="the logs bucket only (`aws_s3_bucket.logs-bucket`)",
        why="S3 server access log delivery writes only to a target bucket whose default encryption is SSE-S3 "
        "(AES256): with SSE-KMS as its default, the logs would not be delivered. The logs bucket holds access "
        "logs and VPC flow logs, no data of the lake.",
        instead="S3.17 requires the lake key on every zone bucket and SSE-S3 on the logs bucket; Block Public "
        "Access (S3.8), the TLS policy (S3.5, LAKE.1) and its bucket policy limiting writers to the log "
        "delivery services of the lake's account (LAKE.13) protect the logs.",
        reference="https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html",
    ),
)
