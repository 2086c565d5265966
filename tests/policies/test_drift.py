"""Drift between a planned lake and a live one: what is reported, and what AWS's rewrites hide."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from policies.adapters.plan import lake_from_plan
from policies.drift import Difference, drift, normal_policy
from policies.model import UNKNOWN, Encryption, Key, Lake, PublicAccessBlock
from tests.policies import builders
from tests.policies.builders import KEY_ARN, LOGS, RAW, arn, lake, zone_bucket
from tests.support import REPO

LIVE_ACCOUNT = "210987654321"
LIVE_KEY_ID = "0f0e0d0c-0b0a-0908-0706-050403020100"
LIVE_ENDPOINT_ID = "vpce-0aaaabbbbccccdddd"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return plan_document(plan_stack(REPO, "dev"))


def as_live(document: dict[str, Any]) -> Lake:
    """The dev plan as the account would show it: the mocks' generated ids replaced by real ones."""
    planned = lake_from_plan(document)
    text = json.dumps(document)
    for fake, real in (
        (planned.lake_key_arn.split("key/")[1], LIVE_KEY_ID),
        (planned.endpoints[0].endpoint_id, LIVE_ENDPOINT_ID),
        (planned.account_id, LIVE_ACCOUNT),
    ):
        text = text.replace(fake, real)
    return replace(lake_from_plan(json.loads(text)), source="live")


def with_raw(model: Lake, **changes: Any) -> Lake:
    """``model`` with the raw bucket changed."""
    return replace(model, buckets=tuple(replace(b, **changes) if b.name == RAW else b for b in model.buckets))


def raw_policy(model: Lake) -> dict[str, Any]:
    return model.bucket_named(RAW).policy


# --- The real dev plan -------------------------------------------------------------------------------


def test_the_dev_plan_does_not_drift_from_itself(document):
    planned = lake_from_plan(document)
    assert drift(planned, planned) == []


def test_generated_ids_are_matched_to_their_live_twins(document):
    planned, live = lake_from_plan(document), as_live(document)
    assert live.lake_key_arn == f"arn:aws:kms:us-east-1:{LIVE_ACCOUNT}:key/{LIVE_KEY_ID}"
    assert live.endpoints[0].endpoint_id == LIVE_ENDPOINT_ID
    assert planned.lake_key_arn != live.lake_key_arn
    assert drift(planned, live) == []


def test_suspended_versioning_on_one_bucket_is_the_one_difference(document):
    planned, live = lake_from_plan(document), as_live(document)
    live = replace(live, buckets=tuple(
        replace(b, versioning="Suspended") if b.name == "mlteam-dev-processed" else b for b in live.buckets
    ))
    assert drift(planned, live) == [Difference("bucket", "mlteam-dev-processed", "versioning", "Enabled", "Suspended")]


def test_a_disabled_lake_key_is_one_difference(document):
    planned, live = lake_from_plan(document), as_live(document)
    live = replace(live, keys=tuple(replace(k, state="Disabled") for k in live.keys))
    assert drift(planned, live) == [Difference("key", "lake-key-key", "state", "Enabled", "Disabled")]


# --- Matching resources ------------------------------------------------------------------------------


def test_a_planned_bucket_missing_live_is_reported_once():
    live = lake(buckets=(zone_bucket("raw"),))
    assert drift(lake(), live) == [Difference("bucket", LOGS, "exists", "declared", "missing")]


def test_a_live_bucket_the_plan_does_not_declare_is_reported():
    live = lake(buckets=(zone_bucket("raw"), builders.logs_bucket(), zone_bucket("curated")))
    [difference] = drift(lake(), live)
    assert difference == Difference("bucket", "ml-dev-curated", "exists", "not declared", "present")
    assert difference.describe() == 'bucket ml-dev-curated: exists planned "not declared", live "present"'


def test_endpoints_are_matched_by_service_and_type_not_name():
    live = lake(endpoints=(builders.endpoint(name="vpce-0123456789abcdef0"),))
    assert drift(lake(), live) == []
    interface = lake(endpoints=(builders.endpoint(name="vpce-1", endpoint_type="Interface"),))
    assert [(d.resource, d.setting, d.planned, d.live) for d in drift(lake(), interface)] == [
        ("network-s3-endpoint", "exists", "declared", "missing"),
        ("vpce-1", "exists", "not declared", "present"),
    ]


