"""The plan as a pull-request comment: what will be created, and what the rules found."""

from __future__ import annotations

from collections import Counter
from typing import Any

from policies.rule import Finding, Status

from .access import render_access_markdown
from .summary import counts, rule_results

ICONS = {Status.FAIL: "❌", Status.UNKNOWN: "❔", Status.PASS: "✅", Status.NOT_APPLICABLE: "➖"}


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _resource_section(document: dict[str, Any]) -> list[str]:
    env = document["environment"]
    by_type = Counter(r["type"] for r in document["resources"] if r["custom"])
    return [
        f"### Data lake plan `{document['project']}/{document['stack']}`",
        "",
        f"Offline plan (mock values; account `{env['accountId']}`, region `{env['region']}`): "
        f"**{sum(by_type.values())} cloud resources** to create "
        f"({document['summary']['resourceCount']} with components).",
        "",
        "<details><summary>Resources by type</summary>",
        "",
        "| Type | Count |",
        "|---|---|",
        *[f"| `{t}` | {n} |" for t, n in sorted(by_type.items())],
        "",
        "</details>",
    ]


def findings_section(findings: list[Finding]) -> list[str]:
    results = rule_results(findings)
    blocking = [r for r in results if r.blocking]
    tally = counts(findings)
    headline = (
        f"❌ {len(blocking)} mandatory rule(s) failing: {', '.join(r.rule.id for r in blocking)}"
        if blocking else "✅ no mandatory rule fails"
    )
    lines = [
        "",
        f"#### Policy findings: {headline}",
        "",
        f"{tally['pass']} passed, {tally['fail']} failed, {tally['unknown']} unknown, "
        f"{tally['not_applicable']} not applicable, over {len(results)} rules.",
    ]
    open_findings = [(r, f) for r in results for f in r.with_status(Status.FAIL, Status.UNKNOWN)]
    located = any(f.account is not None for f in findings)  # an audit of several accounts: say where
    if open_findings and located:
        lines += ["", "| | Severity | Rule | Account | Region | Resource | Finding |", "|---|---|---|---|---|---|---|"]
        lines += [
            f"| {ICONS[f.status]} | {r.rule.severity.value} | {r.rule.id} {cell(r.rule.title)} "
            f"| {f.account or ''} | {f.region or ''} | `{f.resource}` | {cell(f.message)} |"
            for r, f in open_findings
        ]
    elif open_findings:
        lines += ["", "| | Severity | Rule | Resource | Finding |", "|---|---|---|---|---|"]
        lines += [
            f"| {ICONS[f.status]} | {r.rule.severity.value} | {r.rule.id} {cell(r.rule.title)} "
            f"| `{f.resource}` | {cell(f.message)} |"
            for r, f in open_findings
        ]
    lines += [
        "",
        "<details><summary>All rules</summary>",
        "",
        "| | Rule | Severity | Title | Resources |",
        "|---|---|---|---|---|",
        *[
            f"| {ICONS[r.status]} | {r.rule.id} | {r.rule.severity.value} | {cell(r.rule.title)} | "
            f"{len([f for f in r.findings if f.status is not Status.NOT_APPLICABLE])} |"
            for r in results
        ],
        "",
        "</details>",
    ]
    return lines


def render_markdown(
    document: dict[str, Any], findings: list[Finding], matrices: list, reach: dict[str, list[str]]
) -> str:
    sections = _resource_section(document) + findings_section(findings)
    return "\n".join(sections + (render_access_markdown(matrices, reach) if matrices else [])) + "\n"
