"""Presigned URLs: someone without AWS credentials may GET or PUT one object until the URL expires.

S3 caps SigV4 presigned URLs at 7 days (604,800 s); a longer expiry would be signed and then
refused by S3, so it is refused here, up front. A URL signed with temporary credentials (an
assumed role) stops working when those credentials expire, whatever its own expiry.

A presigned PUT carries the lake's encryption headers in its signature: the uploader must send
them (``headers``), and an upload without them is refused by S3 for a signature mismatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .bucket import LakeBucket
from .errors import UsageError

MAX_EXPIRY_SECONDS = 7 * 24 * 3600
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Presigned:
    method: str
    url: str
    expires_at: datetime
    headers: dict[str, str]  # to send with the request (PUT: the encryption headers)


def parse_expiry(text: str) -> int:
    """Seconds from "3600", "90m", "12h" or "7d"."""
    match = re.fullmatch(r"(\d+)([smhd]?)", text.strip())
    if not match:
        raise UsageError(f"expiry {text!r}: give seconds or a number with s, m, h or d, e.g. 3600, 12h, 7d")
    return int(match.group(1)) * UNITS[match.group(2) or "s"]


def check_expiry(seconds: int) -> int:
    if not 1 <= seconds <= MAX_EXPIRY_SECONDS:
        raise UsageError(f"expiry of {seconds} s: presigned URLs last from 1 s to 7 days ({MAX_EXPIRY_SECONDS} s)")
    return seconds


def presign(bucket: LakeBucket, method: str, key: str, expires_in: int | timedelta,
            content_type: str | None = None) -> Presigned:
    """A presigned GET (download) or PUT (upload) URL for ``key``."""
    seconds = check_expiry(int(expires_in.total_seconds()) if isinstance(expires_in, timedelta) else expires_in)
    params: dict[str, str] = {"Bucket": bucket.name, "Key": key}
    headers: dict[str, str] = {}
    if method == "PUT":
        params.update(bucket.encryption_args())
        headers.update(bucket.encryption_headers())
        if content_type:
            params["ContentType"] = content_type
            headers["content-type"] = content_type
    elif method != "GET":
        raise UsageError(f"presigned URLs are for GET or PUT, not {method!r}")
    operation = "get_object" if method == "GET" else "put_object"
    url = bucket.s3.generate_presigned_url(operation, Params=params, ExpiresIn=seconds, HttpMethod=method)
    return Presigned(method, url, datetime.now(UTC) + timedelta(seconds=seconds), headers)
