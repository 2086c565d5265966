"""``LakeClient``: the data lake for ML code, one bucket (zone) at a time.

    from lake.data import LakeClient
    raw = LakeClient.from_stack_outputs("outputs.json", zone="raw")
    for info in raw.list("images/"):
        ...
    labels = raw.read_csv("labels.csv")
    for key, data in raw.read_many(keys):
        ...
    raw.upload("annotations/", Path("local/annotations"))
    raw.download("images/", Path("data/images"))   # resumes: identical files are skipped

Writes carry SSE-KMS with the lake key's full ARN (what the lake's bucket policy checks), and a
CRC32 checksum S3 verifies. Failures raise ``DataError`` subclasses whose message names the
object and whose hint names what to change (see ``errors.py`` and ``diagnose.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lake.errors import InputError
from lake.inputs import bucket_name, check_file_sizes, check_keys, shown
from lake.inputs import key_arn as check_key_arn
from lake.progress import Transfer
from policies.adapters.live.selection import SelectionError, load_outputs, zone_buckets

from . import objects, presign, upload, versions
from .bucket import LakeBucket
from .connection import Connection
from .consumers import ZoneConsumers, consumers_of
from .download import SyncReport, download_prefix
from .errors import DataError, UsageError
from .objects import ObjectInfo
from .presign import Presigned
from .upload import Uploaded, UploadOptions
from .versions import Version

if TYPE_CHECKING:
    from .filesystem import LakeFileSystem


class LakeClient:
    """Data access to one lake bucket. Thread-safe: one client can serve many workers."""

    def __init__(self, bucket: str, key_arn: str | None = None, connection: Connection | None = None,
                 discover_key: bool = True, consumers: ZoneConsumers | None = None,
                 stack_outputs: Mapping[str, Any] | None = None) -> None:
        try:  # what S3 would refuse, refused before a client is made (the CLI checked it already)
            bucket_name(bucket, "bucket")
            if key_arn is not None:
                check_key_arn(key_arn, "key_arn")
        except InputError as error:
            raise UsageError(str(error), error.hint or None) from None
        self.connection = connection or Connection()
        self._stack_outputs = stack_outputs  # for filesystem(): every zone, not only this client's
        self._bucket = LakeBucket(bucket, key_arn, self.connection, discover_key, consumers=consumers)

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def for_bucket(cls, bucket: str, key_arn: str | None = None, **connection: Any) -> LakeClient:
        """A client of ``bucket``. Without ``key_arn`` the bucket's default-encryption key is used
        when it is a full key ARN (GetBucketEncryption, on the first write), else uploads send no
        encryption header."""
        return cls(bucket, key_arn, Connection(**connection))

    @classmethod
    def from_stack_outputs(cls, outputs: Mapping[str, Any] | str | Path, zone: str, key_arn: str | None = None,
                           **connection: Any) -> LakeClient:
        """A client of ``zone``'s bucket, from `pulumi stack output --json` (a file or its dict):
        the bucket is ``zoneBuckets[zone].name``, the lake key ``keyArn`` unless ``key_arn`` is given.
        A denial of a declared consumer (``consumers``) whose grants do not cover the request names
        the grant it lacks."""
        found = outputs if isinstance(outputs, Mapping) else _read_outputs(Path(outputs))
        zones = zone_buckets(found) if isinstance(found.get("zoneBuckets"), Mapping) else {}
        if zone not in zones:
            raise UsageError(f"zone {zone!r} is not in the stack outputs' zoneBuckets "
                             f"(zones: {', '.join(shown(zone) for zone in sorted(zones)) or 'none'})")
        return cls(zones[zone], key_arn or found.get("keyArn"), Connection(**connection),
                   consumers=ZoneConsumers(zone, consumers_of(found)), stack_outputs=found)

    def filesystem(self) -> LakeFileSystem:
        """``lake://`` paths for pandas, pyarrow and Dask (fsspec), with this client's stack outputs,
        key and connection (its session's credentials, frozen); needs the ``fsspec`` extra."""
        from .filesystem import LakeFileSystem, session_credentials  # s3fs: an optional extra

        if self._stack_outputs is None:
            raise UsageError("filesystem() needs the stack outputs, which name every zone's bucket",
                             "make the client with LakeClient.from_stack_outputs")
        connection = self.connection
        return LakeFileSystem(self._stack_outputs, endpoint_url=connection.endpoint_url, ca_bundle=connection.verify,
                              profile=connection.profile, region=connection.region,
                              key_arn=self._bucket.given_key_arn, **session_credentials(connection.session))

    @property
    def bucket(self) -> str:
        return self._bucket.name

    @property
    def key_arn(self) -> str | None:
        return self._bucket.key_arn

    # --- reading --------------------------------------------------------------------------

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Objects under ``prefix`` with their sizes, streamed page by page."""
        return objects.iter_objects(self._bucket, prefix)

    def head(self, key: str, version_id: str | None = None) -> ObjectInfo:
        """Size, checksum, encryption and user metadata of one object."""
        return objects.head(self._bucket, key, version_id)

    def read_bytes(self, key: str, version_id: str | None = None) -> bytes:
        return objects.read_bytes(self._bucket, key, version_id)

    def read_text(self, key: str, encoding: str = "utf-8") -> str:
        return objects.decode_text(self.read_bytes(key), key, encoding)

    def read_json(self, key: str) -> Any:
        return objects.decode_json(self.read_bytes(key), key)

    def read_csv(self, key: str) -> list[dict[str, str]]:
        return objects.decode_csv(self.read_bytes(key), key)

    def read_many(self, keys: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(key, content) in the order of ``keys``, ``connection.concurrency`` reads in flight."""
        return objects.read_many(self._bucket, keys, self.connection.concurrency)

    # --- writing --------------------------------------------------------------------------

    def upload(self, key_or_prefix: str, path: Path, options: UploadOptions | None = None,
               metadata: Mapping[str, str] | None = None, progress: Transfer | None = None) -> list[Uploaded]:
        """A file to ``key_or_prefix``, or a directory's files below it (as a prefix).
        ``progress``: a ``lake.progress.Transfer`` to report files and bytes to (default: none)."""
        options = options or UploadOptions(metadata=metadata)
        if path.is_dir():
            prefix = key_or_prefix if not key_or_prefix or key_or_prefix.endswith("/") else key_or_prefix + "/"
            files = list(upload.directory_files(path, prefix))
        elif path.is_file():
            key = key_or_prefix + path.name if key_or_prefix.endswith("/") or not key_or_prefix else key_or_prefix
            files = [(path, key)]
        else:
            raise UsageError(f"{path}: no such file or directory")
        try:  # before the first request: keys S3 would refuse, files larger than an object can be
            check_keys([key for _, key in files])
            check_file_sizes({str(p): p.stat().st_size for p, _ in files})
        except InputError as error:
            raise UsageError(str(error), error.hint or None) from None
        return upload.upload_files(self._bucket, files, options, progress)

    def download(self, prefix: str, destination: Path, progress: Transfer | None = None) -> SyncReport:
        """Every object under ``prefix`` into ``destination``, skipping identical local files.
        ``progress``: a ``lake.progress.Transfer`` to report objects and bytes to (default: none)."""
        return download_prefix(self._bucket, prefix, destination, progress=progress)

    def delete(self, key: str) -> None:
        """Delete ``key``: in a versioned lake bucket this adds a delete marker (see ``restore``).
        A key with no current object raises ``NotFoundError`` and deletes nothing."""
        versions.delete(self._bucket, key)

    # --- sharing and history --------------------------------------------------------------

    def presign_get(self, key: str, expires_in: int | timedelta = 3600) -> Presigned:
        return presign.presign(self._bucket, "GET", key, expires_in)

    def presign_put(self, key: str, expires_in: int | timedelta = 3600, content_type: str | None = None) -> Presigned:
        return presign.presign(self._bucket, "PUT", key, expires_in, content_type)

    def versions(self, key: str) -> list[Version]:
        return versions.list_versions(self._bucket, key)

    def restore(self, key: str, version_id: str | None = None) -> str:
        """Undelete ``key``, or make an older version current again; says what it did."""
        return versions.restore(self._bucket, key, version_id)


def _read_outputs(path: Path) -> Mapping[str, Any]:
    try:
        return load_outputs(path)
    except SelectionError as error:
        raise UsageError(str(error)) from None


__all__ = ["DataError", "LakeClient"]
