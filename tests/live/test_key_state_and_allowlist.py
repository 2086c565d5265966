"""What the live audit knows of a key's state (DescribeKey's KeyState), and of the endpoint's
allowlist: nothing in the account records it, so only `lake audit --against-plan` gives it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lake.audit import run_audit
from lake.sandbox.server import client
from policies.adapters.live import Selection, Target
from policies.model import UNKNOWN
from tests.live.support import LAKE_TAG, REGION, audit, deploy, session

KEY_ALIAS = "alias/mlteam-dev"
RAW = "mlteam-dev-raw"
REGISTRY = "shared-model-registry"


@pytest.fixture
def deployed(document, url):
    return deploy(document, url)


def _key_states(url: str) -> list[tuple[Any, Any]]:
    return [(k.state, k.pending_deletion) for k in audit(url).read.lake.keys]


def test_key_state_is_read_from_describe_key(url, deployed):
    assert _key_states(url) == [("Enabled", False)]
    kms = client("kms", url)
    # DisableKey and ScheduleKeyDeletion take a key id or ARN, not an alias (in AWS as in moto).
    key_id = kms.describe_key(KeyId=KEY_ALIAS)["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key_id)
    assert _key_states(url) == [("Disabled", False)]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert _key_states(url) == [("PendingDeletion", True)]


def _allow_registry(url: str) -> None:
    """The endpoint's policy also lets the account reach a registry bucket outside the lake."""
    ec2 = client("ec2", url)
    (endpoint,) = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    policy = json.loads(endpoint["PolicyDocument"])
    statement = {**policy["Statement"][0], "Sid": "Registry",
                 "Resource": [f"arn:aws:s3:::{REGISTRY}", f"arn:aws:s3:::{REGISTRY}/*"]}
    policy["Statement"].append(statement)
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint["VpcEndpointId"], PolicyDocument=json.dumps(policy))


def _with_allowlist(document: dict[str, Any], buckets: list[str]) -> dict[str, Any]:
    settings = document["settings"]
    return {**document, "settings": {**settings, "network": {**settings["network"], "allowed_buckets": buckets}}}


def _lake_5(url: str, plan: dict[str, Any] | None, selection: Selection = LAKE_TAG) -> tuple[Any, list[Any]]:
    result = run_audit(Target(region=REGION, endpoint_url=url, session=session()), selection, plan=plan)
    return result.read.lake.allowed_buckets, [(f.status.value, f.message) for f in result.findings
                                              if f.rule_id == "LAKE.5"]


def test_the_allowlist_is_unknown_without_a_plan_and_the_plans_with_one(document, url, deployed):
    _allow_registry(url)
    assert _lake_5(url, None) == (UNKNOWN, [(
        "unknown", f"statement Registry allows buckets outside the lake: {REGISTRY}; whether the network allowlist "
                   "names them cannot be known without the stack's configuration")])
    assert _lake_5(url, _with_allowlist(document, [REGISTRY])) == ((REGISTRY,), [(
        "pass", "every Allow is limited to the lake account's principals and to the lake's buckets and the "
                "allowlist")])
    assert _lake_5(url, document) == ((), [(
        "fail", f"statement Registry allows resources outside the lake and its allowlist: {REGISTRY}")])


def test_against_a_plan_an_audit_of_one_bucket_still_knows_the_others_are_the_lakes(document, url, deployed):
    """The endpoint names every lake bucket: against the plan, those not selected are read too,
    so none of them reads as a bucket outside the lake."""
    assert _lake_5(url, document, Selection(names=(RAW,))) == ((), [(
        "pass", "every Allow is limited to the lake account's principals and to the lake's buckets and the "
                "allowlist")])
