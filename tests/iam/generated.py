"""Every IAM policy document the program can generate, for the grammar and lint tests.

Two sources: the offline plans of both stacks (what `pulumi up` would send), and the pure
builders of ``components/documents`` with each option on and off (what the plans may not reach:
strict mode in dev, a key without administrators, identity grants no stack declares yet).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from components.documents.arns import CRAWLER_LOG_GROUPS
from components.documents.bucket_policy import secure_bucket_policy
from components.documents.consumer_access import (
    LakeTarget,
    consumer_bucket_statements,
    consumer_identity_policy,
    service_trust_policy,
)
from components.documents.crawler_role import crawler_policy, glue_trust_policy
from components.documents.endpoint_policy import lake_endpoint_policy
from components.documents.grants import read_access
from components.documents.key_policy import lake_key_policy
from components.documents.logs_bucket_policy import allow_access_log_delivery
from components.documents.perimeter import Perimeter, service_linked_roles
from components.documents.queue_policy import notification_queue_policy
from components.settings import GrantSettings
from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from tests.support import ACCOUNT, REPO

STACKS = ("dev", "prod")
# Kind of the policy held by each (resource type, input): a new policy-bearing input fails
# collection until it is classified here.
PLAN_POLICY_KINDS = {
    ("aws:kms/key:Key", "policy"): "resource",
    ("aws:s3/bucketPolicy:BucketPolicy", "policy"): "resource",
    ("aws:ec2/vpcEndpoint:VpcEndpoint", "policy"): "resource",
    ("aws:sqs/queuePolicy:QueuePolicy", "policy"): "resource",
    ("aws:iam/role:Role", "assumeRolePolicy"): "generic",
    ("aws:iam/rolePolicy:RolePolicy", "policy"): "identity",
    ("aws:iam/policy:Policy", "policy"): "identity",  # a consumer's customer managed policy
}

BUCKET = "arn:aws:s3:::mlteam-test-raw"
LOGS_BUCKET = "arn:aws:s3:::mlteam-test-logs"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ADMINISTRATOR = f"arn:aws:iam::{ACCOUNT}:role/LakeAdmin"
CRAWLER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/mlteam-test-images-crawler"
ENDPOINT = "vpce-0123456789abcdef0"
ALLOWED_BUCKET = "arn:aws:s3:::shared-model-registry"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:mlteam-test-images-events"


@dataclass(frozen=True)
class GeneratedPolicy:
    name: str  # "dev/raw-policy" for a plan resource, "builder/..." for a builder call
    kind: str  # the grammar kind: "identity" or "resource"
    document: dict[str, Any]
    builder: str | None = None  # "module.function" of the builder that made it


def _is_policy(value: Any) -> bool:
    """A JSON object with a Statement: how a policy travels in resource inputs."""
    try:
        parsed = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return False
    return isinstance(parsed, dict) and "Statement" in parsed


def plan_policies(stack: str) -> list[GeneratedPolicy]:
    """The policies in the offline plan of ``stack``: every input that holds a policy document, then the
    identity policies exported for consumers of other accounts (the stack declares no policy resource for them)."""
    plan = plan_document(plan_stack(REPO, stack))
    found = []
    for resource in plan["resources"]:
        for field, value in sorted(resource["inputs"].items()):
            if _is_policy(value):
                name = f"{stack}/{resource['name']}" + ("" if field == "policy" else f".{field}")
                kind = PLAN_POLICY_KINDS[(resource["type"], field)]
                found.append(GeneratedPolicy(name, kind, json.loads(value)))
    for consumer, export in sorted(plan["outputs"].get("consumers", {}).items()):
        if "policyArn" not in export:
            name = f"{stack}/outputs.consumers.{consumer}.identityPolicy"
            found.append(GeneratedPolicy(name, "identity", json.loads(export["identityPolicy"])))
    return found


def _built(name: str, kind: str, builder: Any, *args: Any, **kwargs: Any) -> GeneratedPolicy:
    qualified = f"{builder.__module__}.{builder.__name__}"
    return GeneratedPolicy(f"builder/{name}", kind, builder(*args, **kwargs), qualified)


def builder_policies() -> list[GeneratedPolicy]:
    delivery = allow_access_log_delivery(LOGS_BUCKET, "access-logs/", [BUCKET], ACCOUNT)
    perimeter = Perimeter((ENDPOINT,), (ADMINISTRATOR, CRAWLER_ROLE, service_linked_roles("aws", ACCOUNT)))
    crawler = ("aws", "us-east-1", ACCOUNT, BUCKET, "images/", KEY, "mlteam_test_raw")
    return [
        _built("zone bucket", "resource", secure_bucket_policy, BUCKET, KEY),
        _built("zone bucket, strict", "resource", secure_bucket_policy, BUCKET, KEY, require_sse_header=True),
        _built("zone bucket, perimeter", "resource", secure_bucket_policy, BUCKET, KEY, perimeter=perimeter),
        _built("logs bucket", "resource", secure_bucket_policy, LOGS_BUCKET, None, extra_statements=(delivery,)),
        _built("key", "resource", lake_key_policy, "aws", ACCOUNT, "us-east-1", [ADMINISTRATOR]),
        _built("key, no administrators", "resource", lake_key_policy, "aws", ACCOUNT, "us-east-1", []),
        _built("key, with crawlers", "resource", lake_key_policy, "aws", ACCOUNT, "us-east-1", [ADMINISTRATOR],
               via_services=("glue",), log_groups=(CRAWLER_LOG_GROUPS,), crawler_role_arns=(CRAWLER_ROLE,)),
        _built("read access", "identity", read_access, [BUCKET], KEY, "us-east-1"),
        _built("s3 endpoint", "resource", lake_endpoint_policy, [BUCKET, LOGS_BUCKET, ALLOWED_BUCKET], ACCOUNT),
        _built("crawler trust", "generic", glue_trust_policy, ACCOUNT),
        _built("crawler", "identity", crawler_policy, *crawler),
        _built("crawler, event mode", "identity", crawler_policy, *crawler, (QUEUE,)),
        _built("event queue", "resource", notification_queue_policy, QUEUE, BUCKET, ACCOUNT),
        *_consumer_policies(),
    ]


CONSUMER_ROLE = "arn:aws:iam::345678901234:role/Research"
# One grant of each access level, prefixed and whole-zone.
CONSUMER_GRANTS = (
    GrantSettings("raw", "read"), GrantSettings("raw", "write", ("images/",)),
    GrantSettings("raw", "delete", ("tmp/",)), GrantSettings("raw", "query"),
)


def _consumer_policies() -> list[GeneratedPolicy]:
    lake = LakeTarget("aws", "us-east-1", ACCOUNT, KEY, {"raw": BUCKET}, {"raw": "mlteam_test_raw"}, "mlteam-test",
                      "arn:aws:s3:::mlteam-test-query-results", "results/", ENDPOINT)
    external = consumer_bucket_statements("partner", CONSUMER_ROLE, BUCKET, CONSUMER_GRANTS[:3])
    return [
        _built("consumer", "identity", consumer_identity_policy, CONSUMER_GRANTS, lake, caller_account=ACCOUNT,
               require_endpoint=False),
        _built("consumer, endpoint", "identity", consumer_identity_policy, CONSUMER_GRANTS, lake,
               caller_account=ACCOUNT, require_endpoint=True),
        _built("consumer trust", "generic", service_trust_policy, "sagemaker.amazonaws.com", ACCOUNT),
        _built("zone bucket, external consumer", "resource", secure_bucket_policy, BUCKET, KEY,
               extra_statements=tuple(external)),
        _built("key, external consumer", "resource", lake_key_policy, "aws", ACCOUNT, "us-east-1", [ADMINISTRATOR],
               consumer_decrypt_arns=(CONSUMER_ROLE,), consumer_data_key_arns=(CONSUMER_ROLE,),
               consumer_accounts=("345678901234",)),
    ]


@cache
def generated_policies() -> tuple[GeneratedPolicy, ...]:
    """Both stacks' plans, then the builders; planned once per test session."""
    return tuple(p for stack in STACKS for p in plan_policies(stack)) + tuple(builder_policies())
