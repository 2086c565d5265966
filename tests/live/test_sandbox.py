"""The sandbox: a moto server process that never outlives its block, and ``apply_plan``, which
creates the dev plan in moto so that what the account reads back is what the plan promises."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from graphlib import CycleError
from typing import Any
from urllib.parse import urlsplit

import pytest

from lake.sandbox import server as sandbox_server
from lake.sandbox.apply import Applied, apply_plan, creation_order, logging_enabled, sse_rule, substitute
from lake.sandbox.server import MotoServer, client, require_loopback, sandbox_environment
from tests.live.support import reset

BUCKET = "aws:s3/bucket:Bucket"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/"
ZONE_BUCKETS = ("mlteam-dev-curated", "mlteam-dev-processed", "mlteam-dev-query-results", "mlteam-dev-raw")
BUCKETS = (*ZONE_BUCKETS, "mlteam-dev-logs")
EVENTS_QUEUE = "mlteam-dev-annotations-events"
# A loopback port nobody listens on: any call that slipped through would fail to connect, not pass.
UNUSED_ENDPOINT = "http://127.0.0.1:9"


@dataclass(frozen=True)
class Sandbox:
    endpoint_url: str
    document: dict[str, Any]
    applied: Applied

    def client(self, service: str) -> Any:
        return client(service, self.endpoint_url)

    def planned(self, type_suffix: str, name: str) -> dict[str, Any]:
        """The inputs of one planned resource, planned ids replaced by the created ones."""
        matches = [r for r in self.document["resources"] if r["type"].endswith(type_suffix) and r["name"] == name]
        assert len(matches) == 1, f"expected one {type_suffix} named {name}, found {len(matches)}"
        return substitute(matches[0]["inputs"], self.applied.substitutions)

    def created(self, planned_id: str) -> str:
        return self.applied.substitutions[planned_id]



@pytest.fixture(scope="module")
def sandbox(document: dict[str, Any], url: str) -> Sandbox:
    """The dev plan applied once to moto running in this process, on a random 127.0.0.1 port."""
    reset(url)  # moto's backends are process-wide: start from an empty account whatever ran before
    return Sandbox(url, document, apply_plan(document, url))


def policy_of(text: str) -> dict[str, Any]:
    return json.loads(text)


def sids(policy: dict[str, Any]) -> list[str]:
    return [s["Sid"] for s in policy["Statement"]]


def lake_key_arn(sandbox: Sandbox) -> str:
    return sandbox.client("kms").describe_key(KeyId="alias/mlteam-dev")["KeyMetadata"]["Arn"]


def refuse_boto3(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_client(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a boto3 client was built")

    monkeypatch.setattr(sandbox_server.boto3, "client", no_client)


# --- the server process ------------------------------------------------------------------------


def answers(endpoint_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint_url}/moto-api/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_moto_server_answers_on_a_random_loopback_port_and_is_gone_after_the_block():
    with MotoServer() as server:
        url = urlsplit(server.endpoint_url)
        assert (url.scheme, url.hostname) == ("http", "127.0.0.1")
        assert url.port == server.port and url.port > 0
        assert answers(server.endpoint_url)
        assert server.process is not None and server.process.poll() is None
    assert server.process.returncode is not None
    assert not answers(server.endpoint_url)


def test_moto_server_is_gone_when_the_block_raises():
    with pytest.raises(KeyError, match="boom"), MotoServer() as server:
        assert answers(server.endpoint_url)
        raise KeyError("boom")
    assert server.process is not None and server.process.returncode is not None
    assert not answers(server.endpoint_url)


def test_reset_forgets_every_resource():
    with MotoServer() as server:
        s3 = client("s3", server.endpoint_url)
        s3.create_bucket(Bucket="sandbox-reset-check")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["sandbox-reset-check"]
        server.reset()
        assert s3.list_buckets()["Buckets"] == []


def test_endpoint_url_before_the_server_starts_raises():
    with pytest.raises(RuntimeError, match="not started"):
        _ = MotoServer().endpoint_url


def test_a_missing_moto_asks_for_the_test_extra(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sandbox_server.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match=r"python3 scripts/install\.py --test"):
        MotoServer().__enter__()


def test_sandbox_environment_holds_fake_credentials_only():
    assert sandbox_environment("eu-west-1") == {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-west-1"}


def test_client_signs_with_the_fake_credentials_whatever_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKING")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-looking-token")
    s3 = client("s3", "http://localhost:9", "eu-west-1")
    credentials = s3._request_signer._credentials
    assert (credentials.access_key, credentials.secret_key, credentials.token) == ("testing", "testing", None)
    assert (s3.meta.endpoint_url, s3.meta.region_name) == ("http://localhost:9", "eu-west-1")


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint_url", [
    "https://s3.amazonaws.com",
    "https://sqs.us-east-1.amazonaws.com",
    "http://10.0.0.1:5000",
    "http://localhost.example.com:5000",
    "http://127.0.0.1.nip.io:5000",
    "",
])
def test_apply_plan_refuses_an_endpoint_that_is_not_loopback_before_any_call(
        monkeypatch: pytest.MonkeyPatch, document: dict[str, Any], endpoint_url: str):
    refuse_boto3(monkeypatch)
    with pytest.raises(ValueError, match="never to real AWS"):
        apply_plan(document, endpoint_url)


@pytest.mark.parametrize("endpoint_url", ["http://127.0.0.1:5000", "http://localhost:5000", "http://[::1]:5000"])
def test_loopback_endpoints_are_accepted(endpoint_url: str):
    require_loopback(endpoint_url)


def test_client_refuses_real_aws():
    with pytest.raises(ValueError, match="never to real AWS"):
        client("s3", "https://s3.amazonaws.com")


def custom(type_: str, name: str, inputs: dict[str, Any], depends_on: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"urn": f"urn:pulumi:t::p::{type_}::{name}", "type": type_, "name": name, "custom": True,
            "inputs": inputs, "computed": {"id": name}, "options": {"dependsOn": list(depends_on)}}


def plan_of(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"environment": {"region": "us-east-1"}, "resources": list(resources)}


def test_an_unsupported_type_is_refused_by_name_before_any_call(monkeypatch: pytest.MonkeyPatch):
    refuse_boto3(monkeypatch)
    plan = plan_of(custom(BUCKET, "b", {"bucket": "b"}), custom("aws:sns/topic:Topic", "t", {}))
    with pytest.raises(ValueError, match=r"cannot create aws:sns/topic:Topic resources"):
        apply_plan(plan, UNUSED_ENDPOINT)


def test_a_lifecycle_field_without_a_mapping_is_refused_by_name():
    rule = {"id": "r", "status": "Enabled", "filter": {"tag": {"key": "k", "value": "v"}}}
    lifecycle = custom("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "l",
                       {"bucket": "b", "rules": [rule]})
    with pytest.raises(ValueError, match=r"does not map tag") as raised:
        apply_plan(plan_of(lifecycle), UNUSED_ENDPOINT)
    assert raised.value.__notes__ == [f"while creating {lifecycle['urn']} in the sandbox"]


def test_a_notification_to_a_topic_is_refused_not_dropped():
    notification = custom("aws:s3/bucketNotification:BucketNotification", "n",
                          {"bucket": "b", "topics": [{"topicArn": "arn:aws:sns:us-east-1:1:t", "events": []}]})
    with pytest.raises(ValueError, match=r"does not map topics"):
        apply_plan(plan_of(notification), UNUSED_ENDPOINT)


def test_a_disabled_workgroup_is_refused_not_left_enabled():
    workgroup = custom("aws:athena/workgroup:Workgroup", "off", {"name": "sandbox-disabled", "state": "DISABLED"})
    with pytest.raises(ValueError, match="workgroup in state DISABLED"):
        apply_plan(plan_of(workgroup), UNUSED_ENDPOINT)


# --- pure helpers ------------------------------------------------------------------------------


def test_substitute_replaces_whole_strings_in_nested_values_and_json_documents():
    planned_url = "https://sqs.us-east-1.amazonaws.com/123456789012/q"
    substitutions = {"key-1": "key-2", planned_url: "http://127.0.0.1:1/123456789012/q"}
    policy = json.dumps({"Statement": [{"Resource": ["key-1", "other"]}]})
    value = {"a": ["key-1", {"b": "key-1"}], "policy": policy, "dlq": f"{planned_url}-dlq", "n": 5, "t": True}
    assert substitute(value, substitutions) == {
        "a": ["key-2", {"b": "key-2"}],
        "policy": json.dumps({"Statement": [{"Resource": ["key-2", "other"]}]}),
        "dlq": f"{planned_url}-dlq",  # a URL that merely starts with a planned one is another queue
        "n": 5, "t": True,
    }


def test_substitute_keeps_text_it_does_not_change_byte_for_byte():
    compact = '{"Statement":[{"Resource":"x"}]}'
    assert substitute(compact, {"y": "z"}) == compact
    assert substitute("{not json", {"y": "z"}) == "{not json"


def test_creation_order_puts_dependencies_first(document: dict[str, Any]):
    names = [f"{r['type'].rsplit(':', 1)[-1]}/{r['name']}" for r in creation_order(document["resources"])]
    before = [("Role/crawler-annotations", "Key/lake-key-key"), ("Key/lake-key-key", "Alias/lake-key-alias"),
              ("BucketPolicy/logs-policy", "BucketLogging/raw-logging"),
              ("Vpc/network-vpc", "Subnet/network-private-0"),
              ("Queue/catalog-annotations-events", "Crawler/catalog-annotations"),
              ("SecurityConfiguration/catalog-crawlers", "Crawler/catalog-images")]
    assert all(names.index(first) < names.index(then) for first, then in before)
    assert len(names) == sum(1 for r in document["resources"] if r["custom"])
    assert not any(name.startswith(("Stack/", "SecureBucket/")) for name in names)


def test_creation_order_refuses_a_cycle():
    a = custom(BUCKET, "a", {}, depends_on=("urn:pulumi:t::p::aws:s3/bucket:Bucket::b",))
    b = custom(BUCKET, "b", {}, depends_on=(a["urn"],))
    with pytest.raises(CycleError):
        creation_order([a, b])


def test_sse_rule_sends_the_blocked_encryption_types():
    rule = {"blockedEncryptionTypes": ["SSE-C"], "bucketKeyEnabled": True,
            "applyServerSideEncryptionByDefault": {"kmsMasterKeyId": "arn:k", "sseAlgorithm": "aws:kms"}}
    assert sse_rule(rule) == {
        "BucketKeyEnabled": True,
        "ApplyServerSideEncryptionByDefault": {"KMSMasterKeyID": "arn:k", "SSEAlgorithm": "aws:kms"},
        "BlockedEncryptionTypes": {"EncryptionType": ["SSE-C"]},
    }


def test_logging_sends_the_partitioned_key_format():
    inputs = {"bucket": "b", "targetBucket": "logs", "targetPrefix": "access-logs/",
              "targetObjectKeyFormat": {"partitionedPrefix": {"partitionDateSource": "EventTime"}}}
    assert logging_enabled(inputs) == {
        "TargetBucket": "logs", "TargetPrefix": "access-logs/",
        "TargetObjectKeyFormat": {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}},
    }


# --- the dev plan, applied ---------------------------------------------------------------------


def test_every_custom_resource_is_created_but_the_adopted_default_security_group(sandbox: Sandbox):
    by_type = {t: n for t, n in sandbox.document["summary"]["byType"].items() if t.startswith("aws:")}
    del by_type["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"]
    assert sandbox.applied.created == by_type
    assert sandbox.applied.created[BUCKET] == 5


def test_the_substitutions_map_planned_ids_to_created_ones(sandbox: Sandbox):
    key = next(r for r in sandbox.document["resources"] if r["type"] == "aws:kms/key:Key")
    created_arn = lake_key_arn(sandbox)
    assert sandbox.created(key["computed"]["arn"]) == created_arn != key["computed"]["arn"]
    assert sandbox.created(key["computed"]["keyId"]) == created_arn.removeprefix(KEY_ARN)
    vpc = sandbox.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["network-vpc"]}])["Vpcs"]
    planned_vpc = next(r["id"] for r in sandbox.document["resources"] if r["type"] == "aws:ec2/vpc:Vpc")
    assert sandbox.created(planned_vpc) == vpc[0]["VpcId"]


def test_the_buckets_and_their_tags(sandbox: Sandbox):
    s3 = sandbox.client("s3")
    assert sorted(b["Name"] for b in s3.list_buckets()["Buckets"]) == sorted(BUCKETS)
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket="mlteam-dev-raw")["TagSet"]}
    assert tags == sandbox.planned(":Bucket", "raw-bucket")["tags"]
    assert tags["zone"] == "raw"


@pytest.mark.parametrize("bucket", BUCKETS)
def test_versioning_public_access_block_and_ownership(sandbox: Sandbox, bucket: str):
    s3, zone = sandbox.client("s3"), bucket.removeprefix("mlteam-dev-")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                     "RestrictPublicBuckets": True}
    planned = sandbox.planned(":BucketOwnershipControls", f"{zone}-ownership")["rule"]["objectOwnership"]
    assert planned == "BucketOwnerEnforced"
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": planned}]


@pytest.mark.parametrize("bucket", ZONE_BUCKETS)
def test_zone_buckets_default_to_the_created_lake_key(sandbox: Sandbox, bucket: str):
    rules = sandbox.client("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                              "KMSMasterKeyID": lake_key_arn(sandbox)}
    assert rules[0]["BucketKeyEnabled"] is True


def test_the_raw_bucket_key_is_the_planned_key_after_substitution(sandbox: Sandbox):
    planned = sandbox.planned(":BucketServerSideEncryptionConfiguration", "raw-encryption")
    rule = sandbox.client("s3").get_bucket_encryption(Bucket="mlteam-dev-raw")["ServerSideEncryptionConfiguration"]
    assert rule["Rules"][0]["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == (
        planned["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"])
    assert lake_key_arn(sandbox).startswith(KEY_ARN)


def test_the_logs_bucket_uses_s3_managed_keys(sandbox: Sandbox):
    rules = sandbox.client("s3").get_bucket_encryption(Bucket="mlteam-dev-logs")["ServerSideEncryptionConfiguration"]
    assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_policies_are_the_planned_ones(sandbox: Sandbox, bucket: str):
    zone = bucket.removeprefix("mlteam-dev-")
    policy = policy_of(sandbox.client("s3").get_bucket_policy(Bucket=bucket)["Policy"])
    planned = policy_of(sandbox.planned(":BucketPolicy", f"{zone}-policy")["policy"])
    assert policy == planned
    assert sids(policy)[:2] == ["DenyInsecureTransport", "DenyOutdatedTls"]


def test_the_raw_policy_pins_the_created_key(sandbox: Sandbox):
    policy = policy_of(sandbox.client("s3").get_bucket_policy(Bucket="mlteam-dev-raw")["Policy"])
    assert sids(policy) == ["DenyInsecureTransport", "DenyOutdatedTls", "DenyNonKmsEncryptionHeader",
                            "DenyOtherKmsKey", "DenyKmsHeaderWithoutKey", "DenySseC"]
    other_key = next(s for s in policy["Statement"] if s["Sid"] == "DenyOtherKmsKey")
    assert other_key["Condition"]["StringNotEquals"] == {
        "s3:x-amz-server-side-encryption-aws-kms-key-id": lake_key_arn(sandbox)}


def test_the_logs_policy_survives_the_logging_workaround(sandbox: Sandbox):
    policy = policy_of(sandbox.client("s3").get_bucket_policy(Bucket="mlteam-dev-logs")["Policy"])
    assert sids(policy) == ["DenyInsecureTransport", "DenyOutdatedTls", "AllowS3ServerAccessLogDelivery",
                            "AllowVpcFlowLogDelivery", "AllowVpcFlowLogAclCheck"]


def test_the_raw_lifecycle(sandbox: Sandbox):
    lifecycle = sandbox.client("s3").get_bucket_lifecycle_configuration(Bucket="mlteam-dev-raw")
    assert lifecycle["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    assert lifecycle["Rules"] == [
        {"ID": "tier-current-objects", "Filter": {}, "Status": "Enabled",
         "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER_IR"}]},
        {"ID": "expire-noncurrent-versions", "Filter": {}, "Status": "Enabled",
         "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"}],
         "NoncurrentVersionExpiration": {"NoncurrentDays": 90}},
        {"ID": "abort-incomplete-multipart-uploads", "Filter": {}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
        {"ID": "remove-expired-delete-markers", "Filter": {}, "Status": "Enabled",
         "Expiration": {"ExpiredObjectDeleteMarker": True}},
    ]


@pytest.mark.parametrize("bucket", BUCKETS)
def test_lifecycle_rules_match_the_plan(sandbox: Sandbox, bucket: str):
    zone = bucket.removeprefix("mlteam-dev-")
    rules = sandbox.client("s3").get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    planned = sandbox.planned(":BucketLifecycleConfiguration", f"{zone}-lifecycle")["rules"]
    assert [r["ID"] for r in rules] == [r["id"] for r in planned]
    assert [r.get("Expiration", {}).get("Days") for r in rules] == [
        r.get("expiration", {}).get("days") for r in planned]
    assert [[t["Days"] for t in r.get("Transitions", [])] for r in rules] == [
        [t["days"] for t in r.get("transitions", [])] for r in planned]


@pytest.mark.parametrize("bucket", ZONE_BUCKETS)
def test_zone_buckets_log_to_the_logs_bucket(sandbox: Sandbox, bucket: str):
    logging = sandbox.client("s3").get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    assert logging == {"TargetBucket": "mlteam-dev-logs", "TargetPrefix": "access-logs/"}


def test_the_logs_bucket_does_not_log_to_itself(sandbox: Sandbox):
    assert "LoggingEnabled" not in sandbox.client("s3").get_bucket_logging(Bucket="mlteam-dev-logs")


def test_the_raw_bucket_notifies_the_annotations_queue(sandbox: Sandbox):
    configuration = sandbox.client("s3").get_bucket_notification_configuration(Bucket="mlteam-dev-raw")
    (queue,) = configuration["QueueConfigurations"]
    assert queue["QueueArn"] == f"arn:aws:sqs:us-east-1:123456789012:{EVENTS_QUEUE}"
    assert queue["Events"] == ["s3:ObjectCreated:*"]
    assert queue["Filter"] == {"Key": {"FilterRules": [{"Name": "prefix", "Value": "annotations/"}]}}


def test_the_key_rotates_and_carries_the_planned_policy(sandbox: Sandbox):
    kms, key_id = sandbox.client("kms"), lake_key_arn(sandbox).removeprefix(KEY_ARN)
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    policy = policy_of(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert policy == policy_of(sandbox.planned(":Key", "lake-key-key")["policy"])
    assert sids(policy)[:2] == ["EnableIamPolicies", "AllowKeyAdministration"]
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["Description"] == "Encrypts the objects of the mlteam-dev data lake"
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key_id)["Tags"]}
    assert tags["lake"] == "mlteam"


def test_the_endpoint_has_the_planned_policy_and_route_tables(sandbox: Sandbox):
    (endpoint,) = sandbox.client("ec2").describe_vpc_endpoints()["VpcEndpoints"]
    planned = sandbox.planned(":VpcEndpoint", "network-s3-endpoint")
    assert policy_of(endpoint["PolicyDocument"]) == policy_of(planned["policy"])
    assert sids(policy_of(endpoint["PolicyDocument"])) == ["AllowLakeAccountToListedBuckets"]
    assert (endpoint["VpcEndpointType"], endpoint["ServiceName"]) == ("Gateway", "com.amazonaws.us-east-1.s3")
    assert endpoint["RouteTableIds"] == planned["routeTableIds"]
    assert all(table.startswith("rtb-") and table in sandbox.applied.substitutions.values()
               for table in endpoint["RouteTableIds"])
    assert endpoint["VpcId"] == planned["vpcId"]


def test_the_network(sandbox: Sandbox):
    ec2 = sandbox.client("ec2")
    vpc_id = sandbox.planned(":Subnet", "network-private-0")["vpcId"]
    dns = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]
    assert dns == {"Value": True}
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert sorted((s["CidrBlock"], s["AvailabilityZone"]) for s in subnets) == [
        ("10.42.0.0/18", "us-east-1a"), ("10.42.64.0/18", "us-east-1b")]
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    associated = {a["SubnetId"] for t in tables for a in t["Associations"] if "SubnetId" in a}
    assert associated == {s["SubnetId"] for s in subnets}


def test_the_crawlers_use_their_security_configuration(sandbox: Sandbox):
    glue, key_arn = sandbox.client("glue"), lake_key_arn(sandbox)
    crawlers = {c["Name"]: c for c in glue.get_crawlers()["Crawlers"]}
    assert sorted(crawlers) == ["mlteam-dev-annotations", "mlteam-dev-images"]
    assert {c["CrawlerSecurityConfiguration"] for c in crawlers.values()} == {"mlteam-dev-crawlers"}
    annotations = crawlers["mlteam-dev-annotations"]
    assert annotations["Role"] == "arn:aws:iam::123456789012:role/mlteam-dev-crawler-annotations"
    assert annotations["Targets"]["S3Targets"] == [{
        "Path": "s3://mlteam-dev-raw/annotations/",
        "EventQueueArn": f"arn:aws:sqs:us-east-1:123456789012:{EVENTS_QUEUE}",
        "DlqEventQueueArn": f"arn:aws:sqs:us-east-1:123456789012:{EVENTS_QUEUE}-dlq"}]
    assert annotations["RecrawlPolicy"] == {"RecrawlBehavior": "CRAWL_EVENT_MODE"}
    assert crawlers["mlteam-dev-images"]["Schedule"]["ScheduleExpression"] == "cron(0 2 * * ? *)"
    configuration = glue.get_security_configuration(Name="mlteam-dev-crawlers")["SecurityConfiguration"]
    assert configuration["EncryptionConfiguration"]["S3Encryption"] == [
        {"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key_arn}]
    assert configuration["EncryptionConfiguration"]["JobBookmarksEncryption"] == {
        "JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": key_arn}


def test_the_catalog_is_encrypted_with_the_created_key(sandbox: Sandbox):
    glue = sandbox.client("glue")
    settings = glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]
    assert settings["EncryptionAtRest"] == {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": lake_key_arn(sandbox)}
    assert sorted(d["Name"] for d in glue.get_databases()["DatabaseList"]) == [
        "mlteam_dev_curated", "mlteam_dev_processed", "mlteam_dev_raw"]


def test_the_crawler_roles_and_their_inline_policies(sandbox: Sandbox):
    iam = sandbox.client("iam")
    role = iam.get_role(RoleName="mlteam-dev-crawler-annotations")["Role"]
    assert sids(role["AssumeRolePolicyDocument"]) == ["AllowGlueToAssumeRole"]
    planned = sandbox.planned(":RolePolicy", "catalog-annotations")
    names = iam.list_role_policies(RoleName="mlteam-dev-crawler-annotations")["PolicyNames"]
    document = iam.get_role_policy(RoleName="mlteam-dev-crawler-annotations", PolicyName=names[0])["PolicyDocument"]
    assert document == policy_of(planned["policy"])
    assert "ConsumeS3EventQueues" in sids(document)


def test_the_workgroup(sandbox: Sandbox):
    workgroup = sandbox.client("athena").get_work_group(WorkGroup="mlteam-dev")["WorkGroup"]
    configuration = workgroup["Configuration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["BytesScannedCutoffPerQuery"] == 10737418240
    assert configuration["PublishCloudWatchMetricsEnabled"] is True
    assert configuration["ResultConfiguration"] == {
        "OutputLocation": "s3://mlteam-dev-query-results/results/",
        "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": lake_key_arn(sandbox)}}


def test_the_queues_and_the_queue_policy(sandbox: Sandbox):
    sqs = sandbox.client("sqs")
    urls = sorted(sqs.list_queues()["QueueUrls"])
    assert [u.rsplit("/", 1)[-1] for u in urls] == [EVENTS_QUEUE, f"{EVENTS_QUEUE}-dlq"]
    events, dlq = (sqs.get_queue_attributes(QueueUrl=u, AttributeNames=["All"])["Attributes"] for u in urls)
    planned = sandbox.planned(":QueuePolicy", "catalog-annotations-events")
    assert policy_of(events["Policy"]) == policy_of(planned["policy"])
    assert sids(policy_of(events["Policy"])) == ["AllowS3EventNotifications", "DenyInsecureTransport"]
    assert json.loads(events["RedrivePolicy"]) == {
        "deadLetterTargetArn": f"arn:aws:sqs:us-east-1:123456789012:{EVENTS_QUEUE}-dlq", "maxReceiveCount": 5}
    assert (dlq["MessageRetentionPeriod"], dlq["SqsManagedSseEnabled"]) == ("1209600", "true")
    assert "Policy" not in dlq


# --- the same through the server process -------------------------------------------------------


def test_the_dev_plan_applies_through_the_moto_server_process(document: dict[str, Any]):
    with MotoServer() as server:
        applied = apply_plan(document, server.endpoint_url)
        s3, sqs = client("s3", server.endpoint_url), client("sqs", server.endpoint_url)
        key_arn = client("kms", server.endpoint_url).describe_key(KeyId="alias/mlteam-dev")["KeyMetadata"]["Arn"]
        rule = s3.get_bucket_encryption(Bucket="mlteam-dev-raw")["ServerSideEncryptionConfiguration"]["Rules"][0]
        url = sqs.get_queue_url(QueueName=EVENTS_QUEUE)["QueueUrl"]
        policy = policy_of(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key_arn
    assert url.startswith(server.endpoint_url) and url in applied.substitutions.values()
    assert sids(policy) == ["AllowS3EventNotifications", "DenyInsecureTransport"]
    assert applied.created[BUCKET] == 5 and applied.created["aws:glue/crawler:Crawler"] == 2

