"""Download a prefix to a directory: concurrent, resumable, never a partial file under a final name.

Resuming is skipping: a local file of the object's size whose checksum matches (the object's
full-object CRC32/SHA1/SHA256, or its ETag when that is an MD5) is left alone, so a second run
after an interruption fetches only what is missing or different. A file whose identity cannot be
proven (composite checksums, SSE-KMS ETags) is fetched again: correct first, then fast.

Each object is written to a hidden temporary file next to its destination and renamed over it
only once complete, so a failure or Ctrl-C leaves either the old file or nothing under the final
name. Objects above the multipart threshold go through s3transfer (ranged GETs in parallel, its
own temporary file and rename); smaller ones take one GET each, with no HEAD: the listing gave
their size.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from botocore.response import StreamingBody
from s3transfer.manager import TransferConfig, TransferManager
from s3transfer.subscribers import BaseSubscriber

from lake.progress import Transfer, TransferItem

from .bucket import LakeBucket
from .checksums import LOCAL, file_checksum, md5_hex
from .errors import DataError
from .objects import ObjectInfo, head, iter_objects
from .upload import DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE

PARTIAL_SUFFIX = ".lake-partial"
COPY_CHUNK = 256 * 1024


@dataclass
class SyncReport:
    downloaded: int = 0
    skipped: int = 0
    bytes: int = 0  # downloaded, not skipped
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, error)

    @property
    def ok(self) -> bool:
        return not self.failed


class _KnownSize(BaseSubscriber):
    """Tells s3transfer the size the listing gave, sparing it a HEAD request per object, and
    reports the bytes it moves to the progress bar."""

    def __init__(self, size: int, item: TransferItem | None = None) -> None:
        self._size, self._item = size, item

    def on_queued(self, future, **kwargs) -> None:  # noqa: ANN001 - s3transfer's signature
        future.meta.provide_transfer_size(self._size)

    def on_progress(self, future, bytes_transferred: int, **kwargs) -> None:  # noqa: ANN001
        if self._item is not None:
            self._item.moved(bytes_transferred)


def local_path(destination: Path, prefix: str, key: str) -> Path | None:
    """Where ``key`` goes below ``destination``; None for a folder marker. A key that would land
    outside ``destination`` (``..`` parts, an absolute path) is refused."""
    relative = key[len(prefix):].lstrip("/")
    if not relative or key.endswith("/"):
        return None
    parts = PurePosixPath(relative).parts
    if ".." in parts:
        raise DataError(f"key {key!r} would be written outside {destination}: skipped")
    return destination.joinpath(*parts)


def identical(bucket: LakeBucket, info: ObjectInfo, path: Path) -> bool:
    """Is the local file provably the object? Size first (free), then one HEAD for its checksum."""
    if not path.is_file() or path.stat().st_size != info.size:
        return False
    remote = head(bucket, info.key)
    if remote.checksum_type != "COMPOSITE":
        for algorithm, value in remote.checksums.items():
            if algorithm in LOCAL and "-" not in value:
                return file_checksum(path, algorithm) == value
    # An ETag is the content's MD5 only for single-part objects not encrypted with SSE-KMS.
    if "-" not in remote.etag and remote.encryption != "aws:kms":
        return md5_hex(path) == remote.etag
    return False


def copy_body(body: StreamingBody, out: BinaryIO, item: TransferItem | None = None) -> int:
    """Copy through the StreamingBody itself: it checks the length and the checksum as it reads.
    (``with body as raw`` would hand out the bare urllib3 stream and skip both checks.)"""
    written = 0
    try:
        for chunk in iter(lambda: body.read(COPY_CHUNK), b""):
            written += out.write(chunk)
            if item is not None:
                item.moved(len(chunk))
        return written
    finally:
        body.close()


def fetch_small(bucket: LakeBucket, info: ObjectInfo, path: Path, item: TransferItem | None = None) -> int:
    """One GET into a temporary file beside ``path``, renamed over it once complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out, bucket.guard("GetObject", "s3:GetObject", info.key):
            answer = bucket.s3.get_object(Bucket=bucket.name, Key=info.key, ChecksumMode="ENABLED")
            written = copy_body(answer["Body"], out, item)
        if written != answer["ContentLength"]:
            raise DataError(f"s3://{bucket.name}/{info.key}: got {written} of {answer['ContentLength']} bytes")
        os.replace(temporary, path)
        return written
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fetch_large(bucket: LakeBucket, manager: TransferManager, info: ObjectInfo, path: Path,
                item: TransferItem | None = None) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with bucket.guard("GetObject", "s3:GetObject", info.key):
        manager.download(bucket.name, info.key, str(path), subscribers=[_KnownSize(info.size, item)]).result()
    return info.size


