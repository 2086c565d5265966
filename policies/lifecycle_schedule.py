"""What S3 does to each object when several lifecycle rules apply to it: the effective schedule.

S3 does not run lifecycle rules one by one: every enabled rule whose filter matches an object
applies to it, and S3 settles the conflicts as "How Amazon S3 handles conflicts in lifecycle
configurations" says (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-conflicts.html):

- of two expirations, the shorter is honored;
- of two transitions, the one to the lower-cost class (Glacier Flexible Retrieval over
  Standard-IA): an object only moves to colder classes, along the waterfall of supported
  transitions (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html),
  so a move to a class no colder than the one it is in never happens;
- on one day, permanent deletion wins over a transition, and a transition wins over the creation of
  a delete marker. Expiring a current version permanently deletes it in an unversioned bucket, and
  only adds a delete marker in a versioned (or suspended) one: there the transition due that day
  still happens. Noncurrent versions are always deleted permanently.

A rule filtered by tags or object size as well applies to some objects under its prefix only: its
objects form a class of their own (the unfiltered rules covering its prefix, and it), and only
what happens to its own actions there is a conflict. Its actions never count against the other
rules (expiring tagged scratch objects early is a choice, not a conflict); two filtered rules are
not combined, as nothing tells whether any object matches both.

Rule filters are key prefixes, and prefixes nest: an object under ``images/2024/`` follows the rules
of ``""``, ``images/`` and ``images/2024/`` together. So the objects fall into one class per
distinct prefix of the enabled rules (the rules covering a class are those whose prefix starts
its own), plus the objects under none of them. An action a rule takes on its own class and never
happens there never happens anywhere: deeper classes only add rules, which preempt more.

S3 also refuses some schedules inside one rule (STANDARD_IA before day 30, an expiration not after
the transitions); across rules it accepts them and applies the precedence above. Those per-rule
refusals are judged where the rule is read (S3.13, ``lake/config/lifecycle.py``); this module says
what the combination does. Transitions to classes outside ``STORAGE_CLASS_ORDER`` and date-based
ones are left out of the combination: S3.13 reports them as rules it cannot judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from components.settings import MIN_STORAGE_DAYS, STORAGE_CLASS_ORDER

from .model import UNKNOWN, Lifecycle, LifecycleRule, Maybe, Unknown, contains_unknown, is_unknown

# Days an object must stay in STANDARD_IA before S3 moves it on (one rule: refused; two rules:
# accepted, and the 30 days are billed anyway).
DAYS_IN_STANDARD_IA = MIN_STORAGE_DAYS["STANDARD_IA"]


@dataclass(frozen=True)
class Action:
    """One rule's move (``storage_class``) or expiration (``storage_class`` None) on day ``day``."""

    rule: str
    day: int
    storage_class: str | None = None
    prefix: str = ""  # the rule's: the class it acts on first

    def done_to(self, subject: str) -> str:
        if self.storage_class is None:
            return f"expires {subject} at day {self.day}"
        return f"moves {subject} to {self.storage_class} at day {self.day}"


@dataclass(frozen=True)
class Preempted:
    """An action that never happens, and the effective action that takes its place."""

    action: Action
    by: Action


@dataclass(frozen=True)
class Track:
    """The effective schedule of one kind of version (current or noncurrent) of an object class."""

    transitions: tuple[Action, ...] = ()  # in day order, each colder than the one before
    expiration: Action | None = None
    preempted: tuple[Preempted, ...] = ()


@dataclass(frozen=True)
class ObjectClass:
    """The objects under ``prefix`` (None: under no rule's prefix) and what S3 does to them."""

    prefix: str | None
    rules: tuple[str, ...]
    current: Track
    noncurrent: Track
    abort_multipart: Action | None  # the earliest abort of incomplete uploads (``day``: days after initiation)
    narrowed_by: str | None = None  # the filtered rule whose objects these are, if any

    @property
    def subject(self) -> str:
        if self.narrowed_by is not None:
            where = f" under {self.prefix}" if self.prefix else ""
            return f"objects{where} matching rule {self.narrowed_by}'s filter"
        if self.prefix is None:
            return "objects under no rule's prefix"
        return f"objects under {self.prefix}" if self.prefix else "objects"


