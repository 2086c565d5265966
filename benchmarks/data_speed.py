"""Download many small objects and upload one large file: the data client against `aws s3 cp` and a
naive sequential boto3 loop, on one moto server in the same run.

The server holds the dev stack as planned (its bucket policies, the lake key); the raw zone bucket
is seeded once (not timed) with N random objects under one prefix. Each run times every tool on
each case, the tools' order rotating from run to run: the whole operation with time.perf_counter,
for the CLI its process from start to exit (its start-up is part of what a user waits for, and is
also timed alone with `aws --version`). Every run is checked afterwards (files, bytes and CRC32 of
every downloaded file; the uploaded object's size and key): a run that did not transfer everything
counts as failed, never as fast. After each upload the object's versions are deleted so the
server's memory stays bounded.

    python -m benchmarks.data_speed [--runs 3] [--objects 1000] [--object-kib 64] [--big-mib 200] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import awscli_peer  # noqa: E402
from benchmarks.machine import describe  # noqa: E402
from benchmarks.results import write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
BUCKET = "mlteam-dev-raw"
SMALL_PREFIX = "bench/small/"
BIG_KEY = "bench/big.bin"
MiB = 1024 * 1024
OURS, CLI, NAIVE = "lake data client", "aws s3 cp", "naive boto3 loop"
TOOLS = (OURS, CLI, NAIVE)
DOWNLOAD, UPLOAD = "download", "upload"
TARGETS = ((CLI, 1.0, (DOWNLOAD, UPLOAD)), (NAIVE, 4.0, (DOWNLOAD,)))  # peer, min ratio, cases
PROBE_REQUESTS, PROBE_THREADS = 400, 16  # how the server's ceiling is measured
FAKE_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}


@dataclass(frozen=True)
class Lake:
    """Where every tool is pointed: the server, the CA it trusts, the key the bucket policy demands."""

    endpoint_url: str
    ca_bundle: Path | None
    key_arn: str
    server_pid: int


@dataclass(frozen=True)
class Source:
    """What was seeded, to check every run against: relative name -> (size, CRC32); the big file."""

    small: dict[str, tuple[int, int]]
    big: Path  # deleted with the run's temporary directory
    big_size: int

    @property
    def small_bytes(self) -> int:
        return sum(size for size, _ in self.small.values())


@dataclass(frozen=True)
class Run:
    seconds: float
    tool_cpu: float  # user + system seconds of the tool (its process, or the benchmark's own threads)
    server_cpu: float  # user + system seconds the server spent meanwhile
    problem: str | None = None  # why the run does not count (it failed or transferred too little)


@dataclass
class Measured:
    lake: Lake
    source: Source
    runs: dict[tuple[str, str], list[Run]] = field(default_factory=dict)  # (case, tool) -> runs
    cli_startup: list[float] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average at the start and the end
    server_rate: float = 0.0  # cheap requests per second the server answers at most
    keep_alive: bool = True  # False when the server closes the connection after each response


# --- the server ---------------------------------------------------------------------------------


@contextmanager
def lake_server() -> Iterator[Lake]:
    """The policy-enforcing https sandbox with the dev stack applied: the lake's bucket policies
    hold (https only, SSE-KMS with the lake key), as they would on S3."""
    from lake.plan.render import plan_document
    from lake.plan.runner import plan_stack
    from lake.sandbox.apply import apply_plan
    from lake.sandbox.server import MotoServer

    document = plan_document(plan_stack(REPO, "dev"))
    with MotoServer(secure=True) as server:
        applied = apply_plan(document, server.endpoint_url, verify=server.ca_bundle)
        key_arn = applied.substitutions[document["outputs"]["keyArn"]]
        yield Lake(server.endpoint_url, server.ca_bundle, key_arn, server.process.pid)


def process_cpu(pid: int) -> float:
    """User + system seconds of process ``pid`` so far (the server: one process, many threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- clients ------------------------------------------------------------------------------------


def boto3_s3(lake: Lake, pool: int = 10):  # noqa: ANN201 - a botocore client
    """A plain boto3 S3 client with boto3's defaults (a pool of 10 connections); path-style
    addressing is what the test server needs (it has no per-bucket host names), not a tuning."""
    import boto3
    from botocore.config import Config

    config = Config(s3={"addressing_style": "path"}, max_pool_connections=pool)
    return boto3.Session(**FAKE_KEYS).client("s3", endpoint_url=lake.endpoint_url, verify=_verify(lake), config=config)


def lake_client(lake: Lake):  # noqa: ANN201 - a LakeClient
    """Our client with its defaults (concurrency 32, 16 MiB parts)."""
    import boto3

    from lake.data import Connection, LakeClient

    connection = Connection(endpoint_url=lake.endpoint_url, verify=_verify(lake), region=REGION,
                            session=boto3.Session(**FAKE_KEYS))
    return LakeClient(BUCKET, lake.key_arn, connection)


def _verify(lake: Lake) -> str | None:
    return str(lake.ca_bundle) if lake.ca_bundle else None


# --- seeding and checking -----------------------------------------------------------------------


def seed(lake: Lake, workdir: Path, objects: int, object_kib: int, big_mib: int) -> Source:
    """Random small objects uploaded under SMALL_PREFIX (with our client: SSE-KMS, as the policy
    wants), and a random big file on disk. Not timed."""
    rng = random.Random(20261121)
    small_dir = workdir / "small"
    small_dir.mkdir()
    small = {}
    for n in range(objects):
        data = rng.randbytes(object_kib * 1024)
        name = f"part-{n:05d}.bin"
        (small_dir / name).write_bytes(data)
        small[name] = (len(data), zlib.crc32(data))
    lake_client(lake).upload(SMALL_PREFIX, small_dir)
    shutil.rmtree(small_dir)
    big = workdir / "big.bin"
    with big.open("wb") as out:
        for _ in range(big_mib):
            out.write(rng.randbytes(MiB))
    return Source(small, big, big.stat().st_size)


def check_download(destination: Path, source: Source) -> str | None:
    """None when ``destination`` holds exactly the seeded files with their CRC32; else what differs."""
    found = {p.relative_to(destination).as_posix(): p for p in destination.rglob("*") if p.is_file()}
    missing, extra = set(source.small) - set(found), set(found) - set(source.small)
    if missing or extra:
        return f"{len(found)} files, {len(missing)} missing, {len(extra)} unexpected"
    wrong = [name for name, (size, crc) in source.small.items()
             if found[name].stat().st_size != size or zlib.crc32(found[name].read_bytes()) != crc]
    got = sum(p.stat().st_size for p in found.values())
    return f"{len(wrong)} files differ ({got} bytes)" if wrong else None


def check_upload(s3, source: Source, key_arn: str) -> str | None:  # noqa: ANN001 - a botocore client
    """None when BIG_KEY has the big file's size and the lake key; else what differs."""
    head = s3.head_object(Bucket=BUCKET, Key=BIG_KEY)
    if head["ContentLength"] != source.big_size:
        return f"uploaded {head['ContentLength']} of {source.big_size} bytes"
    if head.get("SSEKMSKeyId") != key_arn:
        return f"encrypted with {head.get('SSEKMSKeyId')}, not the lake key"
    return None


def delete_versions(s3, key: str) -> None:  # noqa: ANN001 - a botocore client
    """Every version and delete marker of ``key``, and any unfinished multipart upload of it."""
    listed = s3.list_object_versions(Bucket=BUCKET, Prefix=key)
    for version in listed.get("Versions", []) + listed.get("DeleteMarkers", []):
        s3.delete_object(Bucket=BUCKET, Key=version["Key"], VersionId=version["VersionId"])
    for upload in s3.list_multipart_uploads(Bucket=BUCKET, Prefix=key).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=BUCKET, Key=upload["Key"], UploadId=upload["UploadId"])


