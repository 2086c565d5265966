"""Create what a plan document declares in the sandbox, so a later read of the account (the live
adapters, drift checks, demos) sees the configuration the plan promises.

Only ever against a local server: ``apply_plan`` refuses any endpoint that is not loopback.
Resources are created in dependency order (the plan lists them by URN). Ids the plan mocked (the
key's id, VPC and route-table ids, queue URLs...) are not the ones the sandbox assigns, so each
created id replaces its planned twin in the inputs of every later resource.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from .server import client, require_loopback

Clients = Callable[[str], Any]  # service name -> boto3 client of the sandbox
Substitutions = dict[str, str]  # planned id -> created id


@dataclass(frozen=True)
class Step:
    """One custom resource of the plan, its inputs already rewritten to created ids."""

    inputs: dict[str, Any]
    computed: dict[str, Any]


@dataclass(frozen=True)
class Applied:
    """What ``apply_plan`` did: the ids it substituted, and how many resources of each type it made."""

    substitutions: Substitutions
    created: dict[str, int]  # type token -> resources created


# --- plumbing ----------------------------------------------------------------------------------


def creation_order(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Custom resources, each after the resources it depends on (a cycle raises CycleError)."""
    custom = {r["urn"]: r for r in resources if r["custom"]}
    graph = {urn: [d for d in r["options"]["dependsOn"] if d in custom] for urn, r in custom.items()}
    return [custom[urn] for urn in TopologicalSorter(graph).static_order()]


def substitute(value: Any, substitutions: Mapping[str, str]) -> Any:
    """``value`` with every planned id replaced, in nested dicts, lists and JSON policy strings.

    Whole strings only: a planned queue URL is a prefix of its dead-letter queue's URL."""
    if isinstance(value, dict):
        return {k: substitute(v, substitutions) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, substitutions) for v in value]
    if isinstance(value, str):
        return substitutions.get(value) or substitute_json(value, substitutions)
    return value


def substitute_json(text: str, substitutions: Mapping[str, str]) -> str:
    """A JSON document (policies are JSON strings in the plan) with planned ids replaced; any other
    text, and a document without planned ids, byte for byte as planned."""
    try:
        document = json.loads(text) if text.startswith(("{", "[")) else None
    except json.JSONDecodeError:
        return text
    replaced = substitute(document, substitutions)
    return text if replaced == document else json.dumps(replaced)


def refuse_unmapped(block: Mapping[str, Any], known: Iterable[str]) -> None:
    """Raise on a field the sandbox has no mapping for: a setting the plan declares is never
    silently left out of the sandbox."""
    unknown = sorted(set(block) - set(known))
    if unknown:
        raise ValueError(f"the sandbox does not map {', '.join(unknown)} (in {sorted(block)})")


def renamed(value: Any, names: Mapping[str, str]) -> Any:
    """A provider block (or list of blocks) with API field names; every field must have one."""
    if isinstance(value, list):
        return [renamed(v, names) for v in value]
    refuse_unmapped(value, names)
    return {names[k]: v for k, v in value.items()}


def renamed_blocks(blocks: Mapping[str, Any], parts: Mapping[str, tuple[str, Mapping[str, str]]]) -> dict[str, Any]:
    """Nested provider blocks, each renamed with its own fields: ``parts`` is block -> (API name, fields)."""
    refuse_unmapped(blocks, parts)
    return {api: renamed(blocks[block], names) for block, (api, names) in parts.items() if block in blocks}


def optional(inputs: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """The API arguments for the inputs among ``names`` that the plan sets."""
    return {names[k]: inputs[k] for k in names if k in inputs}


def tag_list(tags: Mapping[str, str] | None, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in (tags or {}).items()]


# --- S3 ----------------------------------------------------------------------------------------


def create_bucket(clients: Clients, step: Step) -> Substitutions:
    s3, name = clients("s3"), step.inputs.get("bucket") or step.computed["id"]
    region = s3.meta.region_name
    # us-east-1 is the one region S3 refuses as an explicit location constraint.
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **location)
    if step.inputs.get("tags"):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(step.inputs["tags"])})
    return {}


