"""LakeCatalog: the Glue Data Catalog of the lake, and a crawler per dataset.

One Glue database per zone (tables are named after the dataset prefixes the crawlers find), the
catalog encrypted with the lake key, and per dataset: a crawler with its own least-privilege role
and the lake's security configuration (S3, CloudWatch Logs and job-bookmark encryption with the
lake key). Datasets in event mode are crawled from S3 object-created notifications: S3 -> an
SQS queue (with a dead-letter queue) -> the crawler in CRAWL_EVENT_MODE, so only new objects are
read instead of whole prefixes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .documents.crawler_role import crawler_policy, glue_trust_policy
from .documents.queue_policy import notification_queue_policy
from .environment import AwsEnvironment
from .naming import crawler_role_name, event_queue_name, glue_database_name
from .resource_options import child_options
from .secure_bucket import SecureBucket
from .settings import DatasetSettings

TYPE_TOKEN = "datalake:catalog:LakeCatalog"
# A message a crawler failed to process five times goes to the dead-letter queue for inspection.
MAX_RECEIVE_COUNT = 5
# Schema changes update the catalog; deletions are only logged: a table never disappears because
# a prefix was emptied by mistake.
SCHEMA_CHANGE_POLICY = {"update_behavior": "UPDATE_IN_DATABASE", "delete_behavior": "LOG"}


def crawler_roles(
    parent: pulumi.Resource, lake: str, stack: str, datasets: tuple[DatasetSettings, ...],
    environment: AwsEnvironment, protect: bool, tags: dict[str, str],
) -> dict[str, aws.iam.Role]:
    """One role per crawler, created before the lake key: the key policy names them, and KMS
    refuses a policy naming a role that does not exist. Their permissions (which name the key)
    are attached afterwards, by LakeCatalog."""
    return {
        d.name: aws.iam.Role(
            f"crawler-{d.name}",
            name=crawler_role_name(lake, stack, d.name),
            description=f"Glue crawler of dataset {d.name} (zone {d.zone}, prefix {d.prefix})",
            assume_role_policy=environment.account_id.apply(lambda a: json.dumps(glue_trust_policy(a))),
            tags=tags,
            opts=child_options(parent, protect),
        )
        for d in datasets
    }


@dataclass(frozen=True)
class LakeCatalogArgs:
    lake: str
    stack: str
    zones: dict[str, SecureBucket]
    datasets: tuple[DatasetSettings, ...]
    roles: dict[str, aws.iam.Role]  # from crawler_roles(), by dataset name
    kms_key_arn: pulumi.Input[str]
    environment: AwsEnvironment
    protect: bool = False
    tags: dict[str, str] = field(default_factory=dict)


class LakeCatalog(pulumi.ComponentResource):
    databases: dict[str, aws.glue.CatalogDatabase]
    crawlers: dict[str, aws.glue.Crawler]

    def __init__(self, name: str, args: LakeCatalogArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self._encrypt_catalog()
        self._security_configuration = self._crawler_security_configuration()
        self.databases = {
            zone: aws.glue.CatalogDatabase(
                f"{name}-{zone}", name=glue_database_name(args.lake, args.stack, zone),
                description=f"Tables of the {zone} zone of the {args.lake} lake ({args.stack})",
                opts=child_options(self, args.protect),
            )
            for zone in args.zones
        }
        queues = {d.name: self._event_queue(d) for d in args.datasets if d.event_mode}
        self._notifications(queues)
        self.crawlers = {d.name: self._crawler(d, queues.get(d.name)) for d in args.datasets}
        self.register_outputs({"databases": {z: db.name for z, db in self.databases.items()}})

    def _child(self, **extra) -> pulumi.ResourceOptions:
        return child_options(self, self._args.protect, **extra)

    def _encrypt_catalog(self) -> None:
        # One setting per account and region: a stack that owns the catalog's encryption.
        key = self._args.kms_key_arn
        aws.glue.DataCatalogEncryptionSettings(
            f"{self._name}-encryption",
            data_catalog_encryption_settings={
                "encryption_at_rest": {"catalog_encryption_mode": "SSE-KMS", "sse_aws_kms_key_id": key},
                "connection_password_encryption": {"return_connection_password_encrypted": True,
                                                   "aws_kms_key_id": key},
            },
            opts=self._child(),
        )

    def _crawler_security_configuration(self) -> aws.glue.SecurityConfiguration:
        key = self._args.kms_key_arn
        return aws.glue.SecurityConfiguration(
            f"{self._name}-crawlers",
            name=f"{self._args.lake}-{self._args.stack}-crawlers",
            encryption_configuration={
                "s3_encryption": {"s3_encryption_mode": "SSE-KMS", "kms_key_arn": key},
                "cloudwatch_encryption": {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": key},
                "job_bookmarks_encryption": {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": key},
            },
            opts=self._child(),
        )

    def _event_queue(self, dataset: DatasetSettings) -> tuple[aws.sqs.Queue, aws.sqs.Queue]:
        """The queue S3 notifies, and its dead-letter queue (also Glue's for unprocessable events)."""
        args = self._args
        queue_name = event_queue_name(args.lake, args.stack, dataset.name)
        dead_letters = aws.sqs.Queue(
            f"{self._name}-{dataset.name}-dlq", name=f"{queue_name}-dlq", sqs_managed_sse_enabled=True,
            message_retention_seconds=14 * 24 * 3600, tags=args.tags, opts=self._child(),
        )
        queue = aws.sqs.Queue(
            f"{self._name}-{dataset.name}-events", name=queue_name, sqs_managed_sse_enabled=True,
            redrive_policy=dead_letters.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": MAX_RECEIVE_COUNT})),
            tags=args.tags, opts=self._child(),
        )
        bucket = args.zones[dataset.zone]
        aws.sqs.QueuePolicy(
            f"{self._name}-{dataset.name}-events",
            queue_url=queue.id,
            policy=pulumi.Output.all(queue.arn, bucket.arn, args.environment.account_id).apply(
                lambda v: json.dumps(notification_queue_policy(v[0], v[1], v[2]))),
            opts=self._child(),
        )
        return queue, dead_letters

    def _notifications(self, queues: dict[str, tuple[aws.sqs.Queue, aws.sqs.Queue]]) -> None:
        """One notification configuration per bucket (S3 keeps one), for all its event datasets."""
        by_zone: dict[str, list[DatasetSettings]] = {}
        for dataset in self._args.datasets:
            if dataset.event_mode:
                by_zone.setdefault(dataset.zone, []).append(dataset)
        for zone, datasets in by_zone.items():
            aws.s3.BucketNotification(
                f"{self._name}-{zone}-notifications",
                bucket=self._args.zones[zone].bucket.id,
                queues=[
                    {"queue_arn": queues[d.name][0].arn, "events": ["s3:ObjectCreated:*"], "filter_prefix": d.prefix}
                    for d in datasets
                ],
                # S3 checks that it may send to the queue when the configuration is written.
                opts=self._child(depends_on=[queues[d.name][0] for d in datasets]),
            )

    def _crawler(
        self, dataset: DatasetSettings, queues: tuple[aws.sqs.Queue, aws.sqs.Queue] | None
    ) -> aws.glue.Crawler:
        args, env = self._args, self._args.environment
        bucket = args.zones[dataset.zone]
        database = glue_database_name(args.lake, args.stack, dataset.zone)
        role = args.roles[dataset.name]
        queue_arns = [q.arn for q in queues] if queues is not None else []
        policy = pulumi.Output.all(env.partition, env.region, env.account_id, bucket.arn, args.kms_key_arn,
                                   *queue_arns).apply(
            lambda v: json.dumps(crawler_policy(v[0], v[1], v[2], v[3], dataset.prefix, v[4], database, tuple(v[5:]))))
        role_policy = aws.iam.RolePolicy(f"{self._name}-{dataset.name}", role=role.id, policy=policy,
                                         opts=self._child())
        target = {"path": bucket.bucket_name.apply(lambda b: f"s3://{b}/{dataset.prefix}")}
        if queues is not None:
            target["event_queue_arn"], target["dlq_event_queue_arn"] = queues[0].arn, queues[1].arn
        return aws.glue.Crawler(
            f"{self._name}-{dataset.name}",
            name=f"{args.lake}-{args.stack}-{dataset.name}",
            database_name=self.databases[dataset.zone].name,
            role=role.arn,
            s3_targets=[target],
            schedule=dataset.schedule,
            security_configuration=self._security_configuration.name,
            schema_change_policy=SCHEMA_CHANGE_POLICY,
            recrawl_policy={"recrawl_behavior": "CRAWL_EVENT_MODE" if queues is not None else "CRAWL_EVERYTHING"},
            tags=args.tags,
            # The role's permissions must exist before the crawler's first run.
            opts=self._child(depends_on=[role_policy]),
        )
