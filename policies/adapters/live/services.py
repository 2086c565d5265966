"""The lake's non-S3 resources: the S3 gateway endpoint, Glue, Athena, SQS and the crawler roles.

Each is found from the buckets (a crawler targets a lake bucket, a workgroup writes to one, a
queue receives a bucket's events), so every way of choosing buckets finds the same lake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...aws_managed import pinned_document
from ...model import (
    UNKNOWN,
    AttachedPolicy,
    CatalogEncryption,
    Crawler,
    GlueSecurityConfiguration,
    IamPolicy,
    Queue,
    Role,
    VpcEndpoint,
    Workgroup,
    is_unknown,
)
from ..resources import parse_policy
from .buckets import tag_dict
from .calls import Call, Reader


def endpoints(reader: Reader, ec2: Any, region: str) -> list[dict[str, Any]]:
    """The region's S3 endpoints as DescribeVpcEndpoints describes them (tags, VPC, route tables,
    policy), every one: which are the lake's is decided from what ties them to it
    (``discovery.lake_endpoints``), not from the tag alone, so an endpoint that lost its tag is
    still judged."""
    filters = [{"Name": "service-name", "Values": [f"com.amazonaws.{region}.s3"]}]
    found = reader.read(ec2, Call("DescribeVpcEndpoints", "describe_vpc_endpoints", {"Filters": filters},
                                  pages="VpcEndpoints"), ("lake", "", "endpoints"), lambda r: r["VpcEndpoints"])
    return [] if is_unknown(found) else list(found or [])


def endpoint(item: dict[str, Any]) -> VpcEndpoint:
    return VpcEndpoint(
        name=item["VpcEndpointId"],
        ref=item["VpcEndpointId"],
        service_name=item.get("ServiceName"),
        endpoint_type=item.get("VpcEndpointType"),
        policy=parse_policy(item.get("PolicyDocument")),
        endpoint_id=item["VpcEndpointId"],
        vpc_id=item.get("VpcId"),
    )


def crawlers(reader: Reader, glue: Any) -> list[Crawler]:
    """Every crawler of the region: which are the lake's (a target in one of its buckets, its name)
    is decided once the buckets are read (``discovery.is_lake_crawler``)."""
    found = reader.read(glue, Call("GetCrawlers", "get_crawlers", {}, pages="Crawlers"),
                        ("lake", "", "crawlers"), lambda r: r["Crawlers"])
    items = [] if is_unknown(found) else found or []
    return [_crawler(c) for c in items]


def targets_bucket(crawler: Crawler, buckets: set[str]) -> bool:
    return any(isinstance(p, str) and p.removeprefix("s3://").split("/")[0] in buckets for p in crawler.s3_paths)


def _crawler(item: dict[str, Any]) -> Crawler:
    targets = item.get("Targets", {}).get("S3Targets", [])
    return Crawler(
        name=item["Name"],
        ref=item["Name"],
        role_arn=item.get("Role"),
        database=item.get("DatabaseName"),
        s3_paths=tuple(t.get("Path") for t in targets),
        security_configuration=item.get("CrawlerSecurityConfiguration") or None,
        event_queue_arns=tuple(t["EventQueueArn"] for t in targets if t.get("EventQueueArn")),
        recrawl_behavior=item.get("RecrawlPolicy", {}).get("RecrawlBehavior"),
    )


def security_configuration(reader: Reader, glue: Any, name: str) -> GlueSecurityConfiguration | None:
    config = reader.read(glue, Call("GetSecurityConfiguration", "get_security_configuration", {"Name": name},
                                    ("EntityNotFoundException",)),
                         (name, name, "security_configuration"), lambda r: r["SecurityConfiguration"])
    if config is None or is_unknown(config):
        return None  # a crawler naming a missing configuration encrypts nothing: LAKE.6 fails it
    encryption = config.get("EncryptionConfiguration", {})
    s3 = (encryption.get("S3Encryption") or [{}])[0]
    cloudwatch, bookmarks = encryption.get("CloudWatchEncryption", {}), encryption.get("JobBookmarksEncryption", {})
    return GlueSecurityConfiguration(
        name=name,
        ref=name,
        s3_mode=s3.get("S3EncryptionMode"),
        cloudwatch_mode=cloudwatch.get("CloudWatchEncryptionMode"),
        job_bookmarks_mode=bookmarks.get("JobBookmarksEncryptionMode"),
        key_arns=tuple(arn for part in (s3, cloudwatch, bookmarks) if (arn := part.get("KmsKeyArn"))),
    )


def catalog_encryption(reader: Reader, glue: Any, ref: str) -> CatalogEncryption:
    settings = reader.read(glue, Call("GetDataCatalogEncryptionSettings", "get_data_catalog_encryption_settings", {}),
                           ("data-catalog", ref, "catalog_encryption"), lambda r: r["DataCatalogEncryptionSettings"])
    if is_unknown(settings):
        return CatalogEncryption(ref=ref, mode=settings, key_arn=settings, password_encrypted=settings)
    at_rest = settings.get("EncryptionAtRest", {})
    passwords = settings.get("ConnectionPasswordEncryption", {})
    return CatalogEncryption(
        ref=ref,
        mode=at_rest.get("CatalogEncryptionMode"),
        key_arn=at_rest.get("SseAwsKmsKeyId"),
        password_encrypted=passwords.get("ReturnConnectionPasswordEncrypted"),
        password_key_arn=passwords.get("AwsKmsKeyId"),
    )


def workgroup_names(reader: Reader, athena: Any) -> list[str]:
    found = reader.read(athena, Call("ListWorkGroups", "list_work_groups", {}, pages="WorkGroups"),
                        ("lake", "", "workgroups"), lambda r: r["WorkGroups"])
    return [] if is_unknown(found) else [w["Name"] for w in found or []]


def workgroup(reader: Reader, athena: Any, name: str) -> Workgroup | None:
    """The workgroup, or None when it is not readable."""
    item = reader.read(athena, Call("GetWorkGroup", "get_work_group", {"WorkGroup": name}),
                       (name, name, "workgroup"), lambda r: r["WorkGroup"])
    if item is None or is_unknown(item):
        return None
    config = item.get("Configuration", {})
    result = config.get("ResultConfiguration", {})
    encryption = result.get("EncryptionConfiguration", {})
    return Workgroup(
        name=name,
        ref=name,
        enforced=config.get("EnforceWorkGroupConfiguration"),
        cutoff=config.get("BytesScannedCutoffPerQuery"),
        output_location=result.get("OutputLocation"),
        encryption_option=encryption.get("EncryptionOption"),
        kms_key_arn=encryption.get("KmsKey"),
    )


def writes_to(workgroup_: Workgroup, buckets: set[str]) -> bool:
    location = workgroup_.output_location
    return isinstance(location, str) and location.removeprefix("s3://").split("/")[0] in buckets


def queue(reader: Reader, sqs: Any, arn: str) -> tuple[Queue, str | None] | None:
    """A queue by ARN (its URL by GetQueueUrl, then every attribute in one call) and the ARN of its
    dead-letter queue, if it has one."""
    _, _, _, _, account, name = arn.split(":", 5)
    url = reader.read(sqs, Call("GetQueueUrl", "get_queue_url", {"QueueName": name, "QueueOwnerAWSAccountId": account},
                                ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")),
                      (name, arn, "queue"), lambda r: r["QueueUrl"])
    if url is None or is_unknown(url):
        return None
    attributes = reader.read(sqs, Call("GetQueueAttributes", "get_queue_attributes",
                                       {"QueueUrl": url, "AttributeNames": ["All"]}),
                             (name, arn, "attributes"), lambda r: r.get("Attributes", {}))
    redrive = None if is_unknown(attributes) else parse_policy(attributes.get("RedrivePolicy"))
    return _queue(name, arn, attributes), (redrive or {}).get("deadLetterTargetArn")


def _queue(name: str, arn: str, attributes: Any) -> Queue:
    if is_unknown(attributes):
        return Queue(name=name, ref=arn, arn=arn, encrypted=attributes, policy=attributes,
                     has_dead_letter_queue=attributes)
    kms_key = attributes.get("KmsMasterKeyId")
    return Queue(
        name=name,
        ref=arn,
        arn=arn,
        encrypted=attributes.get("SqsManagedSseEnabled") == "true" or kms_key is not None,
        kms_key_id=kms_key,
        policy=parse_policy(attributes.get("Policy")),
        has_dead_letter_queue="RedrivePolicy" in attributes,
    )


def role(reader: Reader, iam: Any, arn: str,
         known: Mapping[str, Any] | None = None) -> tuple[Role, list[IamPolicy]] | None:
    """A role's trust policy, tags, inline policies (GetRole, ListRolePolicies, GetRolePolicy each) and
    attached managed policies (ListAttachedRolePolicies, then GetPolicy and GetPolicyVersion each,
    but for those in ``known``, policy ARN -> document already read: a consumer's policy)."""
    name = arn.rsplit("/", 1)[-1]
    item = reader.read(iam, Call("GetRole", "get_role", {"RoleName": name}, ("NoSuchEntity",)),
                       (name, arn, "role"), lambda r: r["Role"])
    if item is None or is_unknown(item):
        return None
    names = reader.read(iam, Call("ListRolePolicies", "list_role_policies", {"RoleName": name}, pages="PolicyNames"),
                        (name, arn, "policies"), lambda r: r["PolicyNames"])
    documents = [] if is_unknown(names) else [_role_policy(reader, iam, name, arn, p) for p in names]
    trust = parse_policy(item.get("AssumeRolePolicyDocument"))
    policies = [IamPolicy(f"{name}/{p}", arn, d, "inline") for p, d in zip(names or [], documents, strict=False)]
    attached = _attached_policies(reader, iam, name, arn, known or {})
    # Customer managed policies are KMS.1's (AWS managed ones are AWS's to write).
    policies += [IamPolicy(p.arn.rsplit("/", 1)[-1], p.arn, p.document, "managed") for p in attached
                 if isinstance(p.arn, str) and not p.arn.startswith(AWS_MANAGED_PREFIXES)]
    return Role(name=name, ref=arn, arn=item.get("Arn", arn), trust_policy=trust, policies=tuple(documents),
                attached=attached, tags=tag_dict(item.get("Tags", []))), policies


# arn:aws:iam::aws:policy/..., arn:aws-cn:iam::aws:policy/..., arn:aws-us-gov:iam::aws:policy/...
AWS_MANAGED_PREFIXES = tuple(f"arn:{p}:iam::aws:policy/" for p in ("aws", "aws-cn", "aws-us-gov"))


def _attached_policies(reader: Reader, iam: Any, role_name: str, arn: str,
                       known: Mapping[str, Any]) -> tuple[AttachedPolicy, ...]:
    found = reader.read(iam, Call("ListAttachedRolePolicies", "list_attached_role_policies", {"RoleName": role_name},
                                  pages="AttachedPolicies"), (role_name, arn, "attached policies"),
                        lambda r: [p["PolicyArn"] for p in r["AttachedPolicies"]])
    if is_unknown(found):
        return (AttachedPolicy(UNKNOWN, UNKNOWN),)  # some policy may be attached: its reach is unknown
    return tuple(AttachedPolicy(p, known[p] if p in known else _managed_document(reader, iam, role_name, p))
                 for p in found)


def _managed_document(reader: Reader, iam: Any, role_name: str, policy_arn: str) -> Any:
    """The default version's document, read live (AWS managed policies too: AWS revises them);
    when a read is denied, the pinned document of an AWS managed policy, else UNKNOWN."""
    where = (role_name, policy_arn, "attached policy")
    version = reader.read(iam, Call("GetPolicy", "get_policy", {"PolicyArn": policy_arn}), where,
                          lambda r: r["Policy"]["DefaultVersionId"])
    document = version if is_unknown(version) else reader.read(
        iam, Call("GetPolicyVersion", "get_policy_version", {"PolicyArn": policy_arn, "VersionId": version}), where,
        lambda r: parse_policy(r["PolicyVersion"]["Document"]))
    pinned = pinned_document(policy_arn)
    return pinned if is_unknown(document) and pinned is not None else document


def _role_policy(reader: Reader, iam: Any, role_name: str, arn: str, policy: str) -> Any:
    return reader.read(iam, Call("GetRolePolicy", "get_role_policy", {"RoleName": role_name, "PolicyName": policy}),
                       (role_name, arn, f"policy {policy}"), lambda r: parse_policy(r["PolicyDocument"]))
