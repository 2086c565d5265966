"""The plan for people (a tree like `pulumi preview`) and for machines (docs/plan-format.md)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict
from typing import Any

from lake import __version__
from lake.terminal import WIDTH, fit, fit_lines

from .recorder import RecordedResource
from .runner import Plan

FORMAT_VERSION = 1


def short_type(token: str) -> str:
    """``aws:s3/bucket:Bucket`` -> ``aws:s3:Bucket``, as the Pulumi CLI shows types."""
    package, module, kind = token.split(":")
    return f"{package}:{module.split('/')[0]}:{kind}"


def _resource_entry(r: RecordedResource) -> dict[str, Any]:
    return {
        "urn": r.urn,
        "type": r.type,
        "name": r.name,
        "parent": r.parent,
        "custom": r.custom,
        "id": r.id,
        "inputs": r.inputs,
        "computed": r.computed,
        "options": {
            "protect": r.protect,
            "retainOnDelete": r.retain_on_delete,
            "dependsOn": r.depends_on,
            "propertyDependencies": r.property_dependencies,
        },
    }


def plan_document(plan: Plan) -> dict[str, Any]:
    resources = sorted(plan.resources, key=lambda r: r.urn)
    return {
        "formatVersion": FORMAT_VERSION,
        "generator": {"name": "lake", "version": __version__},
        "project": plan.project,
        "stack": plan.stack,
        "environment": {
            "accountId": plan.environment.account_id,
            "region": plan.environment.region,
            "partition": plan.environment.partition,
            "mocked": True,
        },
        "settings": asdict(plan.settings),
        "summary": {
            "resourceCount": len(resources),
            "byType": dict(sorted(Counter(r.type for r in resources).items())),
        },
        "resources": [_resource_entry(r) for r in resources],
        "outputs": plan.outputs,
        "warnings": plan.warnings,
    }


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def _tree_rows(plan: Plan) -> list[tuple[str, RecordedResource]]:
    children: dict[str | None, list[RecordedResource]] = defaultdict(list)
    for r in plan.resources:
        children[r.parent].append(r)
    rows: list[tuple[str, RecordedResource]] = []

    def walk(parent: str | None, prefix: str) -> None:
        kids = sorted(children.get(parent, []), key=lambda r: r.urn)
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            branch = "" if parent is None else ("└─ " if last else "├─ ")
            rows.append((prefix + branch, r))
            walk(r.urn, prefix + ("" if parent is None else ("   " if last else "│  ")))

    walk(None, "")
    return rows


def _format_output(value: Any, indent: str) -> list[str]:
    """Outputs as an indented tree; a long value is wrapped below its key (lake/terminal.py)."""
    if isinstance(value, dict):
        lines = []
        for key, inner in value.items():
            if isinstance(inner, dict):
                lines.append(f"{indent}{key}:")
                lines += _format_output(inner, indent + "    ")
            else:
                lines += fit(f"{indent}{key}: {output_value(inner)}", indent + "    ")
        return lines
    return fit(f"{indent}{json.dumps(value)}", indent + "    ")


def output_value(value: Any) -> str:
    """A value as JSON; a policy document exported as a string (a consumer's identityPolicy) by its
    statements' Sids: the whole document is one escaped line dozens of lines long, and the JSON
    plan carries it."""
    document = _policy_document(value)
    if document is None:
        return json.dumps(value)
    sids = ", ".join(str(s.get("Sid", "?")) for s in document["Statement"])
    return f"policy document of {len(document['Statement'])} statements ({sids}; whole in --format json)"


def _policy_document(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, str) or not value.startswith("{"):
        return None
    try:
        document = json.loads(value)
    except ValueError:
        return None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        return None
    return document


def render_text(plan: Plan) -> str:
    """The resource tree, outputs and warnings, every line within lake/terminal.py's width (a name
    too long for its line continues under the Name column)."""
    env = plan.environment
    rows = _tree_rows(plan)
    width = max(len(prefix) + len(short_type(r.type)) for prefix, r in rows) + 2
    lines = [
        *fit(f"Offline plan of {plan.project}/{plan.stack} "
             f"(account {env.account_id}, region {env.region}: mock values, nothing is deployed)", "  "),
        "",
        f"     {'Type':<{width}}Name",
    ]
    for prefix, r in rows:
        flags = " [protect, retain on delete]" if r.protect and r.retain_on_delete else " [protect]" if r.protect else ""
        row, under_name = f" +   {(prefix + short_type(r.type)):<{width}}{r.name}", " " * (5 + width + 2)
        if flags and len(row + flags) > WIDTH:  # the flags go below the name rather than split
            lines += fit(row, under_name) + [under_name + flags.strip()]
        else:
            lines += fit(row + flags, under_name)
    lines += ["", "Outputs:"] + _format_output(plan.outputs, "    ")
    lines += ["", "Resources:", f"    + {len(plan.resources)} to create"]
    if plan.warnings:
        lines += ["", "Warnings:"] + fit_lines([f"    {w}" for w in plan.warnings], "      ")
    return "\n".join(lines) + "\n"
