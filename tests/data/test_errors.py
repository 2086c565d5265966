"""The data client's failures: missing things, denials with the lake rule named, throttling,
aborted multipart uploads, interrupted downloads that leave nothing half-written and resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ReadTimeoutError, ResponseStreamingError
from botocore.response import StreamingBody

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.perimeter import Perimeter
from lake.data import AccessDeniedError, NotFoundError, ThrottledError, UploadOptions
from lake.data.diagnose import RULE_HINTS
from lake.data.download import PARTIAL_SUFFIX
from lake.data.upload import MiB
from lake.sandbox.server import client as sandbox_client
from tests.data.support import RAW, DataLake, Recorder, s3_error

OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/99999999-2222-3333-4444-555555555555"


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


# --- missing things ------------------------------------------------------------------------------


def test_a_missing_key_names_the_object_and_how_to_look(lake: DataLake, prefix: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        lake.client().read_bytes(f"{prefix}nothing.csv")
    assert str(caught.value) == (f"s3://{RAW}/{prefix}nothing.csv does not exist\n"
                                 "hint: list what there is with: lake data ls PREFIX")


def test_a_missing_bucket_is_named(lake: DataLake) -> None:
    with pytest.raises(NotFoundError, match="^bucket mlteam-dev-nothing does not exist"):
        list(lake.client("mlteam-dev-nothing").list())


def test_a_missing_version_points_at_the_versions_command(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    client = lake.client()
    client.upload(f"{prefix}a.txt", write(tmp_path / "a.txt", b"a"))
    with pytest.raises(NotFoundError, match="is not a version of this key\nhint: list the versions with"):
        client.restore(f"{prefix}a.txt", "no-such-version")


def test_restoring_a_key_that_is_not_deleted_asks_for_a_version(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    client = lake.client()
    client.upload(f"{prefix}a.txt", write(tmp_path / "a.txt", b"a"))
    with pytest.raises(Exception, match="is not deleted\nhint: to bring back an older content, pass --version-id"):
        client.restore(f"{prefix}a.txt")


# --- denials name the lake rule --------------------------------------------------------------------


def test_plain_http_is_refused_and_the_hint_says_use_tls(lake: DataLake, prefix: str) -> None:
    with pytest.raises(AccessDeniedError) as caught:
        lake.client(secure=False).read_bytes(f"{prefix}a.txt")
    assert caught.value.rules == ("DenyInsecureTransport",)
    assert caught.value.hint == RULE_HINTS["DenyInsecureTransport"]


def test_an_upload_naming_another_key_is_refused_and_the_rule_named(lake: DataLake, prefix: str,
                                                                    tmp_path: Path) -> None:
    with pytest.raises(AccessDeniedError) as caught:
        lake.client(key_arn=OTHER_KEY).upload(f"{prefix}a.txt", write(tmp_path / "a.txt", b"a"))
    assert caught.value.rules == ("DenyOtherKmsKey",)
    assert str(caught.value).startswith(f"PutObject s3://{RAW}/{prefix}a.txt: access denied (")
    assert "explicit deny in a resource-based policy" in str(caught.value)


@pytest.fixture
def strict_bucket(lake: DataLake) -> str:
    """mlteam-dev-processed switched to strict mode (uploads must carry the SSE headers)."""
    s3 = sandbox_client("s3", lake.https_url, verify=lake.ca_bundle)
    bucket = "mlteam-dev-processed"
    saved = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        secure_bucket_policy(f"arn:aws:s3:::{bucket}", lake.key_arn, require_sse_header=True)))
    yield bucket
    s3.put_bucket_policy(Bucket=bucket, Policy=saved)


def test_strict_mode_refuses_an_upload_without_the_key_and_the_client_with_it_passes(
        lake: DataLake, strict_bucket: str, prefix: str, tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"a")
    with pytest.raises(AccessDeniedError) as caught:
        lake.client(strict_bucket, key_arn=None).upload(f"{prefix}a.txt", path)
    assert caught.value.rules == ("DenyMissingEncryptionHeader",)
    lake.client(strict_bucket).upload(f"{prefix}a.txt", path)  # the lake key: allowed
    big = write(tmp_path / "big.bin", b"m" * 6 * MiB)
    lake.client(strict_bucket).upload(f"{prefix}big.bin", big, UploadOptions(multipart_threshold=5 * MiB,
                                                                             part_size=5 * MiB))
    assert lake.client(strict_bucket).head(f"{prefix}big.bin").size == 6 * MiB


def test_outside_the_perimeter_the_hint_names_the_vpc_endpoint(lake: DataLake, prefix: str) -> None:
    s3 = sandbox_client("s3", lake.https_url, verify=lake.ca_bundle)
    bucket = "mlteam-dev-curated"
    saved = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    fence = Perimeter(("vpce-0123456789abcdef0",), ("arn:aws:iam::123456789012:role/LakeAdmin",))
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        secure_bucket_policy(f"arn:aws:s3:::{bucket}", lake.key_arn, perimeter=fence)))
    try:
        with pytest.raises(AccessDeniedError) as caught:
            list(lake.client(bucket).list(prefix))
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=saved)
    assert caught.value.rules == ("DenyOutsideLakeEndpoint",)


def test_when_the_policy_cannot_be_read_the_hint_lists_the_likely_causes(lake: DataLake, prefix: str) -> None:
    recorder = Recorder()
    recorder.fail("GetBucketPolicy", lambda request, n: s3_error(403, "AccessDenied"))
    with pytest.raises(AccessDeniedError) as caught:
        lake.client(recorder=recorder, secure=False).read_bytes(f"{prefix}a.txt")
    assert caught.value.rules == ()
    assert caught.value.hint.startswith("the bucket policy could not be read to find the rule; likely causes: "
                                        + RULE_HINTS["DenyInsecureTransport"])


# --- throttling -------------------------------------------------------------------------------------


def test_throttling_is_retried_with_backoff_until_s3_answers(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    client = lake.client()
    client.upload(f"{prefix}a.txt", write(tmp_path / "a.txt", b"a"))
    recorder = Recorder()
    recorder.fail("GetObject", lambda request, n: s3_error(503, "SlowDown", "Please reduce your request rate.")
                  if n <= 2 else None)
    assert lake.client(recorder=recorder).read_bytes(f"{prefix}a.txt") == b"a"
    assert recorder.calls["GetObject"] == 3


def test_throttling_that_outlasts_the_retries_says_so(lake: DataLake, prefix: str) -> None:
    recorder = Recorder()
    recorder.fail("GetObject", lambda request, n: s3_error(503, "SlowDown"))
    with pytest.raises(ThrottledError, match=r"still throttled the request \(SlowDown\) after 3 attempts"):
        lake.client(recorder=recorder, max_attempts=3).read_bytes(f"{prefix}a.txt")
    assert recorder.calls["GetObject"] == 3


# --- failed transfers leave nothing behind ----------------------------------------------------------


def test_a_failed_multipart_upload_is_aborted(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    recorder = Recorder()
    recorder.fail("UploadPart", lambda request, n: s3_error(400, "InvalidRequest", "part refused")
                  if b"partNumber=2" in request.url.encode() else None)
    with pytest.raises(Exception, match="part refused"):
        lake.client(recorder=recorder, max_attempts=1).upload(
            f"{prefix}big.bin", write(tmp_path / "big.bin", b"z" * 11 * MiB),
            UploadOptions(multipart_threshold=5 * MiB, part_size=5 * MiB))
    assert recorder.calls["AbortMultipartUpload"] == 1
    s3 = sandbox_client("s3", lake.https_url, verify=lake.ca_bundle)
    assert s3.list_multipart_uploads(Bucket=RAW, Prefix=prefix).get("Uploads", []) == []
    with pytest.raises(NotFoundError):
        lake.client().head(f"{prefix}big.bin")


def test_an_interrupted_download_leaves_no_partial_file_and_the_next_run_resumes(
        lake: DataLake, prefix: str, tmp_path: Path) -> None:
    source = {f"img/{index:02d}.png": bytes([index]) * (1000 + index) for index in range(12)}
    for name, data in source.items():
        write(tmp_path / "src" / name, data)
    lake.client().upload(prefix, tmp_path / "src")
    target = tmp_path / "dst"

    def cut(request, n):  # the connection drops in the middle of every GET of 05.png
        if request.url.endswith("05.png"):
            raise ReadTimeoutError(endpoint_url=request.url)
        return None

    first = Recorder()
    first.fail("GetObject", cut)
    report = lake.client(recorder=first, max_attempts=2).download(prefix, target)
    assert (report.downloaded, report.skipped) == (11, 0)
    assert [key for key, _ in report.failed] == [f"{prefix}img/05.png"]
    assert files(target) == {n: d for n, d in source.items() if n != "img/05.png"}  # no partial, no temp file
    assert not list(target.rglob(f"*{PARTIAL_SUFFIX}"))

    write(target / "img/07.png", b"\xff" * 1007)  # same size, other content: its checksum tells
    second = Recorder()
    report = lake.client(recorder=second).download(prefix, target)
    assert (report.downloaded, report.skipped, report.failed) == (2, 10, [])
    assert second.calls["GetObject"] == 2 and second.calls["HeadObject"] == 11
    assert files(target) == source


def test_a_download_that_fails_midway_keeps_the_old_file(lake: DataLake, prefix: str, tmp_path: Path) -> None:
    lake.client().upload(f"{prefix}a.bin", write(tmp_path / "a.bin", b"new content"))
    target = tmp_path / "dst"
    write(target / "a.bin", b"old content")
    recorder = Recorder()
    recorder.fail("GetObject", lambda request, n: s3_error(500, "InternalError"))
    report = lake.client(recorder=recorder, max_attempts=1).download(prefix, target)
    assert [key for key, _ in report.failed] == [f"{prefix}a.bin"]
    assert files(target) == {"a.bin": b"old content"}


def test_a_connection_lost_mid_body_leaves_no_partial_file(lake: DataLake, prefix: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    lake.client().upload(f"{prefix}a.bin", write(tmp_path / "a.bin", b"x" * 5000))
    monkeypatch.setattr("lake.data.download.COPY_CHUNK", 1000)
    original = StreamingBody.read

    def lost_after_two_chunks(self: StreamingBody, amt: int | None = None) -> bytes:
        self.lake_reads = getattr(self, "lake_reads", 0) + 1
        if self.lake_reads > 2:
            raise ResponseStreamingError(error="connection reset by peer")
        return original(self, amt)

    monkeypatch.setattr(StreamingBody, "read", lost_after_two_chunks)
    report = lake.client().download(prefix, tmp_path / "dst")
    assert [key for key, _ in report.failed] == [f"{prefix}a.bin"]
    assert "connection reset by peer" in report.failed[0][1]
    assert files(tmp_path / "dst") == {}  # neither a.bin nor its temporary file
