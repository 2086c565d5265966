"""The access matrix in the plan: text, markdown, and entries of the JSON document.

Zone buckets whose matrices are identical (same decision and deciding statements in every
cell) are shown once, under all their names. In the terminal the default is a summary
(``render_access_summary``): per zone bucket, who may do which action with the intended request,
and the denials that matter; ``render_access_text`` is the whole matrix, in panels of request
contexts that fit the terminal's width. Markdown and JSON always carry the whole matrix.
"""

from __future__ import annotations

from typing import Any

from lake.terminal import WIDTH, fit, fit_items, fit_lines
from policies.access.matrix import BucketMatrix, Cell
from policies.access.scenarios import ACTIONS, OTHER_KEY, SSE, SSE_KEY, Scenario

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


def _panels(widths: list[int], room: int) -> list[list[int]]:
    """Column indexes in panels that fit ``room`` columns (at least one column a panel)."""
    panels: list[list[int]] = [[]]
    used = 0
    for i, width in enumerate(widths):
        if panels[-1] and used + 2 + width > room:
            panels.append([])
            used = 0
        used += (2 if panels[-1] else 0) + width
        panels[-1].append(i)
    return panels


def _numbered(matrix: BucketMatrix) -> tuple[list[tuple[str, str, list[str]]], list[str]]:
    """The rows with each explicit deny as ``DENY 1,2`` (statement numbers), and the statements."""
    statements: list[str] = []
    rows = []
    for actor in matrix.actors:
        for action, _ in ACTIONS:
            cells = []
            for scenario in matrix.scenarios:
                cell = matrix.cell(actor.label, action, scenario.label)
                if cell is None or cell.decision.decision != "explicit_deny":
                    cells.append(label(cell))
                    continue
                sids = sorted({ref.sid or f"#{ref.index + 1}" for ref in cell.decision.deciding})
                statements += [sid for sid in sids if sid not in statements]
                cells.append("DENY " + ",".join(str(n) for n in sorted(statements.index(sid) + 1 for sid in sids)))
            rows.append((actor.label, action, cells))
    return rows, statements


def render_access_text(matrices: list[BucketMatrix], reach: dict[str, list[str]]) -> str:
    """The whole matrix (``lake plan --matrix full``) within the terminal's width: explicit denies
    as numbers of the deciding statements (listed below the table), and the request contexts in
    as many panels as the width needs (rows with nothing in a panel are left out of it)."""
    lines = []
    for names, matrix in grouped(matrices):
        rows, statements = _numbered(matrix)
        heads = [s.label for s in matrix.scenarios]
        widths = [max([len(h)] + [len(r[2][i]) for r in rows]) for i, h in enumerate(heads)]
        first = max(len(f"{a} {b}") for a, b, _ in rows)
        lines += [""] + fit(f"Access matrix of {', '.join(names)}" + (" (identical)" if len(names) > 1 else ""))
        for number, panel in enumerate(_panels(widths, WIDTH - 4 - first)):
            lines += [""] if number else []
            lines.append(("  " + " " * first + "  " + "  ".join(heads[i].ljust(widths[i]) for i in panel)).rstrip())
            lines += [
                ("  " + f"{a} {b}".ljust(first) + "  " + "  ".join(cells[i].ljust(widths[i]) for i in panel)).rstrip()
                for a, b, cells in rows
                if any(cells[i] for i in panel)
            ]
        if statements:
            lines += fit_items("  Denied by: ", [f"{n} {sid}" for n, sid in enumerate(statements, 1)], "; ", "    ")
        lines += ["  Assumed identity policies:"]
        lines += fit_lines([f"    {a.label}: {a.assumption}" for a in matrix.actors], "      ")
    if reach:
        lines += ["", "Crawler reach (zone buckets whose objects each crawler can read):"]
        lines += fit_lines([f"  {line}" for line in _reach_lines(reach)], "    ")
    return "\n".join(lines) + "\n"


# --- the summary: `lake plan` in the terminal -------------------------------------------------

def _action(action: str) -> str:
    return action.removeprefix("s3:")


def _upload_scenario(matrix: BucketMatrix) -> Scenario:
    """The intended upload: SSE-KMS naming the lake key (else the baseline request)."""
    return next((s for s in matrix.scenarios if s.actions and s.context.get(SSE) == "aws:kms"
                 and s.context.get(SSE_KEY) not in (None, OTHER_KEY)), matrix.scenarios[0])


def _intended(matrix: BucketMatrix, action: str) -> Scenario:
    return _upload_scenario(matrix) if action == "s3:PutObject" else matrix.scenarios[0]


def _reference(matrix: BucketMatrix, scenario: Scenario, action: str) -> Scenario | None:
    """What a cell of ``scenario`` is compared with to tell whether it takes access away: the
    baseline request (the same encryption headers, none), or for an upload sending headers, the
    upload with the lake key. None: the cell is itself the intended request."""
    base, upload = matrix.scenarios[0], _upload_scenario(matrix)
    if scenario.actions:
        return None if scenario is upload else upload
    if scenario is base:
        return upload if action == "s3:PutObject" and upload is not base else None
    return base


def _sids(cells: list[Cell]) -> str:
    sets = [{ref.sid or f"#{ref.index + 1}" for ref in c.decision.deciding}
            for c in cells if c.decision.decision == "explicit_deny"]
    common = set.intersection(*sets) if sets else set()
    chosen = sorted(common or set().union(*sets))
    return f" ({', '.join(chosen)})" if chosen else ""


