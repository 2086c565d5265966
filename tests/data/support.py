"""The data client's test lake: the dev plan applied to moto behind the sandbox's policy gate,
answering over https (and over plain http, to prove the lake refuses it), plus request hooks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from lake.data import Connection, LakeClient
from tests.live.support import REGION, session

RAW = "mlteam-dev-raw"


@dataclass
class Recorder:
    """Counts the S3 operations a client sends and keeps their headers (hooks on its session)."""

    session: boto3.Session = field(default_factory=session)
    calls: Counter[str] = field(default_factory=Counter)
    headers: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.session.events.register("before-send.s3", self._record)

    def _record(self, request: Any, **kwargs: Any) -> None:
        operation = kwargs["event_name"].rsplit(".", 1)[-1]
        self.calls[operation] += 1
        self.headers.append((operation, {k.lower(): v.decode() if isinstance(v, bytes) else v
                                         for k, v in request.headers.items()}))

    def sent(self, operation: str) -> list[dict[str, str]]:
        return [h for name, h in self.headers if name == operation]

    def fail(self, operation: str, answer: Callable[[Any, int], AWSResponse | None]) -> None:
        """``answer(request, n)`` for the n-th call (from 1) of ``operation``: a response stands
        in for S3's, None lets the request through."""
        count = Counter[str]()

        def hook(request: Any, **_: Any) -> AWSResponse | None:
            count[operation] += 1
            return answer(request, count[operation])

        self.session.events.register(f"before-send.s3.{operation}", hook)


def s3_error(status: int, code: str, message: str = "") -> AWSResponse:
    body = (f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message or code}</Message>"
            "<RequestId>test</RequestId></Error>").encode()
    return AWSResponse("https://test", status, {"Content-Type": "application/xml"}, _Raw(body))


class _Raw:
    """The minimal raw body botocore reads from an injected response."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any):
        yield self._body


@dataclass(frozen=True)
class DataLake:
    https_url: str
    http_url: str
    ca_bundle: str
    key_arn: str

    def client(self, bucket: str = RAW, recorder: Recorder | None = None, secure: bool = True,
               key_arn: str | None = "lake", discover_key: bool = False, **connection: Any) -> LakeClient:
        boto_session = (recorder or Recorder()).session
        endpoint = self.https_url if secure else self.http_url
        key = self.key_arn if key_arn == "lake" else key_arn
        return LakeClient(bucket, key, Connection(region=REGION, endpoint_url=endpoint, verify=self.ca_bundle,
                                                  session=boto_session, **connection), discover_key)
