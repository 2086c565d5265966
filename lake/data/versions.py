"""The versions of one key, and restoring one: the lake's buckets are versioned, so a deleted or
overwritten object is still there as a noncurrent version until the lifecycle expires it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from s3transfer.manager import TransferManager

from .bucket import LakeBucket
from .errors import DataError, NotFoundError, s3_url


@dataclass(frozen=True)
class Version:
    version_id: str
    is_latest: bool
    delete_marker: bool
    size: int | None
    last_modified: datetime | None


def _version(entry: dict[str, Any], delete_marker: bool) -> Version:
    return Version(entry["VersionId"], entry["IsLatest"], delete_marker, entry.get("Size"), entry.get("LastModified"))


def list_versions(bucket: LakeBucket, key: str) -> list[Version]:
    """Newest first: versions and delete markers of exactly ``key`` (not of keys it prefixes)."""
    found: list[Version] = []
    pages = bucket.s3.get_paginator("list_object_versions").paginate(Bucket=bucket.name, Prefix=key)
    with bucket.guard("ListObjectVersions", "s3:ListBucketVersions", key):
        for page in pages:
            found += [_version(e, False) for e in page.get("Versions", ()) if e["Key"] == key]
            found += [_version(e, True) for e in page.get("DeleteMarkers", ()) if e["Key"] == key]
    return sorted(found, key=lambda v: (not v.is_latest, -(v.last_modified.timestamp() if v.last_modified else 0)))


def undelete(bucket: LakeBucket, key: str, versions: list[Version]) -> None:
    """Remove the delete marker on top: the version below it becomes current again."""
    latest = next((v for v in versions if v.is_latest), None)
    if latest is None or not latest.delete_marker:
        raise DataError(f"{s3_url(bucket.name, key)} is not deleted",
                        "to bring back an older content, pass --version-id (see lake data versions)")
    with bucket.guard("DeleteObject", "s3:DeleteObjectVersion", key, latest.version_id):
        bucket.s3.delete_object(Bucket=bucket.name, Key=key, VersionId=latest.version_id)


def copy_version(bucket: LakeBucket, key: str, version_id: str) -> None:
    """Copy an older version on top: it becomes the current content, history kept (multipart for
    objects over 5 GB through s3transfer), encrypted with the lake key like any upload."""
    source = {"Bucket": bucket.name, "Key": key, "VersionId": version_id}
    with TransferManager(bucket.s3) as manager, \
            bucket.guard("CopyObject", "s3:PutObject", key, version_id, bucket.encryption_headers()):
        manager.copy(source, bucket.name, key, extra_args=bucket.encryption_args()).result()


def delete(bucket: LakeBucket, key: str) -> None:
    """Delete the current object of ``key`` (a delete marker in a versioned bucket).

    A HEAD first, and no DeleteObject when it finds nothing: S3 answers DeleteObject of a key that
    does not exist with success (204) and, in a versioned bucket like the lake's, adds a delete
    marker anyway, so `lake data rm` of a mistyped key would report a deletion, bury nothing and
    leave a marker in `versions`. A key whose latest version is already a delete marker is
    refused too (S3's 404 carries x-amz-delete-marker: true): a second marker would undo nothing.
    (HEAD needs s3:GetObject, which a lake role that may delete has; a delete between the HEAD and
    the DELETE by someone else still leaves one extra marker, harmless.)"""
    with bucket.guard("HeadObject", "s3:GetObject", key):
        try:
            bucket.s3.head_object(Bucket=bucket.name, Key=key)
        except ClientError as error:
            headers = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
            if str(headers.get("x-amz-delete-marker", "")).lower() == "true":
                raise NotFoundError(f"{s3_url(bucket.name, key)} is already deleted (its latest version is a "
                                    "delete marker)", f"bring it back with: lake data restore {key}") from None
            raise  # the guard names a missing key or bucket, or explains a denial
    with bucket.guard("DeleteObject", "s3:DeleteObject", key):
        bucket.s3.delete_object(Bucket=bucket.name, Key=key)


def restore(bucket: LakeBucket, key: str, version_id: str | None = None) -> str:
    """Undelete ``key`` (no ``version_id``), or make ``version_id`` its current content.
    Returns a sentence saying what was done."""
    versions = list_versions(bucket, key)
    if not versions:
        raise NotFoundError(f"{s3_url(bucket.name, key)} has no versions", "check the key with: lake data ls PREFIX")
    if version_id is None:
        undelete(bucket, key, versions)
        return f"{s3_url(bucket.name, key)} undeleted: its delete marker is removed"
    chosen = next((v for v in versions if v.version_id == version_id), None)
    if chosen is None or chosen.delete_marker:
        raise NotFoundError(f"{s3_url(bucket.name, key, version_id)} is not a version of this key",
                            f"list the versions with: lake data versions {key}")
    copy_version(bucket, key, version_id)
    return f"{s3_url(bucket.name, key)} restored to version {version_id} (copied as a new current version)"
