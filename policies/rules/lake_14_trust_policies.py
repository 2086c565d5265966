"""LAKE.14: a lake role may be assumed only by its service, for the lake's account."""

from __future__ import annotations

from typing import Any

from ..iam import Statement, account_of, conditions, covers_action, principals
from ..model import Lake, Role, is_unknown
from ..purposes import Kind, purpose_or_verdict
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._policy_reading import combine, grant_undecided, named_statements, undecided_verdict

RULE_ID = "LAKE.14"
# Every action a trust policy grants on the role: assuming it, and what rides along with it.
ASSUME_ACTIONS = (
    "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity",
    "sts:TagSession",
)


def _assume_actions(statement: Statement) -> bool:
    return any(covers_action(statement, action) for action in ASSUME_ACTIONS)


def _who(principal: str, account: str) -> str:
    if principal == "*":
        return "any principal"
    owner = account_of(principal)
    if owner is None:
        return f"the service {principal}" if principal.endswith(".amazonaws.com") else f"the principal {principal}"
    if owner != account:
        return f"account {owner} ({principal})"
    return f"the account root ({principal})" if principal in (owner, f"arn:aws:iam::{owner}:root") \
        else f"the IAM principal {principal}"


def _pinned(statement: Statement, key: str, expected: Any) -> str | None:
    """What is wrong with the condition on ``key``: None when StringEquals pins it to ``expected``
    (any value for None) and nothing else names it more loosely."""
    found = [(op, values) for op, k, values in conditions(statement) if k == key.lower()]
    if not found:
        return f"with no {key} condition"
    problems = [f"{key} under {op}, not StringEquals" for op, _ in found if op != "StringEquals"]
    problems += [f"{key} {', '.join(map(str, v))}, not {expected}" for op, v in found
                 if op == "StringEquals" and expected is not None and any(x != expected for x in v)]
    problems += [f"{key} {', '.join(map(str, v))}, a wildcard" for op, v in found
                 if op == "StringEquals" and expected is None and any("*" in str(x) for x in v)]
    return "; ".join(problems) or None


def _service_problems(statement: Statement, kind: Kind, account: str) -> list[str]:
    problems = [_pinned(statement, "aws:SourceAccount", account)]
    if kind.sets_source_arn:
        problems.append(_pinned(statement, "aws:SourceArn", None))
    return [p for p in problems if p]


def _judge_statement(name: str, statement: Statement, kind: Kind, account: str) -> Verdict:
    if statement.get("Effect") != "Allow" or not _assume_actions(statement):
        return passed(f"statement {name} lets no one assume the role")
    if grant_undecided(statement):
        return undecided_verdict([(name, statement)])
    if "NotPrincipal" in statement:
        return failed(f"statement {name} lets every principal but its NotPrincipal assume the role")
    wrong = [_who(p, account) for p in map(str, principals(statement)) if p != kind.service]
    problems = [f"lets {', '.join(wrong)} assume the role"] if wrong else []
    if kind.service in principals(statement) and (service := _service_problems(statement, kind, account)):
        problems.append(f"lets {kind.service} assume it {'; '.join(service)}")
    return failed(f"statement {name} {' and '.join(problems)}") if problems else passed(f"statement {name} is pinned")


def judge(role: Role, model: Lake) -> Verdict:
    purpose = purpose_or_verdict(role, model)
    if isinstance(purpose, tuple):
        return purpose
    named = named_statements(role.trust_policy)
    if is_unknown(named) or is_unknown(model.account_id):
        return unknown("the trust policy cannot be known before deployment")
    kind = purpose.kind
    return combine(
        (_judge_statement(n, s, kind, str(model.account_id)) for n, s in named),
        f"only {kind.service} may assume the role, for the lake's account (aws:SourceAccount)",
    )


def check(model: Lake) -> list[Finding]:
    return per_resource(RULE_ID, model.roles, lambda r: judge(r, model), "the stack declares no IAM role")


RULE = Rule(
    id=RULE_ID,
    title="IAM roles of the lake may be assumed only by their service, for the lake's account",
    severity=Severity.CRITICAL,
    rationale="Whoever may assume a role holds its permissions: a trust policy naming \"*\", an account root "
    "or another account hands the crawler's reach over the lake to every principal that account allows. A "
    "service principal without aws:SourceAccount is the confused deputy: Glue acting for any customer, "
    "of any account, could be told to run as the role. StringEquals only: IfExists lets a request without "
    "the key through, and a wildcard matches every account. Glue documents no aws:SourceArn for the roles "
    "it assumes, so a crawler role pins the account only.",
    remediation="Build crawler roles' trust policies with `components/documents/crawler_role.py` "
    "(`glue_trust_policy`): glue.amazonaws.com only, with StringEquals aws:SourceAccount set to the lake's "
    "account; register a new kind of role in `policies/purposes.py` before declaring it.",
    reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    check=check,
    scope="every IAM role declared in the stack, through its trust policy and its purpose",
)
