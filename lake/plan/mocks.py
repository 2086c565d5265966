"""Realistic engine answers for the offline plan.

Ids and ARNs follow the real formats and are derived from resource names, so the same stack
always gives the same plan (diffs of a plan in a pull request show real changes only).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

from . import DEFAULT_ACCOUNT_ID  # noqa: F401 (re-exported: the mocks answer with it)


@dataclass(frozen=True)
class MockEnvironment:
    """The account and region the offline plan pretends to deploy into."""

    account_id: str
    region: str

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"


def _stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


def _bucket(args: pulumi.runtime.MockResourceArgs, env: MockEnvironment) -> tuple[str, dict]:
    name = args.inputs["bucket"]
    return name, {
        "arn": f"arn:{env.partition}:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{env.region}.amazonaws.com",
        "region": env.region,
    }


def _kms_key(args: pulumi.runtime.MockResourceArgs, env: MockEnvironment) -> tuple[str, dict]:
    key_id = _stable_uuid(args.typ, args.name)
    return key_id, {
        "keyId": key_id,
        "arn": f"arn:{env.partition}:kms:{env.region}:{env.account_id}:key/{key_id}",
    }


def _kms_alias(args: pulumi.runtime.MockResourceArgs, env: MockEnvironment) -> tuple[str, dict]:
    name = args.inputs["name"]
    prefix = f"arn:{env.partition}:kms:{env.region}:{env.account_id}"
    return name, {"arn": f"{prefix}:{name}", "targetKeyArn": f"{prefix}:key/{args.inputs['targetKeyId']}"}


def _hex_id(prefix: str):
    """EC2-style ids (vpc-0123456789abcdef0), stable per resource name."""
    def handler(args: pulumi.runtime.MockResourceArgs, env: MockEnvironment) -> tuple[str, dict]:
        resource_id = f"{prefix}-{_stable_uuid(args.typ, args.name).replace('-', '')[:17]}"
        return resource_id, {"arn": f"arn:{env.partition}:ec2:{env.region}:{env.account_id}:{prefix}/{resource_id}"}
    return handler


def _iam_role(args: pulumi.runtime.MockResourceArgs, env: MockEnvironment) -> tuple[str, dict]:
    name = args.inputs.get("name") or args.name
    return name, {"arn": f"arn:{env.partition}:iam::{env.account_id}:role/{name}", "uniqueId": "AROAOFFLINEPLAN"}


def _iam_policy(args: pulumi.runtime.MockResourceArgs, env: MockEnvironment) -> tuple[str, dict]:
    # The provider identifies a customer managed policy by its ARN (no path: the lake sets none).
    arn = f"arn:{env.partition}:iam::{env.account_id}:policy/{args.inputs.get('name') or args.name}"
    return arn, {"arn": arn, "policyId": "ANPAOFFLINEPLAN"}


def _iam_global(kind: str):
    """IAM resources identified by their name, with a global (region-less) ARN of ``kind``."""
    def handler(args: pulumi.runtime.MockResourceArgs, env: MockEnvironment) -> tuple[str, dict]:
        name = args.inputs.get("name") or args.name
        return name, {"arn": f"arn:{env.partition}:iam::{env.account_id}:{kind}/{name}"}
    return handler


def _sqs_queue(args: pulumi.runtime.MockResourceArgs, env: MockEnvironment) -> tuple[str, dict]:
    name = args.inputs.get("name") or args.name
    url = f"https://sqs.{env.region}.amazonaws.com/{env.account_id}/{name}"
    return url, {"arn": f"arn:{env.partition}:sqs:{env.region}:{env.account_id}:{name}", "url": url}


def _named(service: str, kind: str):
    """Resources identified by their name, with an ARN of ``service`` and ``kind``."""
    def handler(args: pulumi.runtime.MockResourceArgs, env: MockEnvironment) -> tuple[str, dict]:
        name = args.inputs.get("name") or args.name
        return name, {"arn": f"arn:{env.partition}:{service}:{env.region}:{env.account_id}:{kind}/{name}"}
    return handler


def _bucket_setting(args: pulumi.runtime.MockResourceArgs, env: MockEnvironment) -> tuple[str, dict]:
    # The provider identifies every split S3 setting by the bucket name.
    return args.inputs["bucket"], {}


_S3_SETTINGS = (
    "BucketVersioning",
    "BucketServerSideEncryptionConfiguration",
    "BucketPublicAccessBlock",
    "BucketOwnershipControls",
    "BucketLifecycleConfiguration",
    "BucketLogging",
    "BucketPolicy",
)

_RESOURCES: dict[str, Callable[[pulumi.runtime.MockResourceArgs, MockEnvironment], tuple[str, dict]]] = {
    "aws:s3/bucket:Bucket": _bucket,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    **{f"aws:s3/{name[0].lower()}{name[1:]}:{name}": _bucket_setting for name in _S3_SETTINGS},
    "aws:s3/bucketNotification:BucketNotification": _bucket_setting,
    "aws:ec2/vpc:Vpc": _hex_id("vpc"),
    "aws:ec2/subnet:Subnet": _hex_id("subnet"),
    "aws:ec2/routeTable:RouteTable": _hex_id("rtb"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _hex_id("rtbassoc"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _hex_id("sg"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _hex_id("vpce"),
    "aws:iam/role:Role": _iam_role,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:iam/instanceProfile:InstanceProfile": _iam_global("instance-profile"),
    "aws:sqs/queue:Queue": _sqs_queue,
    "aws:glue/catalogDatabase:CatalogDatabase": _named("glue", "database"),
    "aws:glue/crawler:Crawler": _named("glue", "crawler"),
    "aws:athena/workgroup:Workgroup": _named("athena", "workgroup"),
}


class LakeMocks(pulumi.runtime.Mocks):
    def __init__(self, env: MockEnvironment):
        self.env = env

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom:
            return None, {}
        handler = _RESOURCES.get(args.typ)
        if handler is None:
            resource_id, computed = f"{args.name}-{_stable_uuid(args.typ, args.name)[:8]}", {}
        else:
            resource_id, computed = handler(args, self.env)
        return resource_id, {**args.inputs, "id": resource_id, **computed}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        env = self.env
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": env.account_id,
                "arn": f"arn:{env.partition}:iam::{env.account_id}:user/offline-plan",
                "id": env.account_id,
                "userId": "AIDAOFFLINEPLAN",
            }
        if args.token == "aws:index/getRegion:getRegion":
            return {"region": env.region, "name": env.region, "id": env.region}
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{env.region}{suffix}" for suffix in "abc"]
            return {"names": names, "zoneIds": [f"{env.region}-az{i}" for i in range(1, 4)], "id": env.region}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": env.partition, "id": env.partition, "dnsSuffix": "amazonaws.com"}
        # An unanswered invoke would silently yield None and hide a program change.
        raise NotImplementedError(f"the offline plan cannot answer the invoke {args.token}")
