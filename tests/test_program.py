"""The whole program (__main__.py) of the dev and prod stacks, run under the mock runtime."""

import json
from collections import Counter

import pulumi_aws as aws
import pytest

from lake.plan.mocks import DEFAULT_ACCOUNT_ID
from lake.plan.runner import plan_stack
from tests.support import BUCKET_TYPE, KEY_TYPE, POLICY_TYPE, REPO, Resources, record_component, s3_type

ZONE_COUNTS_DEV = {
    "pulumi:pulumi:Stack": 1,
    "datalake:storage:DataLake": 1,
    "datalake:storage:LakeKey": 1,
    "datalake:storage:LogsBucket": 1,
    "datalake:storage:SecureBucket": 5,  # 3 zones, logs, query results
    "datalake:network:LakeNetwork": 1,
    "datalake:catalog:LakeCatalog": 1,
    "datalake:query:QueryWorkgroup": 1,
    KEY_TYPE: 1,
    "aws:kms/alias:Alias": 1,
    BUCKET_TYPE: 5,
    s3_type("BucketVersioning"): 5,
    s3_type("BucketServerSideEncryptionConfiguration"): 5,
    s3_type("BucketPublicAccessBlock"): 5,
    s3_type("BucketOwnershipControls"): 5,
    s3_type("BucketLifecycleConfiguration"): 5,
    s3_type("BucketLogging"): 4,
    s3_type("BucketNotification"): 1,
    POLICY_TYPE: 5,
    "aws:ec2/vpc:Vpc": 1,
    "aws:ec2/subnet:Subnet": 2,
    "aws:ec2/routeTable:RouteTable": 2,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1,
    "aws:ec2/vpcEndpoint:VpcEndpoint": 1,
    "aws:ec2/flowLog:FlowLog": 1,
    "aws:glue/catalogDatabase:CatalogDatabase": 3,
    "aws:glue/crawler:Crawler": 2,
    "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings": 1,
    "aws:glue/securityConfiguration:SecurityConfiguration": 1,
    "aws:iam/role:Role": 3,  # 2 crawlers, the training consumer's
    "aws:iam/rolePolicy:RolePolicy": 2,
    "datalake:access:LakeConsumers": 1,
    "aws:iam/policy:Policy": 2,  # one per consumer of the lake's account (training, analysts)
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 2,  # to the training role and to the Analyst role
    "aws:sqs/queue:Queue": 2,
    "aws:sqs/queuePolicy:QueuePolicy": 1,
    "aws:athena/workgroup:Workgroup": 1,
}


@pytest.fixture(scope="module")
def dev():
    return plan_stack(REPO, "dev", DEFAULT_ACCOUNT_ID)


@pytest.fixture(scope="module")
def prod():
    return plan_stack(REPO, "prod", "210987654321")


def test_dev_resource_counts_by_type(dev):
    assert dict(Counter(r.type for r in dev.resources)) == ZONE_COUNTS_DEV


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_type_and_name_unique(stack, dev, prod):
    plan = dev if stack == "dev" else prod
    pairs = [(r.type, r.name) for r in plan.resources]
    assert len(pairs) == len(set(pairs))


def test_every_cloud_resource_lives_in_a_component(dev):
    components = {r.urn for r in dev.resources if not r.custom}
    assert all(r.parent in components for r in dev.resources if r.custom)


def test_dev_exports(dev):
    key = Resources(dev.resources).one(KEY_TYPE, "lake-key-key")
    outputs = dict(dev.outputs)
    consumers = outputs.pop("consumers")
    assert outputs == {
        "zoneBuckets": {
            zone: {"name": f"mlteam-dev-{zone}", "arn": f"arn:aws:s3:::mlteam-dev-{zone}"}
            for zone in ("raw", "processed", "curated")
        },
        "keyArn": f"arn:aws:kms:us-east-1:123456789012:key/{key.id}",
        "keyAlias": "alias/mlteam-dev",
        "logsBucket": {"name": "mlteam-dev-logs", "arn": "arn:aws:s3:::mlteam-dev-logs"},
        "queryResultsBucket": {"name": "mlteam-dev-query-results", "arn": "arn:aws:s3:::mlteam-dev-query-results"},
    }
    assert _without_identity_policies(consumers) == DEV_CONSUMER_EXPORTS
    sids = {name: [s["Sid"] for s in json.loads(c["identityPolicy"])["Statement"]] for name, c in consumers.items()}
    assert sids == {
        "training": ["LocateBuckets", "ListZones", "ReadObjects", "WriteObjects", "UseKeyThroughS3"],
        "analysts": ["QueryWorkgroup", "ReadCatalog", "AthenaLocateBuckets", "AthenaListZones", "AthenaReadObjects",
                     "LocateQueryResults", "ListQueryResults", "UseQueryResults", "UseKeyThroughS3",
                     "DecryptCatalogThroughGlue"],
    }


