"""Which statements of a set of policies apply to a request.

A statement applies when its action, resource, principal (resource policies only) and
condition all match. ``Statement`` may be one object or a list; ``Action`` and ``Resource`` a
string or a list (``policies.iam`` does the wildcard matching). A statement that would apply
but cannot be read (unknown condition operator, malformed value or effect) does not apply, and
the scan keeps a note saying so for the decision's reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from policies.iam import as_list, covers_action, covers_resource

from .conditions import conditions_hold
from .operators import UnreadableStatement
from .principals import Grant, principal_grant
from .request import Policy, Request, StatementRef

EFFECTS = ("Allow", "Deny")
EVERY_GRANT: tuple[Grant | None, ...] = (None, "direct", "account")  # None: from an identity policy


@dataclass(frozen=True)
class Applicable:
    ref: StatementRef
    effect: str  # "Allow" or "Deny"
    grant: Grant | None  # how a resource policy names the principal; None in identity policies


@dataclass(frozen=True)
class Scan:
    applicable: tuple[Applicable, ...] = ()
    notes: tuple[str, ...] = ()  # one clause per statement that could not be read

    def __add__(self, other: Scan) -> Scan:
        return Scan(self.applicable + other.applicable, self.notes + other.notes)

    def refs(self, effect: str, grants: Iterable[Grant | None] = EVERY_GRANT) -> tuple[StatementRef, ...]:
        """The statements of one effect, in policy order, from the given kinds of grant."""
        return tuple(a.ref for a in self.applicable if a.effect == effect and a.grant in grants)


def describe(ref: StatementRef) -> str:
    """How reasons name a statement: its Sid, or its position when it has none."""
    return f"{ref.sid or f'statement {ref.index}'} of {ref.policy}"


def numbered(policy: Policy) -> list[tuple[StatementRef, Mapping[str, Any]]]:
    """The policy's statements with their references; entries that are not objects are dropped
    (they can neither allow nor deny) but keep their place in the numbering."""
    return [
        (StatementRef(policy.name, statement.get("Sid"), index), statement)
        for index, statement in enumerate(as_list(policy.document.get("Statement")))
        if isinstance(statement, Mapping)
    ]


def _target_matches(statement: Mapping[str, Any], request: Request) -> bool:
    return covers_action(statement, request.action) and covers_resource(statement, request.resource)


def _applicable(ref: StatementRef, statement: Mapping[str, Any], request: Request,
                context: Mapping[str, Any], resource_based: bool) -> Applicable | None:
    grant = principal_grant(statement, request.principal) if resource_based else None
    if not _target_matches(statement, request) or (resource_based and grant is None):
        return None
    effect = statement.get("Effect")
    if effect not in EFFECTS:
        raise UnreadableStatement(f"its Effect {effect!r} is neither Allow nor Deny")
    return Applicable(ref, effect, grant) if conditions_hold(statement.get("Condition"), context) else None


def scan(policies: Iterable[Policy], request: Request, context: Mapping[str, Any], resource_based: bool) -> Scan:
    applicable, notes = [], []
    for policy in policies:
        for ref, statement in numbered(policy):
            try:
                found = _applicable(ref, statement, request, context, resource_based)
            except UnreadableStatement as problem:
                notes.append(f"{describe(ref)} was not evaluated: {problem}")
                continue
            if found is not None:
                applicable.append(found)
    return Scan(tuple(applicable), tuple(notes))