def server_ceiling(lake: Lake, key: str) -> tuple[float, bool]:
    """Requests per second the server answers at most (one cheap HeadObject, many threads at once),
    and whether it keeps connections open: what no tool can beat, whatever its concurrency."""
    s3 = boto3_s3(lake, pool=PROBE_THREADS)
    started = time.perf_counter()
    with ThreadPoolExecutor(PROBE_THREADS) as pool:
        answers = list(pool.map(lambda _: s3.head_object(Bucket=BUCKET, Key=key), range(PROBE_REQUESTS)))
    rate = PROBE_REQUESTS / (time.perf_counter() - started)
    return rate, answers[-1]["ResponseMetadata"]["HTTPHeaders"].get("connection") != "close"


# --- the tools ----------------------------------------------------------------------------------
# Each in-process tool makes its own session and client inside the timed call: creating them is
# part of the operation, as it is inside the CLI's process.


def ours_download(lake: Lake, destination: Path) -> str | None:
    report = lake_client(lake).download(SMALL_PREFIX, destination)
    return f"{len(report.failed)} failed: {report.failed[0]}" if report.failed else None


def ours_upload(lake: Lake, path: Path) -> str | None:
    lake_client(lake).upload(BIG_KEY, path)
    return None


def naive_download(lake: Lake, destination: Path) -> str | None:
    """List, then GET and write each object in turn: what a first script does."""
    s3 = boto3_s3(lake)
    destination.mkdir(parents=True)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=SMALL_PREFIX):
        for item in page.get("Contents", []):
            data = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            (destination / item["Key"][len(SMALL_PREFIX):]).write_bytes(data)
    return None


