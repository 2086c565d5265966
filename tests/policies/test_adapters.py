"""The plan and preview adapters build the same model of the dev stack."""

from dataclasses import replace

import pytest
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE

from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from policies.adapters.pack import lake_from_stack
from policies.adapters.plan import lake_from_plan
from policies.adapters.resources import LakeContext, ResourceRecord, build_lake
from policies.model import UNKNOWN, Encryption, Logging, PublicAccessBlock
from tests.policies.stack_args import stack_args
from tests.support import REPO


@pytest.fixture(scope="module")
def document():
    return plan_document(plan_stack(REPO, "dev"))


def test_plan_model_of_dev(document):
    model = lake_from_plan(document)
    assert (model.source, model.account_id, model.region, model.production) == ("plan", "123456789012", "us-east-1", False)
    assert model.administrators == ("arn:aws:iam::123456789012:role/LakeAdmin",)
    assert sorted(b.name for b in model.buckets) == [
        "mlteam-dev-curated", "mlteam-dev-logs", "mlteam-dev-processed", "mlteam-dev-query-results", "mlteam-dev-raw",
    ]
    raw = model.bucket_named("mlteam-dev-raw")
    key_arn = document["outputs"]["keyArn"]
    assert model.lake_key_arn == key_arn
    assert raw.zone == "raw" and raw.is_data_bucket and not raw.is_logs_bucket
    assert raw.versioning == "Enabled"
    assert raw.encryption == Encryption("aws:kms", key_arn, True, ("SSE-C",))
    assert raw.public_access_block == PublicAccessBlock(True, True, True, True)
    assert raw.ownership == "BucketOwnerEnforced"
    assert raw.logging == Logging("mlteam-dev-logs", "access-logs/")
    assert [s["Sid"] for s in raw.policy["Statement"]][:2] == ["DenyInsecureTransport", "DenyOutdatedTls"]
    assert [r.id for r in raw.lifecycle.rules] == [
        "tier-current-objects", "expire-noncurrent-versions", "abort-incomplete-multipart-uploads",
        "remove-expired-delete-markers",
    ]
    assert raw.lifecycle.rules[2].abort_incomplete_multipart_upload_days == 7
    assert (raw.force_destroy, raw.protect, raw.retain_on_delete) == (False, False, False)
    assert model.bucket_named("mlteam-dev-logs").is_logs_bucket


def test_preview_model_equals_plan_model_where_the_pack_can_see(document):
    """The pack cannot see retainOnDelete, region or the plan's settings; the rest is equal."""
    plan_model = lake_from_plan(document)
    preview_model = lake_from_stack(stack_args(document))
    assert preview_model.account_id == plan_model.account_id  # derived from the key policy
    assert preview_model.administrators == plan_model.administrators
    assert preview_model.production is False  # from the "production" tag
    strip = lambda b: replace(b, retain_on_delete=None)  # noqa: E731
    assert sorted(map(strip, preview_model.buckets), key=lambda b: b.name) == sorted(
        map(strip, plan_model.buckets), key=lambda b: b.name
    )


def test_unknown_values_become_unknown(document):
    def unknown_policy_and_arn(resource, props):
        if resource["type"] == "aws:s3/bucketPolicy:BucketPolicy":
            props["policy"] = UNKNOWN_STRING_VALUE
        if resource["type"] == "aws:s3/bucket:Bucket":
            props["arn"] = UNKNOWN_STRING_VALUE

    model = lake_from_stack(stack_args(document, unknown_policy_and_arn))
    raw = model.bucket_named("mlteam-dev-raw")
    assert raw.policy is UNKNOWN and raw.arn is UNKNOWN
    assert raw.versioning == "Enabled"


def test_split_settings_join_by_bucket_reference_not_name(document):
    """A setting whose `bucket` input is unknown still lands on its bucket, via the dependency."""
    def unknown_bucket_input(resource, props):
        if resource["name"] == "raw-versioning":
            props["bucket"] = UNKNOWN_STRING_VALUE

    raw = lake_from_stack(stack_args(document, unknown_bucket_input)).bucket_named("mlteam-dev-raw")
    assert raw.versioning == "Enabled"


