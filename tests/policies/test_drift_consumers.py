"""Drift of the lake's consumers: each one's policy (statement by statement) and its attachment, the
role the lake creates for a service consumer (existence, trust), kept apart from the lake's other
roles; external consumers have nothing of the lake's account to compare."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lake.audit import missing_resources
from policies.drift import Difference, drift
from policies.model import UNKNOWN, Consumer, ConsumerGrant, Lake, Missing, Role
from tests.policies.builders import ACCOUNT, KEY_ARN, RAW, arn, crawler_role, lake

TRAINING = "ml-dev-consumer-training"
ANALYSTS = "ml-dev-consumer-analysts"
READ = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadRaw", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arn(RAW)}/*"},
    {"Sid": "DecryptThroughS3", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN},
]}
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "sagemaker.amazonaws.com"}}]}
ROLE_URN = f"urn:pulumi:dev::datalake::aws:iam/role:Role::{TRAINING}"


def consumers(**changes: Any) -> tuple[Consumer, ...]:
    """A service consumer and a principal consumer, as the plan declares them."""
    grants = (ConsumerGrant("raw", RAW, "read"),)
    training = Consumer(TRAINING.rsplit("-", 1)[-1], f"urn:{TRAINING}", "service",
                        f"arn:aws:iam::{ACCOUNT}:role/{TRAINING}", grants, policies=(READ,),
                        service="sagemaker.amazonaws.com", role_ref=ROLE_URN, policy_name=TRAINING, attached=True)
    analysts = Consumer("analysts", f"urn:{ANALYSTS}", "principal", f"arn:aws:iam::{ACCOUNT}:role/team/Analyst",
                        grants, policies=(READ,), policy_name=ANALYSTS, attached=True)
    return tuple(replace(c, **changes.get(c.name, {})) for c in (training, analysts))


def planned() -> Lake:
    role = Role(TRAINING, ROLE_URN, f"arn:aws:iam::{ACCOUNT}:role/{TRAINING}", trust_policy=TRUST)
    return lake(account_id=ACCOUNT, roles=(crawler_role(), role), consumers=consumers())


def as_live(model: Lake, **changes: Any) -> Lake:
    """``model`` as the live audit reads it (ARNs for refs); ``changes`` per consumer name."""
    live_arn = f"arn:aws:iam::{ACCOUNT}:role/{TRAINING}"
    roles = tuple(replace(r, ref=live_arn) if r.name == TRAINING else r for r in model.roles)
    found = tuple(replace(c, **{"ref": f"arn:aws:iam::{ACCOUNT}:policy/{c.policy_name}",
                                "role_ref": live_arn if c.role_ref else None, **changes.get(c.name, {})})
                  for c in model.consumers)
    return replace(model, source="live", roles=roles, consumers=found)


def test_a_faithful_deployment_does_not_drift():
    assert drift(planned(), as_live(planned())) == []


def test_a_widened_policy_names_the_statement_that_changed():
    widened = {**READ, "Statement": [
        {**READ["Statement"][0], "Action": ["s3:GetObject", "s3:DeleteObjectVersion"]}, READ["Statement"][1]]}
    differences = drift(planned(), as_live(planned(), training={"policies": (widened,)}))
    assert [(d.resource_kind, d.resource, d.setting) for d in differences] == [
        ("consumer policy", TRAINING, "policy")]
    assert differences[0].describe() == f"consumer policy {TRAINING}: policy differs from the plan (changed ReadRaw)"


def test_a_detached_policy_is_one_attachment_difference():
    differences = drift(planned(), as_live(planned(), analysts={"attached": False}))
    assert differences == [Difference("consumer policy", ANALYSTS, "attached", True, False)]
    assert differences[0].describe() == f"consumer policy {ANALYSTS}: attached planned true, live false"


def test_a_deleted_policy_is_missing_and_listed_as_a_missing_resource():
    live = as_live(planned(), analysts={"policy_name": None, "policies": ()})
    differences = drift(planned(), live)
    assert differences == [Difference("consumer policy", ANALYSTS, "exists", "declared", "missing")]
    assert missing_resources(differences, ()) == (Missing("consumer policy", ANALYSTS),)


def test_a_deleted_consumer_role_is_a_missing_consumer_role_not_a_role():
    live = as_live(planned(), training={"role_ref": None})
    live = replace(live, roles=tuple(r for r in live.roles if r.name != TRAINING))
    differences = drift(planned(), live)
    assert differences == [Difference("consumer role", TRAINING, "exists", "declared", "missing")]
    assert missing_resources(differences, ()) == (Missing("consumer role", TRAINING),)


def test_a_consumer_roles_trust_policy_is_compared():
    opened = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Sid": "Anyone", "Principal": {"AWS": "*"}}]}
    live = as_live(planned())
    live = replace(live, roles=tuple(replace(r, trust_policy=opened) if r.name == TRAINING else r for r in live.roles))
    assert [(d.resource_kind, d.resource, d.setting, d.describe()) for d in drift(planned(), live)] == [
        ("consumer role", TRAINING, "trust_policy",
         f"consumer role {TRAINING}: trust_policy differs from the plan (added Anyone)")]


def test_a_consumer_policy_the_plan_does_not_declare_is_reported():
    stray = Consumer("scoring", f"arn:aws:iam::{ACCOUNT}:policy/ml-dev-consumer-scoring", "principal", UNKNOWN,
                     UNKNOWN, UNKNOWN, (READ,), policy_name="ml-dev-consumer-scoring", attached=False)
    live = as_live(planned())
    live = replace(live, consumers=(*live.consumers, stray))
    assert drift(planned(), live) == [
        Difference("consumer policy", "ml-dev-consumer-scoring", "exists", "not declared", "present")]


def test_unknown_reads_are_not_differences():
    live = as_live(planned(), training={"policies": (UNKNOWN,), "attached": UNKNOWN})
    assert drift(planned(), live) == []


def test_an_external_consumer_has_no_policy_of_the_lake_to_compare():
    external = Consumer("partner", "consumer:partner", "external", "arn:aws:iam::345678901234:role/Research",
                        (ConsumerGrant("raw", RAW, "read"),), policies=(READ,))
    model = replace(planned(), consumers=(*planned().consumers, external))
    live = as_live(model)
    assert drift(model, replace(live, consumers=live.consumers[:2])) == []


def test_an_ec2_consumers_instance_profile_that_lost_its_role_drifts():
    role = (TRAINING,)
    model = replace(planned(), consumers=consumers(training={"instance_profile": role}))
    assert drift(model, as_live(model)) == []
    assert [d.describe() for d in drift(model, as_live(model, training={"instance_profile": ()}))] == [
        f'consumer instance profile training: roles planned ["{TRAINING}"], live []']
    assert [(d.resource_kind, d.setting) for d in drift(model, as_live(model, training={"instance_profile": None}))] \
        == [("consumer instance profile", "exists")]