def test_other_keys_are_matched_by_arn_and_named_by_their_live_id():
    other_arn = KEY_ARN.replace("11111111", "22222222")
    other = Key(name="other-key", ref="urn:other", arn=other_arn, rotation_enabled=True)
    live_other = replace(other, name="22222222-2222-3333-4444-555555555555", ref=other_arn, rotation_enabled=False)
    planned = lake(keys=(builders.lake_key(), other))
    live = lake(keys=(builders.lake_key(name="11111111-2222-3333-4444-555555555555"), live_other))
    assert drift(planned, live) == [
        Difference("key", "22222222-2222-3333-4444-555555555555", "rotation_enabled", True, False),
    ]


# --- What cannot be compared --------------------------------------------------------------------------


def test_what_the_live_account_cannot_observe_is_not_compared():
    live = with_raw(lake(), ref=f"arn:aws:s3:::{RAW}", protect=None, retain_on_delete=None, force_destroy=None,
                    policy_public=False)
    live = replace(live, keys=(builders.lake_key(name="11111111", deletion_window_days=None, protect=None),))
    assert drift(lake(), live) == []


def test_a_planned_unknown_is_not_a_difference():
    planned = with_raw(lake(), encryption=Encryption("aws:kms", UNKNOWN, True, ("SSE-C",)), arn=UNKNOWN)
    live = with_raw(lake(), encryption=Encryption("aws:kms", KEY_ARN.replace("1111", "9999"), True, ("SSE-C",)))
    assert drift(planned, live) == []


def test_a_planned_unknown_hides_only_its_own_leaf():
    planned = with_raw(lake(), encryption=Encryption("aws:kms", UNKNOWN, True, ("SSE-C",)))
    live = with_raw(lake(), encryption=Encryption("AES256", None, True, ("SSE-C",)))
    assert drift(planned, live) == [Difference("bucket", RAW, "encryption.algorithm", "aws:kms", "AES256")]


def test_a_live_unknown_is_left_to_could_not_verify():
    live = with_raw(lake(), policy=UNKNOWN, versioning=UNKNOWN, public_access_block=UNKNOWN)
    assert drift(lake(), live) == []


def test_account_block_public_access_is_compared_only_when_the_plan_manages_it():
    live = lake(account_public_access_block=PublicAccessBlock(True, True, True, True))
    assert drift(lake(), live) == []
    planned = lake(account_public_access_block=PublicAccessBlock(True, True, True, True))
    live = lake(account_public_access_block=PublicAccessBlock(False, True, True, True))
    assert drift(planned, live) == [
        Difference("account", "account", "public_access_block.block_public_acls", True, False),
    ]
    assert drift(planned, lake()) == [Difference("account", "account", "exists", "declared", "missing")]


def test_catalog_encryption_is_compared_only_when_the_plan_manages_it():
    assert drift(lake(catalog_encryption=None), lake()) == []
    live = lake(catalog_encryption=builders.catalog_encryption(ref="arn:aws:glue:catalog", mode="DISABLED"))
    assert drift(lake(), live) == [Difference("data catalog", "data-catalog", "mode", "SSE-KMS", "DISABLED")]


# --- Settings -------------------------------------------------------------------------------------------


def test_nested_settings_are_named_by_their_path():
    live = with_raw(lake(), public_access_block=PublicAccessBlock(True, False, True, True), ownership="ObjectWriter")
    [block, ownership] = drift(lake(), live)
    assert block == Difference("bucket", RAW, "public_access_block.block_public_policy", True, False)
    assert block.describe() == "bucket ml-dev-raw: public_access_block.block_public_policy planned true, live false"
    assert ownership == Difference("bucket", RAW, "ownership", "BucketOwnerEnforced", "ObjectWriter")


def test_tags_are_compared_one_key_at_a_time():
    live = with_raw(lake(), tags={**zone_bucket("raw").tags, "zone": "curated", "owner": "someone"})
    assert drift(lake(), live) == [
        Difference("bucket", RAW, "tags.zone", "raw", "curated"),
        Difference("bucket", RAW, "tags.owner", None, "someone"),
    ]


def test_a_changed_lifecycle_rule_names_the_rule_and_its_field():
    rules = builders.lifecycle().rules
    live_rules = (*rules[:2], replace(rules[2], abort_incomplete_multipart_upload_days=3), rules[3])
    live = with_raw(lake(), lifecycle=replace(builders.lifecycle(), rules=live_rules))
    [difference] = drift(lake(), live)
    assert difference == Difference(
        "bucket", RAW, "lifecycle.rules[abort-incomplete-multipart-uploads].abort_incomplete_multipart_upload_days",
        7, 3,
    )


