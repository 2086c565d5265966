"""Running `lake` in-process with nothing reachable: no AWS, no network, no user configuration.

Shared by the fuzz tests and tests/test_bad_invocations.py. ``offline`` points botocore at a
closed port on 127.0.0.1 with fake credentials and empty config files, refuses every connection
to anything but this machine and every name lookup but localhost (so a random ``--endpoint-url``
or ``--region`` cannot reach out), and makes every client try once: a closed port then fails in
milliseconds instead of after botocore's backoff (the exit code is the same: only the retry count
changes).
"""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import re
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from lake.cli import main

# --- how much fuzzing ------------------------------------------------------------------------------
# Each property runs ``examples`` random inputs, times FUZZ_SCALE (``FUZZ_SCALE=20 pytest tests/fuzz``
# for a long run). The deadlines are for a loaded 2-core machine: an example takes milliseconds
# (a document) to a few hundred (a command with a cached plan), an unlucky one several seconds.
# Properties that cost more than a few seconds in all are marked ``fuzz_slow``: the default suite
# runs them too (the folder stays within a minute); ``-m fuzz_slow`` / ``-m 'not fuzz_slow'``
# splits them off into a CI step of their own.
SCALE = max(1, int(os.environ.get("FUZZ_SCALE") or 1))
# tmp_path, monkeypatch and capsys are shared by the examples of a test on purpose; generating
# long or deep documents is slow by design.
SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
              HealthCheck.large_base_example]


def fuzz_settings(examples: int, deadline_seconds: float) -> settings:
    return settings(max_examples=examples * SCALE, deadline=timedelta(seconds=deadline_seconds),
                    suppress_health_check=SUPPRESSED)


# The exit codes of README "Exit codes"; 3 is an internal error, i.e. a bug the tests report.
EXIT_CODES = {0, 1, 2, 3, 130, 141}
ARGPARSE_ERROR = re.compile(r"lake( [a-z]+)*: error: ")


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, read, closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _local(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def aws_environment(folder: Path, port: int) -> dict[str, str]:
    """The AWS_* variables of an offline run: fake credentials, empty config, a closed endpoint."""
    empty = folder / "aws-empty"
    empty.write_text("")
    return {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE",
        "AWS_SECRET_ACCESS_KEY": "fake-secret",
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def offline_environ(folder: Path, port: int) -> dict[str, str]:
    """os.environ without any AWS_* variable of the user's, plus aws_environment (for subprocesses)."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    return {**kept, **aws_environment(folder, port)}


def offline(monkeypatch: pytest.MonkeyPatch, folder: Path) -> str:
    """Make this test process offline (see the module); returns the closed endpoint URL."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    port = closed_port()
    for name, value in aws_environment(folder, port).items():
        monkeypatch.setenv(name, value)

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def allowed(sock: socket.socket, address: object) -> bool:
        return sock.family == getattr(socket, "AF_UNIX", None) or (isinstance(address, tuple) and _local(address[0]))

    def connect(self: socket.socket, address: object) -> None:
        if not allowed(self, address):
            raise ConnectionRefusedError(errno.ECONNREFUSED, f"the test is offline: no connection to {address}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        return real_connect_ex(self, address) if allowed(self, address) else errno.ECONNREFUSED

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _local(host.decode() if isinstance(host, bytes) else host):
            raise socket.gaierror(socket.EAI_NONAME, f"the test is offline: no name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    import lake.data.connection as data_connection
    from policies.adapters.live import session

    real_config = session.adaptive_config

    def one_attempt(concurrency: int, max_attempts: int, endpoint_url: str | None):
        return real_config(concurrency, 1, endpoint_url)

    monkeypatch.setattr(session, "adaptive_config", one_attempt)
    monkeypatch.setattr(data_connection, "adaptive_config", one_attempt)
    return f"http://127.0.0.1:{port}"


def run_lake(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """``lake argv`` in-process: (exit code, stdout, stderr). argparse's own errors and --help
    exit through SystemExit: its code is the exit code."""
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as leaving:
        code = leaving.code if isinstance(leaving.code, int) else (0 if leaving.code is None else 2)
    out, err = capsys.readouterr()
    return code, out, err


def error_line(err: str) -> str | None:
    """The line that states the error: the first `error:` line, or argparse's `lake ...: error:`
    line (after its `usage:` lines); None when stderr has neither."""
    for line in err.splitlines():
        if line.startswith("error: ") or ARGPARSE_ERROR.match(line):
            return line
    return None


def stray_lines(err: str) -> list[str]:
    """stderr lines that are neither `error:` nor `hint:` lines nor argparse's usage message.

    argparse prints ``usage: lake ...`` (wrapped over indented lines) then ``lake ...: error: ...``;
    everything else a failing command writes to stderr must be an `error:` or `hint:` line."""
    stray, in_usage = [], False
    for line in err.splitlines():
        if line.startswith("usage: "):
            in_usage = True
            continue
        if in_usage and (line.startswith(" ") or not line):
            continue
        in_usage = False
        if not (line.startswith(("error: ", "hint: ")) or ARGPARSE_ERROR.match(line)):
            stray.append(line)
    return stray


# --- the offline plan, memoized -------------------------------------------------------------------

_RECORDINGS: dict[tuple, Any] = {}


def memoize_programs(monkeypatch: pytest.MonkeyPatch) -> None:
    """``lake.plan.runner.run_program`` (the Pulumi program under mocks, 0.3 to 2 s) remembered for
    the test session, keyed by everything its result depends on: the program file, the project,
    the stack, the runtime config and the mock environment. Everything before it (reading and
    validating the stack config, the account checks) and after it (rules, access matrix,
    rendering, exit codes) stays real."""
    from lake.plan import runner

    real = runner.run_program

    def remembered(program: Path, project: str, stack: str, config: dict[str, str], env: Any):
        key = (os.path.realpath(program), project, stack, json.dumps(config, sort_keys=True), repr(env))
        if key not in _RECORDINGS:
            _RECORDINGS[key] = real(program, project, stack, config, env)
        return _RECORDINGS[key]

    monkeypatch.setattr(runner, "run_program", remembered)
