"""SecureBucket: an S3 bucket with every protection the lake requires, as split resources.

pulumi-aws 7 declares each bucket setting as its own resource (the inline ``s3.Bucket``
arguments are deprecated), so the component owns: the bucket, versioning, default encryption,
Block Public Access, ownership controls, lifecycle, access logging and the bucket policy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .documents.bucket_policy import secure_bucket_policy
from .documents.perimeter import Perimeter
from .documents.statements import Statement
from .lifecycle import lifecycle_rules
from .resource_options import child_options
from .settings import LifecycleSettings

TYPE_TOKEN = "datalake:storage:SecureBucket"


@dataclass(frozen=True)
class AccessLogTarget:
    """Where S3 server access logs of a bucket go (the lake's logs bucket)."""

    bucket: pulumi.Input[str]
    prefix: str
    # Delivery must be allowed before logging is switched on; depending on the logs bucket
    # component orders the two.
    ready: pulumi.Resource | None = None


@dataclass(frozen=True)
class SecureBucketArgs:
    bucket_name: str
    # The lake key. None selects SSE-S3, which only the access-log target may use: S3 log
    # delivery cannot write to a bucket whose default encryption is SSE-KMS.
    kms_key_arn: pulumi.Input[str] | None
    # None only for the logs bucket itself (logging it into itself would loop).
    access_logs: AccessLogTarget | None
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    require_sse_header: bool = False
    # Statements appended to the secure policy (the logs bucket's delivery grant).
    extra_policy_statements: pulumi.Input[list[Statement]] = field(default_factory=list)
    protect: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    # VPC-endpoint perimeter: deny requests from outside these endpoints, except for the exempt
    # principals (administrators, deployer, crawler roles). None: no perimeter.
    perimeter_endpoint_ids: pulumi.Input[list[str]] | None = None
    perimeter_exempt_arns: pulumi.Input[list[str]] = field(default_factory=list)
    # Statements granting external consumers (roles of trusted other accounts) their grants on this
    # bucket, after the extra statements.
    consumer_statements: pulumi.Input[list[Statement]] = field(default_factory=list)


class SecureBucket(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    bucket_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._args = args
        # force_destroy stays False: deleting a non-empty data bucket must be a deliberate act.
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=args.bucket_name,
            force_destroy=False,
            tags=args.tags,
            opts=self._child(),
        )
        versioning = self._versioning()
        self._encryption()
        public_access_block = self._public_access_block()
        ownership = self._ownership_controls()
        self._lifecycle(versioning)
        if args.access_logs is not None:
            self._logging(args.access_logs)
        self._policy(depends_on=[public_access_block, ownership])
        self.bucket_name = self.bucket.bucket
        self.arn = self.bucket.arn
        self.register_outputs({"bucketName": self.bucket_name, "arn": self.arn})

    def _child(self, **extra) -> pulumi.ResourceOptions:
        return child_options(self, self._args.protect, **extra)

    def _versioning(self) -> aws.s3.BucketVersioning:
        return aws.s3.BucketVersioning(
            f"{self._name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=self._child(),
        )

    def _encryption(self) -> aws.s3.BucketServerSideEncryptionConfiguration:
        key = self._args.kms_key_arn
        if key is None:
            default = {"sse_algorithm": "AES256"}
            rule = {"apply_server_side_encryption_by_default": default}
        else:
            default = {"sse_algorithm": "aws:kms", "kms_master_key_id": key}
            # Bucket keys cut KMS requests (and their cost) by orders of magnitude.
            rule = {"apply_server_side_encryption_by_default": default, "bucket_key_enabled": True}
        # SSE-C objects cannot be read or audited by the lake: block them at the bucket too.
        rule["blocked_encryption_types"] = ["SSE-C"]
        return aws.s3.BucketServerSideEncryptionConfiguration(
            f"{self._name}-encryption", bucket=self.bucket.id, rules=[rule], opts=self._child()
        )

    def _public_access_block(self) -> aws.s3.BucketPublicAccessBlock:
        return aws.s3.BucketPublicAccessBlock(
            f"{self._name}-public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=self._child(),
        )

    def _ownership_controls(self) -> aws.s3.BucketOwnershipControls:
        # BucketOwnerEnforced disables ACLs: access is decided by policies alone.
        return aws.s3.BucketOwnershipControls(
            f"{self._name}-ownership",
            bucket=self.bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=self._child(),
        )

    def _lifecycle(self, versioning: aws.s3.BucketVersioning) -> aws.s3.BucketLifecycleConfiguration:
        lifecycle = self._args.lifecycle
        # Noncurrent-version rules mean nothing until versioning is on: order them after it.
        return aws.s3.BucketLifecycleConfiguration(
            f"{self._name}-lifecycle",
            bucket=self.bucket.id,
            rules=lifecycle_rules(lifecycle),
            transition_default_minimum_object_size=lifecycle.minimum_object_size,
            opts=self._child(depends_on=[versioning]),
        )

    def _logging(self, target: AccessLogTarget) -> aws.s3.BucketLogging:
        depends_on = [target.ready] if target.ready is not None else []
        return aws.s3.BucketLogging(
            f"{self._name}-logging",
            bucket=self.bucket.id,
            target_bucket=target.bucket,
            target_prefix=target.prefix,
            # Date-partitioned keys let Athena prune log queries by day.
            target_object_key_format={"partitioned_prefix": {"partition_date_source": "EventTime"}},
            opts=self._child(depends_on=depends_on),
        )

    def _policy(self, depends_on: list[pulumi.Resource]) -> aws.s3.BucketPolicy:
        args = self._args
        document = pulumi.Output.all(
            self.bucket.arn, args.kms_key_arn, args.extra_policy_statements,
            args.perimeter_endpoint_ids, args.perimeter_exempt_arns, args.consumer_statements,
        ).apply(lambda v: json.dumps(secure_bucket_policy(
            v[0], v[1], args.require_sse_header, (*v[2], *v[5]),
            perimeter=Perimeter(tuple(v[3]), tuple(v[4])) if v[3] is not None else None,
        )))
        # Applied after Block Public Access and ownership controls: S3 answers 409 "conflicting
        # conditional operation" when a policy and BPA are written at the same time.
        return aws.s3.BucketPolicy(
            f"{self._name}-policy",
            bucket=self.bucket.id,
            policy=document,
            opts=self._child(depends_on=depends_on),
        )
