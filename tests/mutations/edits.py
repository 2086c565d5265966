"""Edits of an offline plan document (docs/plan-format.md), as a console user or a careless
change to the program would make them: find a resource, change an input, add or drop one."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

Document = dict[str, Any]
Edit = Callable[[Document], None]
Statement = dict[str, Any]


def resource(document: Document, kind: str, name: str) -> dict[str, Any]:
    """The custom resource of type ``aws:<...>:<kind>`` named ``name`` (exactly one)."""
    found = [r for r in document["resources"]
             if r["custom"] and r["type"].rsplit(":", 1)[-1] == kind and r["name"] == name]
    if len(found) != 1:
        raise LookupError(f"expected one {kind} named {name}, found {len(found)}")
    return found[0]


def set_input(kind: str, name: str, path: tuple[str | int, ...], value: Any) -> Edit:
    """Set ``inputs[path...]`` of one resource (intermediate dicts are created)."""
    def edit(document: Document) -> None:
        target = resource(document, kind, name)["inputs"]
        for step in path[:-1]:
            target = target.setdefault(step, {}) if isinstance(step, str) else target[step]
        target[path[-1]] = value
    return edit


def drop_input(kind: str, name: str, key: str) -> Edit:
    def edit(document: Document) -> None:
        resource(document, kind, name)["inputs"].pop(key, None)
    return edit


def drop_resource(kind: str, name: str) -> Edit:
    def edit(document: Document) -> None:
        doomed = resource(document, kind, name)
        document["resources"] = [r for r in document["resources"] if r is not doomed]
    return edit


def add_resource(type_: str, name: str, inputs: dict[str, Any], depends_on: dict[str, tuple[str, str]] | None = None,
                 computed: dict[str, Any] | None = None) -> Edit:
    """A new custom resource; ``depends_on`` maps an input to the (kind, name) of the resource
    whose output it uses, recorded as Pulumi records property dependencies."""
    def edit(document: Document) -> None:
        project, stack = document["project"], document["stack"]
        dependencies = {prop: [resource(document, kind, other)["urn"]] for prop, (kind, other) in (depends_on or {}).items()}
        document["resources"].append({
            "urn": f"urn:pulumi:{stack}::{project}::{type_}::{name}", "type": type_, "name": name, "custom": True,
            "inputs": inputs, "computed": computed or {},
            "options": {"protect": False, "retainOnDelete": False, "propertyDependencies": dependencies},
        })
    return edit


Change = Callable[[list[Statement]], list[Statement]]


def _rewrite(holder: dict[str, Any], field: str, change: Change, where: str) -> None:
    """Rewrite the statements of the policy held as a JSON string in ``holder[field]``; ``where``
    names the policy when a change does not apply."""
    policy = json.loads(holder[field])
    try:
        policy["Statement"] = change(copy.deepcopy(policy["Statement"]))
    except LookupError as error:
        raise LookupError(f"{where}: {error}") from None
    holder[field] = json.dumps(policy)


def edit_policy(kind: str, name: str, change: Change, field: str = "policy") -> Edit:
    """Rewrite the statements of a policy held as a JSON string in ``inputs[field]``."""
    def edit(document: Document) -> None:
        _rewrite(resource(document, kind, name)["inputs"], field, change, f"{kind} {name}")
    return edit


def edit_exported_policy(consumer: str, change: Change) -> Edit:
    """Rewrite the identity policy the stack exports for a consumer (``outputs.consumers.<name>.identityPolicy``):
    an external consumer's only document, which its own account attaches."""
    def edit(document: Document) -> None:
        _rewrite(document["outputs"]["consumers"][consumer], "identityPolicy", change,
                 f"the identity policy exported for {consumer}")
    return edit


def add_statement(kind: str, name: str, statement: Statement, field: str = "policy") -> Edit:
    return edit_policy(kind, name, lambda statements: [*statements, statement], field)


def without(sid: str) -> Change:
    """Statements without the one named ``sid`` (which must be there)."""
    def change(statements: list[Statement]) -> list[Statement]:
        kept = [s for s in statements if s.get("Sid") != sid]
        if len(kept) == len(statements):
            raise LookupError(f"no statement {sid}")
        return kept
    return change


def changing(sid: str, change: Callable[[Statement], None]) -> Change:
    """Statements with the one named ``sid`` (exactly one) changed in place."""
    def rewrite(statements: list[Statement]) -> list[Statement]:
        matches = [s for s in statements if s.get("Sid") == sid]
        if len(matches) != 1:
            raise LookupError(f"expected one statement {sid}, found {len(matches)}")
        change(matches[0])
        return statements
    return rewrite


def drop_statement(kind: str, name: str, sid: str, field: str = "policy") -> Edit:
    return edit_policy(kind, name, without(sid), field)


def change_statement(kind: str, name: str, sid: str, change: Callable[[Statement], None],
                     field: str = "policy") -> Edit:
    return edit_policy(kind, name, changing(sid, change), field)


def both(*edits: Edit) -> Edit:
    def edit(document: Document) -> None:
        for each in edits:
            each(document)
    return edit


def set_option(kind: str, name: str, option: str, value: Any) -> Edit:
    def edit(document: Document) -> None:
        resource(document, kind, name)["options"][option] = value
    return edit
