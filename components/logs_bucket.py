"""LogsBucket: the target of the zone buckets' S3 server access logs.

A SecureBucket with SSE-S3 instead of the lake key (S3 server access logging supports no other: below),
no access logging of its own, a retention lifecycle, and a policy that lets the logging service
write only for the lake's own buckets, and log delivery write the flow logs of the VPC the lake
creates (SSE-S3 encrypts them too: flow logs to S3 support SSE-S3 and SSE-KMS).

Why SSE-S3: "Enabling Amazon S3 server access logging"
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html) says "You can use
default bucket encryption on the destination bucket only if you use server-side encryption with Amazon S3
managed keys (SSE-S3) [...]. Default server-side encryption with AWS Key Management Service (AWS KMS) keys
(SSE-KMS) is not supported." (the wording quoted in September 2025; the S3 Tables API's LoggingEnabled says
the same of a log destination: it "can't use SSE-KMS or DSSE-KMS default encryption"). So no customer managed
key is offered here, nor a key policy grant to logging.s3.amazonaws.com: AWS supports none, however scoped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from .documents.logs_bucket_policy import allow_access_log_delivery, allow_flow_log_delivery
from .environment import AwsEnvironment
from .resource_options import child_options
from .secure_bucket import AccessLogTarget, SecureBucket, SecureBucketArgs
from .settings import LifecycleSettings, default_logs_lifecycle

TYPE_TOKEN = "datalake:storage:LogsBucket"
ACCESS_LOG_PREFIX = "access-logs/"
# Beside the access logs, apart: one Athena table per log kind.
FLOW_LOG_PREFIX = "vpc-flow-logs/"


@dataclass(frozen=True)
class LogsBucketArgs:
    bucket_name: str
    source_bucket_names: tuple[str, ...]
    environment: AwsEnvironment
    lifecycle: LifecycleSettings = field(default_factory=default_logs_lifecycle)
    protect: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    # Let log delivery write VPC flow logs (only when the lake creates the VPC: nothing else sends them).
    flow_logs: bool = False


@dataclass(frozen=True)
class FlowLogTarget:
    """Where the flow logs of the lake's VPC go: the logs bucket's ARN and prefix, as one S3 ARN."""

    destination: pulumi.Input[str]
    # Delivery must be allowed first: AWS otherwise writes its own policy over the bucket's.
    ready: pulumi.Resource


class LogsBucket(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: LogsBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        env = args.environment
        self._known_arn = env.bucket_arn(args.bucket_name)
        source_arns = [env.bucket_arn(n) for n in args.source_bucket_names]
        delivery = pulumi.Output.all(self._known_arn, env.account_id, *source_arns).apply(
            lambda v: [allow_access_log_delivery(v[0], ACCESS_LOG_PREFIX, list(v[2:]), v[1])]
        )
        if args.flow_logs:
            delivery = pulumi.Output.all(
                delivery, self._known_arn, env.partition, env.region, env.account_id
            ).apply(lambda v: [*v[0], *allow_flow_log_delivery(v[1], FLOW_LOG_PREFIX, v[2], v[3], v[4])])
        self.secure_bucket = SecureBucket(
            name,
            SecureBucketArgs(
                bucket_name=args.bucket_name,
                kms_key_arn=None,
                access_logs=None,
                lifecycle=args.lifecycle,
                extra_policy_statements=delivery,
                protect=args.protect,
                tags=args.tags,
            ),
            opts=child_options(self, args.protect),
        )
        self.bucket_name = self.secure_bucket.bucket_name
        self.arn = self.secure_bucket.arn
        self.register_outputs({"bucketName": self.bucket_name, "arn": self.arn})

    def access_log_target(self) -> AccessLogTarget:
        """Where zone buckets send their logs. One prefix for all: the date-partitioned key format
        already adds ``<account>/<region>/<source bucket>/<yyyy>/<mm>/<dd>/``, so one Athena
        table covers every zone."""
        return AccessLogTarget(bucket=self.bucket_name, prefix=ACCESS_LOG_PREFIX, ready=self)

    def flow_log_target(self) -> FlowLogTarget:
        """Named from the bucket's name, so the destination is known before the bucket exists."""
        destination = self._known_arn.apply(lambda arn: f"{arn}/{FLOW_LOG_PREFIX}")
        return FlowLogTarget(destination=destination, ready=self)
