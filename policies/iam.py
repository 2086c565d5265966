"""Reading IAM policy documents the way AWS does, for the rules.

Small pure helpers: statements as a list, principals, action and resource matching with
wildcards (actions case-insensitive, ARNs case-sensitive), and the conditions that restrict
who a statement applies to. The full evaluator of allow/deny decisions comes with the IAM issue.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

Statement = dict[str, Any]

# Condition keys that pin a statement to known callers or sources. An Allow to "*" carrying one
# of these (with a non-negated operator) is not public: this follows Security Hub's reading.
RESTRICTING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner", "aws:SourceVpce", "aws:SourceVpc",
        "aws:SourceIp", "aws:VpcSourceIp", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount", "aws:PrincipalArn", "aws:userid", "aws:username", "aws:SourceOrgID",
        "aws:SourceOrgPaths", "aws:ResourceOrgID", "kms:CallerAccount", "kms:ViaService",
    )
)
NETWORK_KEYS = frozenset(k.lower() for k in ("aws:SourceVpce", "aws:SourceVpc", "aws:SourceIp", "aws:VpcSourceIp"))


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def statements(document: dict[str, Any] | None) -> list[Statement]:
    if not document:
        return []
    return [s for s in as_list(document.get("Statement")) if isinstance(s, dict)]


def principals(statement: Statement) -> list[str]:
    """Every principal a statement names: "*" for anyone, else ARNs, account ids, services."""
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if isinstance(principal, dict):
        return [p for values in principal.values() for p in as_list(values)]
    return as_list(principal)


def aws_principals(statement: Statement) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    return as_list(principal.get("AWS")) if isinstance(principal, dict) else []


def is_anyone(statement: Statement) -> bool:
    """The statement applies to any principal: "*", {"AWS": "*"}, or an Allow with NotPrincipal.

    A Deny with NotPrincipal means "everyone except": an exemption, not a rule for anyone.
    """
    if "NotPrincipal" in statement:
        return statement.get("Effect") == "Allow"
    return "*" in principals(statement)


def account_of(principal: str) -> str | None:
    """Account id of an IAM ARN or a bare account id; None for services and "*"."""
    if re.fullmatch(r"\d{12}", principal):
        return principal
    match = re.match(r"arn:aws[\w-]*:(?:iam|sts)::(\d{12}):", principal)
    return match.group(1) if match else None


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{regex}$", re.IGNORECASE if ignore_case else 0)


def action_matches(pattern: str, action: str) -> bool:
    """IAM action patterns: ``*`` and ``?`` wildcards, case-insensitive."""
    return bool(_wildcard(pattern, True).match(action))


def resource_matches(pattern: str, arn: str) -> bool:
    """Resource patterns: ``*`` and ``?`` wildcards, case-sensitive."""
    return bool(_wildcard(pattern, False).match(arn))


def covers_action(statement: Statement, action: str) -> bool:
    if "NotAction" in statement:
        return not any(action_matches(p, action) for p in as_list(statement["NotAction"]))
    return any(action_matches(p, action) for p in as_list(statement.get("Action")))


def covers_resource(statement: Statement, arn: str) -> bool:
    if "NotResource" in statement:
        return not any(resource_matches(p, arn) for p in as_list(statement["NotResource"]))
    return any(resource_matches(p, arn) for p in as_list(statement.get("Resource")))


def conditions(statement: Statement) -> list[tuple[str, str, list[Any]]]:
    """``(operator, key, values)`` triples; keys lowercased (condition keys are case-insensitive)."""
    return [
        (operator, key.lower(), as_list(values))
        for operator, block in (statement.get("Condition") or {}).items()
        if isinstance(block, dict)
        for key, values in block.items()
    ]


def is_negated(operator: str) -> bool:
    base = operator.split(":")[-1].removesuffix("IfExists")
    return "Not" in base


_MATCH_ALL = re.compile(r"^[*?]+$|^0\.0\.0\.0/0$|^::/0$")


def _matches_anything(value: Any) -> bool:
    return isinstance(value, str) and bool(_MATCH_ALL.match(value))


def restricts_callers(statement: Statement) -> bool:
    """Has a condition that pins the callers: a non-negated operator on a restricting key whose
    values do not match everything (``StringLike aws:PrincipalArn "*"`` or
    ``IpAddress aws:SourceIp 0.0.0.0/0`` restrict nothing)."""
    return any(
        key in RESTRICTING_KEYS and not is_negated(op) and not any(_matches_anything(v) for v in values)
        for op, key, values in conditions(statement)
    )


def is_public_allow(statement: Statement) -> bool:
    """An Allow that anyone could use: any principal and no condition pinning the callers."""
    return statement.get("Effect") == "Allow" and is_anyone(statement) and not restricts_callers(statement)
