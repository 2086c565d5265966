"""LogsBucket: the target of the zone buckets' S3 server access logs.

A SecureBucket with SSE-S3 instead of the lake key (log delivery cannot write SSE-KMS targets),
no access logging of its own, a retention lifecycle, and a policy that lets the logging service
write only for the lake's own buckets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from .documents.logs_bucket_policy import allow_access_log_delivery
from .environment import AwsEnvironment
from .resource_options import child_options
from .secure_bucket import AccessLogTarget, SecureBucket, SecureBucketArgs
from .settings import LifecycleSettings, default_logs_lifecycle

TYPE_TOKEN = "datalake:storage:LogsBucket"
ACCESS_LOG_PREFIX = "access-logs/"


@dataclass(frozen=True)
class LogsBucketArgs:
    bucket_name: str
    source_bucket_names: tuple[str, ...]
    environment: AwsEnvironment
    lifecycle: LifecycleSettings = field(default_factory=default_logs_lifecycle)
    protect: bool = False
    tags: dict[str, str] = field(default_factory=dict)


class LogsBucket(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: LogsBucketArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        env = args.environment
        source_arns = [env.bucket_arn(n) for n in args.source_bucket_names]
        delivery = pulumi.Output.all(env.bucket_arn(args.bucket_name), env.account_id, *source_arns).apply(
            lambda v: [allow_access_log_delivery(v[0], ACCESS_LOG_PREFIX, list(v[2:]), v[1])]
        )
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
