"""`lake data` on the dev lake in moto: each verb's output and exit code, errors in one line plus a hint."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from lake import progress
from lake.cli import main
from lake.sandbox.server import client as sandbox_client
from lake.sandbox.server import sandbox_environment
from tests.data.support import RAW, DataLake



@pytest.fixture
def outputs(lake: DataLake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Stack outputs of the sandbox's lake, and the sandbox's fake credentials in the environment."""
    for name, value in sandbox_environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"zoneBuckets": {"raw": {"name": RAW}}, "keyArn": lake.key_arn}))
    return path


def data(lake: DataLake, outputs: Path, *words: str) -> int:
    return main(["data", *words, "--stack-outputs", str(outputs), "--zone", "raw",
                 "--endpoint-url", lake.https_url, "--ca-bundle", lake.ca_bundle])


def test_put_ls_cat_head_and_sync(lake: DataLake, outputs: Path, prefix: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "labels.csv").write_text("Image,Category\n0,MONOCYTE\n")
    (tmp_path / "set" / "meta.json").write_text('{"classes": 4}')
    assert data(lake, outputs, "put", str(tmp_path / "set"), prefix, "--metadata", "source=test") == 0
    assert capsys.readouterr().err == "2 files, 40 bytes\n"
    assert data(lake, outputs, "ls", prefix) == 0
    listed = capsys.readouterr()
    assert [line.split()[-2:] for line in listed.out.splitlines()] == [["26", f"{prefix}labels.csv"],
                                                                       ["14", f"{prefix}meta.json"]]
    assert listed.err == "2 objects, 40 bytes\n"
    assert data(lake, outputs, "cat", f"{prefix}labels.csv", "--as", "csv") == 0
    assert capsys.readouterr().out == '{"Image": "0", "Category": "MONOCYTE"}\n'
    assert data(lake, outputs, "cat", f"{prefix}meta.json", "--as", "json") == 0
    assert json.loads(capsys.readouterr().out) == {"classes": 4}
    assert data(lake, outputs, "head", f"{prefix}meta.json") == 0
    head = json.loads(capsys.readouterr().out)
    assert (head["metadata"], head["kmsKeyId"], head["size"]) == ({"source": "test"}, lake.key_arn, 14)
    assert data(lake, outputs, "sync", prefix, str(tmp_path / "copy")) == 0
    assert data(lake, outputs, "sync", prefix, str(tmp_path / "copy")) == 0
    synced = capsys.readouterr().out.splitlines()
    assert synced == ["downloaded 2 (40 bytes), skipped 0 identical, failed 0",
                      "downloaded 0 (0 bytes), skipped 2 identical, failed 0"]