DEV_CONSUMER_EXPORTS = {
    "training": {
        "kind": "service",
        "principalArn": "arn:aws:iam::123456789012:role/mlteam-dev-consumer-training",
        "service": "sagemaker",
        "roleName": "mlteam-dev-consumer-training",
        "policyName": "mlteam-dev-consumer-training",
        "policyArn": "arn:aws:iam::123456789012:policy/mlteam-dev-consumer-training",
        "grants": [
            {"zone": "curated", "access": "read", "prefixes": []},
            {"zone": "processed", "access": "write", "prefixes": []},
        ],
        "requireEndpoint": False,
    },
    "analysts": {
        "kind": "principal",
        "principalArn": "arn:aws:iam::123456789012:role/Analyst",
        "policyName": "mlteam-dev-consumer-analysts",
        "policyArn": "arn:aws:iam::123456789012:policy/mlteam-dev-consumer-analysts",
        "attach": True,
        "grants": [{"zone": "curated", "access": "query", "prefixes": []}],
        "requireEndpoint": False,
    },
}


def _without_identity_policies(consumers):
    """The exported policies' statements are pinned by Sid above (and statement by statement in
    tests/test_documents_consumer_access.py); the rest of each export is compared whole."""
    return {name: {k: v for k, v in c.items() if k != "identityPolicy"} for name, c in consumers.items()}


def test_zone_buckets_use_lake_key_and_log_to_logs_bucket(dev):
    resources = Resources(dev.resources)
    key_arn = dev.outputs["keyArn"]
    for zone in ("raw", "processed", "curated"):
        encryption = resources.one(s3_type("BucketServerSideEncryptionConfiguration"), f"{zone}-encryption")
        assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == key_arn
        logging_ = resources.one(s3_type("BucketLogging"), f"{zone}-logging")
        assert logging_.inputs["targetBucket"] == "mlteam-dev-logs"
        assert logging_.inputs["targetPrefix"] == "access-logs/"
    logs_encryption = resources.one(s3_type("BucketServerSideEncryptionConfiguration"), "logs-encryption")
    assert logs_encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


def test_logs_bucket_policy_grants_delivery_for_lake_buckets_only(dev):
    policy = Resources(dev.resources).policy_of(POLICY_TYPE, "logs-policy")
    [delivery] = [s for s in policy["Statement"] if s["Sid"] == "AllowS3ServerAccessLogDelivery"]
    assert delivery["Resource"] == "arn:aws:s3:::mlteam-dev-logs/access-logs/*"
    assert delivery["Condition"] == {
        "ArnLike": {"aws:SourceArn": sorted(
            f"arn:aws:s3:::mlteam-dev-{z}" for z in ("raw", "processed", "curated", "query-results"))},
        "StringEquals": {"aws:SourceAccount": "123456789012"},
    }


