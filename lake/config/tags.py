"""``datalake:tags``: the characters AWS accepts in tag keys and values.

"Tag naming limits and requirements", in "Best practices and strategies" of the Tagging AWS
Resources and Tag Editor user guide
(https://docs.aws.amazon.com/tag-editor/latest/userguide/best-practices-and-strats.html):
keys of 1 to 128 and values of 0 to 256 Unicode characters; only Unicode letters, digits,
whitespace and ``_ . : / = + - @``; the ``aws:`` prefix, in any case, is reserved for AWS in
keys and values. S3 bucket tags follow these general rules. The services' API references write
the character set as the regular expression ``^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$``: letters
and numbers are those Unicode categories here too; whitespace is the space separators (Zs: the
space, no-break and ideographic spaces), not tabs or line breaks, nor the line and paragraph
separators (Zl, Zp) that \\p{Z} also admits, which would break a tag across lines wherever it
is shown.

The lengths and the prefix are in the schema (``schema.json``); the character set is checked
here because Python's ``re`` has no ``\\p{L}``.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from lake.config.problems import NAMESPACE, ConfigProblem, key_path

ALLOWED_SYMBOLS = "_.:/=+-@"
_ALLOWED_CATEGORIES = ("L", "N", "Zs")  # letters, numbers, space separators
_RULE = "AWS allows letters, digits, spaces and _ . : / = + - @ in tags"


def refused_character(text: str) -> str | None:
    """The first character of ``text`` that AWS does not accept in a tag, else None."""
    for char in text:
        if char not in ALLOWED_SYMBOLS and not unicodedata.category(char).startswith(_ALLOWED_CATEGORIES):
            return char
    return None


def _character(char: str) -> str:
    """``'\\n' (U+000A)``: escaped, so that the message stays on one line."""
    return f"{char!r} (U+{ord(char):04X})"


def tag_problems(tags: Any) -> list[ConfigProblem]:
    """Problems of the keys and values of ``datalake:tags`` (any other shape is the schema's)."""
    if not isinstance(tags, dict):
        return []
    problems = []
    for key, value in tags.items():
        path = key_path(NAMESPACE, ("tags", str(key)))
        for what, text in (("key", key), ("value", value)):
            char = refused_character(text) if isinstance(text, str) else None
            if char is not None:
                problems.append(ConfigProblem(path, f"tag {what} contains {_character(char)}; {_RULE}"))
    return problems
