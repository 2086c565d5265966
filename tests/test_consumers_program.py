"""The consumers of a stack (``datalake:consumers``) in the program: what it declares for each kind,
what it exports, what the bucket, key and perimeter grant them, and the plan model's ``Lake.consumers``."""

import json
import subprocess
import sys

import pytest

from components.documents.consumer_access import LakeTarget, consumer_identity_policy, service_trust_policy
from components.settings import GrantSettings
from lake.plan.render import plan_document
from policies.adapters.pack import lake_from_stack
from policies.adapters.plan import lake_from_plan
from policies.model import Consumer, ConsumerGrant
from tests.consumer_stack import (
    ANALYST,
    AUDITOR,
    CONFIG,
    NOTEBOOK,
    PARTNER,
    PARTNER_ACCOUNT,
    consumers_plan,
    write_config,
)
from tests.policies.stack_args import stack_args
from tests.support import ACCOUNT, KEY_TYPE, POLICY_TYPE, REPO, Resources, statement

ROLE, MANAGED = "aws:iam/role:Role", "aws:iam/policy:Policy"
INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
USER_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
PREFIX = "mlteam-consumers-consumer"
TAGS = {"lake": "mlteam", "stack": "consumers", "production": "false", "managed-by": "pulumi"}
BUCKET = "arn:aws:s3:::mlteam-consumers-{}"
URN = "urn:pulumi:consumers::datalake::datalake:access:LakeConsumers${}::consumer-{}"


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return consumers_plan(tmp_path_factory.mktemp("consumers"))


@pytest.fixture(scope="module")
def resources(plan):
    return Resources(plan.resources)


@pytest.fixture(scope="module")
def target(resources, plan):
    """What the program's consumer documents name, read back from the plan."""
    zones = ("raw", "processed", "curated")
    return LakeTarget(
        partition="aws", region="us-east-1", account_id=ACCOUNT, key_arn=plan.outputs["keyArn"],
        zone_buckets={z: BUCKET.format(z) for z in zones},
        databases={z: f"mlteam_consumers_{z}" for z in zones}, workgroup="mlteam-consumers",
        results_bucket_arn=BUCKET.format("query-results"), results_prefix="results/",
        endpoint_id=resources.one("aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3-endpoint").id,
    )


def _grants(*grants):
    return tuple(GrantSettings(zone, access, tuple(prefixes)) for zone, access, prefixes in grants)


TRAINING = _grants(("curated", "read", ()), ("processed", "write", ("features/",)))
BATCH = _grants(("raw", "read", ("images/",)))
ANALYSTS = _grants(("curated", "query", ()))
NOTEBOOKS = _grants(("processed", "read", ()))
AUDITORS = _grants(("raw", "read", ()))
PARTNERS = _grants(("curated", "read", ("features/",)), ("processed", "write", ("shared/",)))


def _identity(target, grants, account=ACCOUNT, require_endpoint=True):
    return consumer_identity_policy(grants, target, caller_account=account, require_endpoint=require_endpoint)


def test_consumer_resources_by_type(resources):
    consumers = [r for r in resources.all if r.parent and "LakeConsumers" in r.parent]
    assert sorted((r.type, r.name) for r in consumers) == sorted([
        (ROLE, "consumer-training"), (ROLE, "consumer-batch"), (INSTANCE_PROFILE, "consumer-batch"),
        *((MANAGED, f"consumer-{n}") for n in ("training", "batch", "analysts", "notebook", "auditors")),
        *((ROLE_ATTACHMENT, f"consumer-{n}") for n in ("training", "batch", "analysts")),
        (USER_ATTACHMENT, "consumer-notebook"),
    ])
    # The external consumer is granted by the bucket and key policies only: nothing in IAM here.
    assert not [r for r in resources.all if "partner" in r.name]


def test_service_consumer_role_is_trusted_by_its_service_only(resources):
    role = resources.one(ROLE, "consumer-training")
    assert {k: v for k, v in role.inputs.items() if k != "assumeRolePolicy"} == {
        "name": f"{PREFIX}-training",
        "description": "Consumer training of the mlteam lake (consumers), assumed by sagemaker.amazonaws.com",
        "tags": {**TAGS, "consumer": "training"},
    }
    assert json.loads(role.inputs["assumeRolePolicy"]) == service_trust_policy("sagemaker.amazonaws.com", ACCOUNT)
    assert resources.one(ROLE_ATTACHMENT, "consumer-training").inputs == {
        "role": f"{PREFIX}-training", "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/{PREFIX}-training"}


def test_ec2_consumer_gets_an_instance_profile_of_its_role(resources):
    assert resources.one(INSTANCE_PROFILE, "consumer-batch").inputs == {
        "name": f"{PREFIX}-batch", "role": f"{PREFIX}-batch", "tags": {**TAGS, "consumer": "batch"}}