def _capabilities(matrix: BucketMatrix) -> list[str]:
    """``lake administrator, deployer: GetObject, ...``: actors grouped by what the intended
    request lets them do (and any explicit deny of it)."""
    groups: dict[tuple, list[str]] = {}
    for actor in matrix.actors:
        cells = [(action, matrix.cell(actor.label, action, _intended(matrix, action).label)) for action, _ in ACTIONS]
        allowed = tuple(_action(a) for a, c in cells if c is not None and c.decision.allowed)
        denied = tuple((_action(a), label(c)) for a, c in cells
                       if c is not None and c.decision.decision == "explicit_deny")
        groups.setdefault((allowed, denied), []).append(actor.label)
    lines = []
    for (allowed, denied), actors in groups.items():
        text = f"{', '.join(actors)}: {', '.join(allowed) or 'none'}"
        if denied:
            text += "; " + ", ".join(f"{action} {deny}" for action, deny in denied)
        lines.append(text)
    return lines


def _phrase(matrix: BucketMatrix, scenario: Scenario) -> str:
    if scenario.actions:
        return f"uploads with {scenario.label}"
    if scenario is matrix.scenarios[0]:
        return "uploads without an encryption header"
    return scenario.label


def _denials(matrix: BucketMatrix) -> tuple[list[str], list[str]]:
    """(what is denied to everyone, what takes access away from some principals or gives them
    access the intended request does not), per context."""
    everyone, partial = [], []
    for scenario in matrix.scenarios:
        compared = []
        for actor in matrix.actors:
            for action, _ in ACTIONS:
                reference = _reference(matrix, scenario, action) if scenario.applies_to(action) else None
                if reference is not None:
                    compared.append((actor.label, action, matrix.cell(actor.label, action, scenario.label),
                                     matrix.cell(actor.label, action, reference.label)))
        cells = [c for _, _, c, _ in compared if c is not None]
        if cells and all(c.decision.decision == "explicit_deny" for c in cells):
            everyone.append(_phrase(matrix, scenario) + _sids(cells))
            continue
        changes = _changes(compared)
        if changes:
            partial.append(f"{_phrase(matrix, scenario)}: {changes}")
    return everyone, partial


def _changes(compared: list[tuple[str, str, Cell | None, Cell | None]]) -> str:
    """``data reader loses GetObject (DenyOutsideLakeEndpoint); consumer analysts gains GetObject``:
    who loses what the reference request allows (with the deciding denies), and who gains what it
    does not allow (a query consumer reads its zone only through Athena)."""
    lost: dict[str, list[str]] = {}
    gained: dict[str, list[str]] = {}
    lost_cells = []
    for actor, action, cell, reference in compared:
        if cell is None or reference is None or cell.decision.allowed == reference.decision.allowed:
            continue
        if cell.decision.allowed:
            gained.setdefault(actor, []).append(_action(action))
        else:
            lost.setdefault(actor, []).append(_action(action))
            lost_cells.append(cell)
    losses = "; ".join(f"{actor} loses {', '.join(actions)}" for actor, actions in lost.items())
    gains = "; ".join(f"{actor} gains {', '.join(actions)}" for actor, actions in gained.items())
    return "; ".join(part for part in (losses + (_sids(lost_cells) if lost else ""), gains) if part)


def _summary_lines(matrix: BucketMatrix, common: list[str]) -> list[str]:
    everyone, partial = _denials(matrix)
    lines = fit_lines([f"    {line}" for line in _capabilities(matrix)], "      ")
    extra = [entry for entry in everyone if entry not in common]
    if extra:
        lines += fit_items(f"    {'also ' if common else ''}denied to everyone: ", extra, "; ", "      ")
    lines += fit_lines([f"    {line}" for line in partial], "      ")
    return lines


def _assumption_lines(matrices: list[BucketMatrix]) -> list[str]:
    by_assumption: dict[str, list[str]] = {}
    seen: set[str] = set()
    for matrix in matrices:
        for actor in matrix.actors:
            if actor.label not in seen:
                seen.add(actor.label)
                by_assumption.setdefault(actor.assumption, []).append(actor.label)
    return fit_lines([f"    {', '.join(labels)}: {assumption}" for assumption, labels in by_assumption.items()],
                     "      ")


def render_access_summary(matrices: list[BucketMatrix], reach: dict[str, list[str]]) -> str:
    """The matrix in short: per zone bucket (buckets alike are shown once), who may do which
    action with the intended request, what is denied to everyone, and which other request
    contexts take access away from whom, with the deciding statements, or give it (via Athena)."""
    if not matrices:
        return ""
    base = matrices[0].scenarios[0]
    where = " through the lake's endpoint" if "aws:SourceVpce" in base.context else ""
    lines = ["", "Access summary of the zone buckets (`--matrix full`: every principal, action and request context)"]
    lines += fit(f"  Requests over TLS 1.3{where}, uploads sending the lake key; the deciding statements in "
                 "brackets", "  ")
    denied = [_denials(matrix)[0] for _, matrix in grouped(matrices)]
    common = [entry for entry in denied[0] if all(entry in others for others in denied[1:])]
    if common:
        lines += fit_items("  Every zone bucket denies to everyone: ", common, "; ", "    ")
    groups: dict[tuple[str, ...], list[str]] = {}
    for names, matrix in grouped(matrices):
        groups.setdefault(tuple(_summary_lines(matrix, common)), []).extend(names)
    for body, names in groups.items():
        lines += fit_items("  ", names, ", ", "    ")
        lines += list(body)
    lines += ["  Assumed identity policies:"] + _assumption_lines(matrices)
    if reach:
        lines += ["  Crawler reach (zone buckets whose objects each crawler can read):"]
        lines += fit_lines([f"    {line}" for line in _reach_lines(reach)], "      ")
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