def test_lifecycle_rules_are_matched_by_id_not_position():
    rules = builders.lifecycle().rules
    live = with_raw(lake(), lifecycle=replace(builders.lifecycle(), rules=(rules[3], *rules[:2])))
    [difference] = drift(lake(), live)
    assert (difference.setting, difference.live) == ("lifecycle.rules[abort-incomplete-multipart-uploads]", None)
    assert difference.planned["abort_incomplete_multipart_upload_days"] == 7


def test_a_removed_logging_configuration_is_one_difference():
    [difference] = drift(lake(), with_raw(lake(), logging=None))
    assert difference == Difference("bucket", RAW, "logging", {"target_bucket": LOGS, "target_prefix": "access-logs/"},
                                    None)


# --- Policy documents -------------------------------------------------------------------------------------


def rewritten(policy: dict[str, Any]) -> dict[str, Any]:
    """``policy`` as AWS may return it: statements reversed, one-item lists bare and bare strings
    listed, lists reordered."""
    def restyle(statement: dict[str, Any]) -> dict[str, Any]:
        action, resource = statement["Action"], statement["Resource"]
        return {
            **statement,
            "Action": [action] if isinstance(action, str) else (action[0] if len(action) == 1 else action[::-1]),
            "Resource": [resource] if isinstance(resource, str) else resource[::-1],
        }
    return {**policy, "Statement": [restyle(s) for s in reversed(policy["Statement"])]}


def test_reordered_statements_and_lists_are_not_a_difference():
    live = with_raw(lake(), policy=rewritten(raw_policy(lake())))
    assert raw_policy(live) != raw_policy(lake())
    assert drift(lake(), live) == []


def test_a_removed_tls_statement_is_one_policy_difference_naming_it():
    policy = raw_policy(lake())
    live_policy = {**policy, "Statement": [s for s in policy["Statement"] if s["Sid"] != "DenyOutdatedTls"]}
    [difference] = drift(lake(), with_raw(lake(), policy=live_policy))
    assert (difference.resource_kind, difference.resource, difference.setting) == ("bucket", RAW, "policy")
    assert difference.planned == normal_policy(policy)
    assert difference.live == normal_policy(live_policy)
    assert difference.describe() == "bucket ml-dev-raw: policy differs from the plan (removed DenyOutdatedTls)"


def test_a_policy_difference_names_added_and_changed_statements():
    policy = raw_policy(lake())
    extra = {"Sid": "AllowPartner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
             "Action": "s3:GetObject", "Resource": f"{arn(RAW)}/*"}
    weakened = [{**s, "Effect": "Allow"} if s["Sid"] == "DenySseC" else s for s in policy["Statement"]]
    [difference] = drift(lake(), with_raw(lake(), policy={**policy, "Statement": [*weakened, extra]}))
    assert difference.describe() == "bucket ml-dev-raw: policy differs from the plan (added AllowPartner; changed DenySseC)"


def test_role_inline_policies_are_compared_unordered():
    roles = lake().roles
    live = lake(roles=(replace(roles[0], policies=(*roles[0].policies, {"Statement": []})), roles[1]))
    reordered = lake(roles=(replace(roles[0], policies=roles[0].policies[::-1]), roles[1]))
    assert drift(lake(), reordered) == []
    [difference] = drift(lake(), live)
    assert (difference.resource_kind, difference.resource, difference.setting) == ("role", roles[0].name, "policies")
    assert difference.describe() == f"role {roles[0].name}: policies differs from the plan"


def test_conditions_compare_as_strings():
    policy = {"Statement": {"Sid": "Tls", "Effect": "Deny", "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2},
                                                                          "Bool": {"aws:SecureTransport": False}}}}
    as_returned = {"Statement": [{"Sid": "Tls", "Effect": "Deny", "Condition": {
        "NumericLessThan": {"s3:TlsVersion": "1.2"}, "Bool": {"aws:SecureTransport": ["false"]}}}]}
    assert normal_policy(policy) == normal_policy(as_returned)


@given(st.randoms(use_true_random=False))
def test_any_reordering_of_a_key_policy_is_not_a_difference(random):
    policy = builders.lake_key().policy
    statements = [{**s, "Action": random.sample(s["Action"], len(s["Action"]))} if isinstance(s["Action"], list) else s
                  for s in policy["Statement"]]
    live = lake(keys=(builders.lake_key(policy={**policy, "Statement": random.sample(statements, len(statements))}),))
    assert drift(lake(), live) == []


# --- Identifiers and reports --------------------------------------------------------------------------------