def put_versioning(clients: Clients, step: Step) -> Substitutions:
    configuration = renamed(step.inputs["versioningConfiguration"], {"status": "Status", "mfaDelete": "MFADelete"})
    clients("s3").put_bucket_versioning(Bucket=step.inputs["bucket"], VersioningConfiguration=configuration)
    return {}


def sse_rule(rule: dict[str, Any]) -> dict[str, Any]:
    by_default = {"sseAlgorithm": "SSEAlgorithm", "kmsMasterKeyId": "KMSMasterKeyID"}
    refuse_unmapped(rule, {"applyServerSideEncryptionByDefault", "bucketKeyEnabled", "blockedEncryptionTypes"})
    out = optional(rule, {"bucketKeyEnabled": "BucketKeyEnabled"})
    if "applyServerSideEncryptionByDefault" in rule:
        out["ApplyServerSideEncryptionByDefault"] = renamed(rule["applyServerSideEncryptionByDefault"], by_default)
    if "blockedEncryptionTypes" in rule:
        out["BlockedEncryptionTypes"] = {"EncryptionType": rule["blockedEncryptionTypes"]}
    return out


def put_encryption(clients: Clients, step: Step) -> Substitutions:
    rules = [sse_rule(r) for r in step.inputs["rules"]]
    clients("s3").put_bucket_encryption(
        Bucket=step.inputs["bucket"], ServerSideEncryptionConfiguration={"Rules": rules})
    return {}


PUBLIC_ACCESS_BLOCK = {
    "blockPublicAcls": "BlockPublicAcls",
    "blockPublicPolicy": "BlockPublicPolicy",
    "ignorePublicAcls": "IgnorePublicAcls",
    "restrictPublicBuckets": "RestrictPublicBuckets",
}


def put_public_access_block(clients: Clients, step: Step) -> Substitutions:
    clients("s3").put_public_access_block(
        Bucket=step.inputs["bucket"], PublicAccessBlockConfiguration=optional(step.inputs, PUBLIC_ACCESS_BLOCK))
    return {}


def put_ownership_controls(clients: Clients, step: Step) -> Substitutions:
    rule = renamed(step.inputs["rule"], {"objectOwnership": "ObjectOwnership"})
    clients("s3").put_bucket_ownership_controls(Bucket=step.inputs["bucket"], OwnershipControls={"Rules": [rule]})
    return {}


def put_bucket_policy(clients: Clients, step: Step) -> Substitutions:
    clients("s3").put_bucket_policy(Bucket=step.inputs["bucket"], Policy=step.inputs["policy"])
    return {}


TRANSITION = {"days": "Days", "date": "Date", "storageClass": "StorageClass"}
NONCURRENT = {"noncurrentDays": "NoncurrentDays", "newerNoncurrentVersions": "NewerNoncurrentVersions"}
LIFECYCLE_PARTS = {  # provider block -> (API field, its fields)
    "filter": ("Filter", {"prefix": "Prefix", "objectSizeGreaterThan": "ObjectSizeGreaterThan",
                          "objectSizeLessThan": "ObjectSizeLessThan"}),
    "transitions": ("Transitions", TRANSITION),
    "expiration": ("Expiration", {"days": "Days", "date": "Date",
                                  "expiredObjectDeleteMarker": "ExpiredObjectDeleteMarker"}),
    "noncurrentVersionTransitions": ("NoncurrentVersionTransitions", {**NONCURRENT, "storageClass": "StorageClass"}),
    "noncurrentVersionExpiration": ("NoncurrentVersionExpiration", NONCURRENT),
    "abortIncompleteMultipartUpload": ("AbortIncompleteMultipartUpload",
                                       {"daysAfterInitiation": "DaysAfterInitiation"}),
}


def lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    scalars = {"id": "ID", "status": "Status"}
    blocks = {k: v for k, v in rule.items() if k not in scalars}
    return {**renamed({k: rule[k] for k in scalars if k in rule}, scalars), **renamed_blocks(blocks, LIFECYCLE_PARTS)}


def put_lifecycle(clients: Clients, step: Step) -> Substitutions:
    extra = optional(step.inputs, {"transitionDefaultMinimumObjectSize": "TransitionDefaultMinimumObjectSize"})
    configuration = {"Rules": [lifecycle_rule(r) for r in step.inputs["rules"]]}
    clients("s3").put_bucket_lifecycle_configuration(
        Bucket=step.inputs["bucket"], LifecycleConfiguration=configuration, **extra)
    return {}


KEY_FORMAT = {"partitionedPrefix": "PartitionedPrefix", "simplePrefix": "SimplePrefix"}


def logging_enabled(inputs: Mapping[str, Any]) -> dict[str, Any]:
    enabled = optional(inputs, {"targetBucket": "TargetBucket", "targetPrefix": "TargetPrefix"})
    if "targetObjectKeyFormat" in inputs:
        key_format = renamed(inputs["targetObjectKeyFormat"], KEY_FORMAT)
        if "PartitionedPrefix" in key_format:
            key_format["PartitionedPrefix"] = renamed(
                key_format["PartitionedPrefix"], {"partitionDateSource": "PartitionDateSource"})
        enabled["TargetObjectKeyFormat"] = key_format
    return enabled


@contextmanager
def readable_target_policy(s3: Any, bucket: str) -> Iterator[None]:
    """Work around moto 5.2.5: PutBucketLogging looks for the log-delivery grant in the target's
    policy and fails (HTTP 500) on any statement whose Principal is a string such as "*". Hide those
    statements for the call, then put the planned policy back."""
    try:
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except s3.exceptions.ClientError:  # no policy: moto reads the bucket's ACL instead
        yield
        return
    readable = [s for s in policy["Statement"] if isinstance(s.get("Principal"), dict)]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({**policy, "Statement": readable}))
    try:
        yield
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def put_logging(clients: Clients, step: Step) -> Substitutions:
    s3, enabled = clients("s3"), logging_enabled(step.inputs)
    with readable_target_policy(s3, enabled["TargetBucket"]):
        s3.put_bucket_logging(Bucket=step.inputs["bucket"], BucketLoggingStatus={"LoggingEnabled": enabled})
    return {}


KEY_FILTERS = {"filterPrefix": "prefix", "filterSuffix": "suffix"}  # provider field -> S3 filter rule name


def queue_notification(queue: dict[str, Any]) -> dict[str, Any]:
    out = renamed({k: v for k, v in queue.items() if k not in KEY_FILTERS},
                  {"id": "Id", "queueArn": "QueueArn", "events": "Events"})
    rules = [{"Name": name, "Value": queue[field]} for field, name in KEY_FILTERS.items() if field in queue]
    return {**out, "Filter": {"Key": {"FilterRules": rules}}} if rules else out


def put_notification(clients: Clients, step: Step) -> Substitutions:
    # Only queue destinations: topics or functions in a plan are refused, not dropped.
    refuse_unmapped(step.inputs, {"bucket", "queues"})
    queues = [queue_notification(q) for q in step.inputs.get("queues", [])]
    clients("s3").put_bucket_notification_configuration(
        Bucket=step.inputs["bucket"], NotificationConfiguration={"QueueConfigurations": queues})
    return {}


# --- KMS ---------------------------------------------------------------------------------------


