"""The grammar of IAM policy documents (``iam-policy.schema.json``), with readable violations.

``validate_policy(document, kind)`` returns one line per problem, led by the JSON path of the
element at fault::

    Statement[1].Effect: expected 'Allow' or 'Deny', got 'allow'
    Statement[0]: needs exactly one of Action or NotAction
    Statement[2].Condition: unknown condition operator 'StringEqualz'

The schema words its own messages (its ``x-`` keywords), so a rule and what it says when broken
are written in one place; this module only knows how jsonschema reports each kind of failure.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator, ValidationError

SCHEMA_PATH = Path(__file__).with_name("iam-policy.schema.json")

PolicyKind = Literal["generic", "identity", "resource"]
# Entry point ($defs) of each kind: identity policies name no Principal, resource policies
# (bucket and key policies) must; generic accepts both, and statements without a Resource
# (role trust policies).
ENTRY_POINTS: dict[str, str] = {"generic": "policy", "identity": "identityPolicy", "resource": "resourcePolicy"}


@cache
def policy_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator({**policy_schema(), "$ref": f"#/$defs/{ENTRY_POINTS[kind]}"})


def validate_policy(document: Any, kind: PolicyKind = "generic") -> list[str]:
    """Every grammar violation of ``document`` as a kind of policy, ``[]`` when it is valid.

    A value of the wrong type gets that one message: a statement written as a string is "expected
    a statement", not also "needs Effect".
    """
    check_kind(kind)
    errors = sorted(_validator(kind).iter_errors(document), key=lambda e: _sort_key(e.absolute_path))
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    messages: list[str] = []
    for error in errors:
        if error.validator == "type" or tuple(error.absolute_path) not in mistyped:
            messages += [m for m in _messages(error) if m not in messages]
    return messages


def check_kind(kind: str) -> None:
    if kind not in ENTRY_POINTS:
        raise ValueError(f"unknown policy kind {kind!r}: expected one of {', '.join(ENTRY_POINTS)}")


def _messages(error: ValidationError) -> list[str]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    where = json_path(error.absolute_path)
    if error.validator == "additionalProperties":
        noun = schema.get("x-unknown-key", "unknown key")
        known = schema.get("properties", {})
        return [f"{where}: {noun} {key!r}{_did_you_mean(key, known)}" for key in _unknown_keys(error)]
    if error.validator == "required":
        return [f"{where}: needs {key}" for key in error.validator_value if key not in error.instance]
    if "x-message" in schema:
        return [f"{where}: " + schema["x-message"].format(value=show(error.instance))]
    if "x-expected" in schema:
        return [f"{where}: expected {schema['x-expected']}, got {show(error.instance)}"]
    return [f"{where}: {error.message}"]


def _unknown_keys(error: ValidationError) -> list[str]:
    known = error.schema.get("properties", {})
    patterns = error.schema.get("patternProperties", {})
    return [
        key for key in error.instance if key not in known and not any(re.search(p, key) for p in patterns)
    ]


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'Resource'?)`` for a close choice, ignoring case; else ``""``."""
    folded = {choice.lower(): choice for choice in choices}
    match = difflib.get_close_matches(word.lower(), folded, n=1, cutoff=0.6)
    return f" (did you mean {folded[match[0]]!r}?)" if match else ""


def json_path(parts: Sequence[str | int]) -> str:
    """``Statement[2].Condition`` for ``["Statement", 2, "Condition"]``; ``policy`` for the root."""
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)
    return path.removeprefix(".") or "policy"


def _sort_key(parts: Iterable[str | int]) -> list[tuple[int, str]]:
    """Statements in document order (``[10]`` after ``[2]``), a parent before its children."""
    return [(part, "") if isinstance(part, int) else (-1, part) for part in parts]


def show(value: Any) -> str:
    """A found value as JSON readers know it: ``'allow'``, ``1``, ``true``, ``null``, ``a list``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "an object" if value else "an empty object"
    return str(value)