def test_plan_model_of_network_catalog_and_athena(document):
    model = lake_from_plan(document)
    [endpoint] = model.endpoints
    assert endpoint.service_name == "com.amazonaws.us-east-1.s3" and endpoint.endpoint_type == "Gateway"
    assert endpoint.endpoint_id.startswith("vpce-")
    assert endpoint.policy["Statement"][0]["Condition"] == {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}
    crawlers = {c.name: c for c in model.crawlers}
    assert sorted(crawlers) == ["mlteam-dev-annotations", "mlteam-dev-images"]
    assert crawlers["mlteam-dev-images"].s3_paths == ("s3://mlteam-dev-raw/images/",)
    assert crawlers["mlteam-dev-annotations"].recrawl_behavior == "CRAWL_EVENT_MODE"
    [security] = model.security_configurations
    assert (security.s3_mode, security.cloudwatch_mode, security.job_bookmarks_mode) == ("SSE-KMS", "SSE-KMS", "CSE-KMS")
    assert model.catalog_encryption.mode == "SSE-KMS"
    [workgroup] = model.workgroups
    assert (workgroup.enforced, workgroup.encryption_option) == (True, "SSE_KMS")
    queues = {q.name: q for q in model.queues}
    assert queues["mlteam-dev-annotations-events"].has_dead_letter_queue is True
    assert queues["mlteam-dev-annotations-events"].policy["Statement"][0]["Sid"] == "AllowS3EventNotifications"
    roles = {r.name: r for r in model.roles}
    assert [s["Sid"] for s in roles["mlteam-dev-crawler-images"].policies[0]["Statement"]][:3] == [
        "LocateBucket", "ListPrefix", "ReadPrefixObjects"]
    assert model.perimeter is False


def test_preview_model_has_the_same_network_catalog_and_athena(document):
    plan_model, preview_model = lake_from_plan(document), lake_from_stack(stack_args(document))
    for part in ("endpoints", "crawlers", "security_configurations", "workgroups", "queues", "roles"):
        assert sorted(map(repr, getattr(preview_model, part))) == sorted(map(repr, getattr(plan_model, part))), part
    assert preview_model.catalog_encryption == plan_model.catalog_encryption


def test_plan_model_of_the_created_vpc_and_its_flow_log(document):
    model = lake_from_plan(document)
    [vpc] = model.vpcs
    assert (vpc.name, vpc.created_by_lake, vpc.vpc_id) == ("network-vpc", True, model.endpoints[0].vpc_id)
    assert [(f.name, f.traffic_type, f.destination_type, f.destination, f.max_aggregation_interval, f.file_format,
             f.hive_compatible_partitions, f.per_hour_partition, f.delivery_status) for f in vpc.flow_logs] == [
        ("network-flow-log", "ALL", "s3", "arn:aws:s3:::mlteam-dev-logs/vpc-flow-logs/", 60, "parquet", True, True,
         None),
    ]


def test_preview_model_has_the_same_vpc_even_when_the_vpc_id_is_unknown(document):
    """The flow log joins its VPC by the vpcId dependency, not by the (not yet known) id."""
    def unknown_vpc_id(resource, props):
        if resource["type"] == "aws:ec2/flowLog:FlowLog":
            props["vpcId"] = UNKNOWN_STRING_VALUE

    plan_vpcs = lake_from_plan(document).vpcs
    assert lake_from_stack(stack_args(document, unknown_vpc_id)).vpcs == plan_vpcs


def test_an_existing_vpc_is_not_the_lakes_and_its_flow_logs_are_not_seen_in_a_plan():
    prod = lake_from_plan(plan_document(plan_stack(REPO, "prod", "210987654321")))
    assert [(v.name, v.vpc_id, v.created_by_lake, v.flow_logs) for v in prod.vpcs] == [
        ("vpc-0a1b2c3d4e5f60718", "vpc-0a1b2c3d4e5f60718", False, None),
    ]