def create_key(clients: Clients, step: Step) -> Substitutions:
    kms, inputs = clients("kms"), step.inputs
    arguments = optional(inputs, {"policy": "Policy", "description": "Description",
                                  "customerMasterKeySpec": "KeySpec", "keyUsage": "KeyUsage"})
    metadata = kms.create_key(**arguments, Tags=tag_list(inputs.get("tags"), "TagKey", "TagValue"))["KeyMetadata"]
    if inputs.get("enableKeyRotation"):
        kms.enable_key_rotation(KeyId=metadata["KeyId"],
                                **optional(inputs, {"rotationPeriodInDays": "RotationPeriodInDays"}))
    return {step.computed["arn"]: metadata["Arn"], step.computed["keyId"]: metadata["KeyId"]}


def create_alias(clients: Clients, step: Step) -> Substitutions:
    clients("kms").create_alias(AliasName=step.inputs["name"], TargetKeyId=step.inputs["targetKeyId"])
    return {}


# --- EC2 ---------------------------------------------------------------------------------------


def tag_specifications(kind: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    tags = tag_list(inputs.get("tags"))
    return {"TagSpecifications": [{"ResourceType": kind, "Tags": tags}]} if tags else {}


def create_vpc(clients: Clients, step: Step) -> Substitutions:
    ec2 = clients("ec2")
    created = ec2.create_vpc(CidrBlock=step.inputs["cidrBlock"], **tag_specifications("vpc", step.inputs))
    vpc_id = created["Vpc"]["VpcId"]
    # One attribute per call: the EC2 API refuses both in one request.
    for flag, attribute in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
        if flag in step.inputs:
            ec2.modify_vpc_attribute(VpcId=vpc_id, **{attribute: {"Value": step.inputs[flag]}})
    return {step.computed["id"]: vpc_id}


def create_subnet(clients: Clients, step: Step) -> Substitutions:
    ec2, inputs = clients("ec2"), step.inputs
    arguments = optional(inputs, {"vpcId": "VpcId", "cidrBlock": "CidrBlock", "availabilityZone": "AvailabilityZone"})
    subnet_id = ec2.create_subnet(**arguments, **tag_specifications("subnet", inputs))["Subnet"]["SubnetId"]
    if "mapPublicIpOnLaunch" in inputs:
        ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": inputs["mapPublicIpOnLaunch"]})
    return {step.computed["id"]: subnet_id}


def create_route_table(clients: Clients, step: Step) -> Substitutions:
    created = clients("ec2").create_route_table(
        VpcId=step.inputs["vpcId"], **tag_specifications("route-table", step.inputs))
    return {step.computed["id"]: created["RouteTable"]["RouteTableId"]}


def associate_route_table(clients: Clients, step: Step) -> Substitutions:
    created = clients("ec2").associate_route_table(
        RouteTableId=step.inputs["routeTableId"], SubnetId=step.inputs["subnetId"])
    return {step.computed["id"]: created["AssociationId"]}


VPC_ENDPOINT = {"vpcEndpointType": "VpcEndpointType", "vpcId": "VpcId", "serviceName": "ServiceName",
                "routeTableIds": "RouteTableIds", "policy": "PolicyDocument"}


def create_vpc_endpoint(clients: Clients, step: Step) -> Substitutions:
    created = clients("ec2").create_vpc_endpoint(
        **optional(step.inputs, VPC_ENDPOINT), **tag_specifications("vpc-endpoint", step.inputs))
    return {step.computed["id"]: created["VpcEndpoint"]["VpcEndpointId"]}


FLOW_LOG_OPTIONS = {"fileFormat": "FileFormat", "hiveCompatiblePartitions": "HiveCompatiblePartitions",
                    "perHourPartition": "PerHourPartition"}


def create_flow_log(clients: Clients, step: Step) -> Substitutions:
    inputs = step.inputs
    destination = inputs["logDestination"]
    if inputs.get("logDestinationType") == "s3":
        # moto 5.2.5 takes everything after "arn:aws:s3:::" as the bucket's name, so it refuses a
        # destination with a prefix ("bucket/prefix/ does not exist"): the sandbox sends the bucket's
        # ARN alone (AWS keeps the prefix). moto also drops DestinationOptions: neither comes back.
        destination = destination.split("/", 1)[0]
    arguments = optional(inputs, {"trafficType": "TrafficType", "logDestinationType": "LogDestinationType",
                                  "maxAggregationInterval": "MaxAggregationInterval"})
    if "destinationOptions" in inputs:
        arguments["DestinationOptions"] = renamed(inputs["destinationOptions"], FLOW_LOG_OPTIONS)
    created = clients("ec2").create_flow_logs(
        ResourceType="VPC", ResourceIds=[inputs["vpcId"]], LogDestination=destination, **arguments,
        **tag_specifications("vpc-flow-log", inputs))
    if created["Unsuccessful"]:
        raise ValueError(f"the sandbox refused the flow log: {created['Unsuccessful']}")
    return {step.computed["id"]: created["FlowLogIds"][0]}


# --- IAM ---------------------------------------------------------------------------------------


def create_role(clients: Clients, step: Step) -> Substitutions:
    arguments = optional(step.inputs, {"assumeRolePolicy": "AssumeRolePolicyDocument", "description": "Description",
                                       "path": "Path", "maxSessionDuration": "MaxSessionDuration"})
    clients("iam").create_role(RoleName=step.inputs.get("name") or step.computed["id"], **arguments,
                               Tags=tag_list(step.inputs.get("tags")))
    return {}


def put_role_policy(clients: Clients, step: Step) -> Substitutions:
    # The provider names an unnamed inline policy after the resource: the plan's mock id.
    name = step.inputs.get("name") or step.computed["id"]
    clients("iam").put_role_policy(RoleName=step.inputs["role"], PolicyName=name, PolicyDocument=step.inputs["policy"])
    return {}


def create_policy(clients: Clients, step: Step) -> Substitutions:
    arguments = optional(step.inputs, {"description": "Description", "path": "Path"})
    created = clients("iam").create_policy(
        PolicyName=step.inputs.get("name") or step.computed["id"], PolicyDocument=step.inputs["policy"], **arguments,
        Tags=tag_list(step.inputs.get("tags")))["Policy"]
    # The provider's id of a managed policy is its ARN.
    return {step.computed["arn"]: created["Arn"], step.computed["id"]: created["Arn"]}


def attach_role_policy(clients: Clients, step: Step) -> Substitutions:
    clients("iam").attach_role_policy(RoleName=step.inputs["role"], PolicyArn=step.inputs["policyArn"])
    return {}


def attach_user_policy(clients: Clients, step: Step) -> Substitutions:
    clients("iam").attach_user_policy(UserName=step.inputs["user"], PolicyArn=step.inputs["policyArn"])
    return {}


def create_instance_profile(clients: Clients, step: Step) -> Substitutions:
    iam, name = clients("iam"), step.inputs.get("name") or step.computed["id"]
    iam.create_instance_profile(InstanceProfileName=name, **optional(step.inputs, {"path": "Path"}),
                                Tags=tag_list(step.inputs.get("tags")))
    if "role" in step.inputs:
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=step.inputs["role"])
    return {}


