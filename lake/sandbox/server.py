"""A real moto server process on 127.0.0.1, and boto3 clients that can only talk to it.

A child process rather than moto's in-process decorator: callers (the CLI, benchmarks, other
processes) reach it over HTTP exactly as they would reach AWS, through ``endpoint_url``.
``MotoServer(secure=True)`` runs moto behind the policy gate (``serve.py``) over https instead,
so that the lake's bucket policies are enforced on data requests as S3 enforces them.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from policies.adapters.live.session import drop_account_host

from .tls import certificate_paths, client_context

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
DEFAULT_REGION = "us-east-1"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
STARTUP_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 5.0
INSTALL_HINT = "moto[server] is not installed: install the test extra with python3 scripts/install.py --test"


def require_loopback(endpoint_url: str) -> None:
    """Refuse any endpoint that is not this machine: the sandbox must never reach real AWS."""
    host = urlsplit(endpoint_url).hostname
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"refusing endpoint {endpoint_url!r}: the sandbox only talks to a local server "
                         f"({', '.join(sorted(LOOPBACK_HOSTS))}), never to real AWS")


def sandbox_environment(region: str = DEFAULT_REGION) -> dict[str, str]:
    """Environment variables that let a boto3 client (or a child process) sign requests to the
    sandbox with fake credentials, so no real profile or key is ever picked up."""
    return {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": region}


def client(service: str, endpoint_url: str, region: str = DEFAULT_REGION, verify: bool | str | Path | None = None) -> Any:
    """A boto3 client of the sandbox, its fake credentials passed explicitly (os.environ untouched).

    ``verify``: the CA bundle of an https sandbox (``MotoServer.ca_bundle``); None, boto3's default."""
    require_loopback(endpoint_url)
    made = boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        verify=str(verify) if isinstance(verify, Path) else verify,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        # A server on 127.0.0.1 has no per-bucket host names.
        config=Config(s3={"addressing_style": "path"}),
    )
    if service == "s3control":
        made.meta.events.register("before-sign.s3-control", drop_account_host)
    return made


def _free_port() -> int:
    """A port nobody listens on now (the OS picks it); the server binds it right after."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _require_moto_server() -> None:
    # The server needs moto's optional Flask dependencies, not only moto itself.
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        raise RuntimeError(INSTALL_HINT)


def _answers(url: str, context: ssl.SSLContext | None = None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1, context=context):
            return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class MotoServer:
    """``with MotoServer() as server:`` a moto server on a random 127.0.0.1 port, stopped on exit
    (also when the body raises), so no server process outlives its block.

    ``secure``: moto behind the policy gate, over https with a throwaway self-signed certificate
    (``ca_bundle``, for ``client(..., verify=...)``, ``--ca-bundle`` or ``AWS_CA_BUNDLE``). The
    default, plain moto over http, enforces no bucket policy correctly (see ``gate.py``).
    ``port``: listen there instead (`lake sandbox --port`); the child exits when it is taken.
    ``account_id``: the account every request acts in (moto's ``MOTO_ACCOUNT_ID``), e.g. the one a
    plan's ARNs name; default moto's own, 123456789012."""

    def __init__(self, secure: bool = False, port: int = 0, account_id: str | None = None) -> None:
        self.secure = secure
        self.account_id = account_id
        self.process: subprocess.Popen[bytes] | None = None
        self.requested_port = port  # 0: any free port
        self.port: int | None = None
        self._tls_dir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def endpoint_url(self) -> str:
        if self.port is None:
            raise RuntimeError("the moto server is not started: use it as a context manager")
        return f"{'https' if self.secure else 'http'}://127.0.0.1:{self.port}"

    @property
    def ca_bundle(self) -> Path | None:
        """The certificate an https server answers with, for clients to trust; None over http."""
        return certificate_paths(Path(self._tls_dir.name)).cert_path if self._tls_dir is not None else None

    def _command(self) -> list[str]:
        if self._tls_dir is None:
            return [sys.executable, "-m", "moto.server", "--host", "127.0.0.1", "--port", str(self.port)]
        return [sys.executable, "-m", "lake.sandbox.serve", "--port", str(self.port), "--tls-dir", self._tls_dir.name]

    def _context(self) -> ssl.SSLContext | None:
        """Trust for the server's certificate, once the child has written it (None before)."""
        bundle = self.ca_bundle
        return client_context(bundle) if bundle is not None and bundle.exists() else None

    def __enter__(self) -> MotoServer:
        _require_moto_server()
        self.port = self.requested_port or _free_port()
        if self.secure:
            self._tls_dir = tempfile.TemporaryDirectory(prefix="lake-sandbox-tls-")
        environment = {**os.environ, "MOTO_ACCOUNT_ID": self.account_id} if self.account_id else None
        self.process = subprocess.Popen(self._command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        env=environment)
        try:
            self._wait_until_ready()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop()

    def reset(self) -> None:
        """Forget every resource: one server can serve many tests without restarting."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10, context=self._context()):
            pass

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the moto server on port {self.port} exited with code {self.process.returncode}")
            context = self._context()  # an https server is asked only once its certificate can be trusted
            if (context is not None or not self.secure) and _answers(f"{self.endpoint_url}/moto-api/", context):
                return
            time.sleep(0.1)
        raise RuntimeError(f"the moto server on port {self.port} did not answer within {STARTUP_TIMEOUT_SECONDS:g} s")

    def _stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # The throwaway key and its certificate go with the server: nothing to trust after the block.
        if self._tls_dir is not None:
            self._tls_dir.cleanup()
