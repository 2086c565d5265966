"""Conditions that keep a statement within the lake: its account, its organisation, its resources.

``policies.iam.restricts_callers`` answers "is this Allow public?" and so accepts any value of a
restricting key: ``aws:PrincipalAccount`` of another account, ``aws:PrincipalOrgID`` of any
organisation, ``aws:SourceVpce``. LAKE.12 and LAKE.13 ask a narrower question, "does it stay
within the lake?", and accept a condition only when:

- its operator limits the key to the values listed: a request without the key fails it. Negated
  operators, ``...IfExists`` variants (a request without the key passes) and ``ForAllValues:``
  (true for a missing key) limit nothing;
- every value it lists is the lake's: its account id, an ARN of its account (no wildcard up to
  and including the account field), one of its buckets' ARNs (S3 ARNs name no account, and bucket
  names are global), or the organisation the stack config names.
"""

from __future__ import annotations

from typing import Any

from ..iam import Statement, conditions
from ..model import Lake

# The caller's account, or the account of the resource a service acts for.
ACCOUNT_KEYS = frozenset(("aws:principalaccount", "kms:calleraccount", "aws:sourceaccount", "aws:sourceowner"))
# The caller's ARN, or the ARN of the resource a service acts for.
ARN_KEYS = frozenset(("aws:principalarn", "aws:sourcearn"))
ORGANIZATION_KEY = "aws:principalorgid"
_LIMITING = frozenset(("StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"))


def limits(operator: str) -> bool:
    """The operator admits only requests whose key matches one of the values listed."""
    qualifier, _, base = operator.rpartition(":")
    return qualifier in ("", "ForAnyValue") and base in _LIMITING


def is_lake_arn(value: Any, model: Lake) -> bool:
    """An ARN of the lake's account, or the ARN of one of the lake's buckets."""
    if not isinstance(value, str):
        return False
    parts = value.split(":", 5)
    if len(parts) != 6 or any(c in ":".join(parts[:5]) for c in "*?"):
        return False
    if parts[4]:
        return parts[4] == model.account_id
    return parts[2] == "s3" and value in {b.arn for b in model.buckets}


def is_lake_value(key: str, value: Any, model: Lake) -> bool:
    """``value`` of the condition key ``key`` (lowercased) names the lake's own account or resources."""
    if key in ACCOUNT_KEYS:
        return value == model.account_id
    if key in ARN_KEYS:
        return is_lake_arn(value, model)
    return key == ORGANIZATION_KEY and model.organization_id is not None and value == model.organization_id


def pins_to_lake(operator: str, key: str, values: list[Any], model: Lake) -> bool:
    return limits(operator) and bool(values) and all(is_lake_value(key, v, model) for v in values)


def pins_callers_to_lake(statement: Statement, model: Lake) -> bool:
    """Some condition admits only the lake account's principals (or its organisation's), or only
    services acting for the lake's own resources: conditions are ANDed, so one is enough."""
    return any(pins_to_lake(op, key, values, model) for op, key, values in conditions(statement))