def existing_principals(document: dict[str, Any]) -> list[str]:
    """The roles and users of the plan's account its consumers name (``principal``): a real account
    has them before the stack, which attaches policies to them."""
    # A hand-written document (the sandbox's own tests) may have no settings and no account.
    account = document["environment"].get("accountId")
    named = (c.get("principal") for c in (document.get("settings") or {}).get("consumers") or ())
    return sorted({arn for arn in named if arn and arn.split(":")[4] == account})


def create_stand_in(iam: Any, arn: str) -> None:
    """A stand-in for an existing role or user of the account (its path and name from the ARN): the
    sandbox's account starts empty, and IAM refuses to attach a policy to a principal that does not
    exist. A role stand-in trusts its own account only. One already there is left as it is."""
    partition, account = arn.split(":")[1], arn.split(":")[4]
    kind, _, path_and_name = arn.split(":", 5)[5].partition("/")
    folder, _, name = path_and_name.rpartition("/")
    path = f"/{folder}/" if folder else "/"
    try:
        if kind == "user":
            iam.create_user(UserName=name, Path=path)
        else:
            root = f"arn:{partition}:iam::{account}:root"
            trust = {"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": root}}]}
            iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust))
    except iam.exceptions.EntityAlreadyExistsException:
        pass


# --- Glue --------------------------------------------------------------------------------------


