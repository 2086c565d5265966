"""The README's configuration table, generated from ``schema.json`` so the docs cannot drift."""

from __future__ import annotations

import json
from typing import Any

from lake.config.problems import NAMESPACE
from lake.config.schema import namespace_schema, resolve

Row = tuple[str, str, str, str]

_TYPE_NAMES = {"string": "string", "boolean": "boolean", "integer": "integer", "object": "mapping", "array": "list"}


def config_table_markdown() -> str:
    """One row per key, nested keys included; a titled definition (lifecycle) is listed once."""
    schema = namespace_schema()
    rows = _object_rows(schema, f"{NAMESPACE}:")
    for definition in schema["$defs"].values():
        if "title" in definition:
            rows += _object_rows(definition, f"<{definition['title']}>.")
    lines = ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(_cell(text) for text in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _object_rows(schema: dict[str, Any], prefix: str) -> list[Row]:
    required = set(schema.get("required", []))
    rows: list[Row] = []
    for name, prop in schema.get("properties", {}).items():
        rows += _property_rows(prop, prefix + name, name in required)
    return rows


def _property_rows(prop: dict[str, Any], key: str, required: bool) -> list[Row]:
    resolved = resolve(prop)
    rows = [(f"`{key}`", _type(resolved), _default(prop, required), prop.get("description", ""))]
    if "title" in resolved:
        return rows  # listed once, under its own title
    items = resolve(resolved.get("items", {}))
    rows += _object_rows(resolved, f"{key}.") + _object_rows(items, f"{key}[].")
    return rows


def _type(schema: dict[str, Any]) -> str:
    if "title" in schema:
        return f"{schema['title']} (see `<{schema['title']}>.*`)"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{choice}`" for choice in schema["enum"])
    kind = _TYPE_NAMES[schema["type"]]
    if kind == "list":
        return f"list of {_type(resolve(schema['items']))}s"
    if kind == "mapping" and isinstance(schema.get("additionalProperties"), dict):
        return f"mapping of {_type(schema['additionalProperties'])}s"
    return kind + _range(schema.get("minimum"), schema.get("maximum"))


def _range(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f", {low} to {high}"
    return f", at least {low}" if low is not None else ""


def _default(prop: dict[str, Any], required: bool) -> str:
    if required:
        return "*required*"
    if prop.get("default", ...) is None:
        return "*unset*"
    return f"`{json.dumps(prop['default'])}`" if "default" in prop else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
