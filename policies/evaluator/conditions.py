"""Does a statement's ``Condition`` hold for a request context?

All operators of a block and all keys under an operator must hold (AND); several policy values
for one key are alternatives (OR), and for a negated operator the request value must match none
of them. On top of the comparisons of ``operators.py`` this module reads what AWS layers on the
operator name:

- a key missing from the request: false for a positive operator, true for a negated one;
- ``...IfExists``: a missing key holds (any operator but ``Null``);
- ``Null``: ``"true"`` holds when the key is missing, ``"false"`` when it is present;
- ``ForAnyValue:`` holds if some request value matches (missing or empty key: false),
  ``ForAllValues:`` if every request value matches (missing or empty key: true).

An operator without a qualifier given a list of request values reads it like ``ForAnyValue``
when positive and ``ForAllValues`` when negated, so a negated operator stays the exact
negation of its positive twin; for a single value all three readings agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies.iam import as_list

from .operators import OPERATORS, Compare, UnreadableStatement, text

QUALIFIERS = ("ForAnyValue", "ForAllValues")


@dataclass(frozen=True)
class Operator:
    compare: Compare | None  # None for Null, which looks at presence only
    negated: bool
    qualifier: str | None
    if_exists: bool


def parse_operator(name: str) -> Operator:
    """Split ``ForAllValues:StringLikeIfExists`` into its parts; unknown names raise."""
    qualifier, _, base = name.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base == "Null" and not qualifier and not if_exists:
        return Operator(None, False, None, False)
    if (qualifier and qualifier not in QUALIFIERS) or base not in OPERATORS:
        raise UnreadableStatement(f"unknown condition operator {name!r}")
    compare, negated = OPERATORS[base]
    return Operator(compare, negated, qualifier or None, if_exists)


def request_values(context: Mapping[str, Any], key: str) -> list[Any] | None:
    """The request's values for a key, None when it is missing (an empty list counts as missing)."""
    return as_list(context.get(key.lower())) or None


def _value_holds(operator: Operator, value: Any, policy_values: list[Any]) -> bool:
    matched = any(operator.compare(value, p) for p in policy_values)
    return matched != operator.negated


def _null_holds(policy_values: list[Any], missing: bool) -> bool:
    """``Null``: true or false only; anything else is a mistake worth reporting, not a no-match."""
    flags = {text(p).lower() for p in policy_values}
    if not flags <= {"true", "false"}:
        raise UnreadableStatement(f"Null takes true or false, not {policy_values!r}")
    return ("true" if missing else "false") in flags


def key_holds(operator: Operator, policy_values: list[Any], values: list[Any] | None) -> bool:
    """One key under one operator; ``values`` None means the key is missing from the request."""
    if operator.compare is None:
        return _null_holds(policy_values, values is None)
    if values is None and operator.if_exists:
        return True
    every = operator.qualifier == "ForAllValues" or (operator.qualifier is None and operator.negated)
    quantifier = all if every else any
    return quantifier(_value_holds(operator, v, policy_values) for v in values or [])


def _checks(condition: Any) -> list[tuple[Operator, str, list[Any]]]:
    if not isinstance(condition, Mapping) or not all(isinstance(b, Mapping) for b in condition.values()):
        raise UnreadableStatement("the Condition element is not a map of operators to keys")
    return [
        (parse_operator(name), key, as_list(values))
        for name, block in condition.items()
        for key, values in block.items()
    ]


def conditions_hold(condition: Any, context: Mapping[str, Any]) -> bool:
    """Every operator is parsed and every key compared before answering, so an unreadable
    condition is reported whatever its position in the block."""
    if not condition:
        return True
    results = [key_holds(op, values, request_values(context, key)) for op, key, values in _checks(condition)]
    return all(results)
