"""A live audit in the terminal and as a Markdown comment: what was read, the findings, the drift."""

from __future__ import annotations

from lake.audit import Audit, calls_summary
from lake.terminal import counted, fit, fit_items, fit_lines

from .markdown import cell, findings_section
from .text import render_findings_text

_COUNTED = (("buckets", "bucket"), ("keys", "key"), ("endpoints", "endpoint"), ("crawlers", "crawler"),
            ("workgroups", "workgroup"), ("queues", "queue"))


def _scope(audit: Audit) -> str:
    lake = audit.read.lake
    parts = [counted(n, noun) for attribute, noun in _COUNTED if (n := len(getattr(lake, attribute)))]
    return f"account {lake.account_id}, region {lake.region}: {', '.join(parts)}"


def _cost(audit: Audit) -> str:
    calls = calls_summary(audit)
    return (f"{calls['total']} API calls ({calls['perBucket']} per bucket), {calls['requests']} HTTP requests, "
            f"{audit.seconds:.2f} s")


def _drift_lines(audit: Audit, plan_name: str) -> list[str]:
    if audit.drift is None:
        return []
    if not audit.drift:
        return ["", f"No drift from {plan_name}: every compared setting is as planned."]
    differ = "differs" if len(audit.drift) == 1 else "differ"
    return ["", *fit(f"Drift from {plan_name}: {counted(len(audit.drift), 'setting')} {differ}", "  "),
            *fit_lines([f"  {d.describe()}" for d in audit.drift], "    ")]


def render_audit_text(audit: Audit, plan_name: str = "the plan") -> str:
    header = fit_lines([f"Live audit of {_scope(audit)}", f"Read with {_cost(audit)}."], "  ")
    header = "".join(f"{line}\n" for line in header) + "\n"
    drift = _drift_lines(audit, plan_name)
    return header + render_findings_text(audit.findings) + "".join(f"{line}\n" for line in drift)


def render_audit_markdown(audit: Audit, plan_name: str = "the plan") -> str:
    lines = ["### Data lake live audit", "", f"Live audit of {_scope(audit)}.", "", f"Read with {_cost(audit)}."]
    lines += findings_section(audit.findings)
    if audit.drift is not None:
        lines += ["", f"#### Drift from {plan_name}: {len(audit.drift)} setting(s) differ"]
        if audit.drift:
            lines += ["", "| Resource | Setting | Planned | Live |", "|---|---|---|---|"]
            lines += [f"| {d.resource_kind} `{d.resource}` | {d.setting} | {cell(repr(d.entry()['planned']))} "
                      f"| {cell(repr(d.entry()['live']))} |" for d in audit.drift]
    return "\n".join(lines) + "\n"


# --- an audit of several accounts (`lake audit --accounts/--organization`) -----------------------


def _counts(totals: dict[str, int]) -> str:
    parts = [counted(totals[attribute], noun) for attribute, noun in _COUNTED if totals.get(attribute)]
    return ", ".join(parts) or "nothing"


def _org_scope(audit) -> str:
    scope = audit.scope
    accounts = counted(len(scope.accounts), "account")
    which = f"the organization's {counted(len(scope.accounts), 'active account')}" if scope.source == "organization" \
        else accounts
    return f"{which} in {counted(len(scope.regions), 'region')} as role {scope.role_name}"


def _org_targets(audit) -> list[str]:
    """One line per account and region read or refused; those where nothing matched, together."""
    from lake.org_audit import resource_totals

    lines, empty = [], []
    for part in audit.parts:
        if part.status == "failed":
            lines.append(f"  {part.account} {part.region}: NOT AUDITED: {part.error}")
        elif part.status == "no-match":
            empty.append(f"{part.account} {part.region}")
        else:
            lines.append(f"  {part.account} {part.region}: {_counts(resource_totals((part,)))} "
                         f"({sum(part.calls.values())} calls, {part.seconds:.2f} s)")
    if empty:
        lines += fit_items("  No bucket matched in: ", empty, ", ", "    ")
    if audit.scope.excluded:
        lines += fit_items("  Left out (--exclude-accounts): ", list(audit.scope.excluded), ", ", "    ")
    return lines


def _org_cost(audit) -> str:
    from lake.org_audit import org_calls_summary

    calls = org_calls_summary(audit)
    return (f"{calls['total']} API calls ({calls['perBucket']} per bucket), {calls['requests']} HTTP requests, "
            f"{audit.seconds:.2f} s, accounts audited in worker {audit.workers}")


def render_org_audit_text(audit) -> str:
    from lake.org_audit import resource_totals

    lines = [f"Live audit of {_org_scope(audit)}: {_counts(resource_totals(audit.parts))}",
             *_org_targets(audit), f"Read with {_org_cost(audit)}."]
    header = "".join(f"{line}\n" for line in fit_lines(lines, "    ")) + "\n"
    return header + render_findings_text(audit.findings)


def render_org_audit_markdown(audit) -> str:
    from lake.org_audit import resource_totals

    lines = ["### Data lake live audit", "", f"Live audit of {_org_scope(audit)}: "
             f"{_counts(resource_totals(audit.parts))}.", "", f"Read with {_org_cost(audit)}.", "",
             "| Account | Region | Audited | Resources |", "|---|---|---|---|"]
    for part in audit.parts:
        audited = {"failed": "❌ no", "no-match": "➖ no bucket matched", "audited": "✅ yes"}[part.status]
        what = cell(part.error) if part.error else _counts(resource_totals((part,)))
        lines.append(f"| {part.account} | {part.region} | {audited} | {what} |")
    if audit.scope.excluded:
        lines += ["", f"Left out (--exclude-accounts): {', '.join(audit.scope.excluded)}."]
    lines += findings_section(audit.findings)
    return "\n".join(lines) + "\n"
