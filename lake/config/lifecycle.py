"""Checks of one lifecycle: what S3 would reject (errors) and what it would bill for nothing (warnings).

A lifecycle holds two schedules with the same rules: current objects (``transitions`` then
``expirationDays``) and noncurrent versions (``noncurrentVersions.transitions`` then
``noncurrentVersions.expirationDays``). Both are checked by the same functions.

The checks run on the built settings, so that defaults the user did not write take part (an
``expirationDays: 60`` under the default transitions is an error); messages say so when a value
comes from a default, since the user will not find it in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.settings import (
    MIN_DAYS_BEFORE_IA,
    MIN_STORAGE_DAYS,
    STORAGE_CLASS_ORDER,
    LifecycleSettings,
    Transition,
)
from lake.config.problems import ConfigProblem
from policies.lifecycle_schedule import conflicts, object_classes
from policies.model import Lifecycle, LifecycleRule
from policies.model import Transition as ModelTransition

# The lake's minimum gap between two transitions (days). S3 itself requires 30 days in
# STANDARD_IA before the next move; the lake applies the same floor after every class.
MIN_DAYS_BETWEEN_TRANSITIONS = 30


@dataclass(frozen=True)
class Schedule:
    """Transitions then expiry of one kind of version, with where each value came from."""

    path: str  # the mapping holding ``transitions`` and ``expirationDays``
    subject: str  # "objects" or "noncurrent versions", for the messages
    transitions: tuple[Transition, ...]
    expiration_days: int | None
    transitions_defaulted: bool
    expiration_defaulted: bool


def schedules(path: str, lifecycle: LifecycleSettings, raw: Mapping[str, Any] | None) -> list[Schedule]:
    """The two schedules of a lifecycle at ``path``; ``raw`` is what the user wrote (None: nothing)."""
    raw = raw or {}
    noncurrent = lifecycle.noncurrent
    return [
        _schedule(path, "objects", lifecycle.transitions, lifecycle.expiration_days, raw),
        _schedule(
            f"{path}.noncurrentVersions", "noncurrent versions", noncurrent.transitions,
            noncurrent.expiration_days, raw.get("noncurrentVersions", {}),
        ),
    ]


def _schedule(
    path: str, subject: str, transitions: tuple[Transition, ...], expiration_days: int | None, raw: Mapping[str, Any]
) -> Schedule:
    return Schedule(
        path, subject, transitions, expiration_days, "transitions" not in raw, "expirationDays" not in raw
    )


def schedule_problems(schedule: Schedule) -> list[ConfigProblem]:
    problems = []
    for index, transition in enumerate(schedule.transitions):
        at = f"{schedule.path}.transitions[{index}]"
        problems += _too_early_for_ia(at, schedule.subject, transition)
        if index:
            problems += _after_previous(at, schedule.subject, schedule.transitions[index - 1], transition)
    return problems + _expiration_problems(schedule)


def _too_early_for_ia(at: str, subject: str, transition: Transition) -> list[ConfigProblem]:
    if transition.storage_class != "STANDARD_IA" or transition.days >= MIN_DAYS_BEFORE_IA:
        return []
    return [ConfigProblem(
        f"{at}.days",
        f"S3 moves {subject} to STANDARD_IA only after {MIN_DAYS_BEFORE_IA} days; got day {transition.days}",
    )]


def _after_previous(at: str, subject: str, previous: Transition, transition: Transition) -> list[ConfigProblem]:
    """A transition must be later, colder and at least 30 days after the one before it."""
    problems = []
    if STORAGE_CLASS_ORDER.index(transition.storage_class) <= STORAGE_CLASS_ORDER.index(previous.storage_class):
        problems.append(ConfigProblem(
            f"{at}.storageClass",
            f"{transition.storage_class} is not colder than the previous transition's {previous.storage_class}; "
            f"classes must get colder in the order {', '.join(STORAGE_CLASS_ORDER)}",
        ))
    gap = transition.days - previous.days
    if gap <= 0:
        problems.append(ConfigProblem(
            f"{at}.days", f"day {transition.days} is not after the previous transition's day {previous.days}"
        ))
    elif gap < MIN_DAYS_BETWEEN_TRANSITIONS:
        problems.append(ConfigProblem(
            f"{at}.days",
            f"day {transition.days} is only {gap} days after the previous transition (day {previous.days}); "
            f"the lake requires at least {MIN_DAYS_BETWEEN_TRANSITIONS} (S3 itself does after STANDARD_IA)",
        ))
    elif gap < MIN_STORAGE_DAYS[previous.storage_class]:
        problems.append(_minimum_charge(
            f"{at}.days", subject, previous, "", f"moving them to {transition.storage_class} at day {transition.days}"
        ))
    return problems


def _expiration_problems(schedule: Schedule) -> list[ConfigProblem]:
    if schedule.expiration_days is None or not schedule.transitions:
        return []
    last = schedule.transitions[-1]
    at = f"{schedule.path}.expirationDays"
    expiry = f"day {schedule.expiration_days}" + (" (the default)" if schedule.expiration_defaulted else "")
    source = " (a default transition)" if schedule.transitions_defaulted else ""
    if schedule.expiration_days <= last.days:
        return [ConfigProblem(
            at, f"expiration at {expiry} must come after the last transition, to {last.storage_class} at day {last.days}{source}"
        )]
    if schedule.expiration_days < last.days + MIN_STORAGE_DAYS[last.storage_class]:
        return [_minimum_charge(at, schedule.subject, last, source, f"expiring them at {expiry}")]
    return []


def _minimum_charge(at: str, subject: str, moved: Transition, source: str, action: str) -> ConfigProblem:
    """Leaving a class before its minimum storage duration is billed as if the object stayed."""
    minimum = MIN_STORAGE_DAYS[moved.storage_class]
    return ConfigProblem(
        at,
        f"{subject} moved to {moved.storage_class} at day {moved.days}{source} are billed for at least "
        f"{minimum} days there; {action} is charged as if kept until day {moved.days + minimum}",
        "warning",
    )


def combination_problems(path: str, rules: list[dict[str, Any]]) -> list[ConfigProblem]:
    """What the rules the program writes for the lifecycle at ``path`` do together, as S3 applies them.

    The same judgement as S3.13's (``policies.lifecycle_schedule``), on the rule dicts of
    ``components.lifecycle`` (the lake's buckets are always versioned). Each schedule above is one
    rule; this catches a rule set whose rules preempt each other's actions.
    """
    classes = object_classes(Lifecycle(tuple(_model_rule(rule) for rule in rules)), versioned=True)
    return [ConfigProblem(path, conflict.message) for conflict in conflicts(classes)]


def _model_rule(rule: dict[str, Any]) -> LifecycleRule:
    """A rule dict of ``components.lifecycle`` (pulumi-aws's snake_case inputs) in the audit's model."""
    expiration = rule.get("expiration", {})
    noncurrent_expiration = rule.get("noncurrent_version_expiration", {})
    return LifecycleRule(
        id=rule["id"],
        enabled=rule["status"] == "Enabled",
        prefix=rule["filter"].get("prefix", ""),
        transitions=tuple(ModelTransition(t["days"], t["storage_class"]) for t in rule.get("transitions", [])),
        expiration_days=expiration.get("days"),
        expired_object_delete_marker=expiration.get("expired_object_delete_marker"),
        noncurrent_transitions=tuple(
            ModelTransition(t["noncurrent_days"], t["storage_class"])
            for t in rule.get("noncurrent_version_transitions", [])
        ),
        noncurrent_expiration_days=noncurrent_expiration.get("noncurrent_days"),
        abort_incomplete_multipart_upload_days=rule.get("abort_incomplete_multipart_upload", {}).get(
            "days_after_initiation"),
    )
