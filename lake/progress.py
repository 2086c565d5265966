"""Progress for people watching a terminal, on standard error only.

One rule for every command (`lake audit`, `lake data put` and `sync`, `lake demo`): a bar is
drawn only when standard error is a terminal, and never when it is piped or redirected, in CI
(``CI`` set to anything but ``false``, ``0`` or nothing), or on a dumb terminal
(``TERM=dumb``). ``NO_COLOR`` keeps the bar to plain ASCII. Standard output is never touched, so
piped results and JSON stay clean, and a bar is erased once its work is done.

- ``bar(**tqdm_options)``: a tqdm bar on standard error that is a silent no-op when disabled.
- ``Transfer``: objects and bytes of an upload or download, with the rate (thread-safe).
- ``Stages``: a command's stages, one line, e.g. ``demo [2/4] starting moto``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

# A transfer that ends within this many seconds draws nothing at all (tests set it to 0).
DELAY_SECONDS = 0.5


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def enabled(stream: TextIO | None = None) -> bool:
    """Should progress be drawn on ``stream`` (default: standard error)?"""
    stream = sys.stderr if stream is None else stream
    if in_ci() or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def bar(**options: Any):
    """A tqdm bar on standard error, disabled (every call a no-op) unless ``enabled()``."""
    from tqdm import tqdm

    options.setdefault("leave", False)
    if os.environ.get("NO_COLOR"):
        options.update(ascii=True, colour=None)
    return tqdm(file=sys.stderr, disable=not enabled(sys.stderr), dynamic_ncols=True, **options)


class Transfer:
    """Objects and bytes of one transfer as one bar with the rate, e.g.
    ``put:  45%|####      | 1.20M/2.66M [00:01<00:01, 1.10MB/s, 3/24 files]``.

    ``item(size)`` registers one object (as a listing streams in, the total grows); its
    ``moved(n)`` reports bytes from any thread; ``finish`` settles it: done (the bytes not yet
    reported count as moved), skipped or failed (its bytes leave the total, so the bar and the
    rate show bytes really transferred). ``Transfer.off()`` draws nothing (library callers)."""

    def __init__(self, desc: str | None, noun: str = "object", total_bytes: int = 0) -> None:
        self._lock = threading.Lock()
        self._noun = noun
        self._objects = self._done = self._skipped = self._failed = 0
        self._bar = None if desc is None else bar(
            desc=desc, total=total_bytes, unit="B", unit_scale=True, delay=DELAY_SECONDS,
            postfix=self._postfix())

    @classmethod
    def off(cls) -> Transfer:
        return cls(None)

    def __enter__(self) -> Transfer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def _postfix(self) -> str:
        settled = self._done + self._skipped + self._failed
        text = f"{settled}/{self._objects} {self._noun}s"
        if self._skipped:
            text += f", {self._skipped} skipped"
        if self._failed:
            text += f", {self._failed} failed"
        return text

    def item(self, size: int, counted_in_total: bool = False) -> TransferItem:
        """One object of ``size`` bytes; ``counted_in_total``: already in ``total_bytes``."""
        with self._lock:
            self._objects += 1
            if self._bar is not None:
                if not counted_in_total:
                    self._bar.total = (self._bar.total or 0) + size
                self._bar.set_postfix_str(self._postfix(), refresh=False)
        return TransferItem(self, size)

    def _advance(self, moved: int) -> None:
        if self._bar is not None and moved:
            with self._lock:
                self._bar.update(moved)

    def _settle(self, item: TransferItem, outcome: str) -> None:
        with self._lock:
            if outcome == "done":
                self._done += 1
            elif outcome == "skipped":
                self._skipped += 1
            else:
                self._failed += 1
            if self._bar is None:
                return
            rest = item.size - item.reported
            if outcome != "done" and rest:
                self._bar.total = max((self._bar.total or 0) - rest, self._bar.n)
            self._bar.set_postfix_str(self._postfix(), refresh=False)
            self._bar.update(rest if outcome == "done" else 0)  # redraws, at most every tenth of a second


class TransferItem:
    """One object of a ``Transfer``."""

    def __init__(self, transfer: Transfer, size: int) -> None:
        self._transfer, self.size, self.reported = transfer, size, 0

    def moved(self, n: int) -> None:
        """``n`` more bytes moved (negative when a retried request starts over)."""
        self.reported += n
        self._transfer._advance(n)

    def finish(self, outcome: str = "done") -> None:
        """``done``, ``skipped`` (already there) or ``failed``."""
        self._transfer._settle(self, outcome)


class Stages:
    """A command's stages on one line of standard error, erased when each stage ends (so what
    the command prints between stages stays clean), e.g. ``demo [2/4] starting moto``. The line
    is gone once the last stage ends, so later bars (a `lake data put` inside `lake demo`) take
    its place instead of drawing below it."""

    def __init__(self, desc: str, total: int) -> None:
        self._desc, self._total, self._n = desc, total, 0
        self._bar = bar(total=total, bar_format="{desc}")

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._bar.close()  # idempotent

    @contextmanager
    def stage(self, what: str) -> Iterator[None]:
        self._n += 1
        self._bar.set_description_str(f"{self._desc} [{self._n}/{self._total}] {what}", refresh=True)
        try:
            yield
        finally:
            self._bar.clear()
            if self._n >= self._total:
                self.close()
