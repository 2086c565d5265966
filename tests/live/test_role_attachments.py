"""The live audit reads the managed policies attached to the lake's roles (ListAttachedRolePolicies,
GetPolicy, GetPolicyVersion), falls back on the pinned document of an AWS managed policy when its
read is denied, and leaves the reach unknown when it cannot tell what is attached."""

from __future__ import annotations

import json
from typing import Any

from botocore.awsrequest import AWSResponse

from lake.sandbox.server import client
from policies.aws_managed import pinned_document
from policies.model import UNKNOWN, AttachedPolicy
from tests.live.support import ACCOUNT, UNKNOWN_WITHOUT_PLAN, audit, deploy, session
from tests.live.test_misconfigurations import CRAWLER_ROLE, glue_service_role_attached

GLUE_SERVICE_ROLE = "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"
EXTRA = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "glue:GetTable", "Resource": "*"}]}


def _denied(params: dict[str, Any], **_: Any):
    return AWSResponse(params["url"], 403, {}, None), {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}


def _role(audited, name=CRAWLER_ROLE):
    return next(r for r in audited.read.lake.roles if r.name == name)


def test_a_customer_managed_policy_is_read_live(document, url):
    deploy(document, url)
    iam = client("iam", url)
    arn = iam.create_policy(PolicyName="extra", PolicyDocument=json.dumps(EXTRA))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=CRAWLER_ROLE, PolicyArn=arn)
    audited = audit(url)
    assert _role(audited).attached == (AttachedPolicy(f"arn:aws:iam::{ACCOUNT}:policy/extra", EXTRA),)
    assert _role(audited, "mlteam-dev-crawler-annotations").attached == ()
    calls = audited.read.calls
    # Besides "extra": the 2 crawler roles' listings, the training consumer's role (its attached policy is
    # its consumer policy, read once) and the 2 consumer policies (tests/live/test_audit.py, CONSUMER_CALLS).
    assert (calls["ListAttachedRolePolicies"], calls["GetPolicy"], calls["GetPolicyVersion"]) == (2 + 1, 1 + 2, 1 + 2)
    assert audited.open() == UNKNOWN_WITHOUT_PLAN  # glue:GetTable reaches nothing of the lake's buckets and key


def test_a_customer_managed_policy_attached_to_two_roles_is_judged_once_by_kms_1(document, url):
    deploy(document, url)
    iam = client("iam", url)
    decrypt_all = {"Version": "2012-10-17", "Statement": [
        {"Sid": "DecryptAll", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}
    arn = iam.create_policy(PolicyName="decrypt-all", PolicyDocument=json.dumps(decrypt_all))["Policy"]["Arn"]
    for role in (CRAWLER_ROLE, "mlteam-dev-crawler-annotations"):
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    kms_1 = [(f.status.value, f.resource, f.message) for f in audit(url).findings if f.rule_id == "KMS.1"
             and f.resource == "decrypt-all"]  # the dev lake's consumer policies pass
    assert kms_1 == [("fail", "decrypt-all", "statement DecryptAll allows kms:Decrypt on every KMS key (Resource \"*\")")]


def test_a_denied_read_of_an_aws_managed_policy_falls_back_on_its_pinned_document(document, url):
    deploy(document, url)
    glue_service_role_attached(url)
    live = _role(audit(url)).attached
    boto = session()
    boto.events.register("before-call.iam.GetPolicyVersion", _denied)
    denied = audit(url, boto_session=boto)
    assert _role(denied).attached == live == (AttachedPolicy(GLUE_SERVICE_ROLE, pinned_document(GLUE_SERVICE_ROLE)),)
    assert ("LAKE.11", "fail", "could not verify attached policy: GetPolicyVersion failed with AccessDenied: "
            "Access Denied") in {(f.rule_id, f.status.value, f.message) for f in denied.findings}
    assert [f.status.value for f in denied.findings if (f.rule_id, f.resource) == ("LAKE.10", CRAWLER_ROLE)] == [
        "fail"]


def test_a_denied_listing_leaves_the_reach_unknown(document, url):
    deploy(document, url)
    boto = session()
    boto.events.register("before-call.iam.ListAttachedRolePolicies", _denied)
    audited = audit(url, boto_session=boto)
    assert _role(audited).attached == (AttachedPolicy(UNKNOWN, UNKNOWN),)
    assert [(f.status.value, f.message) for f in audited.findings
            if (f.rule_id, f.resource) == ("LAKE.10", CRAWLER_ROLE)] == [
        ("unknown", "which managed policies are attached to the role cannot be known")]
