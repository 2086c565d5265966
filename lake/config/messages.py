"""Readable one-line messages for JSON Schema violations.

jsonschema's own messages quote Python reprs and whole sub-schemas ("{'days': 30} is not valid
under ..."); these say what was expected, what was found, and for typos what was probably meant.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from jsonschema import ValidationError

from lake.config.problems import NAMESPACE, ConfigProblem, key_path

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "array": "a list",
    "object": "a mapping",
}


def describe(value: Any) -> str:
    """How a found value reads in a message: its type, with the value itself for scalars."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{type(value).__name__} {value}"  # e.g. a YAML date


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a close choice, else ``""``.

    Compares ignoring case, '_' and '-', so that snake_case and kebab-case spellings of a
    camelCase key (``deletion_window_days``) are recognised.
    """

    def fold(text: str) -> str:
        return text.lower().replace("_", "").replace("-", "")

    folded = {fold(choice): choice for choice in choices}
    match = difflib.get_close_matches(fold(word), folded, n=1, cutoff=0.6)
    return f" (did you mean {folded[match[0]]!r}?)" if match else ""


def _bounds(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"from {low} to {high}"
    return f"of at least {low}" if low is not None else f"of at most {high}"


def _unknown_keys(error: ValidationError) -> list[tuple[list, str]]:
    known = error.schema.get("properties", {})
    unknown = sorted(str(key) for key in error.instance if key not in known)
    return [([key], f"unknown key {key!r}{did_you_mean(key, known)}") for key in unknown]


def _missing_keys(error: ValidationError) -> list[tuple[list, str]]:
    missing = [key for key in error.validator_value if key not in error.instance]
    return [([key], "required key is missing") for key in missing]


def _wrong_type(error: ValidationError) -> list[tuple[list, str]]:
    return [([], f"expected {_TYPE_NAMES[error.validator_value]}, got {describe(error.instance)}")]


def _not_in_enum(error: ValidationError) -> list[tuple[list, str]]:
    allowed = ", ".join(repr(choice) for choice in error.validator_value)
    hint = did_you_mean(error.instance, error.validator_value) if isinstance(error.instance, str) else ""
    return [([], f"expected one of {allowed}, got {describe(error.instance)}{hint}")]


def _no_match(error: ValidationError) -> list[tuple[list, str]]:
    # Regular expressions are no help to the reader: the schema says what they mean.
    expected = error.schema.get("patternDescription", f"a match of {error.validator_value!r}")
    return [([], f"expected {expected}, got {describe(error.instance)}")]


def _out_of_range(error: ValidationError) -> list[tuple[list, str]]:
    noun = _TYPE_NAMES.get(error.schema.get("type"), "a number")
    bounds = _bounds(error.schema.get("minimum"), error.schema.get("maximum"))
    return [([], f"expected {noun} {bounds}, got {error.instance}")]


def _bad_length(error: ValidationError) -> list[tuple[list, str]]:
    bounds = _bounds(error.schema.get("minLength"), error.schema.get("maxLength"))
    return [([], f"expected a length {bounds} characters, got {len(error.instance)}")]


def _item_count(error: ValidationError) -> list[tuple[list, str]]:
    low, high = error.schema.get("minItems"), error.schema.get("maxItems")
    wanted = error.validator_value
    bound = "exactly" if low == high else "at least" if error.validator == "minItems" else "at most"
    found = len(error.instance) or "an empty list"
    return [([], f"expected {bound} {wanted} {'item' if wanted == 1 else 'items'}, got {found}")]


def _too_many_entries(error: ValidationError) -> list[tuple[list, str]]:
    return [([], f"expected at most {error.validator_value} entries, got {len(error.instance)}")]


def _duplicates(error: ValidationError) -> list[tuple[list, str]]:
    first_index: dict[str, int] = {}
    found = []
    for index, item in enumerate(error.instance):
        marker = repr(item)
        if marker in first_index:
            found.append(([index], f"{item!r} is already listed at [{first_index[marker]}]"))
        first_index.setdefault(marker, index)
    return found


_MESSAGES: dict[str, Callable[[ValidationError], list[tuple[list, str]]]] = {
    "additionalProperties": _unknown_keys,
    "required": _missing_keys,
    "type": _wrong_type,
    "enum": _not_in_enum,
    "pattern": _no_match,
    "minimum": _out_of_range,
    "maximum": _out_of_range,
    "minLength": _bad_length,
    "maxLength": _bad_length,
    "minItems": _item_count,
    "maxItems": _item_count,
    "maxProperties": _too_many_entries,
    "uniqueItems": _duplicates,
}


def problems_from_error(error: ValidationError) -> list[ConfigProblem]:
    """One problem per offending key or item, with the path on that key or item."""
    parts = list(error.absolute_path)
    if list(error.absolute_schema_path)[-2:-1] == ["propertyNames"]:
        # jsonschema reports a bad key on its mapping; point at the key itself.
        parts.append(error.instance)
    explain = _MESSAGES.get(str(error.validator), lambda e: [([], e.message)])
    return [
        ConfigProblem(key_path(NAMESPACE, parts + extra), message)
        for extra, message in explain(error)
    ]
