"""LAKE.10: each role the lake declares reaches no more of the lake than its purpose needs."""

from __future__ import annotations

from ..access.actors import role_policies
from ..access.reach import describe, excess
from ..model import Lake, Role, contains_unknown, is_unknown
from ..purposes import Purpose, purpose_or_verdict
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown

RULE_ID = "LAKE.10"


def _unknown_policies(role: Role) -> str | None:
    """Why the role's identity policies cannot be known, if they cannot."""
    if any(contains_unknown(p) for p in role.policies):
        return "an inline policy of the role cannot be known before deployment"
    unread = [a for a in role.attached if contains_unknown(a.document) or not isinstance(a.document, dict)]
    if any(not isinstance(a.arn, str) for a in unread):
        return "which managed policies are attached to the role cannot be known"
    if not unread:
        return None
    names = ", ".join(str(a.arn) for a in unread)
    return f"the document of attached policy {names} cannot be known (not in the pinned AWS managed list, or unread)"


def _unknown_resources(model: Lake) -> str | None:
    """A lake bucket or key whose ARN or policy is unknown could widen or narrow the reach."""
    items = [("bucket", b) for b in sorted(model.buckets, key=lambda b: b.name)]
    items += [("key", k) for k in model.lake_keys]
    return next((f"the ARN or policy of {kind} {item.name} cannot be known before deployment"
                 for kind, item in items if is_unknown(item.arn) or is_unknown(item.policy)), None)


def _region(model: Lake) -> str | None:
    """The lake's region; a pack does not know it, but the lake key's ARN says it."""
    if isinstance(model.region, str):
        return model.region
    arn = model.lake_key_arn
    return arn.split(":")[3] if isinstance(arn, str) and arn.count(":") >= 5 else None


def _role_arn(role: Role, model: Lake) -> str:
    """A role's ARN, or the one its name gives in the lake's account (the lake's roles have no path)."""
    return role.arn if isinstance(role.arn, str) else f"arn:{model.partition}:iam::{model.account_id}:role/{role.name}"


def _judge_reach(role: Role, model: Lake, purpose: Purpose) -> Verdict:
    region, policies = _region(model), role_policies(role)
    reason = _unknown_policies(role) or _unknown_resources(model)
    if reason or policies is None:
        return unknown(reason or "a policy of the role cannot be known before deployment")
    if region is None or is_unknown(model.account_id):
        return unknown("the lake's account or region cannot be known before deployment")
    found = excess(model, _role_arn(role, model), policies, purpose, region)
    if found:
        return failed(f"role {role.name} reaches beyond its purpose ({purpose.describe()}): {describe(found)}")
    return passed(f"the role reaches no more of the lake than its purpose ({purpose.describe()})")


def judge(role: Role, model: Lake) -> Verdict:
    purpose = purpose_or_verdict(role, model)
    if isinstance(purpose, tuple):
        return purpose
    return _judge_reach(role, model, purpose)


def check(model: Lake) -> list[Finding]:
    return per_resource(RULE_ID, model.roles, lambda r: judge(r, model), "the stack declares no IAM role")


RULE = Rule(
    id=RULE_ID,
    title="IAM roles reach no more of the lake than their purpose",
    severity=Severity.HIGH,
    rationale="A role is as dangerous as what it can reach. The rule computes, with the policy evaluator, what "
    "each lake role can do on every lake bucket (read, list, write, delete, administer; inside its own prefix "
    "and outside it) and with the lake key (through S3, directly, administration), from its identity "
    "policies, inline and attached (AWS managed ones included), combined with the bucket policies and the "
    "key policy, and fails on anything beyond the role's purpose. A crawler reads its own prefix: "
    "s3:GetObject there, s3:ListBucket with s3:prefix in it, s3:GetBucketLocation on its bucket and "
    "kms:Decrypt through S3. AWSGlueServiceRole, the policy crawler roles typically get, lists every bucket.",
    remediation="Build crawler roles with `components/documents/crawler_role.py` (`crawler_policy`): list and "
    "read one prefix of one bucket, with the KMS half of the grant; attach no managed policy granting S3 or "
    "KMS actions, and grant lake roles nothing in bucket or key policies beyond their purpose.",
    reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    check=check,
    scope="every IAM role declared in the stack, through its inline and attached policies, the bucket "
    "policies and the key policy",
)
