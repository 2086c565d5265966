"""moto behind the policy gate, served on 127.0.0.1: as a process, or as threads of this process.

``python -m lake.sandbox.serve --port N [--tls-dir DIR]`` is what ``MotoServer(secure=True)``
runs: with ``--tls-dir`` it answers over https, with a fresh self-signed certificate written to
DIR (clients trust ``DIR/sandbox-cert.pem``). ``gated_servers()`` serves the same gate in this
process over https and plain http at once, sharing moto's backend: a test writes over https and
proves the http endpoint refused by the lake's ``DenyInsecureTransport``.
"""

from __future__ import annotations

import argparse
import os
import signal
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from .gate import PolicyGate, without_moto_policy_check
from .tls import self_signed_certificate, server_context

HOST = "127.0.0.1"  # loopback only: the sandbox is never reachable from another machine
# How often a serving thread looks for a shutdown request; socketserver's 0.5 s would make each
# block's exit wait that long per server.
SHUTDOWN_POLL_SECONDS = 0.05
ORPHAN_POLL_SECONDS = 1.0  # how often a server process checks that its parent is still there


def gated_app() -> PolicyGate:
    """moto's own server application (every service, routed by request), behind the gate."""
    return PolicyGate(DomainDispatcherApplication(create_backend_app))


class QuietRequestHandler(MotoRequestHandler):
    """moto's handler without werkzeug's line per request, which would flood a test run's output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _url(server: BaseWSGIServer) -> str:
    scheme = "http" if server.ssl_context is None else "https"
    return f"{scheme}://{HOST}:{server.server_port}"


@contextmanager
def serving(app: PolicyGate, ssl_context: ssl.SSLContext | None = None) -> Iterator[str]:
    """``app`` on a random loopback port in a daemon thread; yields its URL, stops on exit."""
    server = make_server(HOST, 0, app, threaded=True, request_handler=QuietRequestHandler, ssl_context=ssl_context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
                              name=f"sandbox {_url(server)}", daemon=True)
    thread.start()
    try:
        yield _url(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass(frozen=True)
class GatedServers:
    https_url: str
    http_url: str  # same backend, no TLS: the lake's buckets refuse their data requests here
    ca_bundle: Path  # the https server's self-signed certificate, to trust


@contextmanager
def gated_servers(tls_dir: Path | None = None) -> Iterator[GatedServers]:
    """An https and an http server in this process, one gate and one moto backend behind both;
    moto's own bucket-policy check is off until the block ends. The certificate goes to
    ``tls_dir``, or to a temporary directory removed on exit."""
    with ExitStack() as stack:
        directory = tls_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lake-sandbox-tls-")))
        certificate = self_signed_certificate(directory)
        stack.enter_context(without_moto_policy_check())
        app = gated_app()
        https_url = stack.enter_context(serving(app, server_context(certificate)))
        http_url = stack.enter_context(serving(app))
        yield GatedServers(https_url, http_url, certificate.cert_path)


def _exit(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)  # unwinds the with blocks, unlike the default SIGTERM action


def _stop_when_orphaned(parent: int) -> None:
    """Stop this server once the process that started it is gone without stopping it (killed with
    SIGKILL, say): no sandbox outlives its `lake sandbox`, `lake demo` or test."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lake.sandbox.serve",
                                     description="moto on 127.0.0.1, bucket policies enforced on S3 data requests")
    parser.add_argument("--port", type=int, required=True, help="port to listen on (127.0.0.1 only)")
    parser.add_argument("--tls-dir", type=Path, help="serve https, with a self-signed certificate written here")
    args = parser.parse_args(argv)
    ssl_context = server_context(self_signed_certificate(args.tls_dir)) if args.tls_dir else None
    signal.signal(signal.SIGTERM, _exit)
    threading.Thread(target=_stop_when_orphaned, args=(os.getppid(),), name="orphan watch", daemon=True).start()
    with without_moto_policy_check():
        server = make_server(HOST, args.port, gated_app(), threaded=True, request_handler=MotoRequestHandler,
                             ssl_context=ssl_context)
        try:
            server.serve_forever()
        finally:
            server.server_close()


if __name__ == "__main__":
    main()