def test_zone_lifecycles_follow_config(dev):
    resources = Resources(dev.resources)
    curated = resources.one(s3_type("BucketLifecycleConfiguration"), "curated-lifecycle").inputs["rules"]
    assert curated[0]["transitions"] == [{"days": 60, "storageClass": "STANDARD_IA"}]
    assert curated[1]["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert "noncurrentVersionTransitions" not in curated[1]
    logs = resources.one(s3_type("BucketLifecycleConfiguration"), "logs-lifecycle").inputs["rules"]
    assert logs[0]["expiration"] == {"days": 365}


def test_dev_protects_nothing_and_has_no_warning(dev):
    assert not any(r.protect or r.retain_on_delete for r in dev.resources)
    assert dev.warnings == []


def test_prod_protects_and_retains_every_cloud_resource_but_the_endpoint(prod):
    cloud = [r for r in prod.resources if r.custom]
    assert len(cloud) == 64  # 61 + the training consumer's role, policy and attachment
    unprotected = [r.type for r in cloud if not (r.protect and r.retain_on_delete)]
    # The endpoint holds no data: replacing it must stay possible (prod uses an existing VPC).
    assert unprotected == ["aws:ec2/vpcEndpoint:VpcEndpoint"]


def test_prod_settings_reach_resources(prod):
    resources = Resources(prod.resources)
    key_policy = resources.policy_of(KEY_TYPE, "lake-key-key")
    admins = next(s for s in key_policy["Statement"] if s["Sid"] == "AllowKeyAdministration")
    assert admins["Principal"] == {
        "AWS": ["arn:aws:iam::210987654321:role/LakeAdmin", "arn:aws:iam::210987654321:role/PlatformDeployer"]
    }
    assert prod.outputs["keyArn"].startswith("arn:aws:kms:eu-west-1:210987654321:key/")
    endpoint = resources.one("aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3-endpoint")
    for zone in ("raw", "processed", "curated"):
        statements = resources.policy_of(POLICY_TYPE, f"{zone}-policy")["Statement"]
        sids = [s["Sid"] for s in statements]
        # curated also grants the partner's role its reads, after the lake's own statements
        assert sids[6:8] == ["DenyMissingEncryptionHeader", "DenyOutsideLakeEndpoint"]
        assert sids[8:] == (PARTNER_BUCKET_SIDS if zone == "curated" else [])
        perimeter = statements[7]["Condition"]
        assert perimeter["StringNotEquals"] == {"aws:SourceVpce": [endpoint.id]}
        assert perimeter["ArnNotLike"]["aws:PrincipalArn"] == [
            "arn:aws:iam::210987654321:role/LakeAdmin",
            "arn:aws:iam::210987654321:role/PlatformDeployer",
            "arn:aws:iam::210987654321:role/aws-service-role/*",
            "arn:aws:iam::210987654321:role/mlteam-prod-crawler-annotations",
            "arn:aws:iam::210987654321:role/mlteam-prod-crawler-features",
            "arn:aws:iam::210987654321:role/mlteam-prod-crawler-images",
            # requireEndpoint: false (the config warning, tests/config/test_build.py); it reads curated
            # only, the other zones' policies grant its account nothing
            "arn:aws:iam::345678901234:role/ResearchReader",
        ]
    assert endpoint.inputs["vpcId"] == "vpc-0a1b2c3d4e5f60718"
    assert endpoint.inputs["routeTableIds"] == ["rtb-0a1b2c3d4e5f60718", "rtb-0f1e2d3c4b5a69788"]
    raw = resources.one(s3_type("BucketLifecycleConfiguration"), "raw-lifecycle").inputs["rules"]
    assert raw[0]["transitions"][-1] == {"days": 270, "storageClass": "DEEP_ARCHIVE"}
    assert raw[1]["noncurrentVersionExpiration"] == {"noncurrentDays": 180, "newerNoncurrentVersions": 3}


PARTNER_BUCKET_SIDS = ["ConsumerPartnerResearchLocate", "ConsumerPartnerResearchList", "ConsumerPartnerResearchRead"]


def test_deprecation_warnings_are_captured_so_their_absence_means_something():
    """A deprecated class logs through the engine; the plan's warning list must show it."""
    _, recording = record_component(lambda: aws.s3.BucketV2("old", bucket="old-bucket"))
    assert any("deprecated" in w.lower() for w in recording.warnings)


def test_plan_is_deterministic(dev):
    again = plan_stack(REPO, "dev", DEFAULT_ACCOUNT_ID)
    key = lambda r: r.urn  # noqa: E731
    assert json.dumps([vars(r) for r in sorted(again.resources, key=key)], sort_keys=True) == json.dumps(
        [vars(r) for r in sorted(dev.resources, key=key)], sort_keys=True
    )


def test_no_deprecated_resource_type_declared(dev, prod):
    """Every S3 *V2 class is deprecated in pulumi-aws 7 (importing pulumi_aws.s3 itself raises
    Python DeprecationWarnings for them, so only what the program declares can be checked)."""
    for plan in (dev, prod):
        assert not [r.type for r in plan.resources if r.type.endswith("V2")]
        assert "deprecated" not in " ".join(plan.warnings).lower()
