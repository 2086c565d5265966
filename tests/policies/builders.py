"""Hand-built lake models for rule tests: compliant by default, broken one field at a time.

The compliant values are those the program generates for the dev stack, so a rule that fails a
compliant builder would also fail the real lake.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.crawler_role import crawler_policy, glue_trust_policy
from components.documents.endpoint_policy import lake_endpoint_policy
from components.documents.key_policy import lake_key_policy
from components.documents.logs_bucket_policy import allow_access_log_delivery
from components.documents.queue_policy import notification_queue_policy
from policies.model import (
    Bucket,
    CatalogEncryption,
    Crawler,
    Encryption,
    FlowLog,
    GlueSecurityConfiguration,
    IamPolicy,
    Key,
    Lake,
    Lifecycle,
    LifecycleRule,
    Logging,
    PublicAccessBlock,
    Queue,
    Role,
    Transition,
    Vpc,
    VpcEndpoint,
    Workgroup,
)

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "999999999999"
REGION = "us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/LakeAdmin"
LOGS = "ml-dev-logs"
RAW = "ml-dev-raw"
DATABASE = "ml_dev_raw"
SECURITY_CONFIGURATION = "ml-dev-crawlers"
# The dev stack's datasets: images crawled on a schedule, annotations from S3 events.
SCHEDULED, EVENTS = "images", "annotations"


def arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def lifecycle() -> Lifecycle:
    return Lifecycle(
        rules=(
            LifecycleRule("tier-current-objects", True, transitions=(
                Transition(30, "STANDARD_IA"), Transition(90, "GLACIER_IR"))),
            LifecycleRule("expire-noncurrent-versions", True, noncurrent_transitions=(
                Transition(30, "STANDARD_IA"),), noncurrent_expiration_days=90),
            LifecycleRule("abort-incomplete-multipart-uploads", True, abort_incomplete_multipart_upload_days=7),
            LifecycleRule("remove-expired-delete-markers", True, expired_object_delete_marker=True),
        ),
        minimum_object_size="all_storage_classes_128K",
    )


def zone_bucket(zone: str = "raw", **changes: Any) -> Bucket:
    name = f"ml-dev-{zone}"
    bucket = Bucket(
        name=name,
        ref=f"urn:pulumi:dev::datalake::datalake:storage:SecureBucket$aws:s3/bucket:Bucket::{zone}-bucket",
        arn=arn(name),
        tags={"lake": "ml", "stack": "dev", "zone": zone, "production": "false"},
        versioning="Enabled",
        encryption=Encryption("aws:kms", KEY_ARN, True, ("SSE-C",)),
        public_access_block=PublicAccessBlock(True, True, True, True),
        ownership="BucketOwnerEnforced",
        policy=secure_bucket_policy(arn(name), KEY_ARN),
        lifecycle=lifecycle(),
        logging=Logging(LOGS, "access-logs/"),
        force_destroy=False,
        protect=False,
        retain_on_delete=False,
    )
    return replace(bucket, **changes)


def logs_bucket(**changes: Any) -> Bucket:
    delivery = allow_access_log_delivery(arn(LOGS), "access-logs/", [arn("ml-dev-raw")], ACCOUNT)
    bucket = replace(
        zone_bucket("logs"),
        encryption=Encryption("AES256", None, None, ("SSE-C",)),
        policy=secure_bucket_policy(arn(LOGS), None, extra_statements=(delivery,)),
        logging=None,
        lifecycle=Lifecycle(rules=(
            LifecycleRule("tier-current-objects", True, expiration_days=365),
            LifecycleRule("expire-noncurrent-versions", True, noncurrent_expiration_days=30),
            LifecycleRule("abort-incomplete-multipart-uploads", True, abort_incomplete_multipart_upload_days=7),
            LifecycleRule("remove-expired-delete-markers", True, expired_object_delete_marker=True),
        ), minimum_object_size="all_storage_classes_128K"),
    )
    return replace(bucket, **changes)


def lake_key(**changes: Any) -> Key:
    key = Key(
        name="lake-key-key",
        ref="urn:pulumi:dev::datalake::datalake:storage:LakeKey$aws:kms/key:Key::lake-key-key",
        arn=KEY_ARN,
        tags={"lake": "ml", "stack": "dev", "production": "false"},
        rotation_enabled=True,
        deletion_window_days=30,
        policy=lake_key_policy("aws", ACCOUNT, REGION, [ADMIN]),
        pending_deletion=False,
        protect=False,
        retain_on_delete=False,
    )
    return replace(key, **changes)


def urn(type_: str, name: str, component: str = "datalake:catalog:LakeCatalog") -> str:
    return f"urn:pulumi:dev::datalake::{component}${type_}::{name}"


def endpoint(**changes: Any) -> VpcEndpoint:
    """The lake's S3 gateway endpoint: the account, on the lake's buckets only."""
    return replace(VpcEndpoint(
        name="network-s3-endpoint",
        ref=urn("aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3-endpoint", "datalake:network:LakeNetwork"),
        service_name=f"com.amazonaws.{REGION}.s3",
        endpoint_type="Gateway",
        policy=lake_endpoint_policy([arn(RAW), arn(LOGS)], ACCOUNT),
        endpoint_id="vpce-0123456789abcdef0",
    ), **changes)


VPC_ID = "vpc-0123456789abcdef0"


def flow_log(**changes: Any) -> FlowLog:
    """The created VPC's flow log: every flow, into the logs bucket, as LakeNetwork declares it."""
    return replace(FlowLog(
        name="network-flow-log",
        ref=urn("aws:ec2/flowLog:FlowLog", "network-flow-log", "datalake:network:LakeNetwork"),
        traffic_type="ALL",
        destination_type="s3",
        destination=f"{arn(LOGS)}/vpc-flow-logs/",
        max_aggregation_interval=60,
        file_format="parquet",
        hive_compatible_partitions=True,
        per_hour_partition=True,
    ), **changes)