CATALOG_ENCRYPTION = {
    "encryptionAtRest": ("EncryptionAtRest", {"catalogEncryptionMode": "CatalogEncryptionMode",
                                              "sseAwsKmsKeyId": "SseAwsKmsKeyId",
                                              "catalogEncryptionServiceRole": "CatalogEncryptionServiceRole"}),
    "connectionPasswordEncryption": ("ConnectionPasswordEncryption", {
        "awsKmsKeyId": "AwsKmsKeyId", "returnConnectionPasswordEncrypted": "ReturnConnectionPasswordEncrypted"}),
}


def put_catalog_encryption(clients: Clients, step: Step) -> Substitutions:
    settings = renamed_blocks(step.inputs["dataCatalogEncryptionSettings"], CATALOG_ENCRYPTION)
    clients("glue").put_data_catalog_encryption_settings(
        DataCatalogEncryptionSettings=settings, **optional(step.inputs, {"catalogId": "CatalogId"}))
    return {}


SECURITY_CONFIGURATION = {
    "s3Encryption": ("S3Encryption", {"s3EncryptionMode": "S3EncryptionMode", "kmsKeyArn": "KmsKeyArn"}),
    "cloudwatchEncryption": ("CloudWatchEncryption", {"cloudwatchEncryptionMode": "CloudWatchEncryptionMode",
                                                      "kmsKeyArn": "KmsKeyArn"}),
    "jobBookmarksEncryption": ("JobBookmarksEncryption", {"jobBookmarksEncryptionMode": "JobBookmarksEncryptionMode",
                                                          "kmsKeyArn": "KmsKeyArn"}),
}


def create_security_configuration(clients: Clients, step: Step) -> Substitutions:
    configuration = renamed_blocks(step.inputs["encryptionConfiguration"], SECURITY_CONFIGURATION)
    # The provider takes one S3 encryption block; the API takes a list of them.
    if "S3Encryption" in configuration:
        configuration["S3Encryption"] = [configuration["S3Encryption"]]
    clients("glue").create_security_configuration(
        Name=step.inputs.get("name") or step.computed["id"], EncryptionConfiguration=configuration)
    return {}


def create_database(clients: Clients, step: Step) -> Substitutions:
    database = {"Name": step.inputs.get("name") or step.computed["id"],
                **optional(step.inputs, {"description": "Description", "locationUri": "LocationUri"})}
    clients("glue").create_database(DatabaseInput=database, **optional(step.inputs, {"catalogId": "CatalogId"}))
    return {}


S3_TARGET = {"path": "Path", "exclusions": "Exclusions", "eventQueueArn": "EventQueueArn",
             "dlqEventQueueArn": "DlqEventQueueArn", "connectionName": "ConnectionName", "sampleSize": "SampleSize"}
CRAWLER = {"role": "Role", "databaseName": "DatabaseName", "securityConfiguration": "CrawlerSecurityConfiguration",
           "schedule": "Schedule", "description": "Description", "tablePrefix": "TablePrefix",
           "configuration": "Configuration", "classifiers": "Classifiers"}
CRAWLER_POLICIES = {
    "recrawlPolicy": ("RecrawlPolicy", {"recrawlBehavior": "RecrawlBehavior"}),
    "schemaChangePolicy": ("SchemaChangePolicy",
                           {"updateBehavior": "UpdateBehavior", "deleteBehavior": "DeleteBehavior"}),
}


