"""How the data client reaches S3: credentials, region, endpoint, TLS trust, concurrency, retries.

One botocore client serves every worker thread (clients are thread-safe); its connection pool
is sized to the concurrency so workers never queue for a socket. Retries use botocore's
adaptive mode: exponential backoff with jitter, plus a client-side rate limiter that slows every
thread down once S3 answers SlowDown, so a throttled bulk transfer backs off as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import InvalidRegionError, ProfileNotFound

from lake.inputs import DATA_CONCURRENCY, MAX_CONCURRENCY, one_line
from policies.adapters.live.session import adaptive_config

from .errors import UsageError

DEFAULT_CONCURRENCY = DATA_CONCURRENCY
DEFAULT_MAX_ATTEMPTS = 8  # botocore counts the first attempt: seven retries with backoff


@dataclass(frozen=True)
class Connection:
    """Where the lake is: an AWS profile and region, or an S3-compatible test endpoint.

    ``verify``: None checks TLS certificates against the system's CAs; a path trusts that CA
    bundle too (a local test server's own certificate). Turning verification off is not offered.
    """

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    verify: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    # A ready session (tests register botocore event hooks on it); built from profile otherwise.
    session: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise ValueError(f"concurrency must be between 1 and {MAX_CONCURRENCY}, not {self.concurrency}")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")

    @property
    def secure(self) -> bool:
        """False only for an explicit http:// endpoint: AWS's own endpoints are https."""
        return self.endpoint_url is None or urlsplit(self.endpoint_url).scheme != "http"

    def boto_session(self) -> Any:
        return self.session or boto3.Session(profile_name=self.profile, region_name=self.region)

    def client(self, service: str = "s3") -> Any:
        try:  # no request yet: a profile or region boto3 cannot use is a usage error, not a traceback
            session = self.boto_session()
            return session.client(service, region_name=self.region or session.region_name,
                                  endpoint_url=self.endpoint_url, verify=self.verify, config=self.config())
        except (ProfileNotFound, InvalidRegionError) as error:
            raise UsageError(one_line(error), "check --profile and --region, and AWS_PROFILE and AWS_REGION") from None

    def config(self) -> Config:
        """The live audit's client settings (``adaptive_config``), plus what data transfer needs."""
        return adaptive_config(self.concurrency, self.max_attempts, self.endpoint_url).merge(Config(
            # SigV4 everywhere: presigned URLs too (SigV2 would allow expiries S3 no longer honours).
            signature_version="s3v4",
            # Uploads carry a checksum S3 verifies; downloads check it when the object has one.
            request_checksum_calculation="when_supported",
            response_checksum_validation="when_supported",
        ))
