"""Pulumi's names for AWS resources -> Terraform's: resource types, property names, block shapes.

pulumi-aws is bridged from the Terraform AWS provider, so every pulumi-aws resource is one
Terraform resource and every property one Terraform attribute or block. What the installed SDK
tells us is used as is; what it cannot tell is written down here and tested against it
(tests/plan/test_terraform_names.py):

- **Resource types**: the SDK carries no Terraform name, so ``RESOURCE_TYPES`` lists the types the
  lake declares. Each entry was checked against pulumi-aws's bridge metadata (the ``renames``
  section of provider/cmd/pulumi-resource-aws/bridge-metadata.json, and the v7 aliases of
  provider/resource_overrides.go that made ``aws:s3/bucket:Bucket`` ``aws_s3_bucket``); the tests
  check that each token is a resource class of the installed SDK and that every type the stacks
  declare is listed. A type missing here is a bug in lake: ``MappingError``, exit 3.
- **Property names**: the SDK's Python names (``@pulumi.getter(name="camelName")`` on a snake_case
  property) are the Terraform names, except that the bridge pluralises the name of a list of
  blocks (Terraform ``rule`` -> Pulumi ``rules``). The bridge names the block's type after the
  singular (``BucketLifecycleConfigurationRule``), so the Terraform name comes from that type's name.
- **Block shapes**: a Terraform block of at most one item (MaxItems=1) is flattened to one object by
  the bridge; Terraform's JSON keeps it a list of one. An object-typed property that is not a
  sequence is such a block. Maps (``tags``) stay objects, keys untouched.
"""

from __future__ import annotations

import collections.abc
import importlib
import re
import typing
from typing import Any

import pulumi
import pulumi_aws  # noqa: F401 - importing it registers its resource modules with pulumi.runtime
from pulumi import _types
from pulumi.runtime.rpc import get_resource_module

PROVIDER_NAME = "registry.terraform.io/hashicorp/aws"

# Pulumi type token -> Terraform resource type, for every pulumi-aws type the lake's components declare.
RESOURCE_TYPES = {
    "aws:athena/workgroup:Workgroup": "aws_athena_workgroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:glue/catalogDatabase:CatalogDatabase": "aws_glue_catalog_database",
    "aws:glue/crawler:Crawler": "aws_glue_crawler",
    "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings": "aws_glue_data_catalog_encryption_settings",
    "aws:glue/securityConfiguration:SecurityConfiguration": "aws_glue_security_configuration",
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "aws_iam_user_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketNotification:BucketNotification": "aws_s3_bucket_notification",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:sqs/queuePolicy:QueuePolicy": "aws_sqs_queue_policy",
}


class MappingError(Exception):
    """A Pulumi type or property lake cannot name in Terraform: a bug in lake (exit 3), never the user's."""


def terraform_type(token: str) -> str:
    try:
        return RESOURCE_TYPES[token]
    except KeyError:
        raise MappingError(
            f"no Terraform resource type is known for the Pulumi type {token!r}: add it to RESOURCE_TYPES "
            "in lake/plan/terraform_names.py (its Terraform name is in pulumi-aws's bridge metadata)"
        ) from None


def sdk_class(token: str) -> type:
    """The installed pulumi-aws class of a type token, found as the SDK registers it (each package's
    __init__ registers its resource modules with pulumi.runtime, token -> class name)."""
    package, module, _ = token.split(":")
    registered = get_resource_module(package, module, "")
    name = registered.mod_info["classes"].get(token) if registered is not None else None
    if name is None:
        raise MappingError(f"{token!r} is not a resource of the installed pulumi-aws")
    return getattr(importlib.import_module(registered.mod_info["fqn"]), name)


def terraform_values(token: str, inputs: dict[str, Any], computed: dict[str, Any]) -> dict[str, Any]:
    """A resource's inputs and computed attributes (Pulumi's camelCase names and shapes) with
    Terraform's names and shapes. The mock engine computes an ``arn`` for every resource (lake/plan/
    mocks.py): one the type does not have is left out, while an input it does not have is a bug."""
    cls = sdk_class(token)
    known = set(_types.resource_types(cls)) | {"id"}
    return _object({**{k: v for k, v in computed.items() if k in known}, **inputs}, cls, token)


def _object(values: dict[str, Any], cls: type, where: str) -> dict[str, Any]:
    resource = issubclass(cls, pulumi.Resource)
    hints = _types.resource_types(cls) if resource else _types.output_type_types(cls)
    names = _types.resource_pulumi_to_py_names(cls)
    converted = {}
    for key, value in values.items():
        if key == "id" and resource:  # every resource's id; the SDK declares it on pulumi.CustomResource
            converted["id"] = value
            continue
        if key not in hints:
            raise MappingError(f"{where}: pulumi-aws's {cls.__name__} has no property {key!r}")
        name, shaped = _property(value, hints[key], names[key], cls, f"{where}.{key}")
        converted[name] = shaped
    return dict(sorted(converted.items()))


def _property(value: Any, hint: Any, python_name: str, parent: type, where: str) -> tuple[str, Any]:
    hint = _types.unwrap_type(hint)
    if _types.is_output_type(hint) and isinstance(value, dict):  # MaxItems=1: Terraform's list of one
        return python_name, [_object(value, hint, where)]
    element = sequence_element(hint)
    if element is not None and _types.is_output_type(element) and isinstance(value, list):
        return block_name(python_name, element, parent, where), [_object(item, element, where) for item in value]
    return python_name, value


def sequence_element(hint: Any) -> Any:
    """T of Sequence[T] (or List[T]), else None."""
    if typing.get_origin(hint) in (collections.abc.Sequence, list):
        (element,) = typing.get_args(hint)
        return _types.unwrap_type(element)
    return None


def block_name(python_name: str, element: type, parent: type, where: str) -> str:
    """Terraform's (singular) name of a list of blocks: the bridge names the block's type
    ``<parent type><Singular>`` (``CrawlerS3Target`` for ``s3Targets``, Terraform ``s3_target``);
    checked against the Python name, its plural, so that a renamed type cannot go unnoticed."""
    prefix = parent.__name__
    singular = snake_case(element.__name__[len(prefix):]) if element.__name__.startswith(prefix) else ""
    if not singular or python_name not in _plurals(singular):
        raise MappingError(f"{where}: cannot tell the Terraform block name of {python_name!r} "
                           f"from its pulumi-aws type {element.__name__}")
    return singular


def _plurals(singular: str) -> set[str]:
    forms = {singular, f"{singular}s", f"{singular}es"}
    return forms | ({f"{singular[:-1]}ies"} if singular.endswith("y") else set())


def snake_case(pascal: str) -> str:
    """``NoncurrentVersionTransition`` -> ``noncurrent_version_transition``, ``S3Target`` -> ``s3_target``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", pascal).lower()