def create_crawler(clients: Clients, step: Step) -> Substitutions:
    inputs = step.inputs
    policies = renamed_blocks({k: inputs[k] for k in CRAWLER_POLICIES if k in inputs}, CRAWLER_POLICIES)
    clients("glue").create_crawler(
        Name=inputs.get("name") or step.computed["id"], **optional(inputs, CRAWLER), **policies,
        Targets={"S3Targets": renamed(inputs.get("s3Targets", []), S3_TARGET)}, Tags=inputs.get("tags", {}))
    return {}


# --- Athena ------------------------------------------------------------------------------------


WORKGROUP = {"enforceWorkgroupConfiguration": "EnforceWorkGroupConfiguration",
             "bytesScannedCutoffPerQuery": "BytesScannedCutoffPerQuery",
             "publishCloudwatchMetricsEnabled": "PublishCloudWatchMetricsEnabled",
             "requesterPaysEnabled": "RequesterPaysEnabled", "resultConfiguration": "ResultConfiguration"}
RESULT_CONFIGURATION = {"outputLocation": "OutputLocation", "expectedBucketOwner": "ExpectedBucketOwner",
                        "encryptionConfiguration": "EncryptionConfiguration"}


def workgroup_configuration(configuration: dict[str, Any]) -> dict[str, Any]:
    out = renamed(configuration, WORKGROUP)
    if "ResultConfiguration" in out:
        result = renamed(out["ResultConfiguration"], RESULT_CONFIGURATION)
        if "EncryptionConfiguration" in result:
            result["EncryptionConfiguration"] = renamed(
                result["EncryptionConfiguration"], {"encryptionOption": "EncryptionOption", "kmsKeyArn": "KmsKey"})
        out["ResultConfiguration"] = result
    return out


def create_workgroup(clients: Clients, step: Step) -> Substitutions:
    # CreateWorkGroup always makes an enabled workgroup and moto 5.2.5 has no UpdateWorkGroup to
    # disable it: refuse rather than leave enabled a workgroup the plan disables.
    if step.inputs.get("state", "ENABLED") != "ENABLED":
        raise ValueError(f"the sandbox cannot create a workgroup in state {step.inputs['state']}")
    arguments = optional(step.inputs, {"description": "Description"})
    if "configuration" in step.inputs:
        arguments["Configuration"] = workgroup_configuration(step.inputs["configuration"])
    clients("athena").create_work_group(
        Name=step.inputs.get("name") or step.computed["id"], **arguments, Tags=tag_list(step.inputs.get("tags")))
    return {}


# --- SQS ---------------------------------------------------------------------------------------


QUEUE_ATTRIBUTES = {
    "sqsManagedSseEnabled": "SqsManagedSseEnabled", "kmsMasterKeyId": "KmsMasterKeyId",
    "kmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds", "redrivePolicy": "RedrivePolicy",
    "redriveAllowPolicy": "RedriveAllowPolicy", "messageRetentionSeconds": "MessageRetentionPeriod",
    "visibilityTimeoutSeconds": "VisibilityTimeout", "delaySeconds": "DelaySeconds",
    "maxMessageSize": "MaximumMessageSize", "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
    "fifoQueue": "FifoQueue", "contentBasedDeduplication": "ContentBasedDeduplication", "policy": "Policy",
}


