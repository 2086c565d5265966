"""Every input of `lake data` and `lake audit` is checked before the first network call: a bad
value exits 2 with one `error:` line naming the option and the value (and a `hint:` line), and
no request leaves the process.

Two proofs that nothing was sent: every command points at a port on 127.0.0.1 that was just
closed (a request would fail with a connection error, not the input error asserted), and
botocore's HTTP send and socket connects are replaced by recorders that must stay empty. A
control test shows the recorders do see a request when the inputs are good.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.httpsession
import pytest

from lake import inputs
from lake.cli import main
from lake.errors import InputError
from lake.sandbox.tls import self_signed_certificate

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
PLAN_HINT = "hint: write one with: lake plan --format json --output plan.json"


class NetworkAttempt(Exception):
    """Raised by the recorders: a request was about to leave the process."""


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: bound, read, closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[str]]:
    """What tried to reach the network; an empty home (no ~/.aws) and fake credentials."""
    attempts: list[str] = []

    def send(self: Any, request: Any) -> Any:
        attempts.append(f"botocore {request.method} {request.url}")
        raise NetworkAttempt(request.url)

    def connect(self: socket.socket, address: Any) -> None:
        attempts.append(f"connect {address}")
        raise NetworkAttempt(str(address))

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", send)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.chdir(tmp_path)
    yield attempts


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """The files the cases name, in the working directory."""
    (tmp_path / "garbage.pem").write_text("not a certificate\n")
    (tmp_path / "a-directory").mkdir()
    (tmp_path / "a-file.txt").write_text("a")
    (tmp_path / "not-json.json").write_text("{zoneBuckets: raw}")
    (tmp_path / "array.json").write_text("[]")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "deep65.json").write_text('{"zoneBuckets": ' + "[" * 64 + "]" * 64 + "}")
    (tmp_path / "nan.json").write_text('{"zoneBuckets": {"raw": NaN}}')
    (tmp_path / "bad-bucket.json").write_text('{"zoneBuckets": {"raw": {"name": "Raw_Zone"}}}')
    (tmp_path / "bad-key.json").write_text('{"zoneBuckets": {"raw": {"name": "raw-zone"}}, "keyArn": "alias/lake"}')
    (tmp_path / "outputs.json").write_text(json.dumps({"zoneBuckets": {"raw": {"name": "raw-zone"}},
                                                       "keyArn": KEY_ARN}))
    (tmp_path / "plan-v2.json").write_text('{"formatVersion": 2, "resources": [], "environment": {}}')
    (tmp_path / "plan-bool.json").write_text('{"formatVersion": true, "resources": [], "environment": {}}')
    (tmp_path / "report.json").write_text('{"formatVersion": 1, "source": "live", "findings": []}')
    (tmp_path / "plan-deep.json").write_text("{" + '"a":{' * 3000 + "}" * 3000 + "}")
    certificate = self_signed_certificate(tmp_path / "tls")
    (tmp_path / "key-only.pem").write_bytes(certificate.key_path.read_bytes())
    return tmp_path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(argv)
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err.splitlines()


BUCKET_HINT = ("hint: bucket names are 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with "
               "a letter or digit (S3 User Guide: general purpose bucket naming rules)")
LONG_KEY = "é" * 513  # 1,026 bytes of UTF-8

DATA_CASES = [
    # bucket names (S3's general purpose bucket naming rules)
    (["ls", "--bucket", "My_Bucket"], "error: --bucket My_Bucket: not a valid S3 bucket name: 'M' is not allowed "
     "(lowercase letters, digits, dots and hyphens only)"),
    (["ls", "--bucket", "ab"], "error: --bucket ab: not a valid S3 bucket name: 2 characters, not 3 to 63"),
    (["ls", "--bucket", "a" * 64], f"error: --bucket {'a' * 64}: not a valid S3 bucket name: 64 characters, "
     "not 3 to 63"),
    (["ls", "--bucket=-lake"], "error: --bucket -lake: not a valid S3 bucket name: it must begin and end with a "
     "letter or digit"),
    (["ls", "--bucket", "lake."], "error: --bucket lake.: not a valid S3 bucket name: it must begin and end with a "
     "letter or digit"),
    (["ls", "--bucket", "my..lake"], "error: --bucket my..lake: not a valid S3 bucket name: two adjacent dots"),
    (["ls", "--bucket", "192.168.5.4"], "error: --bucket 192.168.5.4: not a valid S3 bucket name: formatted as an "
     "IP address"),
    (["ls", "--bucket", "xn--lake"], "error: --bucket xn--lake: not a valid S3 bucket name: the prefix xn-- is "
     "reserved by S3"),
    (["ls", "--bucket", "sthree-lake"], "error: --bucket sthree-lake: not a valid S3 bucket name: the prefix sthree- "
     "is reserved by S3"),
    (["ls", "--bucket", "lake-s3alias"], "error: --bucket lake-s3alias: not a valid S3 bucket name: the suffix "
     "-s3alias is reserved by S3"),
    (["ls", "--bucket", "lake--ol-s3"], "error: --bucket lake--ol-s3: not a valid S3 bucket name: the suffix --ol-s3 "
     "is reserved by S3"),
    (["ls", "--bucket", "bücket"], "error: --bucket bücket: not a valid S3 bucket name: only ASCII letters, digits, "
     "dots and hyphens"),
    (["ls", "--bucket", "lake\n"], "error: --bucket 'lake\\n': not a valid S3 bucket name: '\\n' is not allowed "
     "(lowercase letters, digits, dots and hyphens only)"),
    # object keys
    (["cat", "--bucket", "raw-zone", ""], "error: KEY is empty: name an object"),
    (["rm", "--bucket", "raw-zone", LONG_KEY], f"error: KEY {'é' * 80}...: 1026 bytes of UTF-8; S3 keys are at "
     "most 1024"),
    (["ls", "--bucket", "raw-zone", LONG_KEY], f"error: PREFIX {'é' * 80}...: 1026 bytes of UTF-8; S3 keys are at "
     "most 1024"),
    (["head", "--bucket", "raw-zone", "k", "--version-id", ""], "error: --version-id '': not an S3 version id"),
    # the lake key
    (["ls", "--bucket", "raw-zone", "--key-arn", "alias/lake"], "error: --key-arn alias/lake: not a full KMS key ARN "
     "(arn:aws:kms:REGION:ACCOUNT:key/ID)"),
    # --ca-bundle
    (["ls", "--bucket", "raw-zone", "--ca-bundle", "missing.pem"], "error: --ca-bundle missing.pem: no such file"),
    (["ls", "--bucket", "raw-zone", "--ca-bundle", "a-directory"], "error: --ca-bundle a-directory: not a file"),
    (["ls", "--bucket", "raw-zone", "--ca-bundle", "garbage.pem"], "error: --ca-bundle garbage.pem: no PEM "
     "certificate in it ([X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found"),
    (["ls", "--bucket", "raw-zone", "--ca-bundle", "key-only.pem"], "error: --ca-bundle key-only.pem: no PEM "
     "certificate in it ([X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found"),
    # --concurrency, --part-size, --multipart-threshold, --expires
    (["ls", "--bucket", "raw-zone", "--concurrency", "0"], "error: --concurrency 0: give 1 to 256 requests in flight"),
    (["ls", "--bucket", "raw-zone", "--concurrency", "257"], "error: --concurrency 257: give 1 to 256 requests in "
     "flight"),
    (["ls", "--bucket", "raw-zone", "--concurrency", "-3"], "error: --concurrency -3: not a whole number"),
    (["put", "--bucket", "raw-zone", "a-file.txt", "a.txt", "--part-size", "4"], "error: --part-size 4: S3 takes "
     "parts of 5 MiB to 5120 MiB (5 GiB)"),
    (["put", "--bucket", "raw-zone", "a-file.txt", "a.txt", "--part-size", "5121"], "error: --part-size 5121: S3 "
     "takes parts of 5 MiB to 5120 MiB (5 GiB)"),
    (["put", "--bucket", "raw-zone", "a-file.txt", "a.txt", "--multipart-threshold", "0"], "error: "
     "--multipart-threshold 0: give 1 to 5120 MiB"),
    (["put", "--bucket", "raw-zone", "a-file.txt", "a.txt", "--multipart-threshold", "5121"], "error: "
     "--multipart-threshold 5121: give 1 to 5120 MiB"),
    (["presign", "--bucket", "raw-zone", "a.txt", "--expires", "8d"], "error: --expires 8d: 691200 s; presigned URLs "
     "last from 1 s to 7 days (604800 s)"),
    (["presign", "--bucket", "raw-zone", "a.txt", "--expires", "0"], "error: --expires 0: 0 s; presigned URLs last "
     "from 1 s to 7 days (604800 s)"),
    (["presign", "--bucket", "raw-zone", "a.txt", "--expires", "1w"], "error: --expires 1w: give seconds or a number "
     "with s, m, h or d, e.g. 3600, 12h, 7d"),
    # --region, --profile
    (["ls", "--bucket", "raw-zone", "--region", "us_east_1"], "error: --region us_east_1: not an AWS region name"),
    (["ls", "--bucket", "raw-zone", "--region", "US-EAST-1"], "error: --region US-EAST-1: not an AWS region name"),
    (["ls", "--bucket", "raw-zone", "--region", "us-east-1\n"], "error: --region 'us-east-1\\n': not an AWS region "
     "name"),
    (["ls", "--bucket", "raw-zone", "--profile", "nosuch"], "error: --profile nosuch: no such profile in "
     "~/.aws/config or ~/.aws/credentials"),
    # --stack-outputs
    (["ls", "--stack-outputs", "missing.json", "--zone", "raw"], "error: --stack-outputs missing.json: no such file"),
    (["ls", "--stack-outputs", "a-directory", "--zone", "raw"], "error: --stack-outputs a-directory: a directory, not "
     "a file of stack outputs"),
    (["ls", "--stack-outputs", "not-json.json", "--zone", "raw"], "error: --stack-outputs not-json.json: not a "
     "readable JSON file of stack outputs (Expecting property name enclosed in double quotes: line 1 column 2 "
     "(char 1))"),
    (["ls", "--stack-outputs", "array.json", "--zone", "raw"], "error: --stack-outputs array.json: a JSON array, not "
     "stack outputs"),
    (["ls", "--stack-outputs", "deep.json", "--zone", "raw"], "error: --stack-outputs deep.json: nested deeper than "
     "64 levels, not stack outputs"),
    (["ls", "--stack-outputs", "deep65.json", "--zone", "raw"], "error: --stack-outputs deep65.json: nested deeper "
     "than 64 levels, not stack outputs"),
    (["ls", "--stack-outputs", "nan.json", "--zone", "raw"], "error: --stack-outputs nan.json: not a readable JSON "
     "file of stack outputs (NaN is not JSON)"),
    (["ls", "--stack-outputs", "bad-bucket.json", "--zone", "raw"], "error: --stack-outputs bad-bucket.json: "
     "zoneBuckets.raw is not a valid S3 bucket name (Raw_Zone)"),
    (["ls", "--stack-outputs", "bad-key.json", "--zone", "raw"], "error: --stack-outputs bad-key.json: keyArn is not "
     "a full KMS key ARN"),
    (["ls", "--stack-outputs", "outputs.json", "--zone", "gold"], "error: zone 'gold' is not in the stack outputs' "
     "zoneBuckets (zones: raw)"),
    # user metadata
    (["put", "--bucket", "raw-zone", "a-file.txt", "a.txt", "--metadata", "source"], "error: --metadata source: "
     "expected NAME=VALUE, e.g. source=bccd"),
    (["put", "--bucket", "raw-zone", "a-file.txt", "a.txt", "--metadata", "note=" + "x" * 3000], "error: user "
     "metadata is 3004 bytes; S3 accepts at most 2048"),
    # local paths
    (["put", "--bucket", "raw-zone", "missing.txt", "a.txt"], "error: PATH missing.txt: no such file or directory"),
    (["sync", "--bucket", "raw-zone", "images/", "a-file.txt"], "error: DIRECTORY a-file.txt: exists and is not a "
     "directory"),
]


@pytest.mark.parametrize(("words", "first"), DATA_CASES)
def test_data_refuses_bad_input_before_any_request(words: list[str], first: str, sent: list[str], files: Path,
                                                   closed_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["data", *words, "--endpoint-url", f"https://127.0.0.1:{closed_port}"], capsys)
    assert code == 2
    assert err[0].startswith(first) if "NO_CERTIFICATE" in first else err[0] == first
    assert len(err) <= 2 and all(line.startswith("hint: ") for line in err[1:])
    assert sent == []


ENDPOINT_CASES = [
    ("ftp://127.0.0.1:21", "error: --endpoint-url ftp://127.0.0.1:21: expected http:// or https:// and a host name"),
    ("https://", "error: --endpoint-url https://: expected http:// or https:// and a host name"),
    ("127.0.0.1:5000", "error: --endpoint-url 127.0.0.1:5000: expected http:// or https:// and a host name"),
    ("https://127.0.0.1:99999", "error: --endpoint-url https://127.0.0.1:99999: not a URL (Port out of range "
     "0-65535)"),
    ("https://me:secret@127.0.0.1", "error: --endpoint-url https://me:secret@127.0.0.1: credentials in the URL are "
     "not used and would be logged"),
    ("https://127.0.0.1/?x=1", "error: --endpoint-url https://127.0.0.1/?x=1: an endpoint takes no query or "
     "fragment"),
    ("http://s3.eu-west-1.amazonaws.com", "error: --endpoint-url http://s3.eu-west-1.amazonaws.com: plain http to "
     "s3.eu-west-1.amazonaws.com, which the lake refuses"),
    ("http://10.0.0.5:9000", "error: --endpoint-url http://10.0.0.5:9000: plain http to 10.0.0.5, which the lake "
     "refuses"),
]


@pytest.mark.parametrize(("url", "first"), ENDPOINT_CASES)
def test_endpoints_are_checked_before_any_request(url: str, first: str, sent: list[str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["data", "ls", "--bucket", "raw-zone", "--endpoint-url", url], capsys)
    assert (code, err[0], sent) == (2, first, [])
    if "plain http" in first:
        assert err[1] == ("hint: the lake's bucket policies deny requests without TLS: use https:// (plain http is "
                          "only for a test server on this machine: 127.0.0.1, ::1 or localhost)")


def test_an_unknown_profile_names_the_files_and_the_profiles_there_are(sent: list[str], tmp_path: Path,
                                                                      closed_port: int, monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = us-east-1\n[profile audit]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    code, err = run(["data", "ls", "--bucket", "raw-zone", "--profile", "nosuch",
                     "--endpoint-url", f"https://127.0.0.1:{closed_port}"], capsys)
    assert (code, sent) == (2, [])
    assert err == [f"error: --profile nosuch: no such profile in {config} or ~/.aws/credentials",
                   "hint: profiles there: audit, default"]


def test_an_unknown_aws_profile_variable_is_refused_like_the_option(sent: list[str], closed_port: int,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AWS_PROFILE", "ghost")
    for argv in (["data", "ls", "--bucket", "raw-zone", "--endpoint-url", f"https://127.0.0.1:{closed_port}"],
                 ["audit", "--tag", "lake=mlteam", "--endpoint-url", f"http://127.0.0.1:{closed_port}"]):
        code, err = run(argv, capsys)
        assert (code, err[0]) == (2, "error: AWS_PROFILE ghost: no such profile in ~/.aws/config or "
                                     "~/.aws/credentials")
    assert sent == []


def test_a_file_larger_than_an_s3_object_is_refused_before_reading_it(sent: list[str], tmp_path: Path,
                                                                       closed_port: int,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(inputs, "MAX_OBJECT_SIZE", 3)  # a 49 TiB file is not made for a test
    (tmp_path / "big.bin").write_bytes(b"four")
    code, err = run(["data", "put", "--bucket", "raw-zone", "big.bin", "big.bin", "--key-arn", KEY_ARN,
                     "--endpoint-url", f"https://127.0.0.1:{closed_port}"], capsys)
    assert (code, sent) == (2, [])
    assert err == ["error: big.bin: 4 bytes; an S3 object is at most 3 bytes (10,000 parts of 5 GiB)",
                   "hint: split the file"]


def test_keys_composed_from_a_directory_are_checked_before_the_first_upload(sent: list[str], tmp_path: Path,
                                                                           closed_port: int,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "a.txt").write_text("a")
    prefix = "p" * 1020 + "/"
    code, err = run(["data", "put", "--bucket", "raw-zone", "set", prefix, "--key-arn", KEY_ARN,
                     "--endpoint-url", f"https://127.0.0.1:{closed_port}"], capsys)
    assert (code, sent) == (2, [])
    assert err[0] == f"error: KEY {'p' * 80}...: 1026 bytes of UTF-8; S3 keys are at most 1024"


AUDIT_CASES = [
    (["--bucket", "UPPER"], "error: --bucket UPPER: not a valid S3 bucket name: 'U' is not allowed (lowercase "
     "letters, digits, dots and hyphens only)"),
    (["--prefix", "Foo"], "error: --prefix Foo: no S3 bucket name starts like this"),
    (["--tag", "lake"], "error: --tag lake: expected KEY=VALUE, e.g. lake=mlteam"),
    (["--tag", "k" * 129 + "=v"], f"error: --tag {'k' * 80}...: tag keys are at most 128 characters and values 256"),
    (["--tag", "lake=mlteam", "--concurrency", "0"], "error: --concurrency 0: give 1 to 256 requests in flight"),
    (["--tag", "lake=mlteam", "--region", "mars-1"], "error: --region mars-1: not an AWS region name"),
    (["--tag", "lake=mlteam", "--profile", "nosuch"], "error: --profile nosuch: no such profile in ~/.aws/config or "
     "~/.aws/credentials"),
    (["--stack-outputs", "deep.json"], "error: --stack-outputs deep.json: nested deeper than 64 levels, not stack "
     "outputs"),
    (["--stack-outputs", "bad-bucket.json"], "error: --stack-outputs bad-bucket.json: zoneBuckets.raw is not a valid "
     "S3 bucket name (Raw_Zone)"),
    (["--tag", "lake=mlteam", "--against-plan", "missing.json"], "error: --against-plan missing.json: no such file"),
    (["--tag", "lake=mlteam", "--against-plan", "array.json"], "error: --against-plan array.json: a JSON array, not "
     "a plan document"),
    (["--tag", "lake=mlteam", "--against-plan", "plan-deep.json"], "error: --against-plan plan-deep.json: nested "
     "deeper than 64 levels, not a plan document"),
    (["--tag", "lake=mlteam", "--against-plan", "outputs.json"], "error: --against-plan outputs.json: not a plan "
     "document (no formatVersion, resources or environment)"),
    (["--tag", "lake=mlteam", "--against-plan", "report.json"], "error: --against-plan report.json: a `lake audit` "
     "report, not a plan document"),
    (["--tag", "lake=mlteam", "--against-plan", "plan-v2.json"], "error: --against-plan plan-v2.json: plan "
     "formatVersion 2; this lake reads formatVersion 1"),
    (["--tag", "lake=mlteam", "--against-plan", "plan-bool.json"], "error: --against-plan plan-bool.json: plan "
     "formatVersion true; this lake reads formatVersion 1"),
]


@pytest.mark.parametrize(("words", "first"), AUDIT_CASES)
def test_audit_refuses_bad_input_before_any_request(words: list[str], first: str, sent: list[str], files: Path,
                                                    closed_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["audit", *words, "--endpoint-url", f"http://127.0.0.1:{closed_port}"], capsys)
    assert (code, err[0], sent) == (2, first, [])
    assert len(err) <= 2 and all(line.startswith("hint: ") for line in err[1:])


def test_audit_refuses_plain_http_to_another_host(sent: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["audit", "--tag", "lake=mlteam", "--endpoint-url", "http://192.0.2.10:5000"], capsys)
    assert (code, err[0], sent) == (2, "error: --endpoint-url http://192.0.2.10:5000: plain http to 192.0.2.10, "
                                       "which the lake refuses", [])


def test_the_recorders_do_see_a_request_when_the_inputs_are_good(sent: list[str], files: Path, closed_port: int,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The control: the same harness, good inputs, and the request is caught on its way out."""
    argv = ["data", "ls", "--stack-outputs", "outputs.json", "--zone", "raw", "--region", "us-east-1",
            "--ca-bundle", str(files / "tls" / "sandbox-cert.pem"), "--concurrency", "4",
            "--endpoint-url", f"https://127.0.0.1:{closed_port}"]
    try:
        main(argv)
    except NetworkAttempt:
        pass
    capsys.readouterr()
    assert sent and sent[0].startswith(f"botocore GET https://127.0.0.1:{closed_port}/raw-zone?list-type=2")