def vpc(**changes: Any) -> Vpc:
    """The VPC the lake creates, with its flow log."""
    return replace(Vpc(
        name="network-vpc",
        ref=urn("aws:ec2/vpc:Vpc", "network-vpc", "datalake:network:LakeNetwork"),
        vpc_id=VPC_ID,
        created_by_lake=True,
        flow_logs=(flow_log(),),
        tags={"lake": "ml", "stack": "dev", "production": "false", "Name": "network-vpc"},
    ), **changes)


def security_configuration(**changes: Any) -> GlueSecurityConfiguration:
    return replace(GlueSecurityConfiguration(
        name=SECURITY_CONFIGURATION,
        ref=urn("aws:glue/securityConfiguration:SecurityConfiguration", "catalog-crawlers"),
        s3_mode="SSE-KMS",
        cloudwatch_mode="SSE-KMS",
        job_bookmarks_mode="CSE-KMS",
        key_arns=(KEY_ARN, KEY_ARN, KEY_ARN),
    ), **changes)


def catalog_encryption(**changes: Any) -> CatalogEncryption:
    return replace(CatalogEncryption(
        ref=urn("aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings", "catalog-encryption"),
        mode="SSE-KMS",
        key_arn=KEY_ARN,
        password_encrypted=True,
        password_key_arn=KEY_ARN,
    ), **changes)


def workgroup(**changes: Any) -> Workgroup:
    return replace(Workgroup(
        name="ml-dev",
        ref=urn("aws:athena/workgroup:Workgroup", "query", "datalake:query:QueryWorkgroup"),
        enforced=True,
        cutoff=10 * 1024**3,
        output_location="s3://ml-dev-query-results/results/",
        encryption_option="SSE_KMS",
        kms_key_arn=KEY_ARN,
    ), **changes)


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def event_queue(dataset: str = EVENTS, **changes: Any) -> Queue:
    """The S3 event queue of an event-mode dataset: the raw bucket may send, with a DLQ."""
    name = f"ml-dev-{dataset}-events"
    return replace(Queue(
        name=name,
        ref=urn("aws:sqs/queue:Queue", f"catalog-{dataset}-events"),
        arn=queue_arn(name),
        encrypted=True,
        policy=notification_queue_policy(queue_arn(name), arn(RAW), ACCOUNT),
        has_dead_letter_queue=True,
    ), **changes)


