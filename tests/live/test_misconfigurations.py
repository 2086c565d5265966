"""One misconfiguration at a time, made with boto3 on the dev lake applied to moto (as a console
edit or another tool would make it): the live audit opens exactly the findings of the rules that
judge that setting, with their exact messages, and nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, iam_backends

from lake.sandbox.server import client
from policies.adapters.live import Selection
from policies.iam import as_list
from policies.rule import Status
from tests.live.support import ACCOUNT, LAKE_TAG, UNKNOWN_WITHOUT_PLAN, audit, deploy

# Each case deploys and audits a lake (about 3 s): the corpus runs in its own CI step, and
# `python -m tests.mutations` reports it in docs/assurance.md.
pytestmark = pytest.mark.corpus

RAW, CURATED = "mlteam-dev-raw", "mlteam-dev-curated"
BUCKETS = (CURATED, "mlteam-dev-logs", "mlteam-dev-processed", "mlteam-dev-query-results", RAW)
KEY_ALIAS = "alias/mlteam-dev"
CRAWLER, CRAWLER_ROLE = "mlteam-dev-images", "mlteam-dev-crawler-images"
WORKGROUP, EVENTS_QUEUE = "mlteam-dev", "mlteam-dev-annotations-events"
OTHER_ACCOUNT = "210987654321"
LOGS, FOREIGN_ADMIN = "mlteam-dev-logs", f"arn:aws:iam::{OTHER_ACCOUNT}:role/KeyAdmin"
UNPINNED = f"with no condition pinning the callers to the lake's account {ACCOUNT}"
# Findings on the lake key and the endpoint are named by ids moto draws at each deployment: the
# test looks them up in moto (not in the audit under test) and puts them in place of these.
LAKE_KEY, ENDPOINT = "<lake key id>", "<endpoint id>"
# Key ARNs in messages, drawn by moto too: the lake key's, and another key of the account.
LAKE_KEY_ARN, OTHER_KEY_ARN = "<lake key ARN>", "<other key ARN>"
OTHER_KEY_ALIAS = "alias/another-team"




# --- the misconfigurations -----------------------------------------------------------------------


def _edit_bucket_policy(url: str, edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
                        bucket: str = RAW) -> None:
    s3 = client("s3", url)
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({**policy, "Statement": edit(policy["Statement"])}))


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


def _add_lifecycle_rule(rule: dict[str, Any]) -> Callable[[str], None]:
    """The deployed rules plus ``rule``, enabled: S3 applies them all together to the objects they share."""
    def add(url: str) -> None:
        s3 = client("s3", url)
        rules = s3.get_bucket_lifecycle_configuration(Bucket=RAW)["Rules"]
        s3.put_bucket_lifecycle_configuration(
            Bucket=RAW, LifecycleConfiguration={"Rules": [*rules, {**rule, "Status": "Enabled"}]})
    return add


# Next to the deployed tiering of every object (STANDARD_IA at day 30, GLACIER_IR at day 90).
expire_everything_at_day_1 = _add_lifecycle_rule({"ID": "expire-after-a-day", "Filter": {"Prefix": ""},
                                                  "Expiration": {"Days": 1}})
late_images_tier = _add_lifecycle_rule({"ID": "late-images-tier", "Filter": {"Prefix": "images/"},
                                        "Transitions": [{"Days": 120, "StorageClass": "GLACIER_IR"}]})


def logging_off(url: str) -> None:
    client("s3", url).put_bucket_logging(Bucket=RAW, BucketLoggingStatus={})


def rotation_off(url: str) -> None:
    client("kms", url).disable_key_rotation(KeyId=_key_id(url))


def schedule_key_deletion(url: str) -> None:
    client("kms", url).schedule_key_deletion(KeyId=_key_id(url), PendingWindowInDays=30)


def disable_key(url: str) -> None:
    client("kms", url).disable_key(KeyId=_key_id(url))


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


def endpoint_every_bucket_for_the_account(url: str) -> None:
    """Limited to the lake's account, but on every bucket: stolen credentials copy data out."""
    statement = {"Sid": "AccountEverywhere", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}}
    client("ec2", url).modify_vpc_endpoint(VpcEndpointId=_endpoint_id(url), PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [statement]}))


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


