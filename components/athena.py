"""QueryWorkgroup: the lake's Athena workgroup and the bucket its query results go to.

The workgroup's settings are enforced (clients cannot send results elsewhere or unencrypted),
results are encrypted with the lake key, and a per-query scan cutoff caps runaway costs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .resource_options import child_options
from .secure_bucket import AccessLogTarget, SecureBucket, SecureBucketArgs
from .settings import AthenaSettings, LifecycleSettings, NoncurrentVersions

TYPE_TOKEN = "datalake:query:QueryWorkgroup"
RESULTS_PREFIX = "results/"


@dataclass(frozen=True)
class QueryWorkgroupArgs:
    workgroup_name: str
    results_bucket_name: str
    kms_key_arn: pulumi.Input[str]
    access_logs: AccessLogTarget
    settings: AthenaSettings = field(default_factory=AthenaSettings)
    protect: bool = False
    tags: dict[str, str] = field(default_factory=dict)


def results_lifecycle(settings: AthenaSettings) -> LifecycleSettings:
    """Results are scratch data: no tiering, expire after the configured days."""
    days = settings.results_expiration_days
    return LifecycleSettings(
        transitions=(), expiration_days=days,
        noncurrent=NoncurrentVersions(transitions=(), expiration_days=min(days, 30)),
    )


class QueryWorkgroup(pulumi.ComponentResource):
    results: SecureBucket
    workgroup_name: pulumi.Output[str]

    def __init__(self, name: str, args: QueryWorkgroupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.results = SecureBucket(
            f"{name}-results",
            SecureBucketArgs(
                bucket_name=args.results_bucket_name,
                kms_key_arn=args.kms_key_arn,
                access_logs=args.access_logs,
                lifecycle=results_lifecycle(args.settings),
                protect=args.protect,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        workgroup = aws.athena.Workgroup(
            name,
            name=args.workgroup_name,
            state="ENABLED",
            force_destroy=False,
            configuration={
                "enforce_workgroup_configuration": True,
                "publish_cloudwatch_metrics_enabled": True,
                "bytes_scanned_cutoff_per_query": args.settings.bytes_scanned_cutoff_per_query,
                "result_configuration": {
                    "output_location": self.results.bucket_name.apply(lambda b: f"s3://{b}/{RESULTS_PREFIX}"),
                    "encryption_configuration": {"encryption_option": "SSE_KMS", "kms_key_arn": args.kms_key_arn},
                },
            },
            tags=args.tags,
            opts=child_options(self, args.protect),
        )
        self.workgroup_name = workgroup.name
        self.register_outputs({"workgroup": self.workgroup_name, "resultsBucket": self.results.bucket_name})
