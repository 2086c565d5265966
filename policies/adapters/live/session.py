"""The boto3 clients of a live read: one per service, shared by every worker thread.

botocore clients are thread-safe; their connection pool is sized to the concurrency so workers
never queue for a connection. Retries use botocore's adaptive mode: exponential backoff plus a
client-side rate limiter that slows down when AWS throttles.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit, urlunsplit
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from .limits import DEFAULT_CONCURRENCY
DEFAULT_MAX_ATTEMPTS = 5  # botocore counts the first attempt: four retries


# (access key, secret key, session token): a session's credentials as resolved once.
Credentials = tuple[str, str, str | None]


def frozen_credentials(session: Any) -> Credentials | None:
    """``session``'s credentials as resolved now, or None (no session, or none found): what a worker
    process or s3fs is handed, so that a profile that prompts for an MFA code or runs a credential
    process does not do so again in each of them."""
    resolved = session.get_credentials() if session is not None else None
    frozen = resolved.get_frozen_credentials() if resolved is not None else None
    return (frozen.access_key, frozen.secret_key, frozen.token) if frozen else None


def session_with(credentials: Credentials | None, profile: str | None, region: str | None) -> Any:
    """A boto3 session from credentials resolved elsewhere (``frozen_credentials``), else from
    ``profile`` as boto3 finds it."""
    if credentials is None:
        return boto3.Session(profile_name=profile, region_name=region)
    key, secret, token = credentials
    return boto3.Session(aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
                         profile_name=profile, region_name=region)


@dataclass(frozen=True)
class Target:
    """Where to read: an AWS profile and region, or an S3-compatible test server."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    # A ready session (tests register botocore event hooks on it); built from profile otherwise.
    session: Any = field(default=None, compare=False)
    # Who reads the buckets: "threads" of this process, worker "processes" as well, or "auto"
    # (shards.py; `lake audit` asks for auto, whose main module a spawned worker may import safely).
    workers: str = "threads"


class Clients:
    """Lazily created clients for ``target``, and a count of the HTTP requests they send."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self._session = target.session or boto3.Session(profile_name=target.profile, region_name=target.region)
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.requests = 0  # HTTP requests, retries included

    @property
    def target(self) -> Target:
        return self._target

    @property
    def region(self) -> str | None:
        return self._target.region or self._session.region_name

    def __call__(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._create(service)
            return self._clients[service]

    def _create(self, service: str) -> Any:
        client = self._session.client(
            service, region_name=self.region, endpoint_url=self._target.endpoint_url, config=self._config(service)
        )
        client.meta.events.register("before-send", self._count_request)
        if service == "s3control" and (self._target.endpoint_url is not None or custom_endpoint(client)):
            client.meta.events.register("before-sign.s3-control", drop_account_host)
        return client

    def _config(self, service: str) -> Config:
        return adaptive_config(self._target.concurrency, self._target.max_attempts, self._target.endpoint_url)

    def credentials(self) -> Credentials | None:
        """The session's credentials as resolved now (for a worker process), or None."""
        return frozen_credentials(self._session)

    def _count_request(self, **_: Any) -> None:
        with self._lock:
            self.requests += 1


def adaptive_config(concurrency: int, max_attempts: int, endpoint_url: str | None) -> Config:
    """Adaptive retries, a connection pool as large as the concurrency, and path-style addressing
    for a custom endpoint: a test server on 127.0.0.1 has no per-bucket or per-account host names."""
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts},
        max_pool_connections=concurrency,
        s3={"addressing_style": "path"} if endpoint_url is not None else None,
    )


# The domains of AWS's own endpoints, in every partition: any other host is a server someone chose.
AWS_DOMAINS = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".c2s.ic.gov", ".sc2s.sgov.gov",
               ".cloud.adc-e.uk", ".csp.hci.ic.gov")


def custom_endpoint(client: Any) -> bool:
    """Does ``client`` talk to a server other than AWS's: one named by botocore's own configuration
    (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_S3_CONTROL``, ``endpoint_url`` in the profile), which
    botocore applies when no ``endpoint_url`` is passed (``lake sandbox`` prints such lines)?"""
    host = urlsplit(client.meta.endpoint_url).hostname or ""
    return not host.endswith(AWS_DOMAINS)


def drop_account_host(request: Any, **_: Any) -> None:
    """S3 Control puts the account id in the host name ("123456789012.s3-control..."), which a
    test server on 127.0.0.1 cannot answer: address the server itself."""
    parts = urlsplit(request.url)
    host = parts.netloc.split(".", 1)
    if len(host) == 2 and host[0].isdigit():
        request.url = urlunsplit(parts._replace(netloc=host[1]))