Schedules = Union[tuple[ObjectClass, ...], Unknown]


def object_classes(lifecycle: Maybe[Lifecycle], versioned: Maybe[bool]) -> Schedules:
    """Each object class of the lifecycle, shallowest prefix first, with its effective schedule.

    UNKNOWN when a rule that may be enabled has an unknown value, or when versioning decides a
    same-day tie and is unknown. Disabled rules are ignored.
    """
    if is_unknown(lifecycle):
        return UNKNOWN
    every = [r for r in (lifecycle.rules if lifecycle else ()) if r.enabled is not False]
    if any(contains_unknown(_values(r)) for r in every):
        return UNKNOWN
    rules = [r for r in every if r.filtered is not True]
    prefixes = sorted({r.prefix or "" for r in rules}, key=lambda p: (len(p), p))
    classes = [_object_class(p, _covering(rules, p), versioned) for p in prefixes]
    if "" not in prefixes:
        classes.insert(0, _object_class(None, [], versioned))
    classes += [_object_class(f.prefix or "", [*_covering(rules, f.prefix or ""), f], versioned, f.id)
                for f in every if f.filtered is True]
    if any(is_unknown(c) for c in classes):
        return UNKNOWN
    return tuple(classes)


def _covering(rules: list[LifecycleRule], prefix: str) -> list[LifecycleRule]:
    return [r for r in rules if prefix.startswith(r.prefix or "")]


def _values(rule: LifecycleRule) -> tuple[object, ...]:
    return (rule.enabled, rule.prefix, rule.filtered, rule.transitions, rule.expiration_days, rule.noncurrent_transitions,
            rule.noncurrent_expiration_days, rule.abort_incomplete_multipart_upload_days)


def _object_class(prefix: str | None, rules: list[LifecycleRule], versioned: Maybe[bool],
                  narrowed_by: str | None = None) -> Maybe[ObjectClass]:
    # A current version's expiration only adds a delete marker in a versioned bucket.
    current = _track(rules, lambda r: (r.transitions, r.expiration_days), deletes_permanently=_not(versioned))
    noncurrent = _track(
        rules, lambda r: (r.noncurrent_transitions, r.noncurrent_expiration_days), deletes_permanently=True
    )
    if is_unknown(current):
        return UNKNOWN
    aborts = [Action(r.id, r.abort_incomplete_multipart_upload_days) for r in rules
              if r.abort_incomplete_multipart_upload_days is not None]
    return ObjectClass(prefix, tuple(r.id for r in rules), current, noncurrent, _earliest(aborts), narrowed_by)


def _not(versioned: Maybe[bool]) -> Maybe[bool]:
    return UNKNOWN if is_unknown(versioned) else not versioned


def _track(rules, actions_of, deletes_permanently: Maybe[bool]) -> Maybe[Track]:
    moves, expirations = [], []
    for rule in rules:
        transitions, expiration_days = actions_of(rule)
        prefix = rule.prefix or ""
        moves += [Action(rule.id, t.days, t.storage_class, prefix) for t in transitions
                  if t.storage_class in STORAGE_CLASS_ORDER and isinstance(t.days, int)]
        if expiration_days is not None:
            expirations.append(Action(rule.id, expiration_days, prefix=prefix))
    expiration = _earliest(expirations)
    if expiration is not None and is_unknown(deletes_permanently) and any(m.day == expiration.day for m in moves):
        return UNKNOWN  # whether the move or the deletion wins that day depends on versioning
    preempted = [Preempted(e, expiration) for e in expirations if expiration and e.day > expiration.day]
    effective: list[Action] = []
    # On one day the coldest move wins; later, only a colder one happens.
    for move in sorted(moves, key=lambda m: (m.day, -_rank(m))):
        by = _preempting(move, effective, expiration, deletes_permanently is True)
        if by is None:
            effective.append(move)
        elif (by.day, by.storage_class) != (move.day, move.storage_class):  # the same move twice happens once
            preempted.append(Preempted(move, by))
    return Track(tuple(effective), expiration, tuple(sorted(preempted, key=lambda p: p.action.day)))