def attribute_text(value: Any) -> str:
    """SQS attributes are strings, booleans spelled in lower case."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def create_queue(clients: Clients, step: Step) -> Substitutions:
    attributes = {k: attribute_text(v) for k, v in optional(step.inputs, QUEUE_ATTRIBUTES).items()}
    name = step.inputs.get("name") or step.computed["url"].rsplit("/", 1)[-1]
    created = clients("sqs").create_queue(QueueName=name, Attributes=attributes, tags=step.inputs.get("tags", {}))
    url = created["QueueUrl"]
    return {step.computed["url"]: url, step.computed["id"]: url}


def put_queue_policy(clients: Clients, step: Step) -> Substitutions:
    clients("sqs").set_queue_attributes(QueueUrl=step.inputs["queueUrl"], Attributes={"Policy": step.inputs["policy"]})
    return {}


# --- dispatch ----------------------------------------------------------------------------------

Create = Callable[[Clients, Step], Substitutions]

CREATORS: dict[str, Create] = {
    "aws:s3/bucket:Bucket": create_bucket,
    "aws:s3/bucketVersioning:BucketVersioning": put_versioning,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": put_encryption,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": put_public_access_block,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": put_ownership_controls,
    "aws:s3/bucketPolicy:BucketPolicy": put_bucket_policy,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": put_lifecycle,
    "aws:s3/bucketLogging:BucketLogging": put_logging,
    "aws:s3/bucketNotification:BucketNotification": put_notification,
    "aws:kms/key:Key": create_key,
    "aws:kms/alias:Alias": create_alias,
    "aws:ec2/vpc:Vpc": create_vpc,
    "aws:ec2/subnet:Subnet": create_subnet,
    "aws:ec2/routeTable:RouteTable": create_route_table,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": associate_route_table,
    "aws:ec2/vpcEndpoint:VpcEndpoint": create_vpc_endpoint,
    "aws:ec2/flowLog:FlowLog": create_flow_log,
    "aws:iam/role:Role": create_role,
    "aws:iam/rolePolicy:RolePolicy": put_role_policy,
    "aws:iam/policy:Policy": create_policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": attach_role_policy,
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": attach_user_policy,
    "aws:iam/instanceProfile:InstanceProfile": create_instance_profile,
    "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings": put_catalog_encryption,
    "aws:glue/securityConfiguration:SecurityConfiguration": create_security_configuration,
    "aws:glue/catalogDatabase:CatalogDatabase": create_database,
    "aws:glue/crawler:Crawler": create_crawler,
    "aws:athena/workgroup:Workgroup": create_workgroup,
    "aws:sqs/queue:Queue": create_queue,
    "aws:sqs/queuePolicy:QueuePolicy": put_queue_policy,
}
# Every VPC comes with a default security group: the provider adopts it rather than creating one,
# and the VPC the sandbox creates already has its own. Its rules are not reconciled: moto keeps the
# default ones (all egress, ingress from the group itself) where the provider would strip them.
SKIPPED = frozenset({"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"})


def creator(type_: str) -> Create | None:
    """The creator of ``type_``; None for a type deliberately skipped; unknown types raise."""
    if type_ in SKIPPED:
        return None
    if type_ not in CREATORS:
        raise ValueError(f"the sandbox cannot create {type_} resources: add a creator to lake/sandbox/apply.py")
    return CREATORS[type_]


def apply_plan(document: dict[str, Any], endpoint_url: str, region: str | None = None,
               verify: bool | str | Path | None = None) -> Applied:
    """Create the plan's custom resources in the sandbox at ``endpoint_url`` (loopback only).

    ``verify``: the CA bundle of an https sandbox (``MotoServer.ca_bundle``); None, boto3's default."""
    require_loopback(endpoint_url)
    resources = creation_order(document["resources"])
    creators = {r["type"]: creator(r["type"]) for r in resources}  # refuse an unknown type before any call
    clients = functools.cache(functools.partial(
        client, endpoint_url=endpoint_url, region=region or document["environment"]["region"], verify=verify))
    for arn in existing_principals(document):
        create_stand_in(clients("iam"), arn)
    substitutions: Substitutions = {}
    created: Counter[str] = Counter()
    for resource in resources:
        create = creators[resource["type"]]
        if create is None:
            continue
        step = Step(substitute(resource["inputs"], substitutions), resource["computed"])
        try:
            substitutions.update(create(clients, step))
        except Exception as error:
            error.add_note(f"while creating {resource['urn']} in the sandbox")
            raise
        created[resource["type"]] += 1
    return Applied(substitutions, dict(sorted(created.items())))
