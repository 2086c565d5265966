"""``lake://`` (lake/data/filesystem.py) on the dev lake in the sandbox: zones map to their buckets
and listings speak zones, every write (multipart too) carries the lake key, refusals name the rule
or the missing grant, and bad input fails once, with the exception type fsspec's callers expect."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import fsspec
import pytest
from s3fs import S3FileSystem

from lake.data import Connection, LakeClient, LakeFileSystem, UsageError
from lake.data.diagnose import RULE_HINTS
from lake.data.filesystem import OUTPUTS_VARIABLE
from lake.sandbox.server import client as sandbox_client
from tests.data.filesystem_support import (READER_SESSION, reader_options, stack_outputs, storage_options,
                                           write_refused)
from tests.data.support import DataLake
from tests.live.consumer_roles import REGION

MiB = 1024 * 1024
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/99999999-2222-3333-4444-555555555555"
ZONES_HINT = "hint: the zones: curated, processed, raw (the stack outputs' zoneBuckets); a path is lake://<zone>/<key>"
OUTPUTS_HINT = "hint: write it with: pulumi stack output --json > outputs.json"


@pytest.fixture(scope="module")
def fs(lake: DataLake) -> LakeFileSystem:
    # A 5 MiB block (s3fs's smallest part) makes an 11 MiB file a multipart upload.
    return LakeFileSystem(**storage_options(lake, default_block_size=5 * MiB))


@pytest.fixture(scope="module")
def reader(lake: DataLake) -> LakeFileSystem:
    return LakeFileSystem(**reader_options(lake))


def stored(lake: DataLake, zone: str, key: str) -> dict[str, Any]:
    """HeadObject as the sandbox's own client sees the object: what the server stored."""
    return sandbox_client("s3", lake.https_url, verify=lake.ca_bundle).head_object(Bucket=f"mlteam-dev-{zone}", Key=key)


def refusal(call: Any) -> str:
    with pytest.raises(PermissionError) as raised:
        call()
    return str(raised.value)


# --- paths ---------------------------------------------------------------------------------------


def test_zones_map_to_their_buckets_and_listings_speak_zones(lake: DataLake, fs: LakeFileSystem, prefix: str):
    fs.pipe({f"lake://raw/{prefix}a.csv": b"a\n", f"raw/{prefix}sub/b.csv": b"b\n"})
    assert stored(lake, "raw", f"{prefix}a.csv")["ContentLength"] == 2
    assert fs.ls(f"lake://raw/{prefix}", detail=False) == [f"raw/{prefix}a.csv", f"raw/{prefix}sub"]
    assert fs.find(f"lake://raw/{prefix}") == [f"raw/{prefix}a.csv", f"raw/{prefix}sub/b.csv"]
    assert fs.glob(f"lake://raw/{prefix}*/*.csv") == [f"raw/{prefix}sub/b.csv"]
    assert (fs.info(f"raw/{prefix}sub/b.csv")["name"], fs.info("lake://curated")["name"]) == (
        f"raw/{prefix}sub/b.csv", "curated")
    assert fs.unstrip_protocol(f"raw/{prefix}a.csv") == f"lake://raw/{prefix}a.csv"


def test_lake_itself_lists_the_zones_as_directories(fs: LakeFileSystem):
    assert fs.ls("lake://", detail=False) == ["curated", "processed", "raw"]
    assert fs.ls("", detail=True)[0] == {"name": "curated", "size": 0, "type": "directory"}
    assert fs.info("lake://") == {"name": "", "size": 0, "type": "directory"}
    assert (fs.exists("lake://"), fs.isdir("lake://"), fs.isdir(""), fs.isfile("lake://")) == (True, True, True, False)
    assert (fs.exists("lake://raw"), fs.isdir("lake://raw")) == (True, True)


# --- writes carry the lake key -------------------------------------------------------------------


