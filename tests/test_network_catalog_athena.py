"""The network path, the Glue catalog and crawlers, event notifications and Athena, as the dev
and prod programs declare them."""

import json

import pytest

from lake.plan.runner import plan_stack
from tests.support import REPO, Resources, s3_type

ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
CRAWLER = "aws:glue/crawler:Crawler"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"


@pytest.fixture(scope="module")
def dev():
    return Resources(plan_stack(REPO, "dev").resources)


@pytest.fixture(scope="module")
def prod():
    return Resources(plan_stack(REPO, "prod").resources)


def test_created_vpc_is_private(dev):
    vpc = dev.one("aws:ec2/vpc:Vpc", "network-vpc")
    assert vpc.inputs["cidrBlock"] == "10.42.0.0/16"
    subnets = sorted(dev.of_type("aws:ec2/subnet:Subnet"), key=lambda r: r.name)
    assert [(s.inputs["cidrBlock"], s.inputs["availabilityZone"], s.inputs["mapPublicIpOnLaunch"]) for s in subnets] == [
        ("10.42.0.0/18", "us-east-1a", False), ("10.42.64.0/18", "us-east-1b", False),
    ]
    assert dev.count("aws:ec2/internetGateway:InternetGateway") == 0
    assert dev.count("aws:ec2/natGateway:NatGateway") == 0
    default_sg = dev.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg")
    assert "ingress" not in default_sg.inputs and "egress" not in default_sg.inputs


def test_gateway_endpoint_on_the_private_route_tables_with_the_lake_policy(dev):
    endpoint = dev.one(ENDPOINT, "network-s3-endpoint")
    tables = sorted(r.id for r in dev.of_type("aws:ec2/routeTable:RouteTable"))
    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    assert sorted(endpoint.inputs["routeTableIds"]) == tables
    assert dev.count("aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation") == 0
    [statement] = json.loads(endpoint.inputs["policy"])["Statement"]
    names = ["curated", "logs", "processed", "query-results", "raw"]
    assert statement["Resource"] == sorted(
        [f"arn:aws:s3:::mlteam-dev-{n}" for n in names] + [f"arn:aws:s3:::mlteam-dev-{n}/*" for n in names])
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}


def test_no_perimeter_in_dev(dev):
    for zone in ("raw", "processed", "curated"):
        sids = [s["Sid"] for s in dev.policy_of(s3_type("BucketPolicy"), f"{zone}-policy")["Statement"]]
        assert "DenyOutsideLakeEndpoint" not in sids


def test_existing_vpc_in_prod_creates_no_network(prod):
    assert prod.count("aws:ec2/vpc:Vpc") == 0 and prod.count("aws:ec2/subnet:Subnet") == 0


def test_created_vpc_logs_every_flow_into_the_logs_bucket_once_delivery_is_allowed(dev):
    vpc, flow_log = dev.one("aws:ec2/vpc:Vpc", "network-vpc"), dev.one(FLOW_LOG, "network-flow-log")
    assert flow_log.inputs == {
        "vpcId": vpc.id,
        "trafficType": "ALL",
        "logDestinationType": "s3",
        "logDestination": "arn:aws:s3:::mlteam-dev-logs/vpc-flow-logs/",
        "maxAggregationInterval": 60,
        "destinationOptions": {"fileFormat": "parquet", "hiveCompatiblePartitions": True, "perHourPartition": True},
        "tags": {**vpc.inputs["tags"], "Name": "network-flow-log"},
    }
    policy = dev.one(s3_type("BucketPolicy"), "logs-policy")
    assert policy.urn in flow_log.depends_on  # AWS would otherwise write its own policy over the bucket's
    sids = [s["Sid"] for s in dev.policy_of(s3_type("BucketPolicy"), "logs-policy")["Statement"]]
    assert sids[-2:] == ["AllowVpcFlowLogDelivery", "AllowVpcFlowLogAclCheck"]


def test_an_existing_vpc_gets_no_flow_log_and_its_logs_bucket_no_delivery_grant(prod):
    assert prod.count(FLOW_LOG) == 0
    sids = [s["Sid"] for s in prod.policy_of(s3_type("BucketPolicy"), "logs-policy")["Statement"]]
    assert "AllowVpcFlowLogDelivery" not in sids and "AllowVpcFlowLogAclCheck" not in sids


def test_a_database_per_zone_and_encrypted_catalog(dev):
    assert sorted(r.inputs["name"] for r in dev.of_type("aws:glue/catalogDatabase:CatalogDatabase")) == [
        "mlteam_dev_curated", "mlteam_dev_processed", "mlteam_dev_raw",
    ]
    key_arn = dev.one("aws:kms/key:Key", "lake-key-key").computed["arn"]
    settings = dev.one("aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings", "catalog-encryption")
    assert settings.inputs["dataCatalogEncryptionSettings"] == {
        "encryptionAtRest": {"catalogEncryptionMode": "SSE-KMS", "sseAwsKmsKeyId": key_arn},
        "connectionPasswordEncryption": {"returnConnectionPasswordEncrypted": True, "awsKmsKeyId": key_arn},
    }
    security = dev.one("aws:glue/securityConfiguration:SecurityConfiguration", "catalog-crawlers")
    assert security.inputs["encryptionConfiguration"] == {
        "s3Encryption": {"s3EncryptionMode": "SSE-KMS", "kmsKeyArn": key_arn},
        "cloudwatchEncryption": {"cloudwatchEncryptionMode": "SSE-KMS", "kmsKeyArn": key_arn},
        "jobBookmarksEncryption": {"jobBookmarksEncryptionMode": "CSE-KMS", "kmsKeyArn": key_arn},
    }