def test_presign_prints_the_url_and_the_headers_to_send(lake: DataLake, outputs: Path, prefix: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert data(lake, outputs, "presign", f"{prefix}a.txt", "--put", "--expires", "2h") == 0
    printed = capsys.readouterr()
    assert "X-Amz-Expires=7200" in printed.out and printed.out.count("\n") == 1
    assert f"send header: x-amz-server-side-encryption-aws-kms-key-id: {lake.key_arn}" in printed.err


def test_an_expiry_over_seven_days_is_a_usage_error(lake: DataLake, outputs: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert data(lake, outputs, "presign", "a.txt", "--expires", "8d") == 2
    assert capsys.readouterr().err == ("error: --expires 8d: 691200 s; presigned URLs last from 1 s to 7 days "
                                       "(604800 s)\nhint: S3 refuses SigV4 presigned URLs valid for longer than "
                                       "7 days\n")


def test_rm_versions_and_restore(lake: DataLake, outputs: Path, prefix: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("a")
    assert data(lake, outputs, "put", str(tmp_path / "a.txt"), f"{prefix}a.txt") == 0
    assert data(lake, outputs, "rm", f"{prefix}a.txt") == 0
    assert data(lake, outputs, "versions", f"{prefix}a.txt") == 0
    versions = capsys.readouterr().out.splitlines()[-2:]
    assert versions[0].endswith("latest  delete marker") and versions[1].endswith("1 bytes")
    assert data(lake, outputs, "restore", f"{prefix}a.txt") == 0
    assert capsys.readouterr().out == f"s3://{RAW}/{prefix}a.txt undeleted: its delete marker is removed\n"


def test_a_missing_key_exits_1_with_the_error_and_a_hint(lake: DataLake, outputs: Path, prefix: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert data(lake, outputs, "cat", f"{prefix}missing.csv") == 1
    assert capsys.readouterr().err == (f"error: s3://{RAW}/{prefix}missing.csv does not exist\n"
                                       "hint: list what there is with: lake data ls PREFIX\n")


def _history(lake: DataLake, key: str) -> tuple[list[str], list[str]]:
    """(version ids, delete marker ids) of exactly ``key``, read with the sandbox's own client."""
    listed = sandbox_client("s3", lake.https_url, verify=lake.ca_bundle).list_object_versions(Bucket=RAW, Prefix=key)
    return ([v["VersionId"] for v in listed.get("Versions", []) if v["Key"] == key],
            [m["VersionId"] for m in listed.get("DeleteMarkers", []) if m["Key"] == key])


def test_rm_of_a_missing_key_exits_1_and_leaves_no_delete_marker(lake: DataLake, outputs: Path, prefix: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    key = f"{prefix}never-written.txt"
    assert data(lake, outputs, "rm", key) == 1
    assert capsys.readouterr() == ("", f"error: s3://{RAW}/{key} does not exist\n"
                                       "hint: list what there is with: lake data ls PREFIX\n")
    assert _history(lake, key) == ([], [])  # S3 itself would have answered 204 and added a delete marker


def test_rm_of_a_deleted_key_exits_1_and_adds_no_second_marker(lake: DataLake, outputs: Path, prefix: str,
                                                               tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    key = f"{prefix}a.txt"
    (tmp_path / "a.txt").write_text("a")
    assert data(lake, outputs, "put", str(tmp_path / "a.txt"), key) == 0
    assert data(lake, outputs, "rm", key) == 0
    capsys.readouterr()
    assert data(lake, outputs, "rm", key) == 1
    assert capsys.readouterr().err == (f"error: s3://{RAW}/{key} is already deleted (its latest version is a delete "
                                       f"marker)\nhint: bring it back with: lake data restore {key}\n")
    versions, markers = _history(lake, key)
    assert (len(versions), len(markers)) == (1, 1)


@pytest.mark.parametrize("verb", ["versions", "restore"])
def test_versions_and_restore_of_a_missing_key_exit_1(verb: str, lake: DataLake, outputs: Path, prefix: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    key = f"{prefix}never-written.txt"
    assert data(lake, outputs, verb, key) == 1
    assert capsys.readouterr() == ("", f"error: s3://{RAW}/{key} has no versions\n"
                                       "hint: check the key with: lake data ls PREFIX\n")
    assert _history(lake, key) == ([], [])


def test_a_refused_upload_exits_1_naming_the_rule(lake: DataLake, outputs: Path, prefix: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("a")
    other = "arn:aws:kms:us-east-1:123456789012:key/99999999-2222-3333-4444-555555555555"
    assert data(lake, outputs, "put", str(tmp_path / "a.txt"), f"{prefix}a.txt", "--key-arn", other) == 1
    error = capsys.readouterr().err.splitlines()
    assert error[0].startswith(f"error: PutObject s3://{RAW}/{prefix}a.txt: access denied")
    assert error[1].startswith("hint: the upload named a KMS key that is not the lake key (DenyOtherKmsKey)")


@pytest.mark.parametrize(("words", "message"), [
    (["ls", "--stack-outputs", "o.json"], "error: --stack-outputs needs --zone (e.g. --zone raw)"),
    (["ls", "--bucket", "other-bucket", "--stack-outputs", "o.json", "--zone", "raw"],
     "error: choose one: --stack-outputs with --zone, or --bucket"),
    (["ls"], "error: choose the bucket: --stack-outputs FILE --zone ZONE, or --bucket NAME"),
    (["ls", "--stack-outputs", "missing.json", "--zone", "raw"], "error: --stack-outputs missing.json: no such file"),
    (["ls", "--bucket", "other-bucket", "--zone", "raw"],
     "error: --zone needs --stack-outputs (a zone is looked up in the stack outputs)"),
])
def test_usage_errors_exit_2_in_one_line(words: list[str], message: str, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "o.json").write_text('{"zoneBuckets": {"raw": {"name": "raw-bucket"}}}')
    assert main(["data", *words]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == message and all(line.startswith("hint: ") for line in lines[1:]) and len(lines) <= 2


def test_an_unknown_zone_names_the_zones_there_are(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "ls", "--stack-outputs", str(outputs), "--zone", "gold"]) == 2
    assert capsys.readouterr().err == "error: zone 'gold' is not in the stack outputs' zoneBuckets (zones: raw)\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("ci", [False, True])
def test_put_and_sync_show_progress_on_a_terminal_only(ci: bool, lake: DataLake, outputs: Path, prefix: str,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files (objects) and bytes with the rate, on standard error when it is a terminal, outside CI;
    standard output and the summary lines stay as they are (piped, the other tests show no bar)."""
    (tmp_path / "set").mkdir()
    for name in ("a.csv", "b.csv", "c.csv"):
        (tmp_path / "set" / name).write_text("x" * 1000)
    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)  # here, not in a fixture: pytest restores its own between them
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("NO_COLOR", raising=False)
    if ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    assert data(lake, outputs, "put", str(tmp_path / "set"), prefix) == 0
    put = screen.getvalue()
    assert data(lake, outputs, "sync", prefix, str(tmp_path / "copy")) == 0
    synced = screen.getvalue()[len(put):]
    assert put.endswith("3 files, 3,000 bytes\n")
    if ci:
        assert put == "3 files, 3,000 bytes\n" and synced == ""
    else:
        # Drawn at once (no delay here), then at most ten times a second: the counts drawn vary.
        assert "put:" in put and "B/s" in put and " files]" in put
        assert "sync:" in synced and "B/s" in synced and " objects]" in synced
