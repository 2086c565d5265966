"""The Pulumi -> Terraform mapping (lake/plan/terraform_names.py), checked against the installed pulumi-aws."""

import collections.abc
import re
import typing
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from pulumi import _types
from pulumi.type_token import get_type_token

from lake.plan.terraform_names import (
    RESOURCE_TYPES,
    MappingError,
    block_name,
    sdk_class,
    snake_case,
    terraform_type,
    terraform_values,
)
from tests.support import REPO

SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def declared_classes() -> set[tuple[str, str]]:
    """Every `aws.<module>.<Class>(` the components construct, resources and argument types alike."""
    pattern = re.compile(r"aws\.([a-z0-9]+)\.([A-Z][A-Za-z0-9]+)\(")
    return {m.groups() for path in Path(REPO, "components").rglob("*.py") for m in pattern.finditer(path.read_text())}


@pytest.mark.parametrize("token", sorted(RESOURCE_TYPES))
def test_every_listed_token_is_a_resource_class_of_the_installed_sdk(token):
    cls = sdk_class(token)
    assert issubclass(cls, pulumi.CustomResource) and get_type_token(cls) == token


def test_terraform_types_are_distinct_provider_resource_names():
    names = list(RESOURCE_TYPES.values())
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"aws_[a-z0-9]+(_[a-z0-9]+)*", name) for name in names)


def test_every_resource_class_the_components_construct_is_listed():
    resources = [getattr(getattr(aws, module), name) for module, name in declared_classes()]
    tokens = {get_type_token(cls) for cls in resources if isinstance(cls, type) and issubclass(cls, pulumi.Resource)}
    assert len(tokens) == 31 and tokens == set(RESOURCE_TYPES)


@pytest.mark.parametrize("stack", ["dev", "prod", "consumers"])
def test_every_type_the_stacks_declare_is_listed(stack_documents, stack):
    declared = {r["type"] for r in stack_documents[stack]["resources"] if r["custom"]}
    assert declared and declared <= set(RESOURCE_TYPES)


@pytest.mark.parametrize("token, expected", [
    ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", "aws_vpc_endpoint"),
    ("aws:ec2/flowLog:FlowLog", "aws_flow_log"),
    ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws_default_security_group"),
    (LIFECYCLE, "aws_s3_bucket_lifecycle_configuration"),
])
def test_types_whose_terraform_name_is_not_the_tokens(token, expected):
    assert terraform_type(token) == expected


def test_an_unmapped_type_is_an_internal_error_naming_it():
    with pytest.raises(MappingError) as raised:
        terraform_type("aws:cloudtrail/trail:Trail")
    assert str(raised.value) == (
        "no Terraform resource type is known for the Pulumi type 'aws:cloudtrail/trail:Trail': add it to "
        "RESOURCE_TYPES in lake/plan/terraform_names.py (its Terraform name is in pulumi-aws's bridge metadata)"
    )


@pytest.mark.parametrize("token", ["aws:s3/bucket:Bukket", "aws:nosuch/thing:Thing"])
def test_a_token_the_sdk_does_not_register_is_refused(token):
    with pytest.raises(MappingError) as raised:
        sdk_class(token)
    assert str(raised.value) == f"{token!r} is not a resource of the installed pulumi-aws"


# (resource class, path of Pulumi names to a list of blocks, Terraform's block name): each list
# the stacks declare, whose Pulumi name the bridge pluralised.
BLOCK_LISTS = [
    (aws.s3.BucketServerSideEncryptionConfiguration, ["rules"], "rule"),
    (aws.s3.BucketLifecycleConfiguration, ["rules"], "rule"),
    (aws.s3.BucketLifecycleConfiguration, ["rules", "transitions"], "transition"),
    (aws.s3.BucketLifecycleConfiguration, ["rules", "noncurrentVersionTransitions"], "noncurrent_version_transition"),
    (aws.glue.Crawler, ["s3Targets"], "s3_target"),
    (aws.s3.BucketNotification, ["queues"], "queue"),
    (aws.iam.Role, ["inlinePolicies"], "inline_policy"),
    (aws.ec2.DefaultSecurityGroup, ["ingress"], "ingress"),
]


def _walk(cls: type, path: list[str]) -> tuple[type, str, type]:
    """(the owner of the last name, its Python name, its element type), asserting each step is a
    sequence of blocks in the SDK."""
    owner, element = cls, None
    for name in path:
        hints = _types.resource_types(owner) if issubclass(owner, pulumi.Resource) else _types.output_type_types(owner)
        hint = _types.unwrap_type(hints[name])
        assert typing.get_origin(hint) is collections.abc.Sequence, f"{owner.__name__}.{name} is not a Sequence"
        (element,) = typing.get_args(hint)
        assert _types.is_output_type(element)
        python_name = _types.resource_pulumi_to_py_names(owner)[name]
        owner, parent = element, owner
    return parent, python_name, element


@pytest.mark.parametrize("cls, path, expected", BLOCK_LISTS,
                         ids=[".".join([c.__name__, *p]) for c, p, _ in BLOCK_LISTS])
def test_block_lists_take_terraforms_singular_name_from_the_sdk(cls, path, expected):
    parent, python_name, element = _walk(cls, path)
    assert block_name(python_name, element, parent, "here") == expected


def test_a_block_type_named_otherwise_is_refused():
    parent, _, element = _walk(aws.s3.BucketLifecycleConfiguration, ["rules"])
    with pytest.raises(MappingError) as raised:
        block_name("filters", element, parent, "somewhere")
    assert str(raised.value) == ("somewhere: cannot tell the Terraform block name of 'filters' from its pulumi-aws "
                                 "type BucketLifecycleConfigurationRule")


@pytest.mark.parametrize("pascal, snake", [
    ("NoncurrentVersionTransition", "noncurrent_version_transition"), ("S3Target", "s3_target"), ("Rule", "rule"),
])
def test_snake_case(pascal, snake):
    assert snake_case(pascal) == snake


def test_a_block_of_at_most_one_becomes_a_list_of_one_and_maps_keep_their_keys():
    hints = _types.output_type_types(aws.s3.outputs.BucketServerSideEncryptionConfigurationRule)
    assert _types.is_output_type(_types.unwrap_type(hints["applyServerSideEncryptionByDefault"]))  # not a Sequence
    inputs = {
        "bucket": "b",
        "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "k"},
                   "bucketKeyEnabled": True}],
    }
    assert terraform_values(SSE, inputs, {"id": "b"}) == {
        "bucket": "b",
        "id": "b",
        "rule": [{"apply_server_side_encryption_by_default": [{"kms_master_key_id": "k", "sse_algorithm": "aws:kms"}],
                  "bucket_key_enabled": True}],
    }
    tags = {"cost-center": "ml", "Name": "x"}
    assert terraform_values("aws:s3/bucket:Bucket", {"bucket": "b", "tags": tags}, {})["tags"] == tags


def test_computed_attributes_the_type_lacks_are_left_out_but_unknown_inputs_are_refused():
    association = "aws:ec2/routeTableAssociation:RouteTableAssociation"
    values = terraform_values(association, {"routeTableId": "rtb-1", "subnetId": "s-1"}, {"id": "a", "arn": "x"})
    assert values == {"id": "a", "route_table_id": "rtb-1", "subnet_id": "s-1"}
    with pytest.raises(MappingError) as raised:
        terraform_values(association, {"routeTableId": "rtb-1", "arn": "x"}, {})
    assert str(raised.value) == f"{association}: pulumi-aws's RouteTableAssociation has no property 'arn'"