def naive_upload(lake: Lake, path: Path) -> str | None:
    """One PutObject of the whole file."""
    with path.open("rb") as body:
        boto3_s3(lake).put_object(Bucket=BUCKET, Key=BIG_KEY, Body=body,
                                  ServerSideEncryption="aws:kms", SSEKMSKeyId=lake.key_arn)
    return None


class Cli:
    """`aws s3 cp`, run as a new process per operation, pointed at the server with its defaults."""

    def __init__(self, executable: Path, lake: Lake, workdir: Path) -> None:
        self.executable = executable
        self.env = awscli_peer.environment(workdir, REGION, lake.ca_bundle)

    def download(self, lake: Lake, destination: Path) -> str | None:
        return self._cp(lake, f"s3://{BUCKET}/{SMALL_PREFIX}", str(destination), "--recursive")

    def upload(self, lake: Lake, path: Path) -> str | None:
        return self._cp(lake, str(path), f"s3://{BUCKET}/{BIG_KEY}", "--sse", "aws:kms", "--sse-kms-key-id", lake.key_arn)

    def startup(self) -> float:
        started = time.perf_counter()
        awscli_peer.run(self.executable, ["--version"], self.env)
        return time.perf_counter() - started

    def _cp(self, lake: Lake, *args: str) -> None:
        awscli_peer.run(self.executable, ["s3", "cp", *args, "--endpoint-url", lake.endpoint_url], self.env)


# --- measuring ----------------------------------------------------------------------------------


def timed(operation: Callable[[], str | None], server_pid: int) -> Run:
    """Wall time of ``operation``, the CPU the tool and the server spent; a raised error or a
    reported problem makes the run a failed one."""
    server_before, tool_before = process_cpu(server_pid), _own_cpu()
    started = time.perf_counter()
    try:
        problem = operation()
    except Exception as error:  # noqa: BLE001 - any failure of a tool is a failed run, reported
        problem = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    seconds = time.perf_counter() - started
    return Run(seconds, _own_cpu() - tool_before, process_cpu(server_pid) - server_before, problem)