# --- the checks themselves: what they accept ------------------------------------------------------


@pytest.mark.parametrize("name", ["mlteam-dev-raw", "a.b-c", "abc", "1" * 63, "my-bucket-123456789012-us-east-1-an"])
def test_valid_bucket_names_pass(name: str) -> None:
    assert inputs.bucket_name(name) == name


@pytest.mark.parametrize("name", ["us-east-1", "eu-central-2", "ap-southeast-4", "us-gov-west-1", "cn-north-1",
                                  "us-isob-east-1", "mx-central-1"])
def test_aws_regions_pass(name: str) -> None:
    assert inputs.region(name) == name


@pytest.mark.parametrize("url", ["https://s3.eu-west-1.amazonaws.com", "https://127.0.0.1:5000",
                                 "http://127.0.0.1:5000", "http://localhost:9000", "http://[::1]:5000",
                                 "http://127.8.9.10"])
def test_https_and_loopback_http_endpoints_pass(url: str) -> None:
    assert inputs.endpoint_url(url) == url


def test_a_pem_certificate_passes_as_ca_bundle(tmp_path: Path) -> None:
    path = str(self_signed_certificate(tmp_path).cert_path)
    assert inputs.ca_bundle(path) == path


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_ca_bundle_is_refused(tmp_path: Path) -> None:
    path = self_signed_certificate(tmp_path).cert_path
    path.chmod(0)
    with pytest.raises(InputError, match=r"not readable \(permission denied\)"):
        inputs.ca_bundle(str(path))


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("256", 256)])
def test_concurrency_bounds(text: str, value: int) -> None:
    assert inputs.concurrency(text) == value