def test_small_and_multipart_writes_carry_the_lake_key(lake: DataLake, fs: LakeFileSystem, prefix: str,
                                                       tmp_path: Path):
    fs.pipe(f"lake://raw/{prefix}small.bin", b"s")
    with fs.open(f"lake://raw/{prefix}written.bin", "wb") as big:  # S3File: its own multipart upload
        big.write(b"b" * (11 * MiB))
    (tmp_path / "put.bin").write_bytes(b"p" * (11 * MiB))
    fs.put(str(tmp_path / "put.bin"), f"lake://raw/{prefix}put.bin", chunksize=5 * MiB)
    fs.copy(f"lake://raw/{prefix}small.bin", f"lake://curated/{prefix}copied.bin")
    small, *multipart = (stored(lake, "raw", f"{prefix}{name}.bin") for name in ("small", "written", "put"))
    copied = stored(lake, "curated", f"{prefix}copied.bin")
    # A multipart upload's ETag ends in "-N", N its parts.
    assert ["-" in s["ETag"] for s in (small, *multipart, copied)] == [False, True, True, False]
    assert [(s["ServerSideEncryption"], s["SSEKMSKeyId"]) for s in (small, *multipart, copied)] == [
        ("aws:kms", lake.key_arn)] * 4
    assert fs.cat_file(f"raw/{prefix}written.bin", start=11 * MiB - 2) == b"bb"


def test_files_are_read_through_fsspec_open(lake: DataLake, fs: LakeFileSystem, prefix: str):
    fs.pipe(f"lake://curated/{prefix}labels.csv", b"image,label\n0,MONOCYTE\n")
    with fsspec.open(f"lake://curated/{prefix}labels.csv", "rt", **storage_options(lake)) as text:
        assert text.read().splitlines() == ["image,label", "0,MONOCYTE"]


# --- refusals, diagnosed -------------------------------------------------------------------------


def test_a_write_naming_another_key_names_the_rule(lake: DataLake, prefix: str):
    other = LakeFileSystem(**storage_options(lake, key_arn=OTHER_KEY, default_block_size=5 * MiB))
    server = ("User: arn:aws:iam::123456789012:user/moto is not authorized to perform: s3:PutObject on resource: "
              "\"arn:aws:s3:::mlteam-dev-raw/{key}\" with an explicit deny in a resource-based policy")

    def refused(operation: str, key: str) -> str:
        return (f"{operation} s3://mlteam-dev-raw/{key}: access denied ({server.format(key=key)})\n"
                f"hint: {RULE_HINTS['DenyOtherKmsKey']}")

    assert refusal(lambda: other.pipe(f"lake://raw/{prefix}a.txt", b"a")) == refused("PutObject", f"{prefix}a.txt")

    def multipart() -> None:
        with other.open(f"lake://raw/{prefix}big.bin", "wb") as big:
            big.write(b"b" * (6 * MiB))

    assert refusal(multipart) == refused("CreateMultipartUpload", f"{prefix}big.bin")


def test_a_reader_writing_is_told_the_grant_it_lacks(reader: LakeFileSystem, prefix: str, tmp_path: Path):
    small, big = f"lake://curated/{prefix}x.csv", f"lake://curated/{prefix}big.bin"
    assert refusal(lambda: reader.pipe(small, b"x")) == write_refused(small)
    (tmp_path / "big.bin").write_bytes(b"b" * (11 * MiB))
    assert refusal(lambda: reader.put(str(tmp_path / "big.bin"), big, chunksize=5 * MiB)) == write_refused(
        big, "CreateMultipartUpload")


DELETE_HINT = ("hint: consumer 'notebook' has no delete grant on zone 'curated' (its grants: read on curated): add "
               "{zone: curated, access: delete} to its grants in datalake:consumers")


