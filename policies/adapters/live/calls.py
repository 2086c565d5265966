"""One read of one setting: the call, what its "not configured" answers mean, and its failures.

Three outcomes, kept apart because rules judge them differently:
- the setting's value;
- ``None`` when AWS answers that nothing is configured (NoSuchBucketPolicy and the like): a
  state the rules judge, like a plan that declares no policy;
- ``UNKNOWN`` when the call is denied or keeps failing after botocore's retries: recorded as
  an ``Unverified`` entry, so the audit says "could not verify" instead of passing or failing.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ...model import UNKNOWN, Unverified

# The bucket itself is gone: no setting of it can be read, which is one finding, not ten.
MISSING_BUCKET = "NoSuchBucket"


class BucketMissing(Exception):
    """A call found that the bucket does not exist."""


@dataclass(frozen=True)
class Call:
    """What to read: ``client.method(**params)``, as the API names the operation."""

    operation: str  # "GetBucketPolicy"
    method: str  # "get_bucket_policy"
    params: dict[str, Any]
    # Error codes meaning "nothing is configured": the read returns None.
    absent: tuple[str, ...] = ()
    # Token and list keys of a paginated operation: every page is read and the lists joined.
    pages: str | None = None


class Reader:
    """Performs calls, counts them, and records what could not be verified (thread-safe)."""

    def __init__(self) -> None:
        self.unverified: list[Unverified] = []
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def read(self, client: Any, call: Call, where: tuple[str, str, str], parse: Callable[[dict], Any]) -> Any:
        """The parsed answer of ``call``; ``where`` is (resource, ref, setting) for the record."""
        try:
            response = self._send(client, call)
        except ClientError as error:
            return self._failed(call, where, error.response.get("Error", {}))
        except BotoCoreError as error:  # the endpoint, the network or the credentials failed
            return self._record(call, where, type(error).__name__, str(error))
        return parse(response)

    def _send(self, client: Any, call: Call) -> dict[str, Any]:
        if call.pages is None:
            self._count(call)
            return getattr(client, call.method)(**call.params)
        items: list[Any] = []
        for page in self._pages(client, call):
            self._count(call)
            items += page.get(call.pages, [])
        return {call.pages: items}

    @staticmethod
    def _pages(client: Any, call: Call) -> Iterator[dict[str, Any]]:
        if client.can_paginate(call.method):
            yield from client.get_paginator(call.method).paginate(**call.params)
            return
        # botocore has no paginator for a few listings (ListWorkGroups): follow NextToken by hand.
        params = dict(call.params)
        while True:
            page = getattr(client, call.method)(**params)
            yield page
            if not page.get("NextToken"):
                return
            params["NextToken"] = page["NextToken"]

    def _count(self, call: Call) -> None:
        with self._lock:
            self.calls[call.operation] += 1

    def _failed(self, call: Call, where: tuple[str, str, str], error: dict[str, Any]) -> Any:
        code = str(error.get("Code", "Unknown"))
        if code in call.absent:
            return None
        if code == MISSING_BUCKET:
            raise BucketMissing(call.operation)
        return self._record(call, where, code, str(error.get("Message", "")))

    def _record(self, call: Call, where: tuple[str, str, str], code: str, message: str) -> Any:
        resource, ref, setting = where
        with self._lock:
            self.unverified.append(Unverified(resource, ref, setting, call.operation, f"{code}: {message}".rstrip(": ")))
        return UNKNOWN
