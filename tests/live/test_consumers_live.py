"""The live audit of the lake's consumers on moto: their policies and roles found by their names in the
lake's namespace, read (document, tags, attachments, role), reported untagged or unverified like the
lake's other resources; against a plan, paired with the planned consumers, whose grants only the plan
knows, and their drift (policy statements, attachment, missing policy or role)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from lake.audit import Audit, missing_resources, run_audit
from lake.plan.render import plan_document
from lake.sandbox.apply import substitute
from lake.sandbox.server import client
from policies.adapters.live import Target
from policies.adapters.live.selection import declared
from policies.adapters.plan import lake_from_plan
from policies.drift import Difference, drift
from policies.iam import as_list
from policies.model import UNKNOWN, Consumer, ConsumerGrant, Lake, Missing, Role, Unverified
from policies.rule import Status
from tests.consumer_stack import consumers_plan
from tests.live.support import ACCOUNT, LAKE_TAG, REGION, audit, deploy, session

TRAINING, ANALYSTS, SCORING = (f"mlteam-dev-consumer-{n}" for n in ("training", "analysts", "scoring"))
ANALYST = f"arn:aws:iam::{ACCOUNT}:role/team/Analyst"
PARTNER = "arn:aws:iam::345678901234:role/Research"
CURATED = "mlteam-dev-curated"
DOCUMENT = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadCurated", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{CURATED}/*"}]}
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "sagemaker.amazonaws.com"}}]}
LAKE_TAGS = [{"Key": "lake", "Value": "mlteam"}, {"Key": "stack", "Value": "dev"}]
CONSUMER_KINDS = ("consumer policy", "consumer role")
STACK_PREFIX = "mlteam-consumers-consumer"


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def create_policy(url: str, name: str, tags: list[dict[str, str]] | None = None) -> str:
    consumer = name.rsplit("-", 1)[-1]
    tags = LAKE_TAGS if tags is None else tags
    return client("iam", url).create_policy(PolicyName=name, PolicyDocument=json.dumps(DOCUMENT),
                                            Tags=[*tags, {"Key": "consumer", "Value": consumer}])["Policy"]["Arn"]


def with_consumers(url: str, policy_tags: list[dict[str, str]] | None = None) -> None:
    """A service consumer (its role, trusting SageMaker, with its policy attached) and a principal
    consumer (a policy attached to an existing role with a path), as the program creates them."""
    iam = client("iam", url)
    iam.create_role(RoleName=TRAINING, AssumeRolePolicyDocument=json.dumps(TRUST),
                    Tags=[*LAKE_TAGS, {"Key": "consumer", "Value": "training"}])
    iam.attach_role_policy(RoleName=TRAINING, PolicyArn=create_policy(url, TRAINING, policy_tags))
    iam.create_role(RoleName="Analyst", Path="/team/", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="Analyst", PolicyArn=create_policy(url, ANALYSTS))


def without_consumers(document: dict[str, Any]) -> dict[str, Any]:
    """The dev plan without the consumers it declares: the tests above "Against a plan" create theirs by
    hand, in the same names (the Analyst role at a path, which only GetRole tells)."""
    component = {r["urn"] for r in document["resources"] if r["type"] == "datalake:access:LakeConsumers"}
    return {**document, "settings": {**document["settings"], "consumers": []},
            "resources": [r for r in document["resources"] if component.isdisjoint((r["urn"], r.get("parent")))],
            "outputs": {k: v for k, v in document["outputs"].items() if k != "consumers"}}


@pytest.fixture
def document(document: dict[str, Any]) -> dict[str, Any]:
    """Overrides the session's dev plan in this module; the stack with consumers has its own below."""
    return without_consumers(document)


@pytest.fixture
def deployed(document, url) -> str:
    deploy(document, url)
    with_consumers(url)
    return url


def _denied(params: dict[str, Any], **_: Any):
    return AWSResponse(params["url"], 403, {}, None), {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}


def test_without_a_plan_consumers_are_found_by_name_with_their_grants_unknown(deployed):
    read = audit(deployed).read
    lake = read.lake
    assert lake.consumers == (
        Consumer("analysts", arn("policy", ANALYSTS), "principal", ANALYST, UNKNOWN, UNKNOWN, (DOCUMENT,),
                 policy_name=ANALYSTS, attached=True),
        Consumer("training", arn("policy", TRAINING), "service", arn("role", TRAINING), UNKNOWN, UNKNOWN,
                 (DOCUMENT,), "sagemaker.amazonaws.com", arn("role", TRAINING), TRAINING, True),
    )
    assert [(r.name, r.tags.get("consumer")) for r in lake.roles if r.name == TRAINING] == [(TRAINING, "training")]
    assert {p.name for p in lake.iam_policies if p.kind == "managed"} == {TRAINING, ANALYSTS}  # KMS.1 judges them
    # Per consumer: GetPolicy, GetPolicyVersion, ListEntitiesForPolicy and GetRole (the principal
    # consumer has no role: NoSuchEntity); the training role's attached policy is not read twice; the
    # analysts' principal, named without its path, costs one GetRole more. Plus the 2 crawler roles.
    calls = read.calls
    assert [calls[o] for o in ("ListPolicies", "GetPolicy", "GetPolicyVersion", "ListEntitiesForPolicy",
                               "GetRole")] == [1, 2, 2, 2, 2 + 2 + 1]
    assert lake.untagged == () and lake.unverified == ()