def test_the_planned_key_and_account_are_replaced_by_the_live_ones_inside_documents():
    live_arn = f"arn:aws:kms:us-east-1:{LIVE_ACCOUNT}:key/{LIVE_KEY_ID}"
    planned = lake(buckets=(zone_bucket("raw"),), roles=(), crawlers=(), queues=(), endpoints=(),
                   security_configurations=(), workgroups=(), catalog_encryption=None)

    def in_live_account(value: Any) -> Any:
        text = json.dumps(value).replace(KEY_ARN, live_arn).replace(builders.ACCOUNT, LIVE_ACCOUNT)
        return json.loads(text)

    live = replace(
        with_raw(planned, encryption=Encryption("aws:kms", live_arn, True, ("SSE-C",)),
                 policy=in_live_account(raw_policy(planned))),
        keys=(builders.lake_key(name=LIVE_KEY_ID, arn=live_arn, policy=in_live_account(builders.lake_key().policy)),),
        account_id=LIVE_ACCOUNT,
    )
    assert drift(planned, live) == []
    assert drift(replace(planned, account_id=UNKNOWN), live) == [
        # Without the planned account, its ARNs in the key policy cannot be matched to the live ones.
        Difference("key", LIVE_KEY_ID, "policy", normal_policy(builders.lake_key().policy),
                   normal_policy(live.keys[0].policy)),
    ]


def test_differences_are_ordered_by_kind_then_resource_then_setting():
    live = with_raw(lake(), versioning="Suspended", ownership="ObjectWriter")
    live = replace(live, buckets=tuple(replace(b, versioning="Suspended") for b in live.buckets),
                   keys=(builders.lake_key(rotation_enabled=False),))
    assert [(d.resource_kind, d.resource, d.setting) for d in drift(lake(), live)] == [
        ("bucket", LOGS, "versioning"),
        ("bucket", RAW, "versioning"),
        ("bucket", RAW, "ownership"),
        ("key", "lake-key-key", "rotation_enabled"),
    ]


def test_an_entry_is_json_ready():
    difference = Difference("bucket", RAW, "encryption", Encryption("aws:kms", UNKNOWN, True, ("SSE-C",)), None)
    assert difference.entry() == {
        "resource_kind": "bucket",
        "resource": RAW,
        "setting": "encryption",
        "planned": {"algorithm": "aws:kms", "kms_key_id": "unknown", "bucket_key_enabled": True,
                    "blocked_encryption_types": ["SSE-C"]},
        "live": None,
    }
    assert json.loads(json.dumps(difference.entry())) == difference.entry()


# --- The lake's VPC and its flow logs ----------------------------------------------------------------


def live_flow_logs(*flow_logs) -> Lake:
    """The compliant lake as the account shows it, its VPC's flow logs replaced."""
    return lake(vpcs=(builders.vpc(flow_logs=flow_logs),))


def test_a_deleted_flow_log_is_missing():
    assert drift(lake(), live_flow_logs()) == [
        Difference("flow log", "network-flow-log", "exists", "declared", "missing"),
    ]


def test_flow_logs_are_paired_by_their_bucket_so_a_changed_setting_names_it():
    live = builders.flow_log(name="fl-0123", destination=f"{arn(LOGS)}/elsewhere/", traffic_type="REJECT")
    assert drift(lake(), live_flow_logs(live)) == [
        Difference("flow log", "fl-0123", "traffic_type", "ALL", "REJECT"),
        Difference("flow log", "fl-0123", "destination", f"{arn(LOGS)}/vpc-flow-logs/", f"{arn(LOGS)}/elsewhere/"),
    ]


def test_a_flow_log_to_another_bucket_is_not_declared():
    other = builders.flow_log(name="fl-0456", destination="arn:aws:s3:::central-flows/")
    assert drift(lake(), live_flow_logs(builders.flow_log(name="fl-0123"), other)) == [
        Difference("flow log", "fl-0456", "exists", "not declared", "present"),
    ]


def test_the_lake_vpc_tags_are_compared_and_an_existing_vpc_is_not():
    retagged = builders.vpc(tags={**builders.vpc().tags, "lake": "other"})
    assert drift(lake(), lake(vpcs=(retagged,))) == [Difference("vpc", "network-vpc", "tags.lake", "ml", "other")]
    existing = builders.vpc(name="vpc-0a1b", created_by_lake=False, flow_logs=None)
    seen_live = replace(existing, created_by_lake=None, flow_logs=(builders.flow_log(name="fl-9"),))
    assert drift(lake(vpcs=(existing,)), lake(vpcs=(seen_live,))) == []
