"""Uploads: a file or a directory, with the encryption headers the lake's policy expects, a
checksum S3 verifies, and multipart above a threshold (s3transfer, which aborts a multipart
upload that fails so no parts are left behind, billed and invisible)."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from s3transfer.manager import TransferConfig, TransferManager
from s3transfer.subscribers import BaseSubscriber

from lake.progress import Transfer, TransferItem

from .bucket import LakeBucket
from .checksums import UPLOAD_ALGORITHMS, file_checksum
from .errors import UsageError
from .limits import DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, MiB

METADATA_LIMIT = 2048  # bytes of user metadata S3 accepts per object


@dataclass(frozen=True)
class UploadOptions:
    """``checksum``: CRC32 (default: a full-object checksum, also for multipart uploads) or
    SHA256 (per part for multipart uploads). ``metadata``: user metadata (x-amz-meta-*)."""

    checksum: str = "CRC32"
    metadata: Mapping[str, str] | None = None
    multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD
    part_size: int = DEFAULT_PART_SIZE

    def __post_init__(self) -> None:
        if self.checksum not in UPLOAD_ALGORITHMS:
            raise UsageError(f"checksum must be one of {', '.join(UPLOAD_ALGORITHMS)}, not {self.checksum!r}")
        if self.part_size < 5 * MiB:
            raise UsageError(f"part size must be at least 5 MiB (S3's minimum), not {self.part_size} bytes")
        check_metadata(self.metadata or {})


def check_metadata(metadata: Mapping[str, str]) -> None:
    size = sum(len(k.encode()) + len(str(v).encode()) for k, v in metadata.items())
    if size > METADATA_LIMIT:
        raise UsageError(f"user metadata is {size} bytes; S3 accepts at most {METADATA_LIMIT}")
    for name in metadata:
        if not name or not name.isascii() or any(c.isspace() for c in name):
            raise UsageError(f"metadata name {name!r}: use ASCII letters, digits and dashes")


@dataclass(frozen=True)
class Uploaded:
    path: Path
    key: str
    size: int


def transfer_config(options: UploadOptions, concurrency: int) -> TransferConfig:
    return TransferConfig(multipart_threshold=options.multipart_threshold, multipart_chunksize=options.part_size,
                          max_request_concurrency=concurrency, max_submission_concurrency=concurrency,
                          max_request_queue_size=concurrency * 4)


def extra_args(bucket: LakeBucket, path: Path, options: UploadOptions) -> dict[str, object]:
    args: dict[str, object] = dict(bucket.encryption_args())
    if options.checksum == "CRC32" and path.stat().st_size >= options.multipart_threshold:
        # Given up front, s3transfer sends it as a FULL_OBJECT checksum of the multipart upload,
        # which S3 checks against the whole object it assembled (not part by part only).
        args["ChecksumCRC32"] = file_checksum(path, "CRC32")
    else:
        # botocore computes it over the bytes it sends; S3 recomputes it and refuses a mismatch.
        args["ChecksumAlgorithm"] = options.checksum
    if options.metadata:
        args["Metadata"] = {k: str(v) for k, v in options.metadata.items()}
    content_type = mimetypes.guess_type(path.name)[0]
    if content_type:
        args["ContentType"] = content_type
    return args


def directory_files(directory: Path, prefix: str) -> Iterator[tuple[Path, str]]:
    """(file, key) for every file below ``directory``, keys as relative POSIX paths after ``prefix``."""
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        yield path, prefix + path.relative_to(directory).as_posix()


class Progress(BaseSubscriber):
    """Reports s3transfer's bytes (from its worker threads) to a ``TransferItem``."""

    def __init__(self, item: TransferItem) -> None:
        self._item = item

    def on_progress(self, future, bytes_transferred: int, **kwargs) -> None:  # noqa: ANN001 - s3transfer's
        self._item.moved(bytes_transferred)


def upload_files(bucket: LakeBucket, files: list[tuple[Path, str]], options: UploadOptions,
                 progress: Transfer | None = None) -> list[Uploaded]:
    """Upload every (file, key); the first failure cancels the rest and is raised.

    One TransferManager for all files: small files go up in parallel, large ones in parallel parts.
    ``progress``: the bar the files and bytes are reported to (lake/progress.py; default: none)."""
    headers = bucket.encryption_headers()
    concurrency = bucket.connection.concurrency
    progress = progress or Transfer.off()
    items = [progress.item(path.stat().st_size) for path, _ in files]
    with TransferManager(bucket.s3, transfer_config(options, concurrency)) as manager:
        futures = [(path, key, item, manager.upload(str(path), bucket.name, key, extra_args(bucket, path, options),
                                                    subscribers=[Progress(item)]))
                   for (path, key), item in zip(files, items)]
        done = []
        for path, key, item, future in futures:
            with bucket.guard("PutObject", "s3:PutObject", key, headers=headers):
                future.result()
            item.finish()
            done.append(Uploaded(path, key, path.stat().st_size))
        return done