def test_a_consumer_policy_without_the_lake_tag_is_reported_untagged(document, url):
    deploy(document, url)
    with_consumers(url, policy_tags=[])
    findings = {(f.rule_id, f.resource, f.status.value, f.message) for f in audit(url).findings}
    assert ("LAKE.11", TRAINING, "fail", "consumer policy found through its name, in the lake's namespace mlteam-dev, "
            "but it lacks the tag lake=mlteam: tag-based tools (cost allocation, ABAC, tag-scoped audits) miss it"
            ) in findings


def test_a_denied_policy_read_is_unverified_never_a_pass(deployed):
    boto = session()
    boto.events.register("before-call.iam.GetPolicyVersion", _denied)
    lake = audit(deployed, boto_session=boto).read.lake
    assert {c.name: c.policies for c in lake.consumers} == {"analysts": (UNKNOWN,), "training": (UNKNOWN,)}
    assert Unverified(ANALYSTS, arn("policy", ANALYSTS), "consumer policy", "GetPolicyVersion",
                      "AccessDenied: Access Denied") in lake.unverified


# --- Against a plan -------------------------------------------------------------------------------


def planned_consumers(document: dict[str, Any]) -> Lake:
    """The dev plan with consumers assembled by hand: training and scoring (a service consumer the
    account lacks), analysts, and an external partner, whose identity is in another account."""
    grants = (ConsumerGrant("curated", CURATED, "read"),)
    roles = tuple(Role(n, f"urn:role:{n}", arn("role", n), trust_policy=TRUST) for n in (TRAINING, SCORING))
    service = {n: Consumer(n.rsplit("-", 1)[-1], f"urn:policy:{n}", "service", arn("role", n), grants, True,
                           (DOCUMENT,), "sagemaker.amazonaws.com", f"urn:role:{n}", n, True)
               for n in (TRAINING, SCORING)}
    consumers = (
        Consumer("analysts", f"urn:policy:{ANALYSTS}", "principal", ANALYST, grants, True, (DOCUMENT,),
                 policy_name=ANALYSTS, attached=True),
        Consumer("partner", "consumer:partner", "external", PARTNER, grants, False, (DOCUMENT,)),
        service[SCORING], service[TRAINING],
    )
    planned = lake_from_plan(document)
    return replace(planned, roles=(*planned.roles, *roles), consumers=consumers)


def audit_against(document: dict[str, Any], url: str, planned: Lake) -> tuple[Lake, list[Difference]]:
    live = audit(url, replace(LAKE_TAG, declared=declared(planned, document["settings"]))).read.lake
    return live, [d for d in drift(planned, live) if d.resource_kind in CONSUMER_KINDS]


def test_against_a_plan_consumers_take_their_grants_from_it_and_missing_ones_are_reported(document, deployed):
    planned = planned_consumers(document)
    live, differences = audit_against(document, deployed, planned)
    assert [(c.name, c.kind, c.grants, c.require_endpoint, c.policy_name) for c in live.consumers] == [
        (c.name, c.kind, c.grants, c.require_endpoint, None if c.name == "scoring" else c.policy_name)
        for c in planned.consumers]
    # The external consumer's policy is in another account: the exported one stands for it.
    assert next(c for c in live.consumers if c.name == "partner") == planned.consumers[1]
    assert [r.name for r in live.roles].count(TRAINING) == 1  # read as a consumer's, not as a declared role too
    assert differences == [Difference("consumer role", SCORING, "exists", "declared", "missing"),
                           Difference("consumer policy", SCORING, "exists", "declared", "missing")]
    assert missing_resources(differences, ()) == (Missing("consumer role", SCORING),
                                                  Missing("consumer policy", SCORING))


