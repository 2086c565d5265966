"""AWS cron expressions, as Glue crawler schedules take them: what AWS would refuse, said plainly.

The six-field syntax ``cron(Minutes Hours Day-of-month Month Day-of-week Year)`` of Glue's
"Time-based schedules for jobs and crawlers"
(https://docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html), the same as in
EventBridge's "Cron expressions reference"
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html). The two pages
differ on day-of-week (Glue lists ``/``, EventBridge ``#``); both are accepted here. Names are
accepted in capitals, as the pages write them.

Checked: the wrapper and the field count, each field's range and names, the special characters
each field allows, and that exactly one of day-of-month and day-of-week is ``?``. Not checked:
Glue's floor of one run per 5 minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# Allowed in every field.
_COMMON = ", - * /"
# One element of a comma-separated list: a value, a range or '*' with an optional increment, or one
# value with a suffix (5L, 15W, 6#3). Names are three letters, so that FRIL is FRI then L.
# Digits are [0-9]: \d would take any script's digits, which int() reads but AWS does not.
_VALUE = r"[0-9]+|[A-Z]{3}"
_ELEMENT = re.compile(
    rf"(?:\*|(?P<first>{_VALUE})(?:-(?P<last>{_VALUE}))?)(?:/(?P<step>[0-9]+))?"
    rf"|(?P<single>{_VALUE})(?P<suffix>[LW]|#(?P<nth>[0-9]+))"
)
_WEEKS_IN_MONTH = 5


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    special: str = ""  # characters allowed beyond , - * /
    names: tuple[str, ...] = ()  # JAN..DEC or SUN..SAT, worth low..high

    def label(self, position: int) -> str:
        return f"cron field {position} ({self.name})"


_FIELDS = (
    _Field("minutes", 0, 59),
    _Field("hours", 0, 23),
    _Field("day-of-month", 1, 31, "? L W"),
    _Field("month", 1, 12, names=_MONTHS),
    _Field("day-of-week", 1, 7, "? L #", _DAYS),
    _Field("year", 1970, 2199),
)
_DAY_OF_MONTH, _DAY_OF_WEEK = 2, 4  # indexes in _FIELDS


def cron_problems(expression: str) -> list[str]:
    """Why ``expression`` is not an AWS cron expression (empty list: it is one)."""
    if not (expression.startswith("cron(") and expression.endswith(")")):
        return [f"must be cron(Minutes Hours Day-of-month Month Day-of-week Year), got {expression!r}"]
    # Fields are separated by spaces; any other whitespace (a tab, a line break) is refused in its field.
    fields = [field for field in expression[len("cron("):-1].split(" ") if field]
    if len(fields) != len(_FIELDS):
        return [f"must be cron(...) with {len(_FIELDS)} fields, got {len(fields)}"]
    problems = [
        problem
        for position, (spec, text) in enumerate(zip(_FIELDS, fields), start=1)
        for problem in _field_problems(spec.label(position), spec, text)
    ]
    return problems + _question_mark_problems(fields[_DAY_OF_MONTH], fields[_DAY_OF_WEEK])


def _question_mark_problems(day_of_month: str, day_of_week: str) -> list[str]:
    """AWS cannot combine a day of the month with a day of the week: one of them is '?'."""
    if day_of_month == day_of_week == "?":
        return ["day-of-month and day-of-week cannot both be '?'"]
    if "?" not in (day_of_month, day_of_week):
        return ["one of day-of-month and day-of-week must be '?'"]
    return []


def _field_problems(label: str, spec: _Field, text: str) -> list[str]:
    elements = text.split(",")
    if len(elements) > 1 and "?" in elements:
        return [f"{label} has {text!r}; '?' stands alone in its field"]
    return [problem for element in elements for problem in _element_problems(label, spec, element)]


def _element_problems(label: str, spec: _Field, element: str) -> list[str]:
    if element in ("?", "L", "LW"):
        return _refused(label, spec, element)
    match = _ELEMENT.fullmatch(element)
    if match is None:
        # A character the field refuses explains more than the shape does.
        return _refused(label, spec, re.sub(r"[A-Za-z0-9]", "", element)) or [
            f"{label} cannot read {element!r}: expected a value, a range, a list or an increment"
        ]
    problems = _refused(label, spec, _specials(match))
    for token in (match["first"], match["last"], match["single"]):
        problems += _value_problems(label, spec, token) if token else []
    if match["step"] is not None and int(match["step"]) == 0:
        problems.append(f"{label} has {element!r}; an increment must be at least 1")
    if match["nth"] is not None and not 1 <= int(match["nth"]) <= _WEEKS_IN_MONTH:
        problems.append(f"{label} has {element!r}; '#' takes the week of the month, 1-{_WEEKS_IN_MONTH}")
    return problems


def _specials(match: re.Match[str]) -> str:
    """The special characters an element uses (the letters of JUL or WED are not L or W)."""
    if match["single"]:
        return match["suffix"][0]
    used = "" if match["first"] else "*"
    used += "-" if match["last"] else ""
    return used + ("/" if match["step"] is not None else "")


def _refused(label: str, spec: _Field, used: str) -> list[str]:
    allowed = f"{_COMMON} {spec.special}".split()
    return [
        f"{label} does not allow {char!r} (allowed: {' '.join(allowed)})"
        for char in dict.fromkeys(used)
        if char not in allowed
    ]


def _value_problems(label: str, spec: _Field, token: str) -> list[str]:
    if not token.isdigit():
        if token in spec.names:
            return []
        expected = f"neither a number nor one of {spec.names[0]}-{spec.names[-1]}" if spec.names else "not a number"
        return [f"{label} has {token!r}, which is {expected}"]
    if not spec.low <= int(token) <= spec.high:
        return [f"{label} has {token}, outside {spec.low}-{spec.high}"]
    return []
