"""The logs bucket's delivery grants: S3 server access logs, and VPC flow logs (grammar, parliament,
and evaluator proofs of who may deliver where)."""

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.logs_bucket_policy import allow_access_log_delivery, allow_flow_log_delivery
from policies.evaluator.evaluate import evaluate
from policies.evaluator.request import Policy, Principal, Request
from policies.grammar import validate_policy
from policies.lint import lint_policy


def test_delivery_scoped_to_prefix_source_buckets_and_account():
    s = allow_access_log_delivery(
        "arn:aws:s3:::ml-dev-logs",
        "access-logs/",
        ["arn:aws:s3:::ml-dev-raw", "arn:aws:s3:::ml-dev-curated"],
        "123456789012",
    )
    assert s == {
        "Sid": "AllowS3ServerAccessLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::ml-dev-logs/access-logs/*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": ["arn:aws:s3:::ml-dev-curated", "arn:aws:s3:::ml-dev-raw"]},
            "StringEquals": {"aws:SourceAccount": "123456789012"},
        },
    }


# --- VPC flow log delivery -----------------------------------------------------------------------

LOGS = "arn:aws:s3:::ml-dev-logs"
ACCOUNT, OTHER_ACCOUNT, REGION = "123456789012", "999999999999", "us-east-1"
FLOW_LOG_KEY = (f"{LOGS}/vpc-flow-logs/AWSLogs/aws-account-id={ACCOUNT}/aws-service=vpcflowlogs/"
                f"aws-region={REGION}/year=2025/month=01/day=31/hour=09/flows.log.parquet")
DELIVERY = Principal.aws_service("delivery.logs.amazonaws.com")


def flow_statements(hive_compatible: bool = True) -> list[dict]:
    return allow_flow_log_delivery(LOGS, "vpc-flow-logs/", "aws", REGION, ACCOUNT, hive_compatible)


def logs_policy() -> dict:
    access = allow_access_log_delivery(LOGS, "access-logs/", ["arn:aws:s3:::ml-dev-raw"], ACCOUNT)
    return secure_bucket_policy(LOGS, None, extra_statements=(access, *flow_statements()))


def test_flow_log_delivery_as_the_vpc_guide_writes_it_scoped_to_the_account_and_region():
    sources = {"StringEquals": {"aws:SourceAccount": ACCOUNT},
               "ArnLike": {"aws:SourceArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:*"}}
    assert flow_statements() == [
        {
            "Sid": "AllowVpcFlowLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{LOGS}/vpc-flow-logs/AWSLogs/aws-account-id={ACCOUNT}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT, "s3:x-amz-acl": "bucket-owner-full-control"},
                          "ArnLike": sources["ArnLike"]},
        },
        {
            "Sid": "AllowVpcFlowLogAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": LOGS,
            "Condition": sources,
        },
    ]


def test_without_hive_prefixes_delivery_writes_under_the_plain_account_folder():
    assert flow_statements(hive_compatible=False)[0]["Resource"] == f"{LOGS}/vpc-flow-logs/AWSLogs/{ACCOUNT}/*"


def test_the_logs_policy_follows_the_grammar_and_parliament_finds_nothing():
    assert validate_policy(logs_policy(), "resource") == []
    assert lint_policy(logs_policy(), "resource") == []


def delivery(action: str, resource: str, source_account: str = ACCOUNT, acl: str | None = "bucket-owner-full-control",
             region: str = REGION):
    context = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.2", "aws:SourceAccount": source_account,
               "aws:SourceArn": f"arn:aws:logs:{region}:{source_account}:*"}
    if acl is not None:
        context["s3:x-amz-acl"] = acl
    request = Request(DELIVERY, action, resource, context)
    return evaluate(request, [], Policy("bucket policy of ml-dev-logs", logs_policy()), ACCOUNT)


def test_delivery_for_the_lake_account_is_allowed():
    assert delivery("s3:PutObject", FLOW_LOG_KEY).allowed
    assert delivery("s3:GetBucketAcl", LOGS).allowed
    assert delivery("s3:ListBucket", LOGS).allowed


def test_delivery_for_another_account_or_region_or_without_the_owner_acl_is_denied():
    assert not delivery("s3:PutObject", FLOW_LOG_KEY, source_account=OTHER_ACCOUNT).allowed
    assert not delivery("s3:GetBucketAcl", LOGS, source_account=OTHER_ACCOUNT).allowed
    assert not delivery("s3:PutObject", FLOW_LOG_KEY, region="eu-west-1").allowed
    assert not delivery("s3:PutObject", FLOW_LOG_KEY, acl=None).allowed


def test_delivery_writes_nowhere_else_in_the_bucket():
    assert not delivery("s3:PutObject", f"{LOGS}/access-logs/forged").allowed
    assert not delivery("s3:PutObject", f"{LOGS}/vpc-flow-logs/AWSLogs/aws-account-id={OTHER_ACCOUNT}/x").allowed
    assert not delivery("s3:GetObject", FLOW_LOG_KEY).allowed