def test_scheduled_crawler(dev):
    crawler = dev.one(CRAWLER, "catalog-images")
    role = dev.one("aws:iam/role:Role", "crawler-images")
    assert crawler.inputs["role"] == role.computed["arn"] == "arn:aws:iam::123456789012:role/mlteam-dev-crawler-images"
    assert crawler.inputs["databaseName"] == "mlteam_dev_raw"
    assert crawler.inputs["s3Targets"] == [{"path": "s3://mlteam-dev-raw/images/"}]
    assert crawler.inputs["schedule"] == "cron(0 2 * * ? *)"
    assert crawler.inputs["securityConfiguration"] == "mlteam-dev-crawlers"
    assert crawler.inputs["recrawlPolicy"] == {"recrawlBehavior": "CRAWL_EVERYTHING"}
    assert crawler.inputs["schemaChangePolicy"] == {"updateBehavior": "UPDATE_IN_DATABASE", "deleteBehavior": "LOG"}
    policy = dev.one("aws:iam/rolePolicy:RolePolicy", "catalog-images")
    assert policy.urn in crawler.depends_on
    document = json.loads(policy.inputs["policy"])
    resources = {s["Sid"]: s["Resource"] for s in document["Statement"]}
    assert resources["ReadPrefixObjects"] == "arn:aws:s3:::mlteam-dev-raw/images/*"
    assert resources["UpdateCatalogTables"] == [
        "arn:aws:glue:us-east-1:123456789012:catalog",
        "arn:aws:glue:us-east-1:123456789012:database/mlteam_dev_raw",
        "arn:aws:glue:us-east-1:123456789012:table/mlteam_dev_raw/*",
    ]
    assert "s3:*" not in json.dumps(document)


def test_event_mode_crawler_and_its_queues(dev):
    crawler = dev.one(CRAWLER, "catalog-annotations")
    queue = dev.one("aws:sqs/queue:Queue", "catalog-annotations-events")
    dlq = dev.one("aws:sqs/queue:Queue", "catalog-annotations-dlq")
    assert crawler.inputs["recrawlPolicy"] == {"recrawlBehavior": "CRAWL_EVENT_MODE"}
    assert crawler.inputs["s3Targets"] == [{
        "path": "s3://mlteam-dev-raw/annotations/", "eventQueueArn": queue.computed["arn"],
        "dlqEventQueueArn": dlq.computed["arn"],
    }]
    assert queue.inputs["sqsManagedSseEnabled"] is True and dlq.inputs["sqsManagedSseEnabled"] is True
    assert json.loads(queue.inputs["redrivePolicy"]) == {"deadLetterTargetArn": dlq.computed["arn"], "maxReceiveCount": 5}
    notification = dev.one(s3_type("BucketNotification"), "catalog-raw-notifications")
    assert notification.inputs["bucket"] == "mlteam-dev-raw"
    assert notification.inputs["queues"] == [{
        "queueArn": queue.computed["arn"], "events": ["s3:ObjectCreated:*"], "filterPrefix": "annotations/"}]
    queue_policy = dev.one("aws:sqs/queuePolicy:QueuePolicy", "catalog-annotations-events")
    assert queue_policy.inputs["queueUrl"] == queue.id
    allow = json.loads(queue_policy.inputs["policy"])["Statement"][0]
    assert allow["Principal"] == {"Service": "s3.amazonaws.com"} and allow["Action"] == "sqs:SendMessage"


def test_key_waits_for_crawler_roles_and_grants_them(dev):
    key = dev.one("aws:kms/key:Key", "lake-key-key")
    # Only the crawler roles: the consumer roles of the lake's account are granted by their identity policy.
    roles = [r for r in dev.of_type("aws:iam/role:Role") if r.name.startswith("crawler-")]
    assert len(roles) == 2 and {r.urn for r in roles} <= set(key.depends_on)
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    assert statements["AllowCrawlersToDecryptThroughS3"]["Principal"] == {"AWS": sorted(r.computed["arn"] for r in roles)}
    assert "AllowCloudWatchLogsEncryption" in statements
    assert statements["DenyUseOutsideS3"]["Condition"]["StringNotEquals"]["kms:ViaService"] == [
        "glue.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com"]


def test_athena_workgroup_enforced_and_encrypted(dev, prod):
    workgroup = dev.one("aws:athena/workgroup:Workgroup", "query")
    key_arn = dev.one("aws:kms/key:Key", "lake-key-key").computed["arn"]
    assert workgroup.inputs["name"] == "mlteam-dev"
    assert workgroup.inputs["configuration"] == {
        "enforceWorkgroupConfiguration": True,
        "publishCloudwatchMetricsEnabled": True,
        "bytesScannedCutoffPerQuery": 10 * 1024**3,
        "resultConfiguration": {
            "outputLocation": "s3://mlteam-dev-query-results/results/",
            "encryptionConfiguration": {"encryptionOption": "SSE_KMS", "kmsKeyArn": key_arn},
        },
    }
    results = dev.one(s3_type("BucketLifecycleConfiguration"), "query-results-lifecycle").inputs["rules"]
    assert results[0]["expiration"] == {"days": 30}
    prod_workgroup = prod.one("aws:athena/workgroup:Workgroup", "query")
    assert prod_workgroup.inputs["configuration"]["bytesScannedCutoffPerQuery"] == 107374182400
