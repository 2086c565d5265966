"""The plan corpus as tests (the live corpus is tests/live/test_misconfigurations.py), the corpus's
size, and that docs/assurance.md reports the corpus as it is."""

from __future__ import annotations

import pytest

from policies.registry import all_rules
from tests.live.test_misconfigurations import CASES
from tests.mutations.plan_corpus import CONTROLS, MUTATIONS
from tests.mutations.report import ASSURANCE_MD, END, START
from tests.mutations.run import baseline_failures, control_failures, run_plan_mutation

RULE_IDS = {r.id for r in all_rules()}


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_each_plan_mutation_is_caught_by_every_rule_it_names(mutation):
    outcome = run_plan_mutation(mutation)
    assert outcome.error is None
    assert outcome.missed == ()


@pytest.mark.parametrize("control", CONTROLS, ids=[c.id for c in CONTROLS])
def test_each_legitimate_change_raises_no_failure(control):
    assert [(f.rule_id, f.resource, f.message) for f in control_failures(control)] == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_unmutated_lakes_raise_no_failure(stack):
    assert [(f.rule_id, f.resource, f.message) for f in baseline_failures(stack)] == []


def test_the_corpus_is_large_enough_and_names_only_real_rules():
    assert len(MUTATIONS) >= 50 and len(CASES) >= 30
    assert len({m.id for m in MUTATIONS}) == len(MUTATIONS)
    assert {rule for m in MUTATIONS for rule in m.rules} <= RULE_IDS


def test_the_recorded_report_covers_the_whole_corpus_at_full_recall():
    text = ASSURANCE_MD.read_text()
    report = text[text.index(START):text.index(END)]
    listed = {line.split("`")[1] for line in report.splitlines() if line.startswith("| `")}
    assert listed == {m.id for m in MUTATIONS} | {c.id for c in CASES}
    total = len(MUTATIONS) + len(CASES)
    assert f"- Caught by every rule they name: {total} of {total} (100%)." in report
    assert "): 0." in report  # no false alarm on the unmutated lakes
