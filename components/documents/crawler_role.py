"""The role of a Glue crawler: its trust policy and its least-privilege permissions.

In place of the AWS managed policy AWSGlueServiceRole (``glue:*`` and S3 listing on every
resource), each crawler gets what crawling one prefix into one database needs:

- locate its bucket and read its prefix, with the KMS half of the grant (``grants.read_prefix``;
  AWSGlueServiceRole grants s3:GetBucketLocation too, on every bucket);
- read and write the tables of its database, and use the lake key through Glue: the lake
  encrypts its Data Catalog with that key, and every client of an encrypted catalog, crawlers
  included, needs kms:Decrypt, kms:Encrypt and kms:GenerateDataKey on it
  (https://docs.aws.amazon.com/glue/latest/dg/set-up-encryption.html);
- write its CloudWatch logs, and associate the lake key with its log group: the crawler's
  security configuration encrypts its logs, and Glue attaches the key as the crawler's role;
- in event mode, consume its S3 event queue.

No table or partition deletion: the lake's crawlers only log deletions (``DeleteBehavior: LOG``).
"""

from __future__ import annotations

from .arns import CRAWLER_LOG_GROUPS, log_group_arn
from .grants import read_prefix, via_service
from .statements import PolicyDocument, Statement, policy_document, service_may_assume

GLUE_SERVICE = "glue.amazonaws.com"

# What a crawler calls on the catalog to find, create and update tables and partitions.
CATALOG_ACTIONS = (
    "glue:BatchCreatePartition",
    "glue:BatchGetPartition",
    "glue:BatchUpdatePartition",
    "glue:CreatePartition",
    "glue:CreateTable",
    "glue:GetDatabase",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:GetTable",
    "glue:GetTables",
    "glue:UpdatePartition",
    "glue:UpdateTable",
)
# Use of the key by the Glue Data Catalog, which encrypts tables and partitions with it.
CATALOG_KEY_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")
LOG_ACTIONS = ("logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
# The list AWS Glue documents for the crawler role in event mode (CRAWL_EVENT_MODE):
# https://docs.aws.amazon.com/glue/latest/dg/crawler-s3-event-notifications.html
EVENT_QUEUE_ACTIONS = (
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ListDeadLetterSourceQueues",
    "sqs:ListQueueTags",
    "sqs:PurgeQueue",
    "sqs:ReceiveMessage",
    "sqs:SetQueueAttributes",
)


def glue_trust_policy(account_id: str) -> PolicyDocument:
    """Glue may assume the role, for the lake's account only (``aws:SourceAccount``: the
    confused-deputy protection for a service principal)."""
    return policy_document([service_may_assume("AllowGlueToAssumeRole", GLUE_SERVICE, account_id)])


def catalog_arns(partition: str, region: str, account_id: str, database: str) -> list[str]:
    """The catalog, one database, and its tables: Glue checks all three for table calls."""
    prefix = f"arn:{partition}:glue:{region}:{account_id}"
    return [f"{prefix}:catalog", f"{prefix}:database/{database}", f"{prefix}:table/{database}/*"]


def update_catalog(partition: str, region: str, account_id: str, database: str) -> Statement:
    return {"Sid": "UpdateCatalogTables", "Effect": "Allow", "Action": list(CATALOG_ACTIONS),
            "Resource": catalog_arns(partition, region, account_id, database)}


def use_key_through_glue(key_arn: str, region: str) -> Statement:
    """The catalog's half of the key: allowed by the key policy only if it lists Glue among its
    ``via_services``."""
    return {"Sid": "UseLakeKeyThroughGlue", "Effect": "Allow", "Action": list(CATALOG_KEY_ACTIONS),
            "Resource": key_arn, "Condition": via_service("glue", region)}


def read_security_configuration() -> Statement:
    """The crawler's security configuration names the keys of its logs. The action has no
    resource-level permission, hence ``*``; it returns names and key ARNs, no data."""
    return {"Sid": "ReadSecurityConfiguration", "Effect": "Allow", "Action": "glue:GetSecurityConfiguration",
            "Resource": "*"}


def write_crawler_logs(partition: str, region: str, account_id: str) -> Statement:
    return {"Sid": "WriteCrawlerLogs", "Effect": "Allow", "Action": list(LOG_ACTIONS),
            "Resource": log_group_arn(partition, region, account_id, CRAWLER_LOG_GROUPS)}


def consume_event_queues(queue_arns: tuple[str, ...]) -> Statement:
    return {"Sid": "ConsumeS3EventQueues", "Effect": "Allow", "Action": list(EVENT_QUEUE_ACTIONS),
            "Resource": sorted(queue_arns)}


def crawler_policy(
    partition: str,
    region: str,
    account_id: str,
    bucket_arn: str,
    prefix: str,
    key_arn: str,
    database: str,
    queue_arns: tuple[str, ...] = (),
) -> PolicyDocument:
    """Everything the crawler of ``prefix`` (in ``bucket_arn``, cataloguing into ``database``)
    needs; ``queue_arns``: its S3 event queues in event mode, none otherwise."""
    statements = [
        *read_prefix(bucket_arn, prefix, key_arn, region),
        update_catalog(partition, region, account_id, database),
        use_key_through_glue(key_arn, region),
        read_security_configuration(),
        write_crawler_logs(partition, region, account_id),
    ]
    if queue_arns:
        statements.append(consume_event_queues(queue_arns))
    return policy_document(statements)
