"""`lake audit`: the rules of `lake plan`, run against what is deployed, and the drift from a plan."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lake import __version__
from policies.adapters.live import LiveRead, Selection, Target, read_lake
from policies.adapters.live.selection import declared
from policies.adapters.plan import lake_from_plan
from policies.adapters.live.consumers import exported_with_live_ids
from policies.drift import KINDS, Difference, drift, rewriter, substitutions
from policies.evaluate import evaluate
from policies.model import Missing, Unverified
from policies.rule import Finding, Status


class AuditError(ValueError):
    """Bad input to the audit (an unreadable plan, nothing selected): exit 2, one line."""


@dataclass(frozen=True)
class Audit:
    read: LiveRead
    findings: list[Finding]
    drift: list[Difference] | None  # None: no plan to compare with
    seconds: float

    @property
    def bucket_count(self) -> int:
        return len(self.read.lake.buckets)


def load_plan(path: Path) -> dict[str, Any]:
    """A plan document written by `lake plan --format json` (size, nesting and format version
    checked by ``lake.inputs.plan_file``, which `lake audit --against-plan` uses)."""
    from lake.errors import InputError
    from lake.inputs import plan_file

    try:
        return plan_file(str(path)).document
    except InputError as error:
        raise AuditError(str(error)) from None


def run_audit(target: Target, selection: Selection, plan: dict[str, Any] | None = None, progress: Any = None) -> Audit:
    started = time.perf_counter()
    planned = None
    if plan is not None:
        planned = lake_from_plan(plan)
        # Whatever the selection, every resource the plan declares is looked for by its name.
        selection = replace(selection, declared=declared(planned, plan["settings"]))
    read = read_lake(target, selection, progress)
    if not read.lake.buckets and not read.lake.unverified and planned is None:
        raise AuditError(f"no bucket matched the selection in account {read.lake.account_id}, "
                         f"region {read.lake.region}")
    differences = None
    if planned is not None:
        # The plan knows what the account alone cannot: the allowlist and the principals the
        # config names (a live key policy naming a foreign principal does not make it trusted), and
        # the policies external consumers attach in their own accounts (consumers.py).
        consumers = exported_with_live_ids(read.lake.consumers, rewriter(substitutions(planned, read.lake)))
        read = replace(read, lake=replace(read.lake, allowed_buckets=planned.allowed_buckets,
                                          trusted_principals=planned.trusted_principals, consumers=consumers))
        differences = drift(planned, read.lake)
        read = replace(read, lake=replace(read.lake, missing=missing_resources(differences, read.lake.unverified)))
    findings = explain_unverified(evaluate(read.lake), read.lake.unverified)
    return Audit(read, findings, differences, time.perf_counter() - started)


# Kinds whose "missing" is a setting the rules judge (account Block Public Access: S3.1), not a resource.
_SETTINGS_ONLY = frozenset(k.label for k in KINDS if k.declared_only)


def missing_resources(differences: list[Difference], unverified: tuple[Unverified, ...]) -> tuple[Missing, ...]:
    """The resources the plan declares and the account lacks (LAKE.11), but for those an unverified
    read already reports (a bucket chosen by name that does not exist)."""
    reported = {(u.resource, u.setting) for u in unverified}
    return tuple(Missing(d.resource_kind, d.resource) for d in differences
                 if d.setting == "exists" and d.live == "missing" and d.resource_kind not in _SETTINGS_ONLY
                 and (d.resource, d.resource_kind) not in reported)


def explain_unverified(findings: list[Finding], unverified: tuple[Unverified, ...]) -> list[Finding]:
    """A rule's unknown verdict on a resource the audit could not fully read says why, live: the
    rules' own words are about values a preview cannot know yet."""
    reasons: dict[str, list[str]] = {}
    for entry in unverified:
        reasons.setdefault(entry.resource, []).append(f"{entry.setting} ({entry.operation}: {entry.error})")
    return [
        replace(f, message=f"could not verify {'; '.join(reasons[f.resource])}")
        if f.status is Status.UNKNOWN and f.resource in reasons else f
        for f in findings
    ]


def calls_summary(audit: Audit) -> dict[str, Any]:
    calls = audit.read.calls
    total = sum(calls.values())
    return {
        "total": total,
        "requests": audit.read.requests,
        "perBucket": round(total / audit.bucket_count, 2) if audit.bucket_count else None,
        "byOperation": dict(sorted(calls.items())),
    }


def audit_document(audit: Audit, selection: dict[str, Any]) -> dict[str, Any]:
    """The JSON report (docs/audit-format.md)."""
    from lake.report.summary import audit_summary, finding_entry

    lake = audit.read.lake
    document = {
        "formatVersion": 1,
        "generator": f"lake {__version__}",
        "source": "live",
        "account": lake.account_id,
        "region": lake.region,
        "selection": selection,
        "resources": {
            "buckets": [b.name for b in lake.buckets], "keys": [k.arn for k in lake.keys],
            "endpoints": [e.endpoint_id for e in lake.endpoints], "crawlers": [c.name for c in lake.crawlers],
            "workgroups": [w.name for w in lake.workgroups], "queues": [q.name for q in lake.queues],
        },
        "findings": [finding_entry(f) for f in audit.findings],
        "audit": audit_summary(audit.findings),
        "unverified": [vars(u) for u in lake.unverified],
        "calls": calls_summary(audit),
        "seconds": round(audit.seconds, 3),
    }
    if audit.drift is not None:
        document["drift"] = [d.entry() for d in audit.drift]
    return document
