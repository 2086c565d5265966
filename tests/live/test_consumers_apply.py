"""The sandbox creates what a plan declares for its consumers: their managed policies, attachments and
instance profile, with stand-ins for the account's existing roles and users the policies attach to."""

from __future__ import annotations

import json

import pytest

from lake.plan.render import plan_document
from lake.sandbox.apply import substitute
from lake.sandbox.server import client
from tests.consumer_stack import AUDITOR, PARTNER, consumers_plan
from tests.live.support import ACCOUNT, deploy

PREFIX = "mlteam-consumers-consumer"


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    return plan_document(consumers_plan(tmp_path_factory.mktemp("consumers")))


@pytest.fixture(scope="module")
def applied(document, url):
    return deploy(document, url)


def test_consumer_iam_resources_are_created(applied):
    created = {t.split(":")[-1]: n for t, n in applied.created.items() if t.startswith("aws:iam/")}
    assert created == {"Role": 2, "Policy": 5, "RolePolicyAttachment": 3, "UserPolicyAttachment": 1,
                       "InstanceProfile": 1}


def test_each_managed_policy_holds_its_planned_document(applied, document, url):
    iam = client("iam", url)
    # With the ids the sandbox assigned (the key's ARN, the endpoint's id) in place of the planned ones.
    planned = {r["inputs"]["name"]: json.loads(substitute(r["inputs"]["policy"], applied.substitutions))
               for r in document["resources"] if r["type"] == "aws:iam/policy:Policy"}
    assert len(planned) == 5
    for name, expected in planned.items():
        arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        assert iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"] == expected


def _attached(iam, **principal):
    listing = iam.list_attached_role_policies if "RoleName" in principal else iam.list_attached_user_policies
    return [p["PolicyName"] for p in listing(**principal)["AttachedPolicies"]]


def test_policies_are_attached_to_the_created_role_and_to_stand_ins_of_existing_principals(applied, url):
    iam = client("iam", url)
    assert _attached(iam, RoleName=f"{PREFIX}-training") == [f"{PREFIX}-training"]
    assert _attached(iam, RoleName=f"{PREFIX}-batch") == [f"{PREFIX}-batch"]
    # Stand-ins keep the path of the principal the config names, so their ARNs are the config's.
    assert iam.get_role(RoleName="Analyst")["Role"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/team/Analyst"
    assert _attached(iam, RoleName="Analyst") == [f"{PREFIX}-analysts"]
    assert iam.get_user(UserName="notebook")["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/data/notebook"
    assert _attached(iam, UserName="notebook") == [f"{PREFIX}-notebook"]
    # attach: false: the policy exists (and is exported), the principal is left as it was.
    assert iam.get_role(RoleName="Auditor")["Role"]["Arn"] == AUDITOR
    assert _attached(iam, RoleName="Auditor") == []


def test_ec2_consumer_instance_profile_holds_its_role(applied, url):
    profile = client("iam", url).get_instance_profile(InstanceProfileName=f"{PREFIX}-batch")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == [f"{PREFIX}-batch"]


def test_bucket_and_key_policies_name_the_external_consumer(applied, url):
    curated = json.loads(client("s3", url).get_bucket_policy(Bucket="mlteam-consumers-curated")["Policy"])
    assert [s["Sid"] for s in curated["Statement"] if s.get("Principal") == {"AWS": PARTNER}] == [
        "ConsumerPartnerLocate", "ConsumerPartnerList", "ConsumerPartnerRead"]
    kms = client("kms", url)
    key = kms.describe_key(KeyId="alias/mlteam-consumers")["KeyMetadata"]["KeyId"]
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    assert [s["Sid"] for s in policy["Statement"] if s.get("Principal") == {"AWS": [PARTNER]}] == [
        "AllowConsumersToDecryptThroughS3", "AllowConsumersToGenerateDataKeysThroughS3"]
