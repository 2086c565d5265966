"""Text for a terminal: lines that fit in ``WIDTH`` columns, and counts that read right.

The text formats of `lake plan` and `lake audit` keep every line within ``WIDTH`` columns: what
they know to be long (finding messages, lists of rules or principals) is wrapped where it is
built, and ``fit_text`` is the safety net for the rest (a long resource name, an output value).
"""

from __future__ import annotations

import textwrap

WIDTH = 120


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``1 rule``, ``2 rules``, ``0 rules``; ``plural`` for nouns that do not just take an s."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def fit(line: str, indent: str | None = None, width: int = WIDTH) -> list[str]:
    """``line`` as lines of at most ``width`` columns, broken at spaces (inside a word only when
    one word is longer than a line). Continuation lines start with ``indent`` (default: the
    line's own indentation and two more spaces)."""
    if len(line) <= width:
        return [line]
    if indent is None:
        indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
    return textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False) or [line[:width]]


def fit_items(head: str, items: list[str], separator: str, indent: str, width: int = WIDTH) -> list[str]:
    """``head`` then ``items`` joined by ``separator``, a new line (starting with ``indent``)
    only between items, so that no item is split unless it is longer than a line by itself."""
    lines, line = [], head
    for i, item in enumerate(items):
        piece = item + (separator.rstrip() if i < len(items) - 1 else "")
        gap = "" if i == 0 else separator[len(separator.rstrip()):]
        if i and len(line) + len(gap) + len(piece) > width:
            lines.append(line)
            line = indent + piece
        else:
            line += gap + piece
    return [part for text in lines + [line] for part in fit(text, indent, width)]


def fit_lines(lines: list[str], indent: str | None = None, width: int = WIDTH) -> list[str]:
    return [part for line in lines for part in fit(line, indent, width)]


def fit_text(text: str, width: int = WIDTH) -> str:
    """Every line of ``text`` within ``width`` columns (see ``fit``)."""
    fitted = fit_lines(text.split("\n"), width=width)
    return "\n".join(fitted)