def workgroup_results_in_a_zone_bucket(url: str) -> None:
    _recreate_workgroup(url, lambda c: c["ResultConfiguration"].update(OutputLocation=f"s3://{RAW}/athena/"))


def workgroup_results_in_another_accounts_bucket(url: str) -> None:
    _recreate_workgroup(url, lambda c: c["ResultConfiguration"].update(
        OutputLocation="s3://partner-analytics-results/athena/"))


def workgroup_results_under_another_key(url: str) -> None:
    """Another key of the account, rotated (so that KMS.4, which judges every key the lake uses,
    stays quiet): only the workgroup's choice of key is wrong."""
    kms = client("kms", url)
    key_id = kms.create_key(Description="another team's key")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id)
    kms.create_alias(AliasName=OTHER_KEY_ALIAS, TargetKeyId=key_id)
    _recreate_workgroup(url, lambda c: c["ResultConfiguration"]["EncryptionConfiguration"].update(
        KmsKey=_key_arn(url, OTHER_KEY_ALIAS)))


def _set_queue_attribute(url: str, name: str, value: str) -> None:
    sqs = client("sqs", url)
    sqs.set_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName=EVENTS_QUEUE)["QueueUrl"], Attributes={name: value})


def queue_open_to_anyone(url: str) -> None:
    statement = {"Sid": "AnyoneSends", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                 "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{EVENTS_QUEUE}"}
    _set_queue_attribute(url, "Policy", json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


def queue_sse_off(url: str) -> None:
    _set_queue_attribute(url, "SqsManagedSseEnabled", "false")


def _drop_condition(statement: dict[str, Any], sid: str, operator: str) -> dict[str, Any]:
    if statement.get("Sid") != sid:
        return statement
    return {**statement, "Condition": {k: v for k, v in statement["Condition"].items() if k != operator}}


def queue_s3_without_source_account(url: str) -> None:
    """S3 may send the events of a bucket of that name, whichever account owns the name."""
    sqs = client("sqs", url)
    queue_url = sqs.get_queue_url(QueueName=EVENTS_QUEUE)["QueueUrl"]
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    policy["Statement"] = [_drop_condition(s, "AllowS3EventNotifications", "StringEquals") for s in policy["Statement"]]
    _set_queue_attribute(url, "Policy", json.dumps(policy))


def log_delivery_without_source_arn(url: str) -> None:
    """Access-log delivery may write for any bucket of the account, not only the lake's."""
    _edit_bucket_policy(url, lambda statements: [
        _drop_condition(s, "AllowS3ServerAccessLogDelivery", "ArnLike") for s in statements], bucket=LOGS)


def foreign_key_administrator(url: str) -> None:
    """A role of another account beside the lake's administrator. DenyUseByOtherAccounts still
    denies it every cryptographic action, not the administration the key policy grants it."""
    kms, key_id = client("kms", url), _key_id(url)
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    admin = next(s for s in policy["Statement"] if s["Sid"] == "AllowKeyAdministration")
    admin["Principal"]["AWS"] = [*as_list(admin["Principal"]["AWS"]), FOREIGN_ADMIN]
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))


