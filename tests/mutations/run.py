"""Run the mutation corpus: which rules catch each misconfiguration, and which false alarms the
unmutated lakes raise."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from policies.adapters.plan import lake_from_plan
from policies.evaluate import evaluate
from policies.rule import Finding, Status
from tests.support import REPO

from .plan_corpus import MUTATIONS, Mutation


@dataclass(frozen=True)
class Outcome:
    """One mutation's result: the intended rules that failed it, those that did not, and the other
    rules that failed too (by design or not: the report shows them)."""

    id: str
    kind: str  # "plan" or "live"
    stack: str
    summary: str
    intended: tuple[str, ...]
    caught: tuple[str, ...]
    also: tuple[str, ...]
    error: str | None = None  # the mutation could not be applied or audited

    @property
    def missed(self) -> tuple[str, ...]:
        return tuple(r for r in self.intended if r not in self.caught)


@lru_cache(maxsize=2)
def recorded_plan(stack: str) -> dict[str, Any]:
    return plan_document(plan_stack(REPO, stack))


def failing_rules(findings: Iterable[Finding]) -> set[str]:
    return {f.rule_id for f in findings if f.status is Status.FAIL}


def baseline_failures(stack: str) -> list[Finding]:
    """The failures of the unmutated lake: each one is a false alarm."""
    return [f for f in evaluate(lake_from_plan(recorded_plan(stack))) if f.status is Status.FAIL]


def mutated(mutation: Mutation) -> dict[str, Any]:
    """The recorded plan of the mutation's stack, with the mutation applied."""
    document = copy.deepcopy(recorded_plan(mutation.stack))
    mutation.edit(document)
    return document


def control_failures(control: Mutation) -> list[Finding]:
    """The failures a legitimate change raises: each one is a false alarm."""
    return [f for f in evaluate(lake_from_plan(mutated(control))) if f.status is Status.FAIL]


def run_plan_mutation(mutation: Mutation) -> Outcome:
    try:
        document = mutated(mutation)
    except (LookupError, KeyError, IndexError, TypeError) as error:
        return _outcome(mutation.id, "plan", mutation.stack, mutation.summary, mutation.rules, set(),
                        f"the mutation no longer applies: {error}")
    failing = failing_rules(evaluate(lake_from_plan(document)))
    return _outcome(mutation.id, "plan", mutation.stack, mutation.summary, mutation.rules, failing)


def _outcome(id_: str, kind: str, stack: str, summary: str, intended: tuple[str, ...], failing: set[str],
             error: str | None = None) -> Outcome:
    return Outcome(id_, kind, stack, summary, intended, tuple(r for r in intended if r in failing),
                   tuple(sorted(failing - set(intended))), error)


def plan_outcomes(mutations: Iterable[Mutation] = MUTATIONS) -> list[Outcome]:
    return [run_plan_mutation(m) for m in mutations]


def live_outcomes(progress: Callable[[str], None] = lambda _: None) -> tuple[list[Outcome], list[Finding]]:
    """The one-edit cases of tests/live/test_misconfigurations.py, each on a fresh dev lake in moto,
    and the failures of the unmutated dev lake's audit (false alarms)."""
    from tests.live import test_misconfigurations as live
    from tests.live.support import audit, deploy, threaded_moto

    outcomes = []
    with threaded_moto() as url:
        deploy(recorded_plan("dev"), url)
        alarms = [f for f in audit(url).findings if f.status is Status.FAIL]
        for param in live.CASES:
            case, (id_,) = param.values[0], (param.id,)
            progress(id_)
            deploy(recorded_plan("dev"), url)
            case.mutate(url)
            failing = {rule for rule, _, status in audit(url, case.selection).open() if status == "fail"}
            intended = (case.rule, *(rule for rule, _, status in case.also if status == "fail"))
            summary = id_.replace("-", " ")  # the cases are named for what they change
            outcomes.append(_outcome(id_, "live", "dev", summary, tuple(dict.fromkeys(intended)), failing))
    return outcomes, alarms


def recall_by_rule(outcomes: Iterable[Outcome]) -> Iterator[tuple[str, int, int]]:
    """(rule, mutations naming it, of those, mutations it caught), in registry order."""
    from policies.registry import all_rules

    outcomes = list(outcomes)
    for rule in all_rules():
        named = [o for o in outcomes if rule.id in o.intended]
        if named:
            yield rule.id, len(named), sum(rule.id in o.caught for o in named)
