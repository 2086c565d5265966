"""Run every rule over a lake model."""

from __future__ import annotations

from collections.abc import Iterable

from .model import Lake
from .registry import all_rules
from .registry import rule as rule_by_id
from .rule import Finding, Rule, Status


def evaluate(model: Lake, rules: Iterable[Rule] | None = None) -> list[Finding]:
    return [finding for rule in (rules or all_rules()) for finding in rule.check(model)]


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """Failures of mandatory (critical or high) rules: they fail `lake plan` and the pack."""
    return [f for f in findings if f.status is Status.FAIL and rule_by_id(f.rule_id).severity.mandatory]
