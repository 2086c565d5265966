"""What is wrong with a stack configuration, and where: the one format every check reports in.

A problem's path is the config key as the user writes it (``datalake:zones[1].lifecycle``), so
the message points at the line to edit in ``Pulumi.<stack>.yaml``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

NAMESPACE = "datalake"

Severity = Literal["error", "warning"]

# A key that can follow a dot unquoted; any other key (a tag key like "aws:x") is quoted.
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PATH_TOKEN = re.compile(r"\[([0-9]+)\]|\[(\"(?:[^\"\\]|\\.)*\")\]|\.?([^.\[]+)")


@dataclass(frozen=True)
class ConfigProblem:
    path: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        # File-level problems (a missing file) have no key to point at.
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """The configuration in ``source`` cannot be used; one line per error, ready to print."""

    def __init__(self, source: str, problems: Sequence[ConfigProblem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        # No source: a problem about no file in particular (a stack that does not exist).
        return "\n".join(f"{self.source}: {problem}" if self.source else str(problem) for problem in self.problems)


def one_line(key: str) -> str:
    """``key``, or its JSON string if it has a line break or another unprintable character, so
    that every problem stays on its line (``"zones\\n"``)."""
    return key if key.isprintable() else json.dumps(key)


def key_path(namespace: str, parts: Iterable[str | int]) -> str:
    """``("zones", 1, "name")`` -> ``datalake:zones[1].name``: the key as written in the file."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not path:
            path = f"{namespace}:{one_line(part)}"
        elif _PLAIN_KEY.fullmatch(part):
            path += f".{part}"
        else:
            path += f"[{json.dumps(part)}]"
    return path or namespace


def _sort_key(problem: ConfigProblem) -> tuple:
    """Natural order, so that ``zones[2]`` comes before ``zones[10]``, as in the file."""
    tokens = []
    for index, quoted, name in _PATH_TOKEN.findall(problem.path):
        tokens.append((0, int(index), "") if index else (1, 0, quoted or name))
    return (tokens, problem.message)


def sorted_problems(problems: Iterable[ConfigProblem]) -> list[ConfigProblem]:
    """Deduplicated and in a stable order, whatever order the checks ran in."""
    return sorted(set(problems), key=_sort_key)


def of_severity(problems: Iterable[ConfigProblem], severity: Severity) -> list[ConfigProblem]:
    return [problem for problem in problems if problem.severity == severity]