def _preempting(move: Action, effective: list[Action], expiration: Action | None, deletes: bool) -> Action | None:
    """The effective action that keeps ``move`` from happening, if any."""
    if expiration is not None and (move.day > expiration.day or (move.day == expiration.day and deletes)):
        return expiration
    if effective and _rank(move) <= _rank(effective[-1]):
        return effective[-1]
    return None


def _rank(action: Action) -> int:
    return STORAGE_CLASS_ORDER.index(action.storage_class)


def _earliest(actions: list[Action]) -> Action | None:
    return min(actions, key=lambda a: a.day, default=None)


@dataclass(frozen=True)
class Conflict:
    """A problem of the combination of rules, in words a finding or a config error can carry."""

    rules: frozenset[str]
    message: str


def conflicts(classes: tuple[ObjectClass, ...]) -> list[Conflict]:
    """What goes wrong only because several rules apply together, each reported once.

    A rule's action preempted by another rule, an expiration before the minimum storage duration of
    another rule's move, a move out of STANDARD_IA fewer than 30 days after another rule's move
    into it. Conflicts inside one rule are S3's per-rule refusals, judged elsewhere.
    """
    found: dict[str, Conflict] = {}
    for object_class in classes:
        for track, versions in ((object_class.current, ""), (object_class.noncurrent, "noncurrent versions of ")):
            for conflict in _track_conflicts(object_class, track, versions):
                found.setdefault(conflict.message, conflict)
    return list(found.values())


def _track_conflicts(object_class: ObjectClass, track: Track, versions: str):
    subject = versions + object_class.subject
    if object_class.narrowed_by is not None:
        # Only the filtered rule's own actions can be in conflict among its objects.
        yield from (_preempted(subject, p) for p in track.preempted if p.action.rule == object_class.narrowed_by)
        return
    for p in track.preempted:
        # Reported on the rule's own class only: deeper classes preempt it the same way or more.
        if p.action.rule != p.by.rule and p.action.prefix == object_class.prefix:
            yield _preempted(subject, p)
    for earlier, later in zip(track.transitions, track.transitions[1:]):
        if earlier.rule != later.rule and earlier.storage_class == "STANDARD_IA":
            gap = later.day - earlier.day
            if gap < DAYS_IN_STANDARD_IA:
                yield Conflict(frozenset({earlier.rule, later.rule}), (
                    f"{subject} move to {later.storage_class} at day {later.day} (rule {later.rule}), {gap} days "
                    f"after STANDARD_IA at day {earlier.day} (rule {earlier.rule}); STANDARD_IA bills at least "
                    f"{DAYS_IN_STANDARD_IA} days"))
    last, expiration = (track.transitions or (None,))[-1], track.expiration
    if last and expiration and last.rule != expiration.rule:
        earliest = last.day + MIN_STORAGE_DAYS[last.storage_class]
        if expiration.day < earliest:
            yield Conflict(frozenset({last.rule, expiration.rule}), (
                f"{subject} expire at day {expiration.day} (rule {expiration.rule}), before day {earliest} "
                f"({last.storage_class} from day {last.day}, rule {last.rule}, bills at least "
                f"{MIN_STORAGE_DAYS[last.storage_class]} days)"))


def _preempted(subject: str, p: Preempted) -> Conflict:
    action, by = p.action, p.by
    if by.storage_class is None:
        reason = f"rule {by.rule} expires every one of them at day {by.day}"
    else:
        reason = f"they are in {by.storage_class} from day {by.day} (rule {by.rule})"
    return Conflict(frozenset({action.rule, by.rule}),
                    f"rule {action.rule} never {action.done_to(subject)}: {reason}")