def dead_letter_queue(dataset: str = EVENTS, **changes: Any) -> Queue:
    name = f"ml-dev-{dataset}-events-dlq"
    return replace(Queue(
        name=name, ref=urn("aws:sqs/queue:Queue", f"catalog-{dataset}-dlq"), arn=queue_arn(name), encrypted=True,
        has_dead_letter_queue=False,
    ), **changes)


def _event_queue_arns(dataset: str) -> tuple[str, ...]:
    return (event_queue(dataset).arn,) if dataset == EVENTS else ()


def crawler(dataset: str = SCHEDULED, **changes: Any) -> Crawler:
    return replace(Crawler(
        name=f"ml-dev-{dataset}",
        ref=urn("aws:glue/crawler:Crawler", f"catalog-{dataset}"),
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/ml-dev-crawler-{dataset}",
        database=DATABASE,
        s3_paths=(f"s3://{RAW}/{dataset}/",),
        security_configuration=SECURITY_CONFIGURATION,
        event_queue_arns=_event_queue_arns(dataset),
        recrawl_behavior="CRAWL_EVENT_MODE" if dataset == EVENTS else "CRAWL_EVERYTHING",
    ), **changes)


def crawler_role_policy(dataset: str = SCHEDULED) -> dict[str, Any]:
    queues = _event_queue_arns(dataset)
    return crawler_policy("aws", REGION, ACCOUNT, arn(RAW), f"{dataset}/", KEY_ARN, DATABASE, queues)


def crawler_role(dataset: str = SCHEDULED, **changes: Any) -> Role:
    name = f"ml-dev-crawler-{dataset}"
    return replace(Role(
        name=name,
        ref=urn("aws:iam/role:Role", f"crawler-{dataset}", "datalake:storage:DataLake"),
        arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
        trust_policy=glue_trust_policy(ACCOUNT),
        policies=(crawler_role_policy(dataset),),
    ), **changes)


def crawler_inline_policies() -> tuple[IamPolicy, ...]:
    """The crawler roles' policies as the adapters also file them (``Lake.iam_policies``, KMS.2);
    not in ``lake()``, where KMS.2 tests start from no inline policy."""
    return tuple(
        IamPolicy(f"crawler-{d}", urn("aws:iam/rolePolicy:RolePolicy", f"crawler-{d}", "datalake:storage:DataLake"),
                  crawler_role_policy(d), "inline")
        for d in (SCHEDULED, EVENTS)
    )


def lake(buckets: tuple[Bucket, ...] | None = None, keys: tuple[Key, ...] | None = None, **changes: Any) -> Lake:
    model = Lake(
        source="plan",
        account_id=ACCOUNT,
        region=REGION,
        partition="aws",
        production=False,
        administrators=(ADMIN,),
        buckets=(zone_bucket("raw"), logs_bucket()) if buckets is None else buckets,
        keys=(lake_key(),) if keys is None else keys,
        perimeter=False,
        endpoints=(endpoint(),),
        crawlers=(crawler(SCHEDULED), crawler(EVENTS)),
        security_configurations=(security_configuration(),),
        catalog_encryption=catalog_encryption(),
        workgroups=(workgroup(),),
        queues=(event_queue(), dead_letter_queue()),
        roles=(crawler_role(SCHEDULED), crawler_role(EVENTS)),
        vpcs=(vpc(),),
    )
    return replace(model, **changes)


def statuses(findings) -> dict[str, tuple[str, str]]:
    """``{resource: (status, message)}`` for exact assertions."""
    return {f.resource: (f.status.value, f.message) for f in findings}


@lru_cache(maxsize=1)
def recorded_lakes() -> dict[str, Lake]:
    """The unmutated dev and prod stacks, as their recorded plans model them."""
    from policies.adapters.plan import lake_from_plan
    from tests.mutations.run import recorded_plan

    return {stack: lake_from_plan(recorded_plan(stack)) for stack in ("dev", "prod")}


def recorded_statuses(rule) -> dict[str, set[str]]:
    """``{stack: the statuses the rule gives on it}`` for the recorded dev and prod plans."""
    return {name: {f.status.value for f in rule.check(model)} for name, model in recorded_lakes().items()}
