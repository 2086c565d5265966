"""Config keys whose namespace is a near miss of the lake's: ``datalaek:requireSseHeader``.

Pulumi accepts any namespace and the program reads only its own, so a misspelt namespace is
silently ignored: the stack deploys without the setting (a production stack without
``production: true``). Other namespaces (``aws:``, ``pulumi:``, other projects') are left alone:
only a case variant of the lake's namespace, or one within two edits of it, is reported.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from lake.config.problems import ConfigProblem, one_line

MAX_EDITS = 2


def edit_distance(left: str, right: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    adjacent letters (``datalaek``) each cost one edit."""
    previous2: list[int] = []
    previous = list(range(len(right) + 1))
    for i, a in enumerate(left, start=1):
        current = [i]
        for j, b in enumerate(right, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == right[j - 2] and left[i - 2] == b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def near_miss(namespace: str, own: Collection[str]) -> str | None:
    """The namespace of ``own`` that ``namespace`` was probably meant to be, else None.

    A case variant always counts; otherwise at most MAX_EDITS edits, and fewer for short names
    (a third of the length), so that a project named ``ml`` does not claim ``tls:`` or ``k8s:``.
    """
    if namespace in own:
        return None
    for candidate in sorted(own):
        if namespace.casefold() == candidate.casefold():
            return candidate
    distances = {
        candidate: edit_distance(namespace.casefold(), candidate.casefold())
        for candidate in sorted(own)
    }
    best = min(distances, key=distances.__getitem__, default=None)
    if best is not None and distances[best] <= min(MAX_EDITS, len(best) // 3):
        return best
    return None


def namespace_problems(keys: Iterable[str], own: Collection[str]) -> list[ConfigProblem]:
    """One problem per key (``namespace:name``) whose namespace is a near miss of one in ``own``."""
    problems = []
    for key in keys:
        namespace, colon, name = str(key).partition(":")
        meant = near_miss(namespace, own) if colon else None
        if meant is not None:
            problems.append(ConfigProblem(
                one_line(str(key)),
                f"unknown namespace {namespace!r}, which the lake would ignore (did you mean {f'{meant}:{name}'!r}?)",
            ))
    return problems