def crawler_role_on_every_bucket(url: str) -> None:
    statement = {"Sid": "EveryBucket", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    client("iam", url).put_role_policy(RoleName=CRAWLER_ROLE, PolicyName="console-added",
                                       PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


def glue_service_role_attached(url: str) -> None:
    """moto 5.2.5 knows AWS managed policies only when MOTO_IAM_LOAD_MANAGED_POLICIES is set as its
    IAM backend is created (its /moto-api/config cannot set it, and loading all of them slows every
    deployment): the test adds moto's own copy of AWSGlueServiceRole to the in-process backend,
    then attaches it as a console user would. The audit reads its document live (GetPolicyVersion)."""
    data = json.loads(aws_managed_policies_data)["AWSGlueServiceRole"]
    policy = AWSManagedPolicy.from_data("AWSGlueServiceRole", ACCOUNT, "aws", data)
    iam_backends[ACCOUNT]["aws"].managed_policies[policy.arn] = policy
    client("iam", url).attach_role_policy(RoleName=CRAWLER_ROLE, PolicyArn=policy.arn)


def _set_trust_policy(statement: dict[str, Any]) -> Callable[[str], None]:
    def mutate(url: str) -> None:
        document = {"Version": "2012-10-17", "Statement": [statement]}
        client("iam", url).update_assume_role_policy(RoleName=CRAWLER_ROLE, PolicyDocument=json.dumps(document))
    return mutate


trust_other_account = _set_trust_policy({"Sid": "Partner", "Effect": "Allow", "Action": "sts:AssumeRole",
                                         "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}})
trust_glue_of_any_account = _set_trust_policy({"Sid": "AllowGlueToAssumeRole", "Effect": "Allow",
                                               "Principal": {"Service": "glue.amazonaws.com"},
                                               "Action": "sts:AssumeRole"})


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


def delete_flow_log(url: str) -> None:
    ec2 = client("ec2", url)
    (flow_log,) = ec2.describe_flow_logs()["FlowLogs"]
    ec2.delete_flow_logs(FlowLogIds=[flow_log["FlowLogId"]])


def _key_id(url: str) -> str:
    return client("kms", url).describe_key(KeyId=KEY_ALIAS)["KeyMetadata"]["KeyId"]


def _key_arn(url: str, alias: str) -> str:
    return client("kms", url).describe_key(KeyId=alias)["KeyMetadata"]["Arn"]


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
BEYOND = f"role {CRAWLER_ROLE} reaches beyond its purpose (crawler of s3://{RAW}/images/): "
ADMINISTRATION = "s3:PutBucketPolicy and every other bucket administration action"
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
    case("lifecycle-expires-everything-first", expire_everything_at_day_1, "S3.13", RAW,
         "rule tier-current-objects never moves objects to STANDARD_IA at day 30: rule expire-after-a-day expires "
         "every one of them at day 1; rule tier-current-objects never moves objects to GLACIER_IR at day 90: rule "
         "expire-after-a-day expires every one of them at day 1"),
    case("lifecycle-dead-transition", late_images_tier, "S3.13", RAW,
         "rule late-images-tier never moves objects under images/ to GLACIER_IR at day 120: they are in GLACIER_IR "
         "from day 90 (rule tier-current-objects)"),
    case("access-logging-off", logging_off, "S3.9", RAW, "server access logging is not configured"),
    case("key-rotation-off", rotation_off, "KMS.4", LAKE_KEY, "automatic key rotation is disabled; it must be enabled"),
    # Nothing else follows in moto, which keeps the rotation status of a key pending deletion. AWS
    # answers KeyRotationEnabled false for such a key (GetKeyRotationStatus documentation), so
    # against AWS KMS.4 would fail as well, rightly: KMS does not rotate a key pending deletion.
    case("key-pending-deletion", schedule_key_deletion, "KMS.3", LAKE_KEY, "the key is pending deletion"),
    case("key-policy-public-allow", public_key_policy, "KMS.5", LAKE_KEY,
         "statement AnyoneDecrypts allows any principal, with no condition restricting the callers"),
    case("endpoint-policy-open", open_endpoint_policy, "LAKE.5", ENDPOINT,
         f"statement #1 (no Sid) allows any principal without a StringEquals aws:PrincipalAccount condition equal "
         f"to the lake's account {ACCOUNT} and allows every bucket (*)",
         also=(("LAKE.12", ENDPOINT, "fail"),)),  # anyone, unpinned: other accounts' principals too
    case("crawler-without-security-configuration", crawler_without_security_configuration, "LAKE.6", CRAWLER,
         "the crawler has no security configuration: S3 data, CloudWatch logs and job bookmarks are not encrypted "
         "with KMS"),
    case("catalog-encryption-disabled", catalog_encryption_disabled, "LAKE.7", "data-catalog",
         "catalog encryption is DISABLED, must be SSE-KMS"),
    case("workgroup-not-enforced", workgroup_not_enforced, "LAKE.8", WORKGROUP,
         "the workgroup does not enforce its configuration: clients may send results elsewhere, unencrypted"),
    case("workgroup-sse-s3-results", workgroup_sse_s3_results, "LAKE.8", WORKGROUP,
         "query results are encrypted with SSE_S3, must be SSE_KMS or CSE_KMS"),
    # The queue's policy is replaced by AnyoneSends alone: no service statement is left for LAKE.13.
    case("queue-open-to-anyone", queue_open_to_anyone, "LAKE.12", EVENTS_QUEUE,
         f'statement AnyoneSends allows sqs:SendMessage to any principal ("*"), {UNPINNED}'),
    case("queue-sse-off", queue_sse_off, "LAKE.9", EVENTS_QUEUE,
         "the queue is not encrypted: neither SQS-managed SSE nor a KMS key"),
    # Writes to the KMS-encrypted buckets stay out of reach: the lake key refuses the role data keys.
    case("crawler-role-s3-on-every-bucket", crawler_role_on_every_bucket, "LAKE.10", CRAWLER_ROLE,
         f"{BEYOND}s3:GetObject, s3:DeleteObject, s3:DeleteObjectVersion, s3:ListBucket on {CURATED}/*; "
         f"s3:GetBucketLocation, {ADMINISTRATION} on {CURATED}; s3:GetObject, s3:PutObject, s3:DeleteObject, "
         f"s3:DeleteObjectVersion, s3:ListBucket on mlteam-dev-logs/*; s3:GetBucketLocation, {ADMINISTRATION} on "
         "mlteam-dev-logs; s3:GetObject, s3:DeleteObject, s3:DeleteObjectVersion, s3:ListBucket on "
         f"mlteam-dev-processed/*; s3:GetBucketLocation, {ADMINISTRATION} on mlteam-dev-processed; and 5 more places"),
    case("aws-glue-service-role-attached", glue_service_role_attached, "LAKE.10", CRAWLER_ROLE,
         f"{BEYOND}s3:ListBucket on {CURATED}/*; s3:GetBucketLocation on {CURATED}; s3:ListBucket on "
         "mlteam-dev-logs/*; s3:GetBucketLocation on mlteam-dev-logs; s3:ListBucket on mlteam-dev-processed/*; "
         "s3:GetBucketLocation on mlteam-dev-processed; and 3 more places"),
    case("trust-policy-opened-to-another-account", trust_other_account, "LAKE.14", CRAWLER_ROLE,
         f"statement Partner lets account {OTHER_ACCOUNT} (arn:aws:iam::{OTHER_ACCOUNT}:root) assume the role"),
    case("trust-policy-without-source-account", trust_glue_of_any_account, "LAKE.14", CRAWLER_ROLE,
         "statement AllowGlueToAssumeRole lets glue.amazonaws.com assume it with no aws:SourceAccount condition"),
    case("public-read-statement", add_public_read, "S3.2", RAW,
         "statement PublicRead allows s3:GetObject to anyone (any principal, no condition restricting the callers)",
         also=(("LAKE.12", RAW, "fail"),)),
    case("other-account-may-change-the-policy", add_cross_account_policy_change, "S3.6", RAW,
         f"statement PartnerManagesPolicy allows s3:PutBucketPolicy to account {OTHER_ACCOUNT}, not the lake's "
         f"account {ACCOUNT}", also=(("LAKE.12", RAW, "fail"),)),
    # Chosen by name, the deleted bucket is still asked for: a LAKE.11 finding names it, where a
    # crash or a silently shorter audit would hide it.
    # The logs bucket's policy still lets log delivery write for curated: whether that name is still
    # the lake's is open, so LAKE.13 reports it unknown. The endpoint's policy still names curated too:
    # no longer a lake bucket, and without the plan's allowlist LAKE.5 cannot tell whether it is listed.
    case("bucket-deleted", delete_curated, "LAKE.11", CURATED,
         "could not verify bucket: GetBucketTagging failed with NoSuchBucket: the bucket does not exist",
         also=(("LAKE.13", LOGS, "unknown"), ("LAKE.5", ENDPOINT, "unknown")), selection=Selection(names=BUCKETS)),
    case("key-disabled", disable_key, "KMS.3", LAKE_KEY, "the key is disabled: nothing encrypted under it can be read"),
    case("endpoint-every-bucket-for-the-account", endpoint_every_bucket_for_the_account, "LAKE.5", ENDPOINT,
         "statement AccountEverywhere allows every bucket (*)"),
    case("workgroup-results-in-a-zone-bucket", workgroup_results_in_a_zone_bucket, "LAKE.8", WORKGROUP,
         f"query results go to s3://{RAW}/athena/, the lake's raw bucket, not its query-results bucket: results "
         "are not data"),
    # Found by its name (the lake's namespace), though it no longer writes to a lake bucket.
    case("workgroup-results-in-another-accounts-bucket", workgroup_results_in_another_accounts_bucket, "LAKE.8",
         WORKGROUP, "query results go to s3://partner-analytics-results/athena/, outside the lake's query-results "
         "bucket mlteam-dev-query-results"),
    case("workgroup-results-under-another-key", workgroup_results_under_another_key, "LAKE.8", WORKGROUP,
         f"query results are encrypted with {OTHER_KEY_ARN}, not the lake key {LAKE_KEY_ARN}"),
    case("flow-log-deleted", delete_flow_log, "EC2.6", "network-vpc",
         "the VPC has no flow log: its traffic is recorded nowhere"),
    # A live audit takes the administrators from AllowKeyAdministration, so the foreign role counts as
    # one, and LAKE.15 rightly finds that no bucket policy lets it (another account's role) change it.
    case("foreign-key-administrator", foreign_key_administrator, "LAKE.12", LAKE_KEY,
         "statement AllowKeyAdministration allows kms:CancelKeyDeletion, kms:CreateAlias, kms:DeleteAlias, "
         f"kms:DescribeKey, kms:DisableKey and 17 more to {FOREIGN_ADMIN}, outside the lake's account {ACCOUNT}"),
    case("log-delivery-without-source-arn", log_delivery_without_source_arn, "LAKE.13", LOGS,
         "statement AllowS3ServerAccessLogDelivery allows the service logging.s3.amazonaws.com with no limit to the "
         "lake's own sources: no aws:SourceArn condition"),
    case("queue-s3-without-source-account", queue_s3_without_source_account, "LAKE.13", EVENTS_QUEUE,
         "statement AllowS3EventNotifications allows the service s3.amazonaws.com with no limit to the lake's own "
         "sources: no aws:SourceAccount condition"),
]


def _resolve(resource: str, url: str) -> str:
    if resource == LAKE_KEY:
        return _key_id(url)
    return _endpoint_id(url) if resource == ENDPOINT else resource


def _resolve_message(message: str, url: str) -> str:
    for placeholder, alias in ((LAKE_KEY_ARN, KEY_ALIAS), (OTHER_KEY_ARN, OTHER_KEY_ALIAS)):
        if placeholder in message:
            message = message.replace(placeholder, _key_arn(url, alias))
    return message


@pytest.mark.parametrize("case", CASES)
def test_one_misconfiguration_opens_exactly_the_findings_of_the_rules_that_judge_it(case: Case, document, url):
    deploy(document, url)
    case.mutate(url)
    audited = audit(url, case.selection)
    resource = _resolve(case.resource, url)
    # Without the plan, the dev consumers' grants stay unknown whatever the edit (tests/live/support.py).
    assert audited.open() == {(case.rule, resource, "fail"), *((r, _resolve(on, url), s) for r, on, s in case.also),
                              *UNKNOWN_WITHOUT_PLAN}
    assert [f.message for f in audited.findings if (f.rule_id, f.resource) == (case.rule, resource)] == [
        _resolve_message(case.message, url)]


def test_sse_s3_leaves_lake_2_not_applicable_for_s3_17_to_report(document, url):
    deploy(document, url)
    sse_s3_on_raw(url)
    lake_2 = [(f.status, f.message) for f in audit(url).findings if (f.rule_id, f.resource) == ("LAKE.2", RAW)]
    assert lake_2 == [(Status.NOT_APPLICABLE, "default encryption is AES256, not aws:kms (S3.17 reports it)")]
