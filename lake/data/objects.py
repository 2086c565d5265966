"""Listing a prefix and reading objects into memory: one object, or many at once in order."""

from __future__ import annotations

import csv
import io
import json
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .bucket import LakeBucket

PAGE_SIZE = 1000  # S3's maximum keys per ListObjectsV2 page


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str
    last_modified: datetime | None = None
    storage_class: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)  # user metadata (x-amz-meta-*), from head()
    checksums: dict[str, str] = field(default_factory=dict)  # {"CRC32": "..."} from head()
    checksum_type: str | None = None  # FULL_OBJECT or COMPOSITE
    encryption: str | None = None  # aws:kms, AES256
    kms_key_id: str | None = None
    version_id: str | None = None


CHECKSUM_ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")


def listed(entry: dict[str, Any]) -> ObjectInfo:
    return ObjectInfo(entry["Key"], entry["Size"], entry.get("ETag", "").strip('"'), entry.get("LastModified"),
                      entry.get("StorageClass"))


def iter_objects(bucket: LakeBucket, prefix: str = "") -> Iterator[ObjectInfo]:
    """Every object under ``prefix``, page by page as S3 returns them (nothing held in memory)."""
    pages = bucket.s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket.name, Prefix=prefix, PaginationConfig={"PageSize": PAGE_SIZE})
    with bucket.guard("ListObjectsV2", "s3:ListBucket"):
        for page in pages:
            yield from map(listed, page.get("Contents", ()))


def head(bucket: LakeBucket, key: str, version_id: str | None = None) -> ObjectInfo:
    """Size, checksum, encryption and user metadata of one object (one HEAD request)."""
    extra = {"VersionId": version_id} if version_id else {}
    with bucket.guard("HeadObject", "s3:GetObject", key, version_id):
        answer = bucket.s3.head_object(Bucket=bucket.name, Key=key, ChecksumMode="ENABLED", **extra)
    checksums = {a: answer[f"Checksum{a}"] for a in CHECKSUM_ALGORITHMS if answer.get(f"Checksum{a}")}
    return ObjectInfo(key, answer["ContentLength"], answer.get("ETag", "").strip('"'), answer.get("LastModified"),
                      answer.get("StorageClass"), answer.get("Metadata", {}), checksums, answer.get("ChecksumType"),
                      answer.get("ServerSideEncryption"), answer.get("SSEKMSKeyId"), answer.get("VersionId"))


def read_bytes(bucket: LakeBucket, key: str, version_id: str | None = None) -> bytes:
    """The object's content. botocore checks it against the object's full-object checksum, if any."""
    extra = {"VersionId": version_id} if version_id else {}
    with bucket.guard("GetObject", "s3:GetObject", key, version_id):
        body = bucket.s3.get_object(Bucket=bucket.name, Key=key, ChecksumMode="ENABLED", **extra)["Body"]
        try:
            return body.read()  # the StreamingBody checks length and checksum (not ``with body``)
        finally:
            body.close()


def decode_text(data: bytes, key: str, encoding: str = "utf-8") -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ValueError(f"{key} is not {encoding} text: {error}") from None


def decode_json(data: bytes, key: str) -> Any:
    try:
        return json.loads(decode_text(data, key))
    except json.JSONDecodeError as error:
        raise ValueError(f"{key} is not JSON: {error}") from None


def decode_csv(data: bytes, key: str) -> list[dict[str, str]]:
    """Rows as dicts keyed by the header line (csv.DictReader)."""
    return list(csv.DictReader(io.StringIO(decode_text(data, key), newline="")))


def read_many(bucket: LakeBucket, keys: Iterable[str], concurrency: int) -> Iterator[tuple[str, bytes]]:
    """(key, content) for every key, in the order given, ``concurrency`` reads in flight.

    A bounded window of futures: a million keys never means a million objects in memory."""
    window = max(1, concurrency) * 2
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="lake-read") as pool:
        pending: deque[tuple[str, Future[bytes]]] = deque()
        for key in keys:
            pending.append((key, pool.submit(read_bytes, bucket, key)))
            if len(pending) >= window:
                done_key, future = pending.popleft()
                yield done_key, future.result()
        while pending:
            done_key, future = pending.popleft()
            yield done_key, future.result()
