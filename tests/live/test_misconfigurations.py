"""One misconfiguration at a time, made with boto3 on the dev lake applied to moto (as a console
edit or another tool would make it): the live audit opens exactly the findings of the rules that
judge that setting, with their exact messages, and nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from lake.sandbox.server import client
from policies.adapters.live import Selection
from policies.rule import Status
from tests.live.support import ACCOUNT, LAKE_TAG, audit, deploy

RAW, CURATED = "mlteam-dev-raw", "mlteam-dev-curated"
BUCKETS = (CURATED, "mlteam-dev-logs", "mlteam-dev-processed", "mlteam-dev-query-results", RAW)
KEY_ALIAS = "alias/mlteam-dev"
CRAWLER, CRAWLER_ROLE = "mlteam-dev-images", "mlteam-dev-crawler-images"
WORKGROUP, EVENTS_QUEUE = "mlteam-dev", "mlteam-dev-annotations-events"
OTHER_ACCOUNT = "210987654321"
# Findings on the lake key and the endpoint are named by ids moto draws at each deployment: the
# test looks them up in moto (not in the audit under test) and puts them in place of these.
LAKE_KEY, ENDPOINT = "<lake key id>", "<endpoint id>"




# --- the misconfigurations -----------------------------------------------------------------------


def _edit_bucket_policy(url: str, edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    s3 = client("s3", url)
    policy = json.loads(s3.get_bucket_policy(Bucket=RAW)["Policy"])
    s3.put_bucket_policy(Bucket=RAW, Policy=json.dumps({**policy, "Statement": edit(policy["Statement"])}))


def _add_bucket_statement(statement: dict[str, Any]) -> Callable[[str], None]:
    return lambda url: _edit_bucket_policy(url, lambda statements: [*statements, statement])


def remove_bucket_policy(url: str) -> None:
    client("s3", url).delete_bucket_policy(Bucket=RAW)


def drop_tls_statement(url: str) -> None:
    _edit_bucket_policy(url, lambda statements: [s for s in statements if s["Sid"] != "DenyInsecureTransport"])


# Principal "*", no condition. S3 refuses this policy (AccessDenied) while BlockPublicPolicy is on,
# for the bucket or the account; moto 5.2.5 stores it anyway, so no Block Public Access flag has to
# be turned off first and S3.2 is the only finding: the test proves the statement is read and
# judged, whatever let it in.
add_public_read = _add_bucket_statement({
    "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    "Resource": f"arn:aws:s3:::{RAW}/*"})
add_cross_account_policy_change = _add_bucket_statement({
    "Sid": "PartnerManagesPolicy", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
    "Action": "s3:PutBucketPolicy", "Resource": f"arn:aws:s3:::{RAW}"})


def suspend_versioning(url: str) -> None:
    client("s3", url).put_bucket_versioning(Bucket=RAW, VersioningConfiguration={"Status": "Suspended"})


def sse_s3_on_raw(url: str) -> None:
    client("s3", url).put_bucket_encryption(Bucket=RAW, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})


def bucket_block_public_policy_off(url: str) -> None:
    flags = {"BlockPublicAcls": True, "BlockPublicPolicy": False, "IgnorePublicAcls": True,
             "RestrictPublicBuckets": True}
    client("s3", url).put_public_access_block(Bucket=RAW, PublicAccessBlockConfiguration=flags)


def account_restrict_public_buckets_off(url: str) -> None:
    flags = {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
             "RestrictPublicBuckets": False}
    client("s3control", url).put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=flags)


def acls_enabled(url: str) -> None:
    client("s3", url).put_bucket_ownership_controls(
        Bucket=RAW, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})


def remove_lifecycle(url: str) -> None:
    client("s3", url).delete_bucket_lifecycle(Bucket=RAW)


def infrequent_access_at_day_10(url: str) -> None:
    """The deployed rules, with the first move to STANDARD_IA at day 10 instead of 30. S3 refuses
    a transition to STANDARD_IA before day 30 (InvalidArgument); moto 5.2.5 accepts it: the test
    proves the audit reads and judges the schedule, not that AWS would store it."""
    s3 = client("s3", url)
    rules = s3.get_bucket_lifecycle_configuration(Bucket=RAW)["Rules"]
    tiering = next(r for r in rules if r["ID"] == "tier-current-objects")
    assert tiering["Transitions"][0] == {"Days": 30, "StorageClass": "STANDARD_IA"}
    tiering["Transitions"][0]["Days"] = 10
    s3.put_bucket_lifecycle_configuration(Bucket=RAW, LifecycleConfiguration={"Rules": rules})


def logging_off(url: str) -> None:
    client("s3", url).put_bucket_logging(Bucket=RAW, BucketLoggingStatus={})


def rotation_off(url: str) -> None:
    client("kms", url).disable_key_rotation(KeyId=_key_id(url))


def schedule_key_deletion(url: str) -> None:
    client("kms", url).schedule_key_deletion(KeyId=_key_id(url), PendingWindowInDays=30)


def public_key_policy(url: str) -> None:
    kms, key_id = client("kms", url), _key_id(url)
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    policy["Statement"].append({"Sid": "AnyoneDecrypts", "Effect": "Allow", "Principal": "*",
                                "Action": "kms:Decrypt", "Resource": "*"})
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))


def open_endpoint_policy(url: str) -> None:
    """The policy ResetPolicy=True restores in AWS, the default full-access one (written out:
    moto 5.2.5 ignores ResetPolicy and keeps the lake's policy)."""
    ec2 = client("ec2", url)
    default = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    ec2.modify_vpc_endpoint(VpcEndpointId=_endpoint_id(url), PolicyDocument=json.dumps(default))


def crawler_without_security_configuration(url: str) -> None:
    """moto 5.2.5 does not implement UpdateCrawler: the crawler is recreated without it."""
    glue = client("glue", url)
    crawler = glue.get_crawler(Name=CRAWLER)["Crawler"]
    assert crawler["CrawlerSecurityConfiguration"] == "mlteam-dev-crawlers"
    glue.delete_crawler(Name=CRAWLER)
    glue.create_crawler(
        Name=CRAWLER, Role=crawler["Role"], DatabaseName=crawler["DatabaseName"], Targets=crawler["Targets"],
        Schedule=crawler["Schedule"]["ScheduleExpression"], SchemaChangePolicy=crawler["SchemaChangePolicy"],
        RecrawlPolicy=crawler["RecrawlPolicy"])


def catalog_encryption_disabled(url: str) -> None:
    glue = client("glue", url)
    settings = glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]
    glue.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings={
        **settings, "EncryptionAtRest": {"CatalogEncryptionMode": "DISABLED"}})


