"""Findings in the terminal, grouped by severity, within the terminal's width (lake/terminal.py).

Failing and unknown findings are shown in full, each rule with every finding; the rules that
pass are one compact list per severity; a rule that does not apply is one line with its reason.
The markdown, JSON and SARIF formats carry every finding.
"""

from __future__ import annotations

from collections import Counter

from lake.terminal import counted, fit, fit_items, fit_lines
from policies.rule import Finding, Severity, Status

from .summary import RuleResult, rule_results

LABELS = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.UNKNOWN: "UNKNOWN", Status.NOT_APPLICABLE: "N/A"}
ORDER = (Status.FAIL, Status.UNKNOWN, Status.PASS, Status.NOT_APPLICABLE)
RULE_WORDS = {Status.FAIL: "fail", Status.UNKNOWN: "unknown", Status.PASS: "pass",
              Status.NOT_APPLICABLE: "not applicable"}
CHECK_WORDS = {Status.FAIL: "failed", Status.UNKNOWN: "unknown", Status.PASS: "passed",
               Status.NOT_APPLICABLE: "not applicable"}
DETAIL = " " * 10  # where a finding's text starts, under the rule's id


def summary_line(results: list[RuleResult], findings: list[Finding]) -> str:
    """``Policy findings: 27 rules: 22 pass, 5 not applicable; 79 checks: 72 passed, 7 not applicable``:
    rules by their overall status, then checks (one finding: one rule on one resource)."""
    rules, checks = Counter(r.status for r in results), Counter(f.status for f in findings)
    by_rule = ", ".join(f"{rules[s]} {RULE_WORDS[s]}" for s in ORDER if rules[s])
    by_check = ", ".join(f"{checks[s]} {CHECK_WORDS[s]}" for s in ORDER if checks[s])
    return (f"Policy findings: {counted(len(results), 'rule')}: {by_rule or 'none evaluated'}; "
            f"{counted(len(findings), 'check')}" + (f": {by_check}" if by_check else ""))


def _group_lines(group: list[RuleResult]) -> list[str]:
    lines = []
    for result in group:
        if result.status in (Status.FAIL, Status.UNKNOWN):
            lines += fit(f"  {LABELS[result.status]:<8}{result.rule.id:<8}{result.rule.title}", DETAIL)
            for f in result.with_status(Status.FAIL, Status.UNKNOWN):
                lines += fit(f"{DETAIL}{f.where}: {f.message}", DETAIL + "  ")
    passing = [r.rule.id for r in group if r.status is Status.PASS]
    if passing:
        lines += fit_items(f"  {LABELS[Status.PASS]:<8}", passing, ", ", DETAIL)
    for result in group:
        if result.status is Status.NOT_APPLICABLE and result.findings:
            reason = result.findings[0]
            lines += fit(f"  {LABELS[Status.NOT_APPLICABLE]:<8}{result.rule.id:<8}{reason.where}: {reason.message}",
                         DETAIL + "        ")
        elif result.status is Status.NOT_APPLICABLE:
            lines += fit(f"  {LABELS[Status.NOT_APPLICABLE]:<8}{result.rule.id:<8}{result.rule.title}", DETAIL)
    return lines


def render_findings_text(findings: list[Finding]) -> str:
    results = rule_results(findings)
    lines = fit(summary_line(results, findings), "  ")
    for severity in Severity:
        group = [r for r in results if r.rule.severity is severity]
        if not group:
            continue
        lines += ["", f"{severity.value.upper()} ({'mandatory' if severity.mandatory else 'advisory'})"]
        lines += _group_lines(group)
    blocking = [r.rule.id for r in results if r.blocking]
    lines += ["", *fit_lines([f"Mandatory rules failing: {', '.join(blocking)}" if blocking
                              else "No mandatory rule fails."], "  ")]
    return "\n".join(lines) + "\n"