def test_flow_log_defaults_are_the_providers():
    vpc = ResourceRecord("aws:ec2/vpc:Vpc", "urn:vpc", "vpc", {"id": "vpc-1"})
    bare = ResourceRecord("aws:ec2/flowLog:FlowLog", "urn:fl", "fl", {"vpcId": "vpc-1", "trafficType": "REJECT",
                          "logDestinationType": "s3", "logDestination": "arn:aws:s3:::b"})
    [flow_log] = build_lake([vpc, bare], LakeContext("plan")).vpcs[0].flow_logs
    assert (flow_log.max_aggregation_interval, flow_log.file_format, flow_log.hive_compatible_partitions,
            flow_log.per_hour_partition) == (600, "plain-text", False, False)


def test_plan_reads_the_network_allowlist_the_pack_cannot(document):
    assert lake_from_plan(document).allowed_buckets == ()
    listed = {**document, "settings": {**document["settings"], "network": {
        **document["settings"]["network"], "allowed_buckets": ["shared-model-registry"]}}}
    assert lake_from_plan(listed).allowed_buckets == ("shared-model-registry",)
    assert lake_from_stack(stack_args(document)).allowed_buckets is UNKNOWN  # no stack config in a preview


def test_key_state_follows_is_enabled(document):
    def key_enabled(value):
        def edit(resource, props):
            if resource["type"] == "aws:kms/key:Key":
                props["isEnabled"] = value
        return edit

    assert [k.state for k in lake_from_plan(document).keys] == ["Enabled"]  # the provider's default
    assert [k.state for k in lake_from_stack(stack_args(document, key_enabled(False))).keys] == ["Disabled"]
    assert [k.state for k in lake_from_stack(stack_args(document, key_enabled(True))).keys] == ["Enabled"]
    assert [k.state for k in lake_from_stack(stack_args(document, key_enabled(UNKNOWN_BOOLEAN_VALUE))).keys] == [
        UNKNOWN]


@pytest.mark.parametrize(("filter_", "prefix", "filtered"), [
    ({}, "", False),
    ({"prefix": "images/"}, "images/", False),
    ({"tag": {"key": "scratch", "value": "true"}}, "", True),
    ({"objectSizeGreaterThan": 1024}, "", True),
    ({"and": {"prefix": "images/", "tags": {"scratch": "true"}}}, "images/", True),
    ({"and": {"prefix": "logs/", "objectSizeLessThan": 4096}}, "logs/", True),
])
def test_plan_lifecycle_filters_give_the_prefix_and_whether_a_tag_or_size_narrows_it(filter_, prefix, filtered):
    from policies.adapters.resources import _lifecycle_rule

    read = _lifecycle_rule({"id": "r", "status": "Enabled", "filter": filter_, "expiration": {"days": 9}})
    assert (read.prefix, read.filtered) == (prefix, filtered)


@pytest.mark.parametrize(("filter_", "prefix", "filtered"), [
    ({"Prefix": "images/"}, "images/", False),
    ({"Tag": {"Key": "scratch", "Value": "true"}}, "", True),
    ({"And": {"Prefix": "images/", "Tags": [{"Key": "scratch", "Value": "true"}]}}, "images/", True),
    ({"And": {"Prefix": "logs/", "ObjectSizeGreaterThan": 1}}, "logs/", True),
])
def test_live_lifecycle_filters_give_the_prefix_and_whether_a_tag_or_size_narrows_it(filter_, prefix, filtered):
    from policies.adapters.live.buckets import _lifecycle_rule

    read = _lifecycle_rule({"ID": "r", "Status": "Enabled", "Filter": filter_, "Expiration": {"Days": 9}})
    assert (read.prefix, read.filtered) == (prefix, filtered)