def test_a_reader_deleting_is_told_the_grant_it_lacks(lake: DataLake, fs: LakeFileSystem, reader: LakeFileSystem,
                                                      prefix: str):
    path = f"lake://curated/{prefix}keep.csv"
    fs.pipe(path, b"k")
    assert reader.cat_file(path) == b"k"
    assert refusal(lambda: reader.rm(path)) == (
        f"DeleteObjects s3://mlteam-dev-curated/{prefix}keep.csv: access denied (User: {READER_SESSION} is not "
        f"authorized to perform: s3:DeleteObject on resource: \"arn:aws:s3:::mlteam-dev-curated/{prefix}keep.csv\" "
        f"because no identity-based policy allows the s3:DeleteObject action)\n{DELETE_HINT}")
    assert stored(lake, "curated", f"{prefix}keep.csv")["ContentLength"] == 1


def test_a_delete_refused_inside_a_200_answer_is_not_dropped(fs: LakeFileSystem, reader: LakeFileSystem, prefix: str,
                                                             monkeypatch: pytest.MonkeyPatch):
    # S3 answers DeleteObjects 200 and lists the keys it refused, which s3fs drops; the sandbox's gate
    # refuses the whole request instead, so S3's answer is stood in for here.
    path = f"lake://curated/{prefix}keep.csv"
    fs.pipe(path, b"k")
    sandbox = S3FileSystem._call_s3

    async def as_s3_answers(self: S3FileSystem, method: str, *args: Any, **kwargs: Any) -> Any:
        if method != "delete_objects":
            return await sandbox(self, method, *args, **kwargs)
        return {"Errors": [{"Key": o["Key"], "Code": "AccessDenied", "Message": "Access Denied"}
                           for o in kwargs["Delete"]["Objects"]]}

    monkeypatch.setattr(S3FileSystem, "_call_s3", as_s3_answers)
    assert refusal(lambda: reader.rm(path)) == (
        f"DeleteObjects s3://mlteam-dev-curated/{prefix}keep.csv: access denied (Access Denied)\n{DELETE_HINT}")


# --- bad input -----------------------------------------------------------------------------------


def test_an_unknown_zone_is_not_found_and_the_zones_are_listed(lake: DataLake):
    with pytest.raises(FileNotFoundError) as raised:
        fsspec.open("lake://rwa/x.csv", "rb", **storage_options(lake)).open()
    assert str(raised.value) == (
        f"lake://rwa/x.csv: no zone 'rwa' in the stack outputs (did you mean 'raw'?)\n{ZONES_HINT}")
    with pytest.raises(FileNotFoundError) as raised:
        LakeFileSystem(**storage_options(lake)).open("lake://", "rb")
    assert str(raised.value) == f"lake://: no zone in the path\n{ZONES_HINT}"


def test_without_stack_outputs_nothing_is_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv(OUTPUTS_VARIABLE, raising=False)
    with pytest.raises(FileNotFoundError) as raised:
        LakeFileSystem()
    assert str(raised.value) == ("no stack outputs: pass stack_outputs= (a file of `pulumi stack output --json`, or "
                                 f"its dict) or set {OUTPUTS_VARIABLE} to that file\n{OUTPUTS_HINT}")
    monkeypatch.setenv(OUTPUTS_VARIABLE, str(tmp_path / "missing.json"))
    with pytest.raises(FileNotFoundError) as raised:
        LakeFileSystem()
    assert str(raised.value) == f"{OUTPUTS_VARIABLE} {tmp_path / 'missing.json'}: no such file\n{OUTPUTS_HINT}"


def test_malformed_outputs_are_a_value_error_naming_the_file(tmp_path: Path):
    (tmp_path / "outputs.json").write_text('{"zoneBuckets": ')
    with pytest.raises(ValueError) as raised:
        LakeFileSystem(tmp_path / "outputs.json")
    assert str(raised.value) == (f"stack_outputs {tmp_path / 'outputs.json'}: not a readable JSON file of stack "
                                 f"outputs (Expecting value: line 1 column 17 (char 16))\n{OUTPUTS_HINT}")
    with pytest.raises(ValueError) as raised:
        LakeFileSystem({"keyArn": OTHER_KEY})
    assert str(raised.value) == ("stack_outputs: no 'zoneBuckets' output; expected `pulumi stack output --json` of "
                                 f"this program\n{OUTPUTS_HINT}")
    with pytest.raises(ValueError, match=r"^key_arn alias/lake: not a full KMS key ARN"):
        LakeFileSystem({"zoneBuckets": {}}, key_arn="alias/lake")