def _recreate_workgroup(url: str, change: Callable[[dict[str, Any]], None]) -> None:
    """moto 5.2.5 does not implement UpdateWorkGroup: the workgroup is recreated with ``change``."""
    athena = client("athena", url)
    configuration = athena.get_work_group(WorkGroup=WORKGROUP)["WorkGroup"]["Configuration"]
    change(configuration)
    athena.delete_work_group(WorkGroup=WORKGROUP, RecursiveDeleteOption=True)
    athena.create_work_group(Name=WORKGROUP, Configuration=configuration)


def workgroup_not_enforced(url: str) -> None:
    _recreate_workgroup(url, lambda c: c.update(EnforceWorkGroupConfiguration=False))


def workgroup_sse_s3_results(url: str) -> None:
    _recreate_workgroup(url, lambda c: c["ResultConfiguration"].update(
        EncryptionConfiguration={"EncryptionOption": "SSE_S3"}))


def _set_queue_attribute(url: str, name: str, value: str) -> None:
    sqs = client("sqs", url)
    sqs.set_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName=EVENTS_QUEUE)["QueueUrl"], Attributes={name: value})


def queue_open_to_anyone(url: str) -> None:
    statement = {"Sid": "AnyoneSends", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                 "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{EVENTS_QUEUE}"}
    _set_queue_attribute(url, "Policy", json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


def queue_sse_off(url: str) -> None:
    _set_queue_attribute(url, "SqsManagedSseEnabled", "false")


def crawler_role_on_every_bucket(url: str) -> None:
    statement = {"Sid": "EveryBucket", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    client("iam", url).put_role_policy(RoleName=CRAWLER_ROLE, PolicyName="console-added",
                                       PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


def delete_curated(url: str) -> None:
    """The bucket, holding two versions of an object and a delete marker, emptied of every version
    and delete marker, then deleted: S3 refuses to delete a bucket that still holds any.

    The policy goes first, as `pulumi destroy` removes a BucketPolicy before its Bucket: moto
    applies its DenyInsecureTransport to this plain-HTTP endpoint and refuses object calls (403).
    """
    s3 = client("s3", url)
    s3.delete_bucket_policy(Bucket=CURATED)
    for body in (b"v1", b"v2"):
        s3.put_object(Bucket=CURATED, Key="features/part-0.parquet", Body=body)
    s3.delete_object(Bucket=CURATED, Key="features/part-0.parquet")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=CURATED):
        for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=CURATED, Key=entry["Key"], VersionId=entry["VersionId"])
    s3.delete_bucket(Bucket=CURATED)


def _key_id(url: str) -> str:
    return client("kms", url).describe_key(KeyId=KEY_ALIAS)["KeyMetadata"]["KeyId"]


def _endpoint_id(url: str) -> str:
    (endpoint,) = client("ec2", url).describe_vpc_endpoints()["VpcEndpoints"]
    return endpoint["VpcEndpointId"]


# --- the cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """An edit, the finding it must open (its rule, resource and exact message), and the other
    findings it opens by design."""

    mutate: Callable[[str], None]
    rule: str
    resource: str
    message: str
    also: tuple[tuple[str, str, str], ...] = ()
    selection: Selection = LAKE_TAG


def case(id_: str, *args: Any, **kwargs: Any) -> Any:
    return pytest.param(Case(*args, **kwargs), id=id_)


TLS = "requests without TLS (Bool aws:SecureTransport false)"
CASES = [
    # S3.5, LAKE.1 and LAKE.2 each require Deny statements of the bucket policy: without a policy
    # nothing denies plain HTTP, outdated TLS or uploads that bypass the lake key.
    case("bucket-policy-removed", remove_bucket_policy, "S3.5", RAW,
         f"the bucket has no policy, so nothing denies s3:* to anyone for {TLS}",
         also=(("LAKE.1", RAW, "fail"), ("LAKE.2", RAW, "fail"))),
    case("tls-statement-missing", drop_tls_statement, "S3.5", RAW,
         f"no statement denies s3:* to anyone for {TLS} on this bucket and its objects"),
    case("versioning-suspended", suspend_versioning, "S3.14", RAW, "versioning is Suspended; it must be Enabled"),
    # LAKE.2 does not react: it judges the upload denies of SSE-KMS buckets only, and leaves a
    # bucket that is not aws:kms to S3.17 (test_sse_s3_leaves_lake_2_not_applicable_for_s3_17_to_report).
    case("sse-s3-on-a-data-bucket", sse_s3_on_raw, "S3.17", RAW,
         "default encryption is AES256; it must be aws:kms with the lake key"),
    case("bucket-block-public-policy-off", bucket_block_public_policy_off, "S3.8", RAW,
         "Block Public Access flags not true: BlockPublicPolicy"),
    case("account-restrict-public-buckets-off", account_restrict_public_buckets_off, "S3.1", "lake",
         "RestrictPublicBuckets is false, must be true"),
    case("acls-enabled", acls_enabled, "S3.12", RAW,
         "object ownership is ObjectWriter, which leaves ACLs enabled; it must be BucketOwnerEnforced"),
    case("lifecycle-removed", remove_lifecycle, "S3.13", RAW, "no lifecycle configuration"),
    case("infrequent-access-at-day-10", infrequent_access_at_day_10, "S3.13", RAW,
         "rule tier-current-objects: objects move to STANDARD_IA at day 10; S3 requires day 30 or later"),
    case("access-logging-off", logging_off, "S3.9", RAW, "server access logging is not configured"),
    case("key-rotation-off", rotation_off, "KMS.4", LAKE_KEY, "automatic key rotation is disabled; it must be enabled"),
    # Nothing else follows in moto, which keeps the rotation status of a key pending deletion. AWS
    # answers KeyRotationEnabled false for such a key (GetKeyRotationStatus documentation), so
    # against AWS KMS.4 would fail as well, rightly: KMS does not rotate a key pending deletion.
    case("key-pending-deletion", schedule_key_deletion, "KMS.3", LAKE_KEY, "the key is pending deletion"),
    case("key-policy-public-allow", public_key_policy, "KMS.5", LAKE_KEY,
         "statement AnyoneDecrypts allows any principal, with no condition restricting the callers"),
    case("endpoint-policy-open", open_endpoint_policy, "LAKE.5", ENDPOINT,
         "statement #1 (no Sid) allows any principal on *, with no condition restricting the callers"),
    case("crawler-without-security-configuration", crawler_without_security_configuration, "LAKE.6", CRAWLER,
         "the crawler has no security configuration: S3 data, CloudWatch logs and job bookmarks are not encrypted "
         "with KMS"),
    case("catalog-encryption-disabled", catalog_encryption_disabled, "LAKE.7", "data-catalog",
         "catalog encryption is DISABLED, must be SSE-KMS"),
    case("workgroup-not-enforced", workgroup_not_enforced, "LAKE.8", WORKGROUP,
         "the workgroup does not enforce its configuration: clients may send results elsewhere, unencrypted"),
    case("workgroup-sse-s3-results", workgroup_sse_s3_results, "LAKE.8", WORKGROUP,
         "query results are encrypted with SSE_S3, must be SSE_KMS or CSE_KMS"),
    case("queue-open-to-anyone", queue_open_to_anyone, "LAKE.9", EVENTS_QUEUE,
         "statement AnyoneSends allows any principal with no aws:SourceArn or aws:SourceAccount-type condition"),
    case("queue-sse-off", queue_sse_off, "LAKE.9", EVENTS_QUEUE,
         "the queue is not encrypted: neither SQS-managed SSE nor a KMS key"),
    case("crawler-role-s3-on-every-bucket", crawler_role_on_every_bucket, "LAKE.10", CRAWLER_ROLE,
         f"role {CRAWLER_ROLE}: statement EveryBucket allows s3:* and allows s3:GetObject, s3:PutObject, "
         "s3:DeleteObject, s3:ListBucket on *"),
    case("public-read-statement", add_public_read, "S3.2", RAW,
         "statement PublicRead allows s3:GetObject to anyone (any principal, no condition restricting the callers)"),
    case("other-account-may-change-the-policy", add_cross_account_policy_change, "S3.6", RAW,
         f"statement PartnerManagesPolicy allows s3:PutBucketPolicy to account {OTHER_ACCOUNT}, not the lake's "
         f"account {ACCOUNT}"),
    # Chosen by name, the deleted bucket is still asked for: a LAKE.11 finding names it, where a
    # crash or a silently shorter audit would hide it.
    case("bucket-deleted", delete_curated, "LAKE.11", CURATED,
         "could not verify bucket: GetBucketTagging failed with NoSuchBucket: the bucket does not exist",
         selection=Selection(names=BUCKETS)),
]


def _resolve(resource: str, url: str) -> str:
    if resource == LAKE_KEY:
        return _key_id(url)
    return _endpoint_id(url) if resource == ENDPOINT else resource


@pytest.mark.parametrize("case", CASES)
def test_one_misconfiguration_opens_exactly_the_findings_of_the_rules_that_judge_it(case: Case, document, url):
    deploy(document, url)
    case.mutate(url)
    audited = audit(url, case.selection)
    resource = _resolve(case.resource, url)
    assert audited.open() == {(case.rule, resource, "fail"), *case.also}
    assert [f.message for f in audited.findings if (f.rule_id, f.resource) == (case.rule, resource)] == [case.message]


def test_sse_s3_leaves_lake_2_not_applicable_for_s3_17_to_report(document, url):
    deploy(document, url)
    sse_s3_on_raw(url)
    lake_2 = [(f.status, f.message) for f in audit(url).findings if (f.rule_id, f.resource) == ("LAKE.2", RAW)]
    assert lake_2 == [(Status.NOT_APPLICABLE, "default encryption is AES256, not aws:kms (S3.17 reports it)")]
