"""Progress on standard error (lake/progress.py): on a terminal only, never piped, in CI or on a dumb terminal."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from lake import progress
from lake.progress import Stages, Transfer, enabled
from tests.support import REPO


class Terminal(io.StringIO):
    """Standard error as a terminal would be: isatty() is true."""

    def isatty(self) -> bool:
        return True


def as_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """A fake terminal as standard error, outside CI, drawing at once. Called in the test itself:
    pytest puts its own standard error back between a fixture's set-up and the test."""
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    for name in ("CI", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0)
    return stream


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch):
    """``terminal()``: standard error becomes a fake terminal (see ``as_terminal``)."""
    return lambda: as_terminal(monkeypatch)


def test_drawn_on_a_terminal(terminal) -> None:
    terminal()
    assert enabled()


@pytest.mark.parametrize(("name", "value"), [("CI", "true"), ("CI", "1"), ("TERM", "dumb")])
def test_never_in_ci_or_on_a_dumb_terminal(terminal, monkeypatch: pytest.MonkeyPatch,
                                           name: str, value: str) -> None:
    screen = terminal()
    monkeypatch.setenv(name, value)
    assert not enabled()
    with Transfer("put", noun="file") as transfer:
        transfer.item(10).finish()
    assert screen.getvalue() == ""


def test_ci_false_is_not_ci(terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal()
    monkeypatch.setenv("CI", "false")
    assert enabled()


def test_never_when_piped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.delenv("CI", raising=False)
    assert not enabled()
    with Transfer("sync") as transfer:
        transfer.item(10).finish()
    assert sys.stderr.getvalue() == ""


def test_a_transfer_shows_objects_bytes_and_the_rate(terminal) -> None:
    screen = terminal()
    with Transfer("put", noun="file", total_bytes=3000) as transfer:
        items = [transfer.item(1000, counted_in_total=True) for _ in range(3)]
        items[0].moved(600)
        items[0].finish()  # the 400 bytes not reported count as moved
        items[1].finish("skipped")  # its bytes leave the total
        items[2].moved(250)
        items[2].finish("failed")  # what was not moved leaves the total
        bar = transfer._bar  # noqa: SLF001 - the bar's own counts
        assert (bar.n, bar.total) == (1250, 1250)
        assert transfer._postfix() == "3/3 files, 1 skipped, 1 failed"  # noqa: SLF001
    drawn = screen.getvalue()
    assert "put:" in drawn and "B/s" in drawn and "files" in drawn


def test_a_listing_grows_the_total(terminal) -> None:
    terminal()
    with Transfer("sync") as transfer:
        for size in (10, 20, 30):
            transfer.item(size)
        assert transfer._bar.total == 60  # noqa: SLF001


def test_no_color_draws_plain_ascii(terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    screen = terminal()
    monkeypatch.setenv("NO_COLOR", "1")
    with Transfer("put", noun="file", total_bytes=100) as transfer:
        transfer.item(100, counted_in_total=True).finish()
    assert all(ord(c) < 128 for c in screen.getvalue())


def test_stages_are_drawn_then_erased(terminal) -> None:
    screen = terminal()
    with Stages("demo", 2) as stages:
        with stages.stage("starting moto"):
            assert "demo [1/2] starting moto" in screen.getvalue()
        with stages.stage("applying the stack"):
            pass
    assert "demo [2/2] applying the stack" in screen.getvalue()


SCRIPT = """
from lake import progress
progress.DELAY_SECONDS = 0
with progress.Transfer("put", noun="file", total_bytes=10) as transfer:
    transfer.item(10, counted_in_total=True).finish()
print("done")
"""


def _under_a_terminal(env: dict[str, str]) -> tuple[bytes, bytes]:
    """(standard output, what was drawn on the terminal) of SCRIPT with a pseudo-terminal as standard error."""
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import termios

    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a new pty has 0 columns
    try:
        run = subprocess.run([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=secondary, env=env,
                             timeout=60)
    finally:
        os.close(secondary)
    drawn = b""
    try:
        while chunk := os.read(primary, 4096):
            drawn += chunk
    except OSError:  # Linux: the terminal's other end is closed, everything was read
        pass
    finally:
        os.close(primary)
    return run.stdout, drawn


def test_a_real_terminal_gets_the_bar_but_not_a_pipe_or_ci() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")} | {"TERM": "xterm",
                                                                                   "PYTHONPATH": str(REPO)}
    stdout, drawn = _under_a_terminal(env)
    assert stdout == b"done\n" and b"put:" in drawn and b"files" in drawn
    assert _under_a_terminal(env | {"CI": "true"}) == (b"done\n", b"")
    piped = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    assert (piped.stdout, piped.stderr) == ("done\n", "")
