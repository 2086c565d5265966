"""Every operation of the data client against the dev lake in moto, behind the policy gate."""

from __future__ import annotations

import base64
import json
import ssl
import urllib.request
import zlib
from pathlib import Path

import pytest

from lake.data import NotFoundError, UploadOptions
from lake.data.upload import MiB
from tests.data.support import RAW, DataLake, Recorder


def crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_file_goes_up_with_the_lake_key_and_a_crc32_s3_checks(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    recorder = Recorder()
    client = lake.client(recorder=recorder)
    uploaded = client.upload(f"{prefix}labels.csv", write(tmp_path / "labels.csv", b"Image,Category\n0,MONOCYTE\n"))
    assert [(u.key, u.size) for u in uploaded] == [(f"{prefix}labels.csv", 26)]
    [sent] = recorder.sent("PutObject")
    assert sent["x-amz-server-side-encryption"] == "aws:kms"
    assert sent["x-amz-server-side-encryption-aws-kms-key-id"] == lake.key_arn
    assert sent["x-amz-sdk-checksum-algorithm"] == "CRC32"
    info = client.head(f"{prefix}labels.csv")
    assert (info.encryption, info.kms_key_id) == ("aws:kms", lake.key_arn)
    assert info.checksums == {"CRC32": crc32(b"Image,Category\n0,MONOCYTE\n")}
    assert info.metadata == {} and info.size == 26


def test_above_the_threshold_the_upload_is_multipart_with_a_full_object_checksum(
        lake: DataLake, prefix: str, tmp_path: Path) -> None:
    data = bytes(range(256)) * (12 * MiB // 256)
    recorder = Recorder()
    client = lake.client(recorder=recorder)
    client.upload(f"{prefix}big.bin", write(tmp_path / "big.bin", data),
                  UploadOptions(multipart_threshold=5 * MiB, part_size=5 * MiB))
    assert recorder.calls["CreateMultipartUpload"] == 1 and recorder.calls["UploadPart"] == 3
    [created] = recorder.sent("CreateMultipartUpload")
    assert created["x-amz-checksum-type"] == "FULL_OBJECT" and created["x-amz-checksum-algorithm"] == "CRC32"
    assert created["x-amz-server-side-encryption-aws-kms-key-id"] == lake.key_arn
    [completed] = recorder.sent("CompleteMultipartUpload")
    assert completed["x-amz-checksum-crc32"] == crc32(data)
    info = client.head(f"{prefix}big.bin")
    assert (info.size, info.checksums, info.checksum_type) == (len(data), {"CRC32": crc32(data)}, "FULL_OBJECT")
    assert client.read_bytes(f"{prefix}big.bin") == data


def test_sha256_can_be_chosen_instead(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    recorder = Recorder()
    client = lake.client(recorder=recorder)
    client.upload(f"{prefix}a.txt", write(tmp_path / "a.txt", b"abc"), UploadOptions(checksum="SHA256"))
    assert recorder.sent("PutObject")[0]["x-amz-sdk-checksum-algorithm"] == "SHA256"
    assert client.head(f"{prefix}a.txt").checksums == {
        "SHA256": "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="}


def test_a_directory_goes_up_below_the_prefix_with_user_metadata(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    for name in ("images/a.png", "images/b.png", "annotations/a.xml"):
        write(tmp_path / "set" / name, name.encode())
    client = lake.client()
    uploaded = client.upload(prefix, tmp_path / "set", metadata={"source": "synthetic"})
    assert [u.key for u in uploaded] == [f"{prefix}annotations/a.xml", f"{prefix}images/a.png",
                                         f"{prefix}images/b.png"]
    assert client.head(f"{prefix}images/b.png").metadata == {"source": "synthetic"}
    assert client.read_text(f"{prefix}images/b.png") == "images/b.png"


def test_listing_streams_every_page_with_sizes(lake: DataLake, prefix: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(5):
        write(tmp_path / f"f{index}.bin", b"x" * index)
    client = lake.client()
    client.upload(prefix, tmp_path)
    monkeypatch.setattr("lake.data.objects.PAGE_SIZE", 2)
    recorder = Recorder()
    listed = [(o.key, o.size) for o in lake.client(recorder=recorder).list(prefix)]
    assert listed == [(f"{prefix}f{i}.bin", i) for i in range(5)]
    assert recorder.calls["ListObjectsV2"] == 3


def test_objects_read_as_bytes_text_json_and_csv_rows(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    client = lake.client()
    write(tmp_path / "d/meta.json", json.dumps({"classes": 4}).encode())
    write(tmp_path / "d/labels.csv", b"Image,Category\n0,NEUTROPHIL\n1,MONOCYTE\n")
    client.upload(prefix, tmp_path / "d")
    assert client.read_json(f"{prefix}meta.json") == {"classes": 4}
    assert client.read_csv(f"{prefix}labels.csv") == [{"Image": "0", "Category": "NEUTROPHIL"},
                                                     {"Image": "1", "Category": "MONOCYTE"}]
    assert client.read_text(f"{prefix}labels.csv").startswith("Image,Category\n")
    with pytest.raises(ValueError, match="is not JSON"):
        client.read_json(f"{prefix}labels.csv")


def test_many_objects_are_read_concurrently_and_returned_in_order(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    for index in range(20):
        write(tmp_path / "d" / f"{index:02d}.txt", str(index).encode())
    client = lake.client(concurrency=4)
    client.upload(prefix, tmp_path / "d")
    keys = [f"{prefix}{index:02d}.txt" for index in reversed(range(20))]
    assert list(client.read_many(keys)) == [(key, key[-6:-4].lstrip("0").encode() or b"0") for key in keys]


def test_presigned_get_and_put_urls_work_without_credentials(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    client = lake.client()
    client.upload(f"{prefix}a.txt", write(tmp_path / "a.txt", b"shared"))
    context = ssl.create_default_context(cafile=lake.ca_bundle)
    get = client.presign_get(f"{prefix}a.txt", 600)
    assert "X-Amz-Expires=600" in get.url and get.headers == {}
    with urllib.request.urlopen(get.url, context=context, timeout=10) as answer:
        assert answer.read() == b"shared"
    put = client.presign_put(f"{prefix}b.txt", 600)
    assert put.headers == {"x-amz-server-side-encryption": "aws:kms",
                           "x-amz-server-side-encryption-aws-kms-key-id": lake.key_arn}
    # An explicit content type: urllib's default (a form) makes moto's Flask layer eat the body.
    request = urllib.request.Request(put.url, data=b"from a partner", method="PUT",
                                     headers={**put.headers, "Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        assert answer.status == 200
    assert client.read_bytes(f"{prefix}b.txt") == b"from a partner"
    assert client.head(f"{prefix}b.txt").kms_key_id == lake.key_arn


def test_a_deleted_key_is_undeleted_and_an_old_version_restored(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    client = lake.client()
    key = f"{prefix}labels.csv"
    client.upload(key, write(tmp_path / "v1", b"version 1"))
    client.upload(key, write(tmp_path / "v2", b"version 2"))
    client.delete(key)
    with pytest.raises(NotFoundError):
        client.read_bytes(key)
    history = client.versions(key)
    assert [(v.is_latest, v.delete_marker, v.size) for v in history] == [(True, True, None), (False, False, 9),
                                                                         (False, False, 9)]
    assert client.restore(key) == f"s3://{RAW}/{key} undeleted: its delete marker is removed"
    assert client.read_bytes(key) == b"version 2"
    first = history[-1].version_id
    assert client.read_bytes(key, first) == b"version 1"
    client.restore(key, first)
    assert client.read_bytes(key) == b"version 1"
    assert client.head(key).kms_key_id == lake.key_arn  # the copy is encrypted with the lake key too
    assert len(client.versions(key)) == 3  # v1, v2 and the restored copy; the delete marker is gone


def test_without_a_key_the_bucket_default_key_is_looked_up_on_the_first_write_only(
        lake: DataLake, prefix: str, tmp_path: Path) -> None:
    recorder = Recorder()
    client = lake.client(recorder=recorder, key_arn=None, discover_key=True)
    assert list(client.list(prefix)) == []
    assert recorder.calls["GetBucketEncryption"] == 0  # reads never pay for the lookup
    client.upload(f"{prefix}a.txt", write(tmp_path / "a.txt", b"a"))
    client.upload(f"{prefix}b.txt", write(tmp_path / "b.txt", b"b"))
    assert recorder.calls["GetBucketEncryption"] == 1
    assert [h["x-amz-server-side-encryption-aws-kms-key-id"] for h in recorder.sent("PutObject")] == [lake.key_arn] * 2
