"""The JSON Schema of the ``datalake`` namespace (``schema.json``), and validation against it.

The schema is the single description of the keys: it validates the config, and its
descriptions and defaults generate the README's configuration table.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from lake.config.messages import problems_from_error
from lake.config.problems import ConfigProblem

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@cache
def namespace_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(namespace_schema())


def resolve(subschema: dict[str, Any]) -> dict[str, Any]:
    """The definition a ``$ref`` points to (local ``#/$defs/...`` references only), else itself."""
    ref = subschema.get("$ref")
    if ref is None:
        return subschema
    definition: Any = namespace_schema()
    for part in ref.removeprefix("#/").split("/"):
        definition = definition[part]
    return {**definition, **{k: v for k, v in subschema.items() if k != "$ref"}}


def top_level_type(key: str) -> str | None:
    """JSON type of a namespace key (``None`` for unknown keys or keys without a declared type)."""
    prop = namespace_schema()["properties"].get(key)
    return None if prop is None else resolve(prop).get("type")


def schema_problems(namespace_values: dict[str, Any]) -> list[ConfigProblem]:
    """Every schema violation at once (not just the first), as readable problems.

    A value of the wrong type gets that one message: 30.5 for an integer from 7 to 30 is
    "expected an integer", not also "from 7 to 30".
    """
    errors = list(_validator().iter_errors(namespace_values))
    mistyped = {tuple(error.absolute_path) for error in errors if error.validator == "type"}
    problems: list[ConfigProblem] = []
    for error in errors:
        if error.validator == "type" or tuple(error.absolute_path) not in mistyped:
            problems += problems_from_error(error)
    return problems
