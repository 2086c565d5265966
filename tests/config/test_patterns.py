"""Every pattern-validated value is matched whole, in ASCII: a corpus generated from the schema.

The schema is walked for every ``pattern``; each pattern's ``examples`` are accepted, and three
mutations of each are refused with the pattern's message: a trailing line break (Python's ``$``
matches before one, and jsonschema uses ``re.search``), Arabic-Indic digits (``\\d`` takes them)
and full-width letters and digits. A new pattern-validated key is covered as soon as it is in the
schema with its examples. The keys validated in Python (``aws:region``, cron schedules, bucket
names...) get the same mutations below.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest

from lake.config.messages import describe
from lake.config.problems import NAMESPACE, key_path
from lake.config.schema import namespace_schema, resolve, schema_problems
from lake.config.tags import tag_problems
from tests.config.helpers import SOURCE, error_lines, lake

KEY, VALUE = "<key>", "<value>"  # a key of a mapping (propertyNames), a value (additionalProperties)

# A valid namespace with every parent a pattern-validated key needs (a list item, a lifecycle...).
BASE = {
    "name": "ml",
    "zones": [{"name": "raw", "lifecycle": {}}],
    "datasets": [{"name": "images", "zone": "raw", "prefix": "images/"}],
    "tags": {"team": "ml"},
}

# S3 keys are any UTF-8, and AWS tags take Unicode letters and digits: these accept non-ASCII
# letters and digits (and refuse control characters, a trailing line break among them).
UNICODE_ALLOWED = {
    "datalake:datasets[0].prefix",
    "datalake:consumers[0].grants[0].prefixes[0]",
    "datalake:zones[0].lifecycle.prefix",
    "datalake:logs.lifecycle.prefix",
    'datalake:tags["<key>"]',
    'datalake:tags["<value>"]',
}


def pattern_sites(schema: dict[str, Any], parts: tuple = ()) -> Iterator[tuple[tuple, dict[str, Any]]]:
    """``(path, subschema)`` of every subschema with a pattern; lists are entered at index 0."""
    schema = resolve(schema)
    if "pattern" in schema:
        yield parts, schema
    for name, prop in schema.get("properties", {}).items():
        yield from pattern_sites(prop, (*parts, name))
    if isinstance(schema.get("items"), dict):
        yield from pattern_sites(schema["items"], (*parts, 0))
    if isinstance(schema.get("propertyNames"), dict):
        yield from pattern_sites(schema["propertyNames"], (*parts, KEY))
    if isinstance(schema.get("additionalProperties"), dict):
        yield from pattern_sites(schema["additionalProperties"], (*parts, VALUE))


def _every_pattern(node: Any) -> Iterator[int]:
    """ids of every subschema with a pattern, wherever it is in the schema document."""
    if isinstance(node, dict):
        if "pattern" in node:
            yield id(node)
        for child in node.values():
            yield from _every_pattern(child)
    elif isinstance(node, list):
        for child in node:
            yield from _every_pattern(child)


SITES = list(pattern_sites(namespace_schema()))


def _template(parts: tuple) -> str:
    """``datalake:zones[0].name``; ``datalake:tags["<key>"]`` for any key of the mapping."""
    return key_path(NAMESPACE, parts)


def _placed(parts: tuple, value: str) -> tuple[dict[str, Any], tuple]:
    """BASE with ``value`` at ``parts``, and the path of the value's problems."""
    values = copy.deepcopy(BASE)
    *parents, last = parts
    node: Any = values
    for position, part in enumerate(parents):
        if isinstance(part, int):
            node = node[part]
        else:
            node = node.setdefault(part, [{}] if isinstance(parts[position + 1], int) else {})
    if last == KEY:
        node.clear()
        node[value] = "x"
        return values, (*parents, value)
    if last == VALUE:
        node.clear()
        node["team"] = value
        return values, (*parents, "team")
    if isinstance(last, int):
        node[:] = [value]
    else:
        node[last] = value
    return values, tuple(parts)


def _mutations(example: str) -> dict[str, str]:
    found = {"trailing-newline": example + "\n"}
    if re.search("[0-9]", example):
        found["arabic-indic-digits"] = re.sub("[0-9]", lambda m: chr(0x0660 + int(m.group())), example)
    if re.search("[A-Za-z0-9]", example):
        found["full-width"] = re.sub("[A-Za-z0-9]", lambda m: chr(ord(m.group()) + 0xFEE0), example)
    return found


CASES = [
    pytest.param(parts, schema, name, mutated, id=f"{_template(parts)}-{example!r}-{name}")
    for parts, schema in SITES
    for example in schema["examples"]
    for name, mutated in _mutations(example).items()
]


def test_the_walk_reaches_every_pattern_and_each_has_examples():
    assert {id(schema) for _, schema in SITES} == set(_every_pattern(namespace_schema()))
    assert all(schema.get("examples") for _, schema in SITES), "give every pattern examples (and a patternDescription)"
    assert len(CASES) > 40


