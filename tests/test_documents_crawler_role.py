"""The Glue crawler role: trusted by Glue for the account, and least privilege, statement by
statement."""

import pytest

from components.documents.crawler_role import crawler_policy, glue_trust_policy
from tests.support import statement

ACCOUNT = "123456789012"
BUCKET = "arn:aws:s3:::mlteam-prod-raw"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111-2222"
QUEUE = "arn:aws:sqs:eu-west-1:123456789012:mlteam-prod-images-events"
GLUE = "arn:aws:glue:eu-west-1:123456789012"


def policy(queues: tuple[str, ...] = ()) -> dict:
    return crawler_policy("aws", "eu-west-1", ACCOUNT, BUCKET, "images/", KEY, "mlteam_prod_raw", queues)


def test_glue_assumes_the_role_for_the_account_only():
    assert glue_trust_policy(ACCOUNT) == {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowGlueToAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "glue.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }],
    }


def test_statements_in_order_and_the_queue_only_in_event_mode():
    crawl = ["LocateBucket", "ListPrefix", "ReadPrefixObjects", "DecryptLakeObjects", "UpdateCatalogTables",
             "UseLakeKeyThroughGlue", "ReadSecurityConfiguration", "WriteCrawlerLogs"]
    assert [s["Sid"] for s in policy()["Statement"]] == crawl
    assert [s["Sid"] for s in policy((QUEUE,))["Statement"]] == [*crawl, "ConsumeS3EventQueues"]


def test_reads_its_prefix_only():
    doc = policy()
    assert statement(doc, "ListPrefix")["Condition"] == {"StringLike": {"s3:prefix": "images/*"}}
    assert statement(doc, "ReadPrefixObjects")["Resource"] == f"{BUCKET}/images/*"
    assert statement(doc, "DecryptLakeObjects")["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
    }


def test_reads_and_writes_the_tables_of_its_database_but_deletes_nothing():
    assert statement(policy(), "UpdateCatalogTables") == {
        "Sid": "UpdateCatalogTables",
        "Effect": "Allow",
        "Action": [
            "glue:BatchCreatePartition", "glue:BatchGetPartition", "glue:BatchUpdatePartition",
            "glue:CreatePartition", "glue:CreateTable", "glue:GetDatabase", "glue:GetPartition",
            "glue:GetPartitions", "glue:GetTable", "glue:GetTables", "glue:UpdatePartition", "glue:UpdateTable",
        ],
        "Resource": [f"{GLUE}:catalog", f"{GLUE}:database/mlteam_prod_raw", f"{GLUE}:table/mlteam_prod_raw/*"],
    }


def test_uses_the_key_through_glue_for_the_encrypted_catalog():
    assert statement(policy(), "UseLakeKeyThroughGlue") == {
        "Sid": "UseLakeKeyThroughGlue",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
        "Resource": KEY,
        "Condition": {"StringEquals": {"kms:ViaService": "glue.eu-west-1.amazonaws.com"}},
    }


def test_reads_security_configurations_which_have_no_resource_level_permission():
    assert statement(policy(), "ReadSecurityConfiguration") == {
        "Sid": "ReadSecurityConfiguration",
        "Effect": "Allow",
        "Action": "glue:GetSecurityConfiguration",
        "Resource": "*",
    }


def test_writes_and_encrypts_crawler_logs_only():
    assert statement(policy(), "WriteCrawlerLogs") == {
        "Sid": "WriteCrawlerLogs",
        "Effect": "Allow",
        "Action": ["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "arn:aws:logs:eu-west-1:123456789012:log-group:/aws-glue/crawlers*",
    }


def test_consumes_its_event_queues_with_the_actions_glue_documents():
    assert statement(policy((QUEUE,)), "ConsumeS3EventQueues") == {
        "Sid": "ConsumeS3EventQueues",
        "Effect": "Allow",
        "Action": [
            "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListDeadLetterSourceQueues",
            "sqs:ListQueueTags", "sqs:PurgeQueue", "sqs:ReceiveMessage", "sqs:SetQueueAttributes",
        ],
        "Resource": [QUEUE],
    }


@pytest.mark.parametrize("queues", [(), (QUEUE,)])
def test_least_privilege(queues):
    """No service wildcard, no deletion, and "*" only where the action has no resource."""
    for s in policy(queues)["Statement"]:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        assert s["Effect"] == "Allow" and "Principal" not in s, s["Sid"]
        assert not any(a.endswith(":*") or a == "*" for a in actions), s["Sid"]
        assert not any(":Delete" in a for a in actions if not a.startswith("sqs:")), s["Sid"]
        if s["Resource"] == "*":
            assert actions == ["glue:GetSecurityConfiguration"], s["Sid"]


def test_partition_flows_into_arns():
    doc = crawler_policy("aws-cn", "cn-north-1", ACCOUNT, "arn:aws-cn:s3:::b", "p/", "k", "db")
    assert statement(doc, "UpdateCatalogTables")["Resource"][0] == "arn:aws-cn:glue:cn-north-1:123456789012:catalog"
    assert statement(doc, "WriteCrawlerLogs")["Resource"].startswith("arn:aws-cn:logs:cn-north-1:")