def _own_cpu() -> float:
    """This process's CPU (in-process tools) plus its finished children's (the CLI)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def rotated(run: int) -> tuple[str, ...]:
    """Run 0 starts with the first tool, run 1 with the second...: no tool always goes first."""
    shift = run % len(TOOLS)
    return TOOLS[shift:] + TOOLS[:shift]


Tool = Callable[[Lake, Path], str | None]


def download_run(tool: Tool, lake: Lake, source: Source, destination: Path) -> Run:
    """One timed download into a new directory, checked, then removed."""
    done = _checked(timed(lambda: tool(lake, destination), lake.server_pid),
                    lambda: check_download(destination, source))
    shutil.rmtree(destination, ignore_errors=True)
    return done


def upload_run(tool: Tool, lake: Lake, source: Source, s3) -> Run:  # noqa: ANN001 - a botocore client
    """One timed upload of the big file, checked, then every version of it deleted."""
    done = _checked(timed(lambda: tool(lake, source.big), lake.server_pid),
                    lambda: check_upload(s3, source, lake.key_arn))
    delete_versions(s3, BIG_KEY)
    return done


def measure(runs: int, objects: int, object_kib: int, big_mib: int) -> Measured:
    executable = awscli_peer.ensure_installed()
    with lake_server() as lake, tempfile.TemporaryDirectory(prefix="data-speed-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        source = seed(lake, workdir, objects, object_kib, big_mib)
        print(f"seeded {objects} x {object_kib} KiB and a {big_mib} MiB file in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        cli, s3 = Cli(executable, lake, workdir), boto3_s3(lake)
        downloads = {OURS: ours_download, CLI: cli.download, NAIVE: naive_download}
        uploads = {OURS: ours_upload, CLI: cli.upload, NAIVE: naive_upload}
        measured = Measured(lake, source, load=[os.getloadavg()[0]])
        for run in range(runs):
            measured.cli_startup.append(cli.startup())
            for tool in rotated(run):
                destination = workdir / f"download-{run}-{TOOLS.index(tool)}"
                _record(measured, run, runs, DOWNLOAD, tool, download_run(downloads[tool], lake, source, destination))
            for tool in rotated(run):
                _record(measured, run, runs, UPLOAD, tool, upload_run(uploads[tool], lake, source, s3))
        measured.load.append(os.getloadavg()[0])
        measured.server_rate, measured.keep_alive = server_ceiling(lake, SMALL_PREFIX + min(source.small))
    return measured


def _checked(done: Run, check: Callable[[], str | None]) -> Run:
    """``done``, failed when the check after it finds the transfer incomplete or wrong."""
    if done.problem:
        return done
    try:
        problem = check()
    except Exception as error:  # noqa: BLE001 - an unreadable result is a failed run
        problem = f"check failed: {type(error).__name__}: {error}"
    return Run(done.seconds, done.tool_cpu, done.server_cpu, problem) if problem else done


def _record(measured: Measured, run: int, runs: int, case: str, tool: str, done: Run) -> None:
    measured.runs.setdefault((case, tool), []).append(done)
    outcome = f"FAILED ({done.problem})" if done.problem else f"{done.seconds:.2f} s"
    print(f"run {run + 1}/{runs} {case} {tool}: {outcome}", flush=True)


# --- reporting ----------------------------------------------------------------------------------


def good(runs: list[Run]) -> list[Run]:
    return [r for r in runs if r.problem is None]


def median_seconds(measured: Measured, case: str, tool: str) -> float | None:
    runs = good(measured.runs.get((case, tool), []))
    return statistics.median(r.seconds for r in runs) if runs else None


def case_bytes(measured: Measured, case: str) -> int:
    return measured.source.small_bytes if case == DOWNLOAD else measured.source.big_size


def table_lines(measured: Measured) -> list[str]:
    rows = []
    for (case, tool), runs in measured.runs.items():
        ok = good(runs)
        if not ok:
            rows.append(f"| {case} | {tool} | failed | | | | | | | 0 of {len(runs)} |")
            continue
        seconds = [r.seconds for r in ok]
        median = statistics.median(seconds)
        objects = f"{len(measured.source.small) / median:.0f}" if case == DOWNLOAD else ""
        rows.append(
            f"| {case} | {tool} | **{median:.2f}** | {min(seconds):.2f} | {max(seconds):.2f} | "
            f"**{case_bytes(measured, case) / MiB / median:.1f}** | {objects} | "
            f"{statistics.median(r.tool_cpu for r in ok):.2f} | {statistics.median(r.server_cpu for r in ok):.2f} | "
            f"{len(ok)} of {len(runs)} |")
    return [
        "| case | tool | median (s) | min (s) | max (s) | MiB/s (median) | objects/s | CPU of the tool (s) | "
        "CPU of the server (s) | runs complete |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]


def verdict_lines(measured: Measured) -> list[str]:
    """Per target: ours against the peer on the median, PASS or MISSED with the numbers."""
    lines = []
    for peer, target, cases in TARGETS:
        for case in cases:
            ours, theirs = median_seconds(measured, case, OURS), median_seconds(measured, case, peer)
            failed = [r.problem for r in measured.runs[case, OURS] if r.problem]
            if ours is None or failed:
                lines.append(f"- {case}, ours vs {peer} (target >= {target:g}x): **MISSED**: our client failed "
                             f"{len(failed)} of {len(measured.runs[case, OURS])} runs ({failed[0]}).")
            elif theirs is None:
                lines.append(f"- {case}, ours vs {peer} (target >= {target:g}x): not judged, {peer} failed every run "
                             f"({measured.runs[case, peer][0].problem}).")
            else:
                ratio = theirs / ours
                lines.append(f"- {case}, ours vs {peer}: **{ratio:.2f}x** the throughput ({ours:.2f} s against "
                             f"{theirs:.2f} s; target >= {target:g}x): **{'PASS' if ratio >= target else 'MISSED'}**."
                             + context(measured, case, peer, target))
    return lines


def context(measured: Measured, case: str, peer: str, target: float) -> str:
    """What qualifies a verdict: a target the measured CPU rules out, or runs whose ranges overlap."""
    ours, theirs = good(measured.runs[case, OURS]), good(measured.runs[case, peer])
    server = statistics.median(r.server_cpu for r in ours)
    tool = statistics.median(r.tool_cpu for r in ours)
    floor = max(server, (server + tool) / (os.cpu_count() or 1))  # the server: one process, mostly one GIL
    needed = statistics.median(r.seconds for r in theirs) / target
    if floor > needed:
        return (f" Out of reach here for these requests: answering them cost the server {server:.2f} s of CPU and "
                f"ours {tool:.2f} s (medians), at least {floor:.2f} s of wall time on {os.cpu_count()} cores "
                f"(the server mostly under one GIL), more than the {needed:.2f} s the target allows.")
    if min(r.seconds for r in ours) <= max(r.seconds for r in theirs) and \
            min(r.seconds for r in theirs) <= max(r.seconds for r in ours):
        return " The two tools' min-max ranges overlap: the difference is within this machine's run-to-run spread."
    return ""


def failure_lines(measured: Measured) -> list[str]:
    return [f"- Failed run: {case}, {tool}: {r.problem}"
            for (case, tool), runs in measured.runs.items() for r in runs if r.problem]


def versions_line() -> str:
    import boto3
    import botocore
    import s3transfer
    from moto import __version__ as moto_version

    return (f"Versions: ours and the naive loop boto3 {boto3.__version__}, botocore {botocore.__version__}, "
            f"s3transfer {s3transfer.__version__}; {awscli_peer.versions()} in its own virtualenv; "
            f"moto {moto_version}.")


def bounds_lines(measured: Measured) -> list[str]:
    """What limits every tool here, from what the run measured, and the server's known costs."""
    objects = len(measured.source.small)
    requests = objects + -(-objects // 1000)  # a GET per object, a ListObjectsV2 page per 1,000
    connection = ("keeps connections open" if measured.keep_alive else
                  "closes the connection after every response (werkzeug's development server has no keep-alive), "
                  "so every request of every tool pays a new TCP connection and TLS handshake, which S3 would not "
                  "ask for")
    return [
        "What bounds these figures:",
        f"- The server is one Python process (moto behind the lake's policy gate, one GIL) on the same "
        f"{os.cpu_count()} cores as the tool under test; its CPU per run is in the table. It {connection}.",
        f"- The server answers at most {measured.server_rate:.0f} requests/s ({PROBE_REQUESTS} HeadObject on "
        f"{PROBE_THREADS} threads, after the runs): the download's {requests} requests need at least "
        f"{requests / measured.server_rate:.1f} s of it, whatever a tool's concurrency. Loopback has no network "
        "latency, so concurrency pays here only as far as the server and the tools' own CPU allow; against S3, "
        "where each request waits on the network, requests in flight would count for more.",
        "- Server costs found by profiling moto 5.2.5 while writing this benchmark: it decodes an aws-chunked "
        "request body (what botocore streams over https) by concatenating bytes, quadratic in the number of "
        "chunks, which bounds the naive single PutObject of the whole file; and a multipart upload with a "
        "FULL_OBJECT CRC32 (ours) makes its CompleteMultipartUpload copy the assembled object once more and "
        "checksum it, on one thread, after the last part (S3 combines the parts' CRCs instead).",
        f"- The machine is shared: its 1-minute load average was {measured.load[0]:.1f} when the runs began and "
        f"{measured.load[-1]:.1f} when they ended; the benchmark itself (a tool and the server) accounts for up to "
        f"2 of it, anything more competed with it for the {os.cpu_count()} cores.",
    ]


def report(measured: Measured, runs: int, object_kib: int) -> list[str]:
    source, lake = measured.source, measured.lake
    startup = measured.cli_startup
    transport = "https, its self-signed CA trusted by every tool" if lake.ca_bundle else "plain http"
    return [
        "## Data transfer against the AWS CLI (`benchmarks/data_speed.py`)",
        "",
        f"Machine and date: {describe()}. {versions_line()}",
        "",
        f"Method: one sandbox server on 127.0.0.1 for the whole run, {transport}: moto behind the gate that "
        "enforces the lake's bucket policies (`MotoServer(secure=True)`), the dev stack applied to it, so every "
        "tool must use https and send SSE-KMS with the lake key. "
        f"`{BUCKET}` seeded once, not timed, with {len(source.small)} random "
        f"objects of {object_kib} KiB under `{SMALL_PREFIX}` (SSE-KMS with the lake key, CRC32), and a "
        f"{source.big_size // MiB} MiB random file on disk. {runs} runs; in each, every tool does both "
        "cases, in an order rotating from run to run; median, min and max of the complete runs. Each operation is "
        "timed as a whole with `time.perf_counter`: ours and the naive loop in this process, making their boto3 "
        "session and client inside the timed call; the CLI as a new process from start to exit. Every run is "
        "checked after timing: file names, sizes and CRC32 of every downloaded file; the uploaded object's size "
        "and KMS key (HeadObject); a run that did not transfer everything is failed. The uploaded object's "
        "versions are deleted after each upload (not timed).",
        "",
        f"- {OURS}: `LakeClient(...).download(\"{SMALL_PREFIX}\", dir)` and `.upload(\"{BIG_KEY}\", file)` with "
        "its defaults: 32 concurrent requests, multipart above 16 MiB in 16 MiB parts, a full-object CRC32, "
        "SSE-KMS with the lake key.",
        f"- {CLI}: `aws s3 cp s3://{BUCKET}/{SMALL_PREFIX} dir --recursive` and `aws s3 cp file "
        f"s3://{BUCKET}/{BIG_KEY} --sse aws:kms --sse-kms-key-id <key ARN>`, with `--endpoint-url`, fake "
        f"credentials, path-style addressing and otherwise its defaults ({awscli_peer.DEFAULTS}). Its start-up "
        f"alone (`aws --version`): median {statistics.median(startup):.2f} s (min {min(startup):.2f}, max "
        f"{max(startup):.2f}), included in its times.",
        f"- {NAIVE}: one boto3 client with boto3's defaults; ListObjectsV2 pages, then for each key "
        "`get_object(...)[\"Body\"].read()` and a file write, one after the other; the upload is one `put_object` "
        "of the open file with SSE-KMS.",
        "",
        *table_lines(measured),
        "",
        *verdict_lines(measured),
        *failure_lines(measured),
        "",
        *bounds_lines(measured),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--object-kib", type=int, default=64)
    parser.add_argument("--big-mib", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    measured = measure(args.runs, args.objects, args.object_kib, args.big_mib)
    lines = report(measured, args.runs, args.object_kib)
    print("\n".join(lines))
    if not args.no_write:
        write_section("data-speed", "\n".join(lines))


if __name__ == "__main__":
    main()
