"""A live audit in the terminal and as a Markdown comment: what was read, the findings, the drift."""

from __future__ import annotations

from lake.audit import Audit, calls_summary
from lake.terminal import counted, fit, fit_lines

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