# --- where the filesystem comes from -------------------------------------------------------------


def test_the_outputs_file_can_be_named_by_the_environment(lake: DataLake, fs: LakeFileSystem, prefix: str,
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "outputs.json").write_text(json.dumps(stack_outputs(lake)))
    monkeypatch.setenv(OUTPUTS_VARIABLE, str(tmp_path / "outputs.json"))
    fs.pipe(f"lake://processed/{prefix}a.txt", b"a")
    options = {k: v for k, v in storage_options(lake).items() if k != "stack_outputs"}
    with fsspec.open(f"lake://processed/{prefix}a.txt", "rb", **options) as found:
        assert found.read() == b"a"


def test_a_pickled_filesystem_carries_its_outputs_not_the_file(lake: DataLake, prefix: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "outputs.json").write_text(json.dumps(stack_outputs(lake)))
    options = {**storage_options(lake), "stack_outputs": str(tmp_path / "outputs.json")}
    sent = pickle.dumps(LakeFileSystem(**options))
    (tmp_path / "outputs.json").unlink()  # a Dask worker on another machine has no such file
    LakeFileSystem.clear_instance_cache()
    received = pickle.loads(sent)
    assert received.zones == {zone: f"mlteam-dev-{zone}" for zone in ("raw", "processed", "curated")}
    received.pipe(f"lake://raw/{prefix}a", b"a")
    assert stored(lake, "raw", f"{prefix}a")["SSEKMSKeyId"] == lake.key_arn


def test_the_connection_is_the_data_clients(lake: DataLake, fs: LakeFileSystem):
    s3 = fs.fs.s3  # the inner s3fs's aiobotocore client
    expected = Connection(endpoint_url=lake.https_url).config()
    assert (s3.meta.endpoint_url, s3.meta.config.retries, s3.meta.config.s3) == (
        lake.https_url, expected.retries, expected.s3)
    assert fs.fs.retries == 1  # botocore's adaptive retries are the only retry layer


def test_endpoint_and_ca_bundle_come_from_the_environment_as_for_botocore(
        lake: DataLake, fs: LakeFileSystem, prefix: str, monkeypatch: pytest.MonkeyPatch):
    fs.pipe(f"lake://raw/{prefix}a", b"a")
    monkeypatch.setenv("AWS_ENDPOINT_URL", lake.https_url)
    monkeypatch.setenv("AWS_CA_BUNDLE", lake.ca_bundle)
    options = {k: v for k, v in storage_options(lake).items() if k not in ("endpoint_url", "ca_bundle")}
    assert LakeFileSystem(**options, skip_instance_cache=True).cat_file(f"lake://raw/{prefix}a") == b"a"


def test_a_client_made_from_the_outputs_gives_its_filesystem(lake: DataLake, prefix: str):
    client = LakeClient.from_stack_outputs(stack_outputs(lake), "raw", region=REGION, endpoint_url=lake.https_url,
                                           verify=lake.ca_bundle, session=lake.client().connection.session)
    client.filesystem().pipe(f"lake://curated/{prefix}a", b"a")
    assert stored(lake, "curated", f"{prefix}a")["SSEKMSKeyId"] == lake.key_arn
    with pytest.raises(UsageError) as raised:
        lake.client().filesystem()
    assert str(raised.value) == ("filesystem() needs the stack outputs, which name every zone's bucket\n"
                                 "hint: make the client with LakeClient.from_stack_outputs")