@pytest.mark.parametrize(("parts", "schema"), [pytest.param(p, s, id=_template(p)) for p, s in SITES])
def test_the_examples_are_accepted(parts, schema):
    for example in schema["examples"]:
        values, where = _placed(parts, example)
        problems = schema_problems(values) + tag_problems(values.get("tags"))
        assert [problem for problem in problems if problem.path == key_path(NAMESPACE, where)] == [], example


@pytest.mark.parametrize(("parts", "schema", "mutation", "value"), CASES)
def test_mutated_examples_are_refused(parts, schema, mutation, value):
    values, where = _placed(parts, value)
    path = key_path(NAMESPACE, where)
    if _template(parts) in UNICODE_ALLOWED and mutation != "trailing-newline":
        problems = schema_problems(values) + tag_problems(values.get("tags"))
        assert [problem for problem in problems if problem.path == path] == [], "accepted: AWS takes Unicode here"
        return
    lines = error_lines({f"{NAMESPACE}:{key}": value for key, value in values.items()})
    if parts[-1] in (KEY, VALUE):  # tags: the characters are checked by lake/config/tags.py
        what = "key" if parts[-1] == KEY else "value"
        expected = f"{SOURCE}: {path}: tag {what} contains '\\n' (U+000A); AWS allows letters, digits, spaces and " \
                   "_ . : / = + - @ in tags"
    else:
        expected = f"{SOURCE}: {path}: expected {schema['patternDescription']}, got {describe(value)}"
    assert expected in lines
    assert all("\n" not in line for line in lines)


# Keys validated in Python, not by a schema pattern: (config, path, valid value, message of a bad one).
REGION = "expected an AWS region such as 'us-east-1' or 'eu-west-3', got {}"
ACCOUNT = "expected a 12-digit account id, got {}"


def _schedule(value: str) -> dict[str, Any]:
    return lake(datasets=[{"name": "images", "zone": "raw", "prefix": "images/", "schedule": value}])


PYTHON_CASES = [
    ("aws:region", lambda v: {**lake(), "aws:region": v}, "eu-west-3", REGION),
    ("aws:allowedAccountIds[0]", lambda v: {**lake(), "aws:allowedAccountIds": [v]}, "123456789012", ACCOUNT),
]


@pytest.mark.parametrize(("path", "config", "example", "message"), PYTHON_CASES, ids=[c[0] for c in PYTHON_CASES])
def test_provider_keys_are_matched_whole_in_ascii(path, config, example, message):
    from lake.config import load_settings

    assert load_settings(config(example), "dev", SOURCE)
    for value in _mutations(example).values():
        assert error_lines(config(value)) == [f"{SOURCE}: {path}: {message.format(describe(value))}"]


@pytest.mark.parametrize(("value", "expected"), [
    ("cron(0 2 * * ? *)\n", "must be cron(Minutes Hours Day-of-month Month Day-of-week Year), got 'cron(0 2 * * ? *)\\n'"),
    ("cron(\u0660 2 * * ? *)", "cron field 1 (minutes) does not allow '\u0660' (allowed: , - * /)"),
    ("cron(0 \uff12 * * ? *)", "cron field 2 (hours) does not allow '\uff12' (allowed: , - * /)"),
    ("cron(0 2 ? * \uff2d\uff2f\uff2e *)", "\n".join(
        f"cron field 5 (day-of-week) does not allow '{char}' (allowed: , - * / ? L #)" for char in sorted("\uff2d\uff2f\uff2e")
    )),
    ("cron(0 2\t* * ? *)", "must be cron(...) with 6 fields, got 5"),
    ("cron(0/\u0665 2 * * ? *)", "cron field 1 (minutes) does not allow '\u0665' (allowed: , - * /)"),
])
def test_schedules_are_read_in_ascii_digits_only(value, expected):
    assert error_lines(_schedule(value)) == [
        f"{SOURCE}: datalake:datasets[0].schedule: {line}" for line in expected.splitlines()
    ]


@pytest.mark.parametrize("bucket", ["model-registry\n", "model-registry-\u0661", "model-\uff52egistry"])
def test_allowed_bucket_names_are_matched_whole_in_ascii(bucket):
    assert error_lines(lake(network={"allowedBuckets": [bucket]})) == [
        f"{SOURCE}: datalake:network.allowedBuckets[0]: bucket name {bucket!r} may only contain lowercase letters, "
        "digits and hyphens, and must begin and end with a letter or digit"
    ]


def test_a_dataset_zone_is_one_of_the_zones_exactly():
    values = lake(zones=[{"name": "raw"}], datasets=[{"name": "images", "zone": "raw\n", "prefix": "images/"}])
    assert error_lines(values) == [
        f"{SOURCE}: datalake:datasets[0].zone: expected one of the zones 'raw', got string 'raw\\n' (did you mean 'raw'?)"
    ]
