"""Input checks of the data client that need no S3: expiries, local paths, upload options, checksums."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from lake.data import MAX_EXPIRY_SECONDS, UploadOptions, UsageError, parse_expiry
from lake.data.checksums import file_checksum, md5_hex
from lake.data.download import local_path
from lake.data.errors import DataError
from lake.data.presign import check_expiry


@pytest.mark.parametrize(("text", "seconds"), [("3600", 3600), ("90m", 5400), ("12h", 43200), ("7d", 604800),
                                               (" 15s ", 15)])
def test_expiries_are_read_in_seconds_minutes_hours_or_days(text: str, seconds: int) -> None:
    assert parse_expiry(text) == seconds


@pytest.mark.parametrize("text", ["", "1w", "-5", "1.5h", "h"])
def test_unreadable_expiries_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(UsageError, match="give seconds or a number with s, m, h or d"):
        parse_expiry(text)


@pytest.mark.parametrize("seconds", [1, MAX_EXPIRY_SECONDS])
def test_expiries_from_one_second_to_seven_days_are_accepted(seconds: int) -> None:
    assert check_expiry(seconds) == seconds


@pytest.mark.parametrize("seconds", [0, MAX_EXPIRY_SECONDS + 1, 30 * 86400])
def test_expiries_beyond_seven_days_are_refused(seconds: int) -> None:
    with pytest.raises(UsageError, match=r"from 1 s to 7 days \(604800 s\)"):
        check_expiry(seconds)


@pytest.mark.parametrize(("prefix", "key", "expected"), [
    ("images/", "images/a.png", "a.png"),
    ("images", "images/a.png", "a.png"),
    ("", "images/sub/a.png", "images/sub/a.png"),
])
def test_keys_land_below_the_destination(prefix: str, key: str, expected: str, tmp_path: Path) -> None:
    assert local_path(tmp_path, prefix, key) == tmp_path / expected


@pytest.mark.parametrize("key", ["images/", "images"])
def test_folder_markers_are_not_files(key: str, tmp_path: Path) -> None:
    assert local_path(tmp_path, "images", key) is None


@pytest.mark.parametrize("key", ["images/../../etc/passwd", "images/sub/../../../x"])
def test_keys_that_would_escape_the_destination_are_refused(key: str, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="would be written outside"):
        local_path(tmp_path, "images/", key)


def test_checksums_are_in_s3_encoding(tmp_path: Path) -> None:
    path = tmp_path / "hello.txt"
    path.write_bytes(b"hello")
    assert file_checksum(path, "CRC32") == "NhCmhg=="  # what S3 (and moto) report for b"hello"
    assert file_checksum(path, "SHA256") == base64.b64encode(hashlib.sha256(b"hello").digest()).decode()
    assert md5_hex(path) == hashlib.md5(b"hello").hexdigest()


@pytest.mark.parametrize(("options", "message"), [
    (dict(checksum="MD5"), "checksum must be one of CRC32, SHA256"),
    (dict(part_size=1024), "at least 5 MiB"),
    (dict(metadata={"note": "x" * 3000}), "S3 accepts at most 2048"),
    (dict(metadata={"bad name": "x"}), "metadata name 'bad name'"),
])
def test_upload_options_s3_would_refuse_are_refused_first(options: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        UploadOptions(**options)