@pytest.mark.parametrize(("check", "text", "value"), [
    (inputs.part_size_mib, "5", 5), (inputs.part_size_mib, "5120", 5120),
    (inputs.multipart_threshold_mib, "1", 1), (inputs.multipart_threshold_mib, "5120", 5120),
])
def test_s3_part_limits_are_inclusive(check: Any, text: str, value: int) -> None:
    assert check(text) == value


def test_keys_of_exactly_1024_bytes_pass() -> None:
    assert inputs.object_key("é" * 512) == "é" * 512


def test_a_key_with_undecodable_bytes_is_refused() -> None:
    with pytest.raises(InputError, match="not valid UTF-8"):
        inputs.object_key("caf\udce9")


def test_json_nested_64_deep_passes_and_65_does_not(tmp_path: Path) -> None:
    path = tmp_path / "o.json"
    path.write_text('{"zoneBuckets": {"raw": "raw-zone"}, "x": ' + "[" * 62 + "]" * 62 + "}")
    assert inputs.stack_outputs(str(path)).document["zoneBuckets"] == {"raw": "raw-zone"}
    path.write_text('{"zoneBuckets": {"raw": "raw-zone"}, "x": ' + "[" * 64 + "]" * 64 + "}")
    with pytest.raises(InputError, match="nested deeper than 64 levels"):
        inputs.stack_outputs(str(path))


def test_the_dev_plan_is_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    # The least the plan adapter reads (lake_from_plan): plan_file refuses a plan it cannot read.
    path.write_text(json.dumps({"formatVersion": 1, "resources": [], "outputs": {},
                                "environment": {"accountId": "123456789012", "region": "us-east-1", "partition": "aws"},
                                "settings": {"production": False, "administrators": [],
                                             "network": {"allowed_buckets": []}}}))
    assert inputs.plan_file(str(path)).path == path


def test_the_python_client_refuses_what_the_command_line_refuses(sent: list[str]) -> None:
    from lake.data import LakeClient, UsageError

    with pytest.raises(UsageError, match="^bucket Raw_Zone: not a valid S3 bucket name: 'R' is not allowed"):
        LakeClient.for_bucket("Raw_Zone")
    with pytest.raises(UsageError, match="^key_arn alias/lake: not a full KMS key ARN"):
        LakeClient.for_bucket("raw-zone", "alias/lake")
    assert sent == []


def test_the_plan_format_version_read_is_the_one_written() -> None:
    from lake.plan.render import FORMAT_VERSION

    assert inputs.PLAN_FORMAT_VERSION == FORMAT_VERSION
