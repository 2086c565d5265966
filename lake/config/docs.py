"""Print the configuration table, or refresh it in README.md: `python -m lake.config.docs [--update README.md]`."""

from __future__ import annotations

import sys
from pathlib import Path

from lake.config.table import config_table_markdown

START, END = "<!-- config-table:start -->", "<!-- config-table:end -->"


def with_table(readme: str) -> str:
    """``readme`` with the generated table between the markers."""
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{config_table_markdown()}{END}{tail}"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--update"] and len(argv) == 2:
        path = Path(argv[1])
        path.write_text(with_table(path.read_text()))
        return 0
    sys.stdout.write(config_table_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