class Downloader:
    """Everything one sync shares: the bucket, the destination, the transfer manager for large objects."""

    def __init__(self, bucket: LakeBucket, prefix: str, destination: Path, manager: TransferManager,
                 threshold: int) -> None:
        self.bucket, self.prefix, self.destination = bucket, prefix, destination
        self.manager, self.threshold = manager, threshold

    def one(self, info: ObjectInfo, item: TransferItem | None = None) -> int | None:
        """Bytes downloaded, or None when the local file was already identical."""
        path = local_path(self.destination, self.prefix, info.key)
        if path is None or identical(self.bucket, info, path):
            return None
        if info.size > self.threshold:
            return fetch_large(self.bucket, self.manager, info, path, item)
        return fetch_small(self.bucket, info, path, item)


def _settle(report: SyncReport, key: str, item: TransferItem, future: Future[int | None]) -> None:
    try:
        written = future.result()
    except (DataError, OSError) as error:
        report.failed.append((key, str(error).replace("\n", " ")))
        item.finish("failed")
        return
    if written is None:
        report.skipped += 1
        item.finish("skipped")
    else:
        report.downloaded += 1
        report.bytes += written
        item.finish()


def _bounded(pool: ThreadPoolExecutor, work: Downloader, objects: Iterator[ObjectInfo],
             report: SyncReport, window: int, progress: Transfer) -> None:
    """Submit as the listing streams in, with at most ``window`` downloads queued or running."""
    pending: dict[Future[int | None], tuple[str, TransferItem]] = {}
    for info in objects:
        item = progress.item(info.size)
        pending[pool.submit(work.one, info, item)] = info.key, item
        if len(pending) >= window:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                _settle(report, *pending.pop(future), future)
    for future in list(pending):
        _settle(report, *pending.pop(future), future)


def download_prefix(bucket: LakeBucket, prefix: str, destination: Path,
                    threshold: int = DEFAULT_MULTIPART_THRESHOLD, progress: Transfer | None = None) -> SyncReport:
    """Every object under ``prefix`` into ``destination``; failures are reported per key, the
    rest still downloads. A failure to list the prefix raises. ``progress``: the bar the objects
    and bytes are reported to (lake/progress.py; default: none)."""
    report = SyncReport()
    progress = progress or Transfer.off()
    concurrency = bucket.connection.concurrency
    config = TransferConfig(multipart_threshold=threshold, multipart_chunksize=DEFAULT_PART_SIZE,
                            max_request_concurrency=concurrency)
    with TransferManager(bucket.s3, config) as manager, \
            ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="lake-get") as pool:
        work = Downloader(bucket, prefix, destination, manager, threshold)
        try:
            _bounded(pool, work, iter_objects(bucket, prefix), report, window=concurrency * 4, progress=progress)
        except BaseException:
            # Ctrl-C (or a listing that failed): the queued downloads never start and the large ones
            # in flight are cancelled (s3transfer removes their temporary files), so the process
            # ends promptly; a small one in flight completes or fails into its own temporary file,
            # which fetch_small removes. Nothing partial is left under a final name.
            pool.shutdown(wait=False, cancel_futures=True)
            manager.shutdown(cancel=True, cancel_msg="the sync was interrupted")
            raise
    return report
