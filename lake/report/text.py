"""Findings in the terminal, grouped by severity."""

from __future__ import annotations

from policies.rule import Finding, Severity, Status

from .summary import counts, rule_results

LABELS = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.UNKNOWN: "UNKNOWN", Status.NOT_APPLICABLE: "N/A"}


def render_findings_text(findings: list[Finding]) -> str:
    results = rule_results(findings)
    tally = counts(findings)
    lines = [
        f"Policy findings: {len(results)} rules; {tally['pass']} passed, {tally['fail']} failed, "
        f"{tally['unknown']} unknown, {tally['not_applicable']} not applicable",
    ]
    for severity in Severity:
        group = [r for r in results if r.rule.severity is severity]
        if not group:
            continue
        lines += ["", f"{severity.value.upper()} ({'mandatory' if severity.mandatory else 'advisory'})"]
        for result in group:
            rule = result.rule
            lines.append(f"  {LABELS[result.status]:<8}{rule.id:<8}{rule.title}")
            detailed = result.with_status(Status.FAIL, Status.UNKNOWN, Status.NOT_APPLICABLE)
            if result.status is Status.NOT_APPLICABLE:
                detailed = detailed[:1]
            lines += [f"          {f.resource}: {f.message}" for f in detailed]
    blocking = [r.rule.id for r in results if r.blocking]
    lines += ["", f"Mandatory rules failing: {', '.join(blocking)}" if blocking else "No mandatory rule fails."]
    return "\n".join(lines) + "\n"
