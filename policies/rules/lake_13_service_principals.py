"""LAKE.13: every Allow to an AWS service in a bucket or queue policy is limited to the lake's sources.

A service principal (``logging.s3.amazonaws.com``, ``s3.amazonaws.com``...) acts for every
customer of the service: without ``aws:SourceAccount`` and ``aws:SourceArn`` an Allow to it lets
any account's resource use the service to reach ours (the confused deputy). Both must be there,
under an operator that limits the key to its values and naming only the lake's account and its
own resources (``_lake_conditions``). Allows to ``"*"`` are LAKE.12's, S3.2's and KMS.5's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..evaluator.principals import entries
from ..iam import Statement, conditions
from ..model import Lake, Maybe, contains_unknown, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._lake_conditions import is_lake_value, limits
from ._policy_reading import combine, grant_undecided, named_statements, undecided_verdict

RULE_ID = "LAKE.13"
# The two keys, as messages spell them, and what a value outside the lake is not.
SOURCE_KEYS = (
    ("aws:SourceAccount", "not the lake's account {account}"),
    ("aws:SourceArn", "not a resource of the lake"),
)


@dataclass(frozen=True)
class ResourcePolicy:
    noun: str  # "bucket policy", "queue policy"
    name: str
    ref: str
    policy: Maybe[dict[str, Any]]


def services(statement: Statement) -> list[str]:
    return [value for kind, value in entries(statement.get("Principal")) if kind == "Service"]


def unread_buckets(model: Lake) -> frozenset[str]:
    """ARNs of the lake's buckets a live audit could not read (deleted, denied): whether an
    aws:SourceArn naming one of them is still the lake's is open (LAKE.11 reports the bucket)."""
    return frozenset(u.ref for u in model.unverified if u.setting == "bucket")


def _key_gap(statement: Statement, key: str, outside: str, model: Lake) -> str | None:
    """Why ``key`` does not limit the statement to the lake's sources; None when it does."""
    def accepted(value: Any) -> bool:
        return is_lake_value(key.lower(), value, model) or value in unread_buckets(model)

    found = [(op, values) for op, k, values in conditions(statement) if k == key.lower()]
    if not found:
        return f"no {key} condition"
    if any(limits(op) and values and all(map(accepted, values)) for op, values in found):
        return None
    op, values = found[0]
    if op.endswith("IfExists"):
        return f"{key} only under {op}, which a request without the key passes"
    if not limits(op):
        return f"{key} only under {op}, which does not limit the key to the values it lists"
    others = ", ".join(str(v) for v in values if not accepted(v)) or "nothing"
    return f"{key} names {others} ({outside.format(account=model.account_id)})"


def _judge_statement(name: str, statement: Statement, model: Lake) -> Verdict | None:
    """None for a statement that allows no service: nothing to judge."""
    if statement.get("Effect") == "Deny":
        return None
    if grant_undecided(statement) or contains_unknown(statement.get("Condition")):
        return undecided_verdict([(name, statement)])
    named = services(statement) if statement.get("Effect") == "Allow" else []
    if not named:
        return None
    gaps = [gap for key, outside in SOURCE_KEYS if (gap := _key_gap(statement, key, outside, model))]
    who = f"the service{'s' if len(named) > 1 else ''} {', '.join(named)}"
    if gaps:
        return failed(f"statement {name} allows {who} with no limit to the lake's own sources: {', and '.join(gaps)}")
    unread = sorted({str(v) for _, k, values in conditions(statement) if k == "aws:sourcearn" for v in values}
                    & unread_buckets(model))
    if unread:
        return unknown(f"statement {name} allows {who} for {', '.join(unread)}, which the audit could not read")
    return passed(f"statement {name} is limited to the lake's sources")


def judge(resource: ResourcePolicy, model: Lake) -> Verdict:
    if not isinstance(model.account_id, str):
        return unknown("the lake's account id is not known")
    named = named_statements(resource.policy)
    if is_unknown(named):
        return unknown(f"the {resource.noun} cannot be known before deployment")
    verdicts = [v for n, s in named if (v := _judge_statement(n, s, model)) is not None]
    if not verdicts:
        return passed("no statement allows an AWS service")
    return combine(verdicts,
                   "every Allow to an AWS service names the lake's account in aws:SourceAccount and its own "
                   "resources in aws:SourceArn")


def resource_policies(model: Lake) -> list[ResourcePolicy]:
    found = [ResourcePolicy("bucket policy", b.name, b.ref, b.policy) for b in model.buckets]
    found += [ResourcePolicy("queue policy", q.name, q.ref, q.policy) for q in model.queues]
    return [r for r in found if r.policy is not None]


def check(model: Lake) -> list[Finding]:
    return per_resource(RULE_ID, resource_policies(model), lambda r: judge(r, model),
                        "the lake has no bucket or queue policy")


RULE = Rule(
    id=RULE_ID,
    title="Bucket and queue policies limit AWS service principals to the lake's own sources",
    severity=Severity.HIGH,
    rationale="A service principal such as logging.s3.amazonaws.com or s3.amazonaws.com acts for every customer "
    "of the service. An Allow to it without aws:SourceAccount and aws:SourceArn lets a bucket of any account "
    "deliver its access logs into the lake's logs bucket, or send its events to the lake's queue (the confused "
    "deputy). An IfExists operator, a negated one, a wildcard or another account's value limits nothing.",
    remediation="Build service grants with `components/documents/service_grants.py` (allow_service_for_sources): "
    "ArnLike aws:SourceArn with the lake's own source ARNs and StringEquals aws:SourceAccount with the lake's "
    "account id.",
    reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    check=check,
    scope="every bucket and queue policy",
)
