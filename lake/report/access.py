"""The access matrix in the plan: text, markdown, and entries of the JSON document.

Zone buckets whose matrices are identical (same decision and deciding statements in every
cell) are shown once, under all their names.
"""

from __future__ import annotations

from typing import Any

from policies.access.matrix import BucketMatrix, Cell
from policies.access.scenarios import ACTIONS

SHORT = {"allow": "allow", "implicit_deny": "no grant"}


def label(cell: Cell | None) -> str:
    if cell is None:
        return ""
    decision = cell.decision
    if decision.decision == "explicit_deny":
        return "DENY " + ",".join(sorted({ref.sid or f"#{ref.index + 1}" for ref in decision.deciding}))
    return SHORT[decision.decision]


def _signature(matrix: BucketMatrix) -> tuple:
    return tuple((c.actor, c.action, c.scenario, label(c)) for c in matrix.cells)


def grouped(matrices: list[BucketMatrix]) -> list[tuple[list[str], BucketMatrix]]:
    groups: dict[tuple, tuple[list[str], BucketMatrix]] = {}
    for matrix in matrices:
        names, _ = groups.setdefault(_signature(matrix), ([], matrix))
        names.append(matrix.bucket)
    return list(groups.values())


def _rows(matrix: BucketMatrix) -> list[tuple[str, str, list[str]]]:
    return [
        (actor.label, action, [label(matrix.cell(actor.label, action, s.label)) for s in matrix.scenarios])
        for actor in matrix.actors
        for action, _ in ACTIONS
    ]


def _reach_lines(reach: dict[str, list[str]]) -> list[str]:
    return [f"{crawler}: {', '.join(buckets) or 'nothing'}" for crawler, buckets in reach.items()]


def render_access_text(matrices: list[BucketMatrix], reach: dict[str, list[str]]) -> str:
    lines = []
    for names, matrix in grouped(matrices):
        rows = _rows(matrix)
        heads = [s.label for s in matrix.scenarios]
        widths = [max([len(h)] + [len(r[2][i]) for r in rows]) for i, h in enumerate(heads)]
        first = max(len(f"{a} {b}") for a, b, _ in rows)
        lines += ["", f"Access matrix of {', '.join(names)}" + (" (identical)" if len(names) > 1 else "")]
        lines.append(("  " + " " * first + "  " + "  ".join(h.ljust(w) for h, w in zip(heads, widths))).rstrip())
        lines += [
            "  " + f"{a} {b}".ljust(first) + "  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
            for a, b, cells in rows
        ]
        lines += ["  Assumed identity policies:"] + [f"    {a.label}: {a.assumption}" for a in matrix.actors]
    if reach:
        lines += ["", "Crawler reach (zone buckets whose objects each crawler can read):"]
        lines += [f"  {line}" for line in _reach_lines(reach)]
    return "\n".join(lines) + "\n"


def render_access_markdown(matrices: list[BucketMatrix], reach: dict[str, list[str]]) -> list[str]:
    lines = ["", "#### Access matrix"]
    for names, matrix in grouped(matrices):
        heads = [s.label for s in matrix.scenarios]
        lines += ["", f"`{'`, `'.join(names)}`", "", "| Principal | Action | " + " | ".join(heads) + " |",
                  "|---|---|" + "---|" * len(heads)]
        lines += [f"| {a} | `{b}` | " + " | ".join(cells) + " |" for a, b, cells in _rows(matrix)]
        lines += ["", "Assumed: " + "; ".join(f"*{a.label}*: {a.assumption}" for a in matrix.actors) + "."]
    if reach:
        lines += ["", "Crawler reach (zone buckets whose objects each crawler can read):", ""]
        lines += [f"- {line}" for line in _reach_lines(reach)]
    return lines


def access_entries(matrices: list[BucketMatrix]) -> list[dict[str, Any]]:
    """The ``accessMatrix`` list of the JSON plan document."""
    return [
        {
            "bucket": m.bucket,
            "principals": [{"label": a.label, "arn": a.principal.arn, "assumption": a.assumption} for a in m.actors],
            "scenarios": [
                {"label": s.label, "context": s.context, "actions": sorted(s.actions) if s.actions else None}
                for s in m.scenarios
            ],
            "cells": [
                {
                    "principal": c.actor,
                    "action": c.action,
                    "scenario": c.scenario,
                    "decision": c.decision.decision,
                    "deciding": [{"policy": r.policy, "sid": r.sid, "index": r.index} for r in c.decision.deciding],
                    "reason": c.decision.reason,
                }
                for c in m.cells
            ],
        }
        for m in matrices
    ]
