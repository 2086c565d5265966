"""Where the lake is deployed: account, region and partition, read once from the provider."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsEnvironment:
    account_id: pulumi.Output[str]
    region: pulumi.Output[str]
    partition: pulumi.Output[str]

    @staticmethod
    def current(parent: pulumi.Resource) -> AwsEnvironment:
        opts = pulumi.InvokeOutputOptions(parent=parent)
        return AwsEnvironment(
            account_id=aws.get_caller_identity_output(opts=opts).account_id,
            region=aws.get_region_output(opts=opts).region,
            partition=aws.get_partition_output(opts=opts).partition,
        )

    def bucket_arn(self, bucket_name: str) -> pulumi.Output[str]:
        """ARN of a bucket from its name, known before the bucket exists (S3 ARNs have no account)."""
        return self.partition.apply(lambda p: f"arn:{p}:s3:::{bucket_name}")