def test_a_console_edit_of_a_consumer_policy_and_a_detachment_are_drift(document, deployed):
    iam = client("iam", deployed)
    widened = {**DOCUMENT, "Statement": [{**DOCUMENT["Statement"][0],
                                          "Action": ["s3:GetObject", "s3:DeleteObjectVersion"]}]}
    iam.create_policy_version(PolicyArn=arn("policy", TRAINING), PolicyDocument=json.dumps(widened), SetAsDefault=True)
    iam.detach_role_policy(RoleName="Analyst", PolicyArn=arn("policy", ANALYSTS))
    live, differences = audit_against(document, deployed, planned_consumers(document))
    assert [(d.resource, d.describe()) for d in differences if d.resource != SCORING] == [
        (ANALYSTS, f"consumer policy {ANALYSTS}: attached planned true, live false"),
        (TRAINING, f"consumer policy {TRAINING}: policy differs from the plan (changed ReadCurated)"),
    ]
    assert next(c for c in live.consumers if c.name == "training").policies == (widened,)


# --- A stack with consumers, deployed from its plan -----------------------------------------------


@pytest.fixture(scope="module")
def consumers_document(tmp_path_factory) -> dict[str, Any]:
    return plan_document(consumers_plan(tmp_path_factory.mktemp("consumers")))


def audit_plan(document: dict[str, Any], url: str) -> Audit:
    return run_audit(Target(region=REGION, endpoint_url=url, session=session()), LAKE_TAG, document)


def test_a_deployed_plan_with_consumers_audits_clean_against_it(consumers_document, url):
    deploy(consumers_document, url)
    audited = audit_plan(consumers_document, url)
    lake = audited.read.lake
    assert [(c.name, c.kind) for c in lake.consumers] == [
        ("analysts", "principal"), ("auditors", "principal"), ("batch", "service"), ("notebook", "principal"),
        ("partner", "external"), ("training", "service")]
    assert [(f.resource, f.status.value) for f in audited.findings if f.rule_id == "LAKE.16"] == [
        (c.name, "pass") for c in lake.consumers]
    assert [d for d in audited.drift if d.resource_kind in CONSUMER_KINDS] == []
    assert lake.missing == () and lake.untagged == ()


def test_a_console_edit_of_a_deployed_consumer_opens_drift_and_findings(consumers_document, url):
    applied = deploy(consumers_document, url)
    iam, training, analysts = client("iam", url), f"{STACK_PREFIX}-training", f"{STACK_PREFIX}-analysts"
    document = json.loads(substitute(next(r["inputs"]["policy"] for r in consumers_document["resources"]
                                          if r["type"] == "aws:iam/policy:Policy" and r["inputs"]["name"] == training),
                                     applied.substitutions))
    reads = next(s for s in document["Statement"] if s["Sid"] == "ReadObjects")
    reads["Action"] = [*as_list(reads["Action"]), "s3:DeleteObjectVersion"]
    iam.create_policy_version(PolicyArn=arn("policy", training), PolicyDocument=json.dumps(document),
                              SetAsDefault=True)
    iam.detach_role_policy(RoleName="Analyst", PolicyArn=arn("policy", analysts))
    audited = audit_plan(consumers_document, url)
    assert [d.describe() for d in audited.drift if d.resource_kind in CONSUMER_KINDS] == [
        f"consumer policy {analysts}: attached planned true, live false",
        f"consumer policy {training}: policy differs from the plan (changed ReadObjects)"]
    # The detachment is drift and a LAKE.16 failure: the analysts' config attaches their policy.
    assert {(f.rule_id, f.resource, f.message) for f in audited.findings if f.status in (Status.FAIL, Status.UNKNOWN)
            } == {("LAKE.16", "training", "consumer training gets access it does not declare "
                   "(s3:DeleteObjectVersion on mlteam-consumers-curated/*)"),
                  ("LAKE.16", "analysts", f"consumer analysts is denied all its declared access: its policy {analysts} "
                   "is not attached to arn:aws:iam::123456789012:role/team/Analyst, which its config asks for "
                   "(attach: true)"),
                  ("LAKE.10", training, f"role {training} reaches beyond its purpose (consumer training: read "
                   "s3://mlteam-consumers-curated/*, write s3://mlteam-consumers-processed/features/): "
                   "s3:DeleteObjectVersion on mlteam-consumers-curated/*")}


def test_an_ec2_consumers_instance_profile_emptied_on_the_console_is_drift_and_a_finding(consumers_document, url):
    deploy(consumers_document, url)
    batch = f"{STACK_PREFIX}-batch"
    client("iam", url).remove_role_from_instance_profile(InstanceProfileName=batch, RoleName=batch)
    audited = audit_plan(consumers_document, url)
    assert [d.describe() for d in audited.drift if d.resource_kind == "consumer instance profile"] == [
        f'consumer instance profile batch: roles planned ["{batch}"], live []']
    assert [(f.resource, f.message) for f in audited.findings if f.rule_id == "LAKE.16" and f.status is Status.FAIL] \
        == [("batch", f"consumer batch's instance profile {batch} holds no role instead of its role {batch}")]
