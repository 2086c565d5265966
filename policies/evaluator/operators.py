"""How each condition operator compares one request value with one policy value.

``OPERATORS`` maps every base operator name (no ``ForAnyValue:`` prefix, no ``IfExists`` suffix)
to a comparison and whether the operator is negated. A negated operator is stored with the
comparison of its positive twin: ``conditions.py`` applies the negation once, over all policy
values ("the request value matches none of them"), which is how AWS reads several values.

A value that cannot be read as the operator's type raises ``UnreadableStatement``: the statement
then does not apply and the decision says why, rather than the evaluator guessing.
"""

from __future__ import annotations

import base64
import ipaddress
import operator
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from policies.iam import resource_matches

Compare = Callable[[Any, Any], bool]  # (request value, policy value) -> match


class UnreadableStatement(ValueError):
    """A statement the evaluator cannot read: an unknown condition operator or effect, a value
    of the wrong type. Raised, not guessed around: the decision names the statement instead."""


def text(value: Any) -> str:
    """Policy JSON may hold ``true`` or ``1.2`` where a string is meant; AWS reads them as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value: Any) -> Decimal:
    try:
        number = Decimal(text(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise UnreadableStatement(f"{value!r} is not a number")
    return number


def _date(value: Any) -> datetime:
    """ISO 8601 (``2020-01-01T00:00:01Z``, ``2020-01-01``) or epoch seconds; naive times are UTC."""
    raw = text(value)
    try:
        return datetime.fromtimestamp(float(raw), timezone.utc)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise UnreadableStatement(f"{value!r} is not an ISO 8601 date or epoch time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _ordered(parse: Callable[[Any], Any], compare: Callable[[Any, Any], bool]) -> Compare:
    return lambda request, policy: compare(parse(request), parse(policy))


def _string_equals(request: Any, policy: Any) -> bool:
    return text(request) == text(policy)


def _string_equals_ignore_case(request: Any, policy: Any) -> bool:
    return text(request).casefold() == text(policy).casefold()


def _string_like(request: Any, policy: Any) -> bool:
    return resource_matches(text(policy), text(request))


def _bool(request: Any, policy: Any) -> bool:
    return text(request).lower() == text(policy).lower()


def _binary(request: Any, policy: Any) -> bool:
    """The policy holds base64; a request value may be raw bytes or base64 text."""
    encoded = base64.b64encode(request).decode() if isinstance(request, bytes) else text(request)
    return encoded == text(policy)


def _ip_address(request: Any, policy: Any) -> bool:
    try:
        network = ipaddress.ip_network(text(policy), strict=False)
        address = ipaddress.ip_address(text(request))
    except ValueError as error:
        raise UnreadableStatement(str(error)) from None
    return address in network


def _arn_like(request: Any, policy: Any) -> bool:
    """Each of the six colon-separated parts matched on its own, so ``*`` never spans a colon
    between parts; a bare ``*`` matches any value."""
    pattern, arn = text(policy).split(":", 5), text(request).split(":", 5)
    if len(pattern) != 6 or len(arn) != 6:
        return text(policy) == "*"
    return all(resource_matches(p, a) for p, a in zip(pattern, arn))


_ORDERS = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}


def _ordered_family(prefix: str, parse: Callable[[Any], Any]) -> dict[str, tuple[Compare, bool]]:
    """``NumericEquals`` ... ``NumericGreaterThanEquals`` and ``NumericNotEquals`` (same for Date)."""
    family = {prefix + name: (_ordered(parse, order), False) for name, order in _ORDERS.items()}
    family[prefix + "NotEquals"] = (_ordered(parse, operator.eq), True)
    return family


OPERATORS: dict[str, tuple[Compare, bool]] = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    **_ordered_family("Numeric", _number),
    **_ordered_family("Date", _date),
    "Bool": (_bool, False),
    "BinaryEquals": (_binary, False),
    "IpAddress": (_ip_address, False),
    "NotIpAddress": (_ip_address, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
}
