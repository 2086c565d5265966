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

Single-valued and multivalued keys (IAM User Guide, "Single-valued vs. multivalued context keys",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):
"Multivalued context keys require a condition set operator", and AWS defines no reading of a
single-valued operator over several values. So an operator without ``ForAnyValue:`` or
``ForAllValues:`` (``Null`` aside: it only asks whether the key is there) makes its statement
unreadable when the key is multivalued, as the page classes it and the Service Authorization Reference
types it (``ArrayOf...``: aws:CalledVia, aws:TagKeys, aws:PrincipalOrgPaths, aws:ResourceOrgPaths,
aws:SourceOrgPaths, aws:PrincipalServiceNamesList, s3:RequestObjectTagKeys, kms:EncryptionContextKeys...;
``policies/access/catalogue.json`` lists them), or when the request gives the key as a list. The
converse, a set operator on a single-valued key, is one the page advises against ("can lead to overly
permissive policies") but defines: the single value is a one-element set, and a missing key makes
``ForAllValues`` true. It is evaluated so, as AWS would grant it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from policies.access.catalogue import catalogue
from policies.iam import as_list

from .operators import OPERATORS, Compare, UnreadableStatement, text

QUALIFIERS = ("ForAnyValue", "ForAllValues")


@dataclass(frozen=True)
class Operator:
    name: str  # as the policy writes it
    compare: Compare | None  # None for Null, which looks at presence only
    negated: bool
    qualifier: str | None
    if_exists: bool

    @property
    def single_valued(self) -> bool:
        """Compares one request value: no set operator, and not Null (which reads presence only)."""
        return self.compare is not None and self.qualifier is None


def parse_operator(name: str) -> Operator:
    """Split ``ForAllValues:StringLikeIfExists`` into its parts; unknown names raise."""
    qualifier, _, base = name.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base == "Null" and not qualifier and not if_exists:
        return Operator(name, None, False, None, False)
    if (qualifier and qualifier not in QUALIFIERS) or base not in OPERATORS:
        raise UnreadableStatement(f"unknown condition operator {name!r}")
    compare, negated = OPERATORS[base]
    return Operator(name, compare, negated, qualifier or None, if_exists)


def is_multivalued(key: str) -> bool:
    """Does AWS document ``key`` as multivalued? Keys the catalogue does not list (other services') are
    judged by the request alone."""
    known = catalogue().condition_key(key)
    return known is not None and known.multivalued


def refuse_single_valued_misuse(operator: Operator, key: str, context: Mapping[str, Any]) -> None:
    """A single-valued operator on a multivalued key, or on a key the request gives as a list, is undefined."""
    if not operator.single_valued:
        return
    if is_multivalued(key):
        raise UnreadableStatement(f"{operator.name} on {key}, a multivalued key, which needs ForAnyValue: or "
                                  "ForAllValues: (AWS defines no single-valued operator on several values)")
    if isinstance(context.get(key.lower()), (list, tuple)):
        raise UnreadableStatement(f"the request gives {key} as a list of values, which {operator.name} does not "
                                  "compare: a list needs ForAnyValue: or ForAllValues:")


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
    # Without a qualifier there is at most one value (see refuse_single_valued_misuse): a missing key
    # holds for a negated operator (all of nothing) and fails a positive one (any of nothing).
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
    checks = _checks(condition)
    for op, key, _ in checks:
        refuse_single_valued_misuse(op, key, context)
    return all([key_holds(op, values, request_values(context, key)) for op, key, values in checks])