@pytest.mark.parametrize(("name", "grants", "require_endpoint"), [
    ("training", TRAINING, True), ("batch", BATCH, False), ("analysts", ANALYSTS, True),
    ("notebook", NOTEBOOKS, True), ("auditors", AUDITORS, True),
])
def test_managed_policy_holds_the_consumers_grants(resources, target, name, grants, require_endpoint):
    policy = resources.one(MANAGED, f"consumer-{name}")
    assert {k: v for k, v in policy.inputs.items() if k != "policy"} == {
        "name": f"{PREFIX}-{name}",
        "description": f"The grants of consumer {name} on the mlteam lake (consumers)",
        "tags": {**TAGS, "consumer": name},
    }
    assert json.loads(policy.inputs["policy"]) == _identity(target, grants, require_endpoint=require_endpoint)


def test_existing_principals_get_the_policy_attached_by_name_only_when_asked(resources):
    policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/{PREFIX}-"
    # The name without its path (role/team/Analyst, user/data/notebook), as IAM's API takes it.
    assert resources.one(ROLE_ATTACHMENT, "consumer-analysts").inputs == {
        "role": "Analyst", "policyArn": f"{policy_arn}analysts"}
    assert resources.one(USER_ATTACHMENT, "consumer-notebook").inputs == {
        "user": "notebook", "policyArn": f"{policy_arn}notebook"}
    assert not [r for r in resources.all if r.type.endswith("PolicyAttachment") and "auditors" in r.name]


def _export(target, kind, principal, grants, require_endpoint, policy=None, role=None, account=ACCOUNT, **more):
    """``more``: a service consumer's ``service``, a principal's ``attach`` (read by `lake audit --stack-outputs`)."""
    names = {"service": more.pop("service")} if "service" in more else {}
    if role:
        names["roleName"] = role
    if policy:
        names.update(policyName=policy, policyArn=f"arn:aws:iam::{ACCOUNT}:policy/{policy}", **more)
    return {
        "kind": kind, "principalArn": principal, **names,
        "identityPolicy": json.dumps(_identity(target, grants, account, require_endpoint)),
        "grants": [{"zone": g.zone, "access": g.access, "prefixes": list(g.prefixes)} for g in grants],
        "requireEndpoint": require_endpoint,
    }


def test_exports_every_consumer_with_its_identity_policy(plan, target):
    role = f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-"
    assert plan.outputs["consumers"] == {
        "training": _export(target, "service", f"{role}training", TRAINING, True, f"{PREFIX}-training",
                            f"{PREFIX}-training", service="sagemaker"),
        "batch": _export(target, "service", f"{role}batch", BATCH, False, f"{PREFIX}-batch", f"{PREFIX}-batch",
                         service="ec2"),
        "analysts": _export(target, "principal", ANALYST, ANALYSTS, True, f"{PREFIX}-analysts", attach=True),
        "notebook": _export(target, "principal", NOTEBOOK, NOTEBOOKS, True, f"{PREFIX}-notebook", attach=True),
        "auditors": _export(target, "principal", AUDITOR, AUDITORS, True, f"{PREFIX}-auditors", attach=False),
        "partner": _export(target, "external", PARTNER, PARTNERS, False, account=PARTNER_ACCOUNT),
    }
    assert list(plan.outputs["consumers"]["training"]) == [
        "kind", "principalArn", "service", "roleName", "policyName", "policyArn", "identityPolicy", "grants",
        "requireEndpoint"]
    assert list(plan.outputs["consumers"]["analysts"]) == [
        "kind", "principalArn", "policyName", "policyArn", "attach", "identityPolicy", "grants", "requireEndpoint"]


def test_bucket_policies_grant_the_external_consumer_on_its_zones_only(resources):
    def granted(zone):
        return [s for s in resources.policy_of(POLICY_TYPE, f"{zone}-policy")["Statement"]
                if s.get("Principal") == {"AWS": PARTNER}]

    assert [(s["Sid"], s["Action"], s["Resource"], s.get("Condition")) for s in granted("curated")] == [
        ("ConsumerPartnerLocate", "s3:GetBucketLocation", BUCKET.format("curated"), None),
        ("ConsumerPartnerList", "s3:ListBucket", BUCKET.format("curated"),
         {"StringLike": {"s3:prefix": ["features/*"]}}),
        ("ConsumerPartnerRead", "s3:GetObject", f"{BUCKET.format('curated')}/features/*", None),
    ]
    assert [(s["Sid"], s["Resource"]) for s in granted("processed")] == [
        ("ConsumerPartnerLocate", BUCKET.format("processed")),
        ("ConsumerPartnerWrite", f"{BUCKET.format('processed')}/shared/*"),
    ]
    assert granted("raw") == []
    for bucket in ("logs", "query-results"):
        assert PARTNER not in json.dumps(resources.policy_of(POLICY_TYPE, f"{bucket}-policy"))


