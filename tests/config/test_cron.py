"""AWS cron expressions (Glue crawler schedules): accepted forms, and one exact message per mistake."""

from __future__ import annotations

import pytest

from lake.config.cron import cron_problems

VALID = [
    pytest.param("cron(0 2 * * ? *)", id="daily"),
    pytest.param("cron(0 3 ? * SUN *)", id="weekly-by-name"),
    pytest.param("cron(15 10 ? * 6L 2026-2030)", id="last-friday-in-years"),
    pytest.param("cron(0 8 ? * 3#2 *)", id="second-tuesday"),
    pytest.param("cron(0 8 ? * FRIL *)", id="last-friday-by-name"),
    pytest.param("cron(0/15 8-17 ? * MON-FRI *)", id="increment-and-ranges"),
    pytest.param("cron(*/30 * L * ? *)", id="last-day-of-month"),
    pytest.param("cron(0 12 LW JAN,JUL ? *)", id="last-weekday-in-listed-months"),
    pytest.param("cron(0 12 15W * ? *)", id="nearest-weekday"),
    pytest.param("cron(0 0 1,15 * ? 2199)", id="list-and-last-year"),
    pytest.param("cron(0 9 ? * 2/2 *)", id="day-of-week-increment"),  # Glue lists '/' for day-of-week
]


@pytest.mark.parametrize("expression", VALID)
def test_valid_expression_has_no_problem(expression):
    assert cron_problems(expression) == []


INVALID = [
    pytest.param("0 2 * * ? *", "must be cron(Minutes Hours Day-of-month Month Day-of-week Year), got '0 2 * * ? *'",
                 id="no-wrapper"),
    pytest.param("rate(1 day)", "must be cron(Minutes Hours Day-of-month Month Day-of-week Year), got 'rate(1 day)'",
                 id="rate-expression"),
    pytest.param("cron(0 2 * * ?)", "must be cron(...) with 6 fields, got 5", id="unix-five-fields"),
    pytest.param("cron(0 0 2 * * ? *)", "must be cron(...) with 6 fields, got 7", id="quartz-seconds-field"),
    pytest.param("cron(60 2 * * ? *)", "cron field 1 (minutes) has 60, outside 0-59", id="minute-range"),
    pytest.param("cron(0 25 * * ? *)", "cron field 2 (hours) has 25, outside 0-23", id="hour-range"),
    pytest.param("cron(0 2 0 * ? *)", "cron field 3 (day-of-month) has 0, outside 1-31", id="day-of-month-range"),
    pytest.param("cron(0 2 1 1-13 ? *)", "cron field 4 (month) has 13, outside 1-12", id="month-range-end"),
    pytest.param("cron(0 2 ? * 0 *)", "cron field 5 (day-of-week) has 0, outside 1-7", id="unix-sunday-zero"),
    pytest.param("cron(0 2 1 * ? 1969)", "cron field 6 (year) has 1969, outside 1970-2199", id="year-range"),
    pytest.param("cron(0 2 1 JAM ? *)", "cron field 4 (month) has 'JAM', which is neither a number nor one of JAN-DEC",
                 id="month-name"),
    pytest.param("cron(0 2 ? * MON-FRY *)",
                 "cron field 5 (day-of-week) has 'FRY', which is neither a number nor one of SUN-SAT",
                 id="day-name-in-range"),
    pytest.param("cron(0 MON * * ? *)", "cron field 2 (hours) has 'MON', which is not a number", id="name-in-hours"),
    pytest.param("cron(? 2 1 * ? *)", "cron field 1 (minutes) does not allow '?' (allowed: , - * /)",
                 id="question-mark-in-minutes"),
    pytest.param("cron(0 2 1 L ? *)", "cron field 4 (month) does not allow 'L' (allowed: , - * /)", id="l-in-month"),
    pytest.param("cron(0 2 ? * 2W *)", "cron field 5 (day-of-week) does not allow 'W' (allowed: , - * / ? L #)",
                 id="w-in-day-of-week"),
    pytest.param("cron(0 2 3#2 * ? *)", "cron field 3 (day-of-month) does not allow '#' (allowed: , - * / ? L W)",
                 id="hash-in-day-of-month"),
    pytest.param("cron(0 2 ? * 3#6 *)", "cron field 5 (day-of-week) has '3#6'; '#' takes the week of the month, 1-5",
                 id="sixth-week"),
    pytest.param("cron(*/0 2 * * ? *)", "cron field 1 (minutes) has '*/0'; an increment must be at least 1",
                 id="zero-increment"),
    pytest.param("cron(0 2 1,? * ? *)", "cron field 3 (day-of-month) has '1,?'; '?' stands alone in its field",
                 id="question-mark-in-list"),
    pytest.param("cron(0 2 1-5W * ? *)",
                 "cron field 3 (day-of-month) cannot read '1-5W': expected a value, a range, a list or an increment",
                 id="w-after-range"),
    pytest.param("cron(0 2 ? * monday *)",
                 "cron field 5 (day-of-week) cannot read 'monday': expected a value, a range, a list or an increment",
                 id="long-day-name"),
    pytest.param("cron(0 2 * * * *)", "one of day-of-month and day-of-week must be '?'", id="no-question-mark"),
    pytest.param("cron(0 2 1 * MON *)", "one of day-of-month and day-of-week must be '?'", id="both-days-given"),
    pytest.param("cron(0 2 ? * ? *)", "day-of-month and day-of-week cannot both be '?'", id="both-question-marks"),
]


@pytest.mark.parametrize(("expression", "message"), INVALID)
def test_invalid_expression_gets_one_exact_message(expression, message):
    assert cron_problems(expression) == [message]


def test_every_mistake_of_an_expression_is_reported_in_field_order():
    assert cron_problems("cron(75 24 ? 0 ? *)") == [
        "cron field 1 (minutes) has 75, outside 0-59",
        "cron field 2 (hours) has 24, outside 0-23",
        "cron field 4 (month) has 0, outside 1-12",
        "day-of-month and day-of-week cannot both be '?'",
    ]
