"""`lake sandbox`: the lake on this machine, until Ctrl-C.

moto on 127.0.0.1 behind the sandbox's policy gate over TLS, with a stack's offline plan applied
(lake/sandbox/local.py, the start-up `lake demo` uses too). It prints the endpoint, the CA bundle,
the stack outputs and the environment lines under which `lake data` and `lake audit` run against
it unchanged (botocore reads ``AWS_ENDPOINT_URL`` and ``AWS_CA_BUNDLE``), then serves until
interrupted.

Exit codes (lake/errors.py): 2 before anything starts for bad input (a ``--workdir`` that is a
file, a ``--port`` out of range or taken, a broken or unknown stack, moto missing or unable to
serve this botocore); 130 when stopped by Ctrl-C (or SIGTERM, or its terminal closing), like every
command interrupted, after the server is stopped and the temporary folder removed; 1 when its
server process ends on its own.
"""

from __future__ import annotations

import argparse
import errno
import shlex
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from lake.errors import EXIT_NO, InputError
from lake.inputs import argument, reject_invalid
from lake.output import check_folder

HOST = "127.0.0.1"
MAX_PORT = 65535


def port_number(text: str, option: str = "--port") -> int:
    """A TCP port, 0 to 65535 (0: any free port)."""
    try:
        port = int(text, 10)
    except ValueError:
        port = -1
    if not 0 <= port <= MAX_PORT or not text.strip().isascii():
        raise InputError(f"{option} {text}: not a port number", f"a port from 1 to {MAX_PORT}, or 0 for any free one")
    return port


def add_sandbox_parser(commands: Any) -> None:
    sandbox = commands.add_parser(
        "sandbox",
        help="run the lake on this machine (moto behind the lake's TLS policy gate) until Ctrl-C",
        description="Start moto on 127.0.0.1 behind the lake's TLS policy gate, create the stack there from its "
        "offline plan, write its stack outputs and CA bundle, and print the environment under which `lake data` "
        "and `lake audit` use it unchanged. Serves until Ctrl-C, which stops the server (exit 130).",
    )
    sandbox.add_argument("--stack", default="dev", metavar="NAME",
                         help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    sandbox.add_argument("--project-dir", type=Path, default=Path("."), help="folder of Pulumi.yaml (default: .)")
    sandbox.add_argument("--port", type=argument(port_number, "--port"), default=0, metavar="N",
                         help="port on 127.0.0.1 to listen on (default: 0, any free port)")
    sandbox.add_argument("--workdir", type=Path, metavar="DIR",
                         help="write the stack outputs and the CA bundle here and keep them (default: a temporary "
                         "folder, removed when the sandbox stops)")


def check_port(port: int) -> None:
    """InputError (exit 2) when ``port`` cannot be listened on now: taken, or reserved to root."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: TIME_WAIT is no obstacle
        try:
            probe.bind((HOST, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise InputError(f"--port {port}: {HOST}:{port} is already in use",
                                 "stop what listens there, or choose another port (0: any free one)") from None
            raise InputError(f"--port {port}: cannot listen on {HOST}:{port} ({error.strerror or error})",
                             "choose a port from 1024 to 65535, or 0 for any free one") from None


@contextmanager
def sandbox_start_errors(command: str) -> Iterator[None]:
    """What keeps the sandbox from starting, as exit 2: the test extra missing (moto, cryptography),
    or a server that cannot start or cannot serve this botocore (compat.SandboxProtocolError)."""
    try:
        yield
    except ModuleNotFoundError as error:
        raise InputError(f"{error.name} is not installed: `lake {command}` needs the test extra: "
                         "python3 scripts/install.py --test") from None
    except RuntimeError as error:
        raise InputError(str(error), getattr(error, "hint", "")) from None


@contextmanager
def stop_signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the sandbox as Ctrl-C does (KeyboardInterrupt), so its server is
    stopped and its folder removed rather than left behind; the previous handlers come back after."""
    if threading.current_thread() is not threading.main_thread():  # signal handlers: main thread only
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    saved = {name: signal.signal(getattr(signal, name), interrupt) for name in names}
    try:
        yield
    finally:
        for name, handler in saved.items():
            signal.signal(getattr(signal, name), handler)


def _path(path: Path) -> str:
    return shlex.quote(str(path))


def lake_program() -> str:
    """How the printed commands call lake: ``lake`` when it is on PATH, else this virtualenv's."""
    if shutil.which("lake"):
        return "lake"
    beside = Path(sys.executable).with_name("lake")
    return _path(beside) if beside.is_file() else f"{_path(Path(sys.executable))} -m lake.cli"


def ready_text(sandbox: Any, temporary: bool) -> str:
    """What `lake sandbox` prints once the lake is up: where it is, and the lines to paste."""
    outputs, lake = _path(sandbox.outputs), lake_program()
    zone = next(iter(sandbox.zones()), "raw")
    exports = "\n".join(f"export {name}={shlex.quote(value)}" for name, value in sandbox.environment().items())
    folder = sandbox.outputs.parent
    stop = (f"Ctrl-C stops the sandbox and removes {folder}." if temporary
            else f"Ctrl-C stops the sandbox; {folder} keeps the outputs and the CA bundle.")
    return (
        f"sandbox ready: the {sandbox.stack} stack ({sandbox.region}) on moto behind the lake's policy gate, "
        "over TLS\n"
        f"  endpoint:      {sandbox.endpoint_url}\n"
        f"  CA bundle:     {sandbox.ca_bundle}\n"
        f"  stack outputs: {sandbox.outputs}\n"
        "\n"
        "Paste these lines into another shell: `lake data`, `lake audit` and boto3 then use the sandbox, with\n"
        "its fake credentials, and no option to add:\n"
        "\n"
        f"{exports}\n"
        "unset AWS_PROFILE\n"
        "\n"
        f"{lake} data ls --stack-outputs {outputs} --zone {zone}\n"
        f"{lake} audit --stack-outputs {outputs}\n"
        "\n"
        f"{stop}\n"
    )


def run_sandbox_command(args: argparse.Namespace) -> int:
    reject_invalid(args)
    if args.workdir is not None:
        check_folder(args.workdir, "--workdir")
    check_port(args.port)
    with sandbox_start_errors("sandbox"):
        from lake.sandbox.compat import check_sandbox_protocols

        check_sandbox_protocols()  # before the plan or any server: moto must understand this botocore
    with stop_signals_interrupt(), ExitStack() as scope:
        if args.workdir is not None:
            workdir = args.workdir.resolve()  # the printed paths work from any folder
        else:
            workdir = Path(scope.enter_context(tempfile.TemporaryDirectory(prefix="lake-sandbox-"))).resolve()
        with sandbox_start_errors("sandbox"):
            from lake.progress import Stages
            from lake.sandbox.local import STAGES, local_lake

            stages = scope.enter_context(Stages("sandbox", STAGES))
            sandbox = scope.enter_context(local_lake(args.project_dir, args.stack, workdir, args.port, stages))
        print(ready_text(sandbox, temporary=args.workdir is None), end="", flush=True)
        code = sandbox.server.process.wait()  # Ctrl-C raises KeyboardInterrupt here: lake/cli.py says 130
        print(f"error: the sandbox's server (moto on {sandbox.endpoint_url}) stopped by itself with code {code}",
              file=sys.stderr)
        return EXIT_NO