def test_key_policy_admits_the_external_consumer_through_s3(resources):
    policy = resources.policy_of(KEY_TYPE, "lake-key-key")
    through_s3 = {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
    for sid, action in (("AllowConsumersToDecryptThroughS3", "kms:Decrypt"),
                        ("AllowConsumersToGenerateDataKeysThroughS3", "kms:GenerateDataKey")):
        assert statement(policy, sid) == {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": [PARTNER]},
                                          "Action": action, "Resource": "*", "Condition": through_s3}
    callers = statement(policy, "DenyUseByOtherAccounts")["Condition"]["StringNotEquals"]
    assert callers == {"kms:CallerAccount": [ACCOUNT, PARTNER_ACCOUNT]}
    # The roles created here are never named by the key: KMS refuses a principal that does not exist yet.
    assert PREFIX not in json.dumps(policy)


def test_consumers_off_the_endpoint_are_exempt_from_the_perimeter(resources):
    for zone in ("raw", "processed", "curated"):
        perimeter = statement(resources.policy_of(POLICY_TYPE, f"{zone}-policy"), "DenyOutsideLakeEndpoint")
        assert perimeter["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [
            f"arn:aws:iam::{ACCOUNT}:role/LakeAdmin",
            f"arn:aws:iam::{ACCOUNT}:role/PlatformDeployer",
            f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/*",
            f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-batch",
            PARTNER,
        ]


def test_plan_model_of_the_consumers(plan):
    document = plan_document(plan)
    outputs = plan.outputs["consumers"]
    managed = {r["name"]: r for r in document["resources"] if r["type"] == MANAGED}

    def policy(name):
        return (json.loads(managed[f"consumer-{name}"]["inputs"]["policy"]),)

    def grants(*items):
        return tuple(ConsumerGrant(z, f"mlteam-consumers-{z}", access, prefixes,
                                   "mlteam_consumers_curated" if access == "query" else None)
                     for z, access, prefixes in items)

    role = f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-"
    lake = lake_from_plan(document)
    assert lake.consumers == (
        Consumer("training", URN.format(MANAGED, "training"), "service", f"{role}training",
                 grants(("curated", "read", ()), ("processed", "write", ("features/",))), True, policy("training"),
                 "sagemaker.amazonaws.com", URN.format(ROLE, "training"), f"{PREFIX}-training", True, True),
        Consumer("batch", URN.format(MANAGED, "batch"), "service", f"{role}batch",
                 grants(("raw", "read", ("images/",))), False, policy("batch"), "ec2.amazonaws.com",
                 URN.format(ROLE, "batch"), f"{PREFIX}-batch", True, True, (f"{PREFIX}-batch",)),
        Consumer("analysts", URN.format(MANAGED, "analysts"), "principal", ANALYST,
                 grants(("curated", "query", ())), True, policy("analysts"), None, None, f"{PREFIX}-analysts", True, True),
        Consumer("notebook", URN.format(MANAGED, "notebook"), "principal", NOTEBOOK,
                 grants(("processed", "read", ())), True, policy("notebook"), None, None, f"{PREFIX}-notebook", True, True),
        Consumer("auditors", URN.format(MANAGED, "auditors"), "principal", AUDITOR,
                 grants(("raw", "read", ())), True, policy("auditors"), None, None, f"{PREFIX}-auditors", False, False),
        Consumer("partner", "consumer:partner", "external", PARTNER,
                 grants(("curated", "read", ("features/",)), ("processed", "write", ("shared/",))), False,
                 (json.loads(outputs["partner"]["identityPolicy"]),), None, None, None, None, False),
    )
    assert lake.trusted_principals[-1] == PARTNER


def test_a_service_consumer_role_arn_unknown_in_a_plan_is_the_one_its_name_gives(plan):
    document = plan_document(plan)
    for resource in document["resources"]:
        if resource["type"] == ROLE:
            resource["computed"].pop("arn")
    [batch] = [c for c in lake_from_plan(document).consumers if c.name == "batch"]
    assert batch.principal_arn == f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-batch"


def test_a_principal_of_another_allowed_account_stops_the_program(tmp_path):
    """aws:allowedAccountIds may list several accounts: a principal of one is a consumer of the lake's
    account only when the stack is deployed there. Run apart: a program stopped from inside an apply
    leaves the mock runtime unable to run another plan in the same process ("Event loop is closed")."""
    config = CONFIG.replace('aws:allowedAccountIds: ["123456789012"]',
                            'aws:allowedAccountIds: ["123456789012", "210987654321"]')
    done = subprocess.run(
        [sys.executable, "-m", "lake.cli", "plan", "--stack", "consumers", "--project-dir", str(REPO),
         "--config-file", str(write_config(tmp_path, config)), "--account-id", "210987654321", "--no-audit"],
        capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "error: consumer analysts: principal arn:aws:iam::123456789012:role/team/Analyst is not of the lake's "
        "account 210987654321; a principal of another account must be in datalake:trustedAccounts\n")


def test_the_policy_pack_sees_the_consumers_resources_but_no_consumer(plan):
    """A pack cannot read the stack config that declares consumers: Lake.consumers stays empty there,
    while the roles and managed policies the program declares for them are read as any others."""
    preview = lake_from_stack(stack_args(plan_document(plan)))
    assert preview.consumers == ()
    training = next(r for r in preview.roles if r.name == f"{PREFIX}-training")
    assert [p.arn for p in training.attached] == [f"arn:aws:iam::{ACCOUNT}:policy/{PREFIX}-training"]
    assert sorted(p.name for p in preview.iam_policies if p.kind == "managed") == [
        f"consumer-{n}" for n in ("analysts", "auditors", "batch", "notebook", "training")]
