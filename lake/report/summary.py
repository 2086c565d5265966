"""What every report format needs: findings per rule, in a stable order, with counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from policies.registry import all_rules
from policies.registry import rule as rule_by_id
from policies.rule import Finding, Rule, Status

# How a rule's findings add up: one failure makes the rule fail, and so on down.
_PRECEDENCE = (Status.FAIL, Status.UNKNOWN, Status.PASS, Status.NOT_APPLICABLE)


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    findings: tuple[Finding, ...]

    @property
    def status(self) -> Status:
        present = {f.status for f in self.findings}
        return next((s for s in _PRECEDENCE if s in present), Status.NOT_APPLICABLE)

    @property
    def blocking(self) -> bool:
        return self.status is Status.FAIL and self.rule.severity.mandatory

    def with_status(self, *statuses: Status) -> list[Finding]:
        return [f for f in self.findings if f.status in statuses]


def rule_results(findings: list[Finding]) -> list[RuleResult]:
    """One result per rule of the registry, in severity then rule order."""
    rules = sorted(all_rules(), key=lambda r: r.severity.rank)
    return [RuleResult(r, tuple(f for f in findings if f.rule_id == r.id)) for r in rules]


def counts(findings: list[Finding]) -> dict[str, int]:
    tally = Counter(f.status for f in findings)
    return {status.value: tally.get(status, 0) for status in Status}


def audit_summary(findings: list[Finding]) -> dict[str, object]:
    results = rule_results(findings)
    return {
        "rules": len(results),
        "findings": counts(findings),
        "blockingRules": [r.rule.id for r in results if r.blocking],
    }


def finding_entry(finding: Finding) -> dict[str, object]:
    """A finding as the plan document's ``findings`` list holds it (docs/plan-format.md)."""
    rule = rule_by_id(finding.rule_id)
    return {
        "ruleId": rule.id,
        "title": rule.title,
        "severity": rule.severity.value,
        "mandatory": rule.severity.mandatory,
        "status": finding.status.value,
        "resource": finding.resource,
        "ref": finding.ref,
        "message": finding.message,
        # An audit of several accounts (docs/audit-format.md): where; absent from every other report.
        **({"account": finding.account, "region": finding.region} if finding.account is not None else {}),
    }
