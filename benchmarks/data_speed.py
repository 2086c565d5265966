"""Many small objects down, one large object up and down: the data client against `aws s3 cp`, s3fs
and a naive boto3 loop, on the benchmarks' S3 endpoint (benchmarks/endpoint.py), at two latencies.

For each latency model a new endpoint (https, keep-alive, the first-byte delay on every request of
every tool alike) is seeded once, not timed: ``--small`` sets of random objects under their own
prefixes, and one random object of ``--big-mib`` MiB. Each run times every tool on every case, the
tools' order rotating from run to run. Every tool runs as a child process so that its peak RSS is
its own (``os.wait4``): ours, the naive loop and s3fs time the operation inside their process
(imports excluded, session and client made inside the timed call); the CLI is timed from start to
exit, and its start-up alone (`aws --version`) is reported. Every run is checked afterwards (names,
sizes and CRC32 of every downloaded file; the uploaded object's size, KMS key and CRC32 read back):
a run that did not transfer everything counts as failed, never as fast.

    python -m benchmarks.data_speed [--runs 3] [--latencies 30,100] [--small 1000x64,10000x4]
        [--big-mib 200] [--naive-limit 250] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import awscli_peer, peer_venv  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
BUCKET = "lake-bench-raw"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0b7a4f8e-1d2c-4e5f-9a8b-7c6d5e4f3a2b"
BIG_DOWN_KEY = "bench/big/big.bin"
BIG_UP_KEY = "bench/up/big.bin"
MiB = 1024 * 1024
OURS, CLI, S3FS, NAIVE = "lake data client", "aws s3 cp", "s3fs", "naive boto3 loop"
TOOLS = (OURS, CLI, S3FS, NAIVE)
CONCURRENCY = {OURS: 32, CLI: 10, NAIVE: 1}  # requests in flight by default (s3fs: its batches, see below)
FAKE_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}
WORKER_TIMEOUT_SECONDS = 900  # every child is bounded


@dataclass(frozen=True)
class SmallSet:
    count: int
    kib: int

    @property
    def prefix(self) -> str:
        return f"bench/small-{self.kib}k/"

    @property
    def case(self) -> str:
        return f"{self.count:,} x {self.kib} KiB down"


@dataclass(frozen=True)
class Run:
    seconds: float
    objects: int  # objects the tool transferred (the naive loop: a prefix of the set)
    rss_mb: float  # peak resident set of the tool's process, MB (10^6 bytes)
    tool_cpu: float
    server_cpu: float
    problem: str | None = None


@dataclass
class PerLatency:
    first_byte_ms: float
    probe: dict[int, float] = field(default_factory=dict)  # KiB -> GETs/s the endpoint answers
    runs: dict[tuple[str, str], list[Run]] = field(default_factory=dict)  # (case, tool) -> runs
    cli_startup: list[float] = field(default_factory=list)
    load: list[float] = field(default_factory=list)


# --- the workers: one child process per timed operation -----------------------------------------

S3FS_WORKER = r'''
import json, sys, time
spec = json.loads(sys.argv[1])
import s3fs
started = time.perf_counter()
fs = s3fs.S3FileSystem(key="testing", secret="testing", endpoint_url=spec["endpoint"],
                       client_kwargs={"region_name": spec["region"], "verify": spec["ca"]},
                       config_kwargs={"s3": {"addressing_style": "path"}},
                       s3_additional_kwargs={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": spec["key_arn"]})
if spec["op"] == "get-prefix":
    fs.get(spec["bucket"] + "/" + spec["source"], spec["target"] + "/", recursive=True)
elif spec["op"] == "get-object":
    fs.get(spec["bucket"] + "/" + spec["source"], spec["target"])
else:
    fs.put(spec["source"], spec["bucket"] + "/" + spec["target"])
print(json.dumps({"seconds": time.perf_counter() - started}))
'''


def worker(spec: dict) -> None:
    """``--worker``: one operation of ours or the naive loop, in this (child) process."""
    import boto3
    from botocore.config import Config

    from lake.data import Connection, LakeClient

    started = time.perf_counter()
    if spec["tool"] == OURS:
        connection = Connection(endpoint_url=spec["endpoint"], verify=spec["ca"], region=REGION,
                                session=boto3.Session(**FAKE_KEYS))
        client = LakeClient(BUCKET, spec["key_arn"], connection)
        if spec["op"] == "put":
            client.upload(spec["target"], Path(spec["source"]))
        else:
            report = client.download(spec["source"], Path(spec["target"]))
            if report.failed:
                print(json.dumps({"problem": f"{len(report.failed)} failed: {report.failed[0]}"}))
                return
    else:  # the naive loop: boto3's defaults, one request after the other
        s3 = boto3.Session(**FAKE_KEYS).client("s3", endpoint_url=spec["endpoint"], verify=spec["ca"],
                                               config=Config(s3={"addressing_style": "path"}))
        target = Path(spec["target"])
        if spec["op"] == "get-prefix":
            target.mkdir(parents=True, exist_ok=True)
            done = 0
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=spec["source"]):
                for item in page.get("Contents", []):
                    if done >= spec["limit"]:
                        break
                    data = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
                    (target / item["Key"][len(spec["source"]):]).write_bytes(data)
                    done += 1
                if done >= spec["limit"]:
                    break
        elif spec["op"] == "get-object":
            body = s3.get_object(Bucket=BUCKET, Key=spec["source"])["Body"]
            with target.open("wb") as out:
                for chunk in body.iter_chunks(1024 * 1024):
                    out.write(chunk)
        else:
            with open(spec["source"], "rb") as body:
                s3.put_object(Bucket=BUCKET, Key=spec["target"], Body=body,
                              ServerSideEncryption="aws:kms", SSEKMSKeyId=spec["key_arn"])
    print(json.dumps({"seconds": time.perf_counter() - started}))


def run_child(command: list[str], env: dict[str, str] | None, server_pid: int, own_clock: bool,
              usage_file: Path) -> Run:
    """Run ``command`` under /usr/bin/time, for its own peak RSS and CPU (a child forked by this
    process would inherit this process's high-water mark in ru_maxrss); ``own_clock``: the child prints
    its own operation time (JSON, last line), else the process's wall time counts."""
    from benchmarks.endpoint import process_tree_cpu

    server_before = process_tree_cpu(server_pid)
    started = time.perf_counter()
    try:
        done = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", str(usage_file), *command], env=env,
                              cwd=REPO, capture_output=True, text=True, timeout=WORKER_TIMEOUT_SECONDS)
        returncode, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        returncode, out, err = -9, "", f"killed after {WORKER_TIMEOUT_SECONDS} s"
    wall = time.perf_counter() - started
    server_cpu = process_tree_cpu(server_pid) - server_before
    try:
        kib, user, system = usage_file.read_text().strip().splitlines()[-1].split()
        rss, cpu = int(kib) * 1024 / 1e6, float(user) + float(system)
    except (OSError, ValueError):
        rss, cpu = float("nan"), float("nan")
    if returncode != 0:
        tail = " ".join((err or out).strip().splitlines()[-3:])[-300:]
        return Run(wall, 0, rss, cpu, server_cpu, f"exit {returncode}: {tail}")
    if not own_clock:
        return Run(wall, 0, rss, cpu, server_cpu)
    answer = json.loads(out.strip().splitlines()[-1])
    return Run(answer.get("seconds", wall), 0, rss, cpu, server_cpu, answer.get("problem"))


# --- seeding and checking -----------------------------------------------------------------------


def seed(endpoint, workdir: Path, sets: list[SmallSet], big_mib: int) -> tuple[dict, Path, int]:  # noqa: ANN001
    """Random small objects under each set's prefix and a random big object (our client, SSE-KMS),
    and the big file on disk. Not timed. Returns {prefix: {name: (size, crc)}}, the file, its CRC."""
    import boto3

    from lake.data import Connection, LakeClient

    s3 = endpoint.client()
    s3.create_bucket(Bucket=BUCKET)
    client = LakeClient(BUCKET, KEY_ARN, Connection(endpoint_url=endpoint.endpoint_url, verify=str(endpoint.ca_bundle),
                                                    region=REGION, session=boto3.Session(**FAKE_KEYS)))
    rng = random.Random(20261206)
    expected = {}
    for small in sets:
        directory = workdir / f"seed-{small.kib}k"
        directory.mkdir()
        names = {}
        for n in range(small.count):
            data = rng.randbytes(small.kib * 1024)
            name = f"part-{n:05d}.bin"
            (directory / name).write_bytes(data)
            names[name] = (len(data), zlib.crc32(data))
        client.upload(small.prefix, directory)
        shutil.rmtree(directory)
        expected[small.prefix] = names
    big, crc = workdir / "big.bin", 0
    with big.open("wb") as out:
        for _ in range(big_mib):
            chunk = rng.randbytes(MiB)
            crc = zlib.crc32(chunk, crc)
            out.write(chunk)
    client.upload(BIG_DOWN_KEY, big)
    return expected, big, crc


def files_under(destination: Path) -> dict[str, Path]:
    found = {p.relative_to(destination).as_posix(): p for p in destination.rglob("*") if p.is_file()}
    # a tool that copies the prefix's folder itself into the destination: look inside it
    tops = {name.split("/", 1)[0] for name in found}
    if len(tops) == 1 and all("/" in name for name in found):
        top = tops.pop()
        found = {name.split("/", 1)[1]: path for name, path in found.items() if name.startswith(top + "/")}
    return found


def check_small(destination: Path, expected: dict[str, tuple[int, int]]) -> str | None:
    found = files_under(destination) if destination.exists() else {}
    missing, extra = set(expected) - set(found), set(found) - set(expected)
    if missing or extra:
        return f"{len(found)} files, {len(missing)} missing, {len(extra)} unexpected"
    wrong = [name for name, (size, crc) in expected.items()
             if found[name].stat().st_size != size or zlib.crc32(found[name].read_bytes()) != crc]
    return f"{len(wrong)} files differ" if wrong else None


def file_crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(4 * MiB), b""):
            crc = zlib.crc32(chunk, crc)
    return crc


def check_big_down(path: Path, size: int, crc: int) -> str | None:
    if not path.is_file():
        return "no file"
    if path.stat().st_size != size:
        return f"{path.stat().st_size} of {size} bytes"
    return None if file_crc(path) == crc else "CRC32 differs"


def check_big_up(s3, size: int, crc: int) -> str | None:  # noqa: ANN001 - a botocore client
    """Size, SSE-KMS key and the CRC32 of the object read back; then the object is deleted."""
    try:
        head = s3.head_object(Bucket=BUCKET, Key=BIG_UP_KEY)
        if head["ContentLength"] != size:
            return f"uploaded {head['ContentLength']} of {size} bytes"
        if head.get("SSEKMSKeyId") != KEY_ARN:
            return f"encrypted with {head.get('SSEKMSKeyId')}, not the lake key"
        got = 0
        for chunk in s3.get_object(Bucket=BUCKET, Key=BIG_UP_KEY)["Body"].iter_chunks(4 * MiB):
            got = zlib.crc32(chunk, got)
        return None if got == crc else "CRC32 read back differs"
    finally:
        s3.delete_object(Bucket=BUCKET, Key=BIG_UP_KEY)


# --- one latency setting ------------------------------------------------------------------------


def measure_latency(first_byte_ms: float, runs: int, sets: list[SmallSet], big_mib: int, naive_limit: int,
                    executables: dict[str, Path], workdir: Path) -> PerLatency:
    from benchmarks.endpoint import Endpoint, LatencyModel

    measured = PerLatency(first_byte_ms, load=[os.getloadavg()[0]])
    with Endpoint(LatencyModel(first_byte_ms)) as endpoint:
        started = time.perf_counter()
        expected, big, big_crc = seed(endpoint, workdir, sets, big_mib)
        big_size = big.stat().st_size
        print(f"{first_byte_ms:g} ms: seeded in {time.perf_counter() - started:.1f} s", flush=True)
        for kib in sorted({s.kib for s in sets}):
            measured.probe[kib] = endpoint.probe(kib, seconds=3.0).rate
            print(f"{first_byte_ms:g} ms: endpoint answers {measured.probe[kib]:.0f} {kib} KiB GETs/s", flush=True)
        s3 = endpoint.client()
        ca = str(endpoint.ca_bundle)
        common = {"endpoint": endpoint.endpoint_url, "ca": ca, "key_arn": KEY_ARN, "region": REGION, "bucket": BUCKET}
        cli_env = awscli_peer.environment(workdir, REGION, endpoint.ca_bundle)
        py_env = {**os.environ, "PYTHONPATH": str(REPO)}
        s3fs_script = workdir / "s3fs_worker.py"
        s3fs_script.write_text(S3FS_WORKER)
        usage = workdir / "usage.txt"

        def launch(tool: str, op: str, source: str, target: str, limit: int) -> Run:
            spec = {**common, "tool": tool, "op": op, "source": source, "target": target, "limit": limit}
            if tool == CLI:
                if op == "put":
                    args = [source, f"s3://{BUCKET}/{target}", "--sse", "aws:kms", "--sse-kms-key-id", KEY_ARN]
                elif op == "get-prefix":
                    args = [f"s3://{BUCKET}/{source}", target, "--recursive"]
                else:
                    args = [f"s3://{BUCKET}/{source}", target]
                command = [str(executables[CLI]), "s3", "cp", *args, "--endpoint-url", endpoint.endpoint_url,
                           "--only-show-errors"]
                return run_child(command, cli_env, endpoint.pid, False, usage)
            if tool == S3FS:
                return run_child([str(executables[S3FS]), str(s3fs_script), json.dumps(spec)], None, endpoint.pid, True,
                                 usage)
            return run_child([sys.executable, "-m", "benchmarks.data_speed", "--worker", json.dumps(spec)],
                             py_env, endpoint.pid, True, usage)

        def checked(run: Run, check: Callable[[], str | None], objects: int) -> Run:
            if run.problem is None:
                try:
                    problem = check()
                except Exception as error:  # noqa: BLE001 - an unreadable result is a failed run
                    problem = f"check failed: {type(error).__name__}: {error}"
            else:
                problem = run.problem
            return Run(run.seconds, objects, run.rss_mb, run.tool_cpu, run.server_cpu, problem)

        for run in range(runs):
            start = time.perf_counter()
            subprocess.run([str(executables[CLI]), "--version"], env=cli_env, capture_output=True)
            measured.cli_startup.append(time.perf_counter() - start)
            order = TOOLS[run % len(TOOLS):] + TOOLS[:run % len(TOOLS)]
            for small in sets:
                names = expected[small.prefix]
                for tool in order:
                    limit = naive_limit if tool == NAIVE else len(names)
                    wanted = dict(sorted(names.items())[:limit])
                    target = workdir / f"down-{run}"
                    result = checked(launch(tool, "get-prefix", small.prefix, str(target), limit),
                                     lambda: check_small(target, wanted), len(wanted))
                    shutil.rmtree(target, ignore_errors=True)
                    _record(measured, small.case, tool, result, run, runs)
            for tool in order:
                target = workdir / f"big-down-{run}"
                target.mkdir()
                path = target / "big.bin"
                source = "bench/big/" if tool == OURS else BIG_DOWN_KEY  # ours downloads a prefix
                result = checked(launch(tool, "get-prefix" if tool == OURS else "get-object", source,
                                        str(target if tool == OURS else path), 1),
                                 lambda: check_big_down(path, big_size, big_crc), 1)
                shutil.rmtree(target, ignore_errors=True)
                _record(measured, f"{big_mib} MiB down", tool, result, run, runs)
            for tool in order:
                result = checked(launch(tool, "put", str(big), BIG_UP_KEY, 1),
                                 lambda: check_big_up(s3, big_size, big_crc), 1)
                _record(measured, f"{big_mib} MiB up", tool, result, run, runs)
        big.unlink()
    measured.load.append(os.getloadavg()[0])
    return measured


def _record(measured: PerLatency, case: str, tool: str, done: Run, run: int, runs: int) -> None:
    measured.runs.setdefault((case, tool), []).append(done)
    outcome = f"FAILED ({done.problem})" if done.problem else f"{done.seconds:.2f} s, {done.rss_mb:.0f} MB"
    print(f"{measured.first_byte_ms:g} ms, run {run + 1}/{runs}, {case}, {tool}: {outcome}", flush=True)


# --- reporting ----------------------------------------------------------------------------------


def good(runs: list[Run]) -> list[Run]:
    return [r for r in runs if r.problem is None]


def rate_of(runs: list[Run]) -> float | None:
    """Median objects per second of the complete runs."""
    ok = good(runs)
    return statistics.median(r.objects / r.seconds for r in ok) if ok else None


def seconds_of(runs: list[Run]) -> float | None:
    ok = good(runs)
    return statistics.median(r.seconds for r in ok) if ok else None


def case_bytes(case: str, sets: list[SmallSet], big_mib: int, objects: int) -> int:
    for small in sets:
        if case == small.case:
            return objects * small.kib * 1024
    return big_mib * MiB


def table_lines(measured: PerLatency, sets: list[SmallSet], big_mib: int) -> list[str]:
    rows = []
    for (case, tool), runs in measured.runs.items():
        ok = good(runs)
        if not ok:
            rows.append(f"| {case} | {tool} | failed | | | | | | | | 0 of {len(runs)} |")
            continue
        seconds = [r.seconds for r in ok]
        median = statistics.median(seconds)
        objects = ok[0].objects
        label = tool
        if tool == NAIVE and objects < _set_size(case, sets, objects):
            label = f"{tool} (first {objects:,} objects)"
        rate = statistics.median(r.objects / r.seconds for r in ok)
        small = any(case == s.case for s in sets)
        bound = ""
        if small and tool in CONCURRENCY:
            ceiling = CONCURRENCY[tool] / (measured.first_byte_ms / 1000)
            bound = f"{rate / ceiling:.0%} of {ceiling:,.0f}"
        rows.append(
            f"| {case} | {label} | **{median:.2f}** | {min(seconds):.2f}-{max(seconds):.2f} | "
            f"{case_bytes(case, sets, big_mib, objects) / MiB / median:.1f} | {f'{rate:,.0f}' if small else ''} | "
            f"{bound} | {statistics.median(r.rss_mb for r in ok):.0f} ({max(r.rss_mb for r in ok):.0f}) | "
            f"{statistics.median(r.tool_cpu for r in ok):.2f} | {statistics.median(r.server_cpu for r in ok):.2f} | "
            f"{len(ok)} of {len(runs)} |")
    return [
        "| case | tool | median (s) | min-max (s) | MiB/s | objects/s | of its concurrency bound | peak RSS, "
        "median (max), MB | CPU of the tool (s) | CPU of the endpoint (s) | runs complete |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]


def _set_size(case: str, sets: list[SmallSet], default: int) -> int:
    return next((s.count for s in sets if s.case == case), default)


def judged(measured: PerLatency, case: str, kib: int | None, fastest_rate: float | None) -> str:
    """The endpoint-bound rule for ``case``: the endpoint's probed rate against the fastest tool's."""
    from benchmarks.endpoint import verdict

    if kib is None or fastest_rate is None or kib not in measured.probe:
        return ""
    return verdict(measured.probe[kib], fastest_rate)


def target_lines(measured: PerLatency, sets: list[SmallSet], big_mib: int, primary: bool) -> list[str]:
    lines = []
    word = lambda ok: "met" if ok else "**MISSED**"  # noqa: E731
    for small in sets:
        runs = {tool: measured.runs.get((small.case, tool), []) for tool in TOOLS}
        rates = {tool: rate_of(r) for tool, r in runs.items()}
        fastest = max((r for r in rates.values() if r), default=None)
        rule = judged(measured, small.case, small.kib, fastest)
        ours = rates[OURS]
        if ours is None:
            lines.append(f"- {small.case}: our client failed every run ({runs[OURS][0].problem}): **MISSED**.")
            continue
        bound = CONCURRENCY[OURS] / (measured.first_byte_ms / 1000)
        cpu = statistics.median(r.tool_cpu / r.objects for r in good(runs[OURS]))
        parts = [f"- {small.case}: ours {ours:,.0f} objects/s, **{ours / bound:.0%}** of the concurrency bound "
                 f"({CONCURRENCY[OURS]} / {measured.first_byte_ms:g} ms = {bound:,.0f}/s)"
                 + (f" (target >= 80%: {word(ours >= 0.8 * bound)}{cpu_reason(cpu, ours, bound)})" if primary else "")]
        cli_s = seconds_of(runs[CLI])
        if rates[CLI]:
            startup = statistics.median(measured.cli_startup)
            without = rates[CLI] * cli_s / (cli_s - startup) if cli_s and cli_s > 1.2 * startup else None
            cli_cpu = statistics.median(r.tool_cpu / r.objects for r in good(runs[CLI]))
            why = (f"; the CLI spent {cli_cpu * 1000:.1f} ms of CPU per object, ours {cpu * 1000:.1f} ms: with ours "
                   "bound by its CPU, the ratio is about theirs" if ours < 2 * rates[CLI] else "")
            parts.append(f"**{ours / rates[CLI]:.1f}x** the AWS CLI" + (f" (target >= 2x: {word(ours >= 2 * rates[CLI])}"
                                                                         f"{why})" if primary else "")
                         + (f"; {ours / without:.1f}x without the CLI's start-up" if without else ""))
        if rates[S3FS]:
            parts.append(f"{ours / rates[S3FS]:.1f}x s3fs")
        if rates[NAIVE]:
            parts.append(f"**{ours / rates[NAIVE]:.1f}x** the naive loop (objects/s)"
                         + (f" (target >= 10x: {word(ours >= 10 * rates[NAIVE])})" if primary else ""))
        lines.append(", ".join(parts) + (f". Rule: {rule}." if rule else "."))
    for case in (f"{big_mib} MiB down", f"{big_mib} MiB up"):
        runs = {tool: measured.runs.get((case, tool), []) for tool in TOOLS}
        secs = {tool: seconds_of(r) for tool, r in runs.items()}
        ours = secs[OURS]
        ok = good(runs[OURS])
        if ours is None:
            lines.append(f"- {case}: our client failed every run ({runs[OURS][0].problem}): **MISSED**.")
            continue
        rss = max(r.rss_mb for r in ok)
        text = f"- {case}: ours {ours:.2f} s"
        if secs[CLI]:
            text += f", **{secs[CLI] / ours:.2f}x** the AWS CLI's throughput" + (
                f" (target >= 1x: {word(secs[CLI] >= ours)})" if primary else "")
        if secs[S3FS]:
            text += f", {secs[S3FS] / ours:.2f}x s3fs's"
        text += f"; our peak RSS {rss:.0f} MB (target < 200 MB: {word(rss < 200)})."
        lines.append(text)
    return lines


def cpu_reason(cpu_per_object: float, rate: float, bound: float) -> str:
    """Why a rate stays under 80% of the concurrency bound, when the tool's own CPU explains it."""
    if rate >= 0.8 * bound or not cpu_per_object:
        return ""
    ceiling = 1 / cpu_per_object
    return (f"; measured reason: CPU, not waiting: our process spent {cpu_per_object * 1000:.1f} ms of CPU per object "
            f"(user + system over the objects, median), which allows at most {ceiling:,.0f} objects/s on one fully "
            f"available core (boto3's request handling runs under one GIL), and the bound needs at most "
            f"{1000 / (0.8 * bound):.2f} ms; ours ran at {rate / ceiling:.0%} of that ceiling")


def versions_line() -> str:
    import boto3
    import botocore
    import s3transfer

    s3fs_python = peer_venv.VENVS / "s3fs" / "bin" / "python"
    s3fs = subprocess.run([str(s3fs_python), "-c", "import s3fs, aiobotocore, botocore; "
                           "print(s3fs.__version__, aiobotocore.__version__, botocore.__version__)"],
                          capture_output=True, text=True).stdout.split()
    return (f"Versions: ours and the naive loop boto3 {boto3.__version__}, botocore {botocore.__version__}, "
            f"s3transfer {s3transfer.__version__}; {awscli_peer.versions()}; s3fs {s3fs[0]} (aiobotocore {s3fs[1]}, "
            f"botocore {s3fs[2]}); the peers each in their own virtualenv from their hashed locks.")


def report(results: list[PerLatency], runs: int, sets: list[SmallSet], big_mib: int, naive_limit: int,
           note: str) -> list[str]:
    from benchmarks.endpoint import DEFAULT_FIRST_BYTE_MS, HEADROOM, LATENCY_SOURCE
    from benchmarks.machine import describe

    lines = [
        "## Data transfer against the AWS CLI, s3fs and a naive loop (`python -m benchmarks.data_speed`)",
        "",
        f"Machine and date: {describe()}. {versions_line()}",
        "",
        "Method: the benchmarks' S3 endpoint (benchmarks/endpoint_server.py, see its sections below: asyncio, "
        "https with its self-signed CA trusted by every tool, keep-alive, SigV4 checked, in memory), a new one per "
        "latency model, each request of every tool delayed alike: the first byte of each response leaves no sooner "
        f"than the model's delay after the request's last byte ({DEFAULT_FIRST_BYTE_MS:g} ms by default, the "
        f"\"tens of milliseconds\" of [AWS's guidance]({LATENCY_SOURCE}); 100 ms as a slower setting), no bandwidth "
        "cap. Seeded once per endpoint, not timed: "
        + ", ".join(f"{s.count:,} random objects of {s.kib} KiB under `{s.prefix}`" for s in sets)
        + f", and one {big_mib} MiB random object (SSE-KMS, CRC32); the {big_mib} MiB file on disk. "
        f"{runs} runs per latency; in each, every tool does every case, the tools' order rotating from run to run; "
        "median and min-max of the complete runs. Each tool runs as a child process, its peak RSS read from "
        "`os.wait4` (ru_maxrss); ours, s3fs and the naive loop time the operation inside their process (imports "
        "excluded; session and client made inside the timed call), the CLI is timed from start to exit (start-up "
        "included, also given alone). Checked after every run: the names, sizes and CRC32 of every downloaded file; "
        "the uploaded object's size, its SSE-KMS key (HeadObject) and its CRC32 read back; a run that did not "
        "transfer everything is failed, never fast.",
        "",
        f"- {OURS}: `LakeClient(bucket, key_arn, Connection(...)).download(prefix, dir)` and `.upload(key, file)` "
        "with its defaults (32 requests in flight, multipart from 16 MiB in 16 MiB parts, a full-object CRC32, "
        "SSE-KMS with the lake key); the large object is downloaded as the one object of its prefix.",
        f"- {CLI}: `aws s3 cp s3://bucket/prefix/ dir --recursive`, `aws s3 cp s3://bucket/key file` and `aws s3 cp "
        "file s3://bucket/key --sse aws:kms --sse-kms-key-id <ARN>`, `--endpoint-url`, fake credentials, path-style "
        f"addressing, otherwise its defaults ({awscli_peer.DEFAULTS}).",
        f"- {S3FS}: `S3FileSystem(endpoint_url=..., s3_additional_kwargs={{SSE-KMS with the lake key}})`, "
        "`fs.get(\"bucket/prefix/\", \"dir/\", recursive=True)`, `fs.get(\"bucket/key\", file)`, "
        "`fs.put(file, \"bucket/key\")`, otherwise its defaults.",
        f"- {NAIVE}: one boto3 client with boto3's defaults; ListObjectsV2 pages, then for each key "
        "`get_object(...)[\"Body\"].read()` and a file write, one after the other; the large object: one "
        "`get_object` streamed to the file in 1 MiB chunks, one `put_object` of the open file with SSE-KMS. "
        f"On the small sets it downloads only the first {naive_limit:,} objects of each (its time is one request "
        "after the other, so linear in the count; compared on objects per second).",
        "",
        f"Concurrency bound: a tool with C requests in flight against a delay of L per request cannot exceed C / L "
        f"requests per second; ours keeps {CONCURRENCY[OURS]} in flight, the CLI {CONCURRENCY[CLI]}, the naive loop "
        f"1. The endpoint rule: a small-object result counts only where the endpoint, probed in the same run "
        f"(`Endpoint.probe()`, wrk, presigned GETs of the same size, 256 connections), answered at least "
        f"{HEADROOM:g}x the fastest tool's objects per second.",
    ]
    if note:
        lines += ["", note]
    for position, measured in enumerate(results):
        lines += [
            "",
            f"### {measured.first_byte_ms:g} ms to first byte"
            + (" (the default: targets judged here)" if measured.first_byte_ms == DEFAULT_FIRST_BYTE_MS else ""),
            "",
            "Endpoint capacity in this run: "
            + ", ".join(f"{kib} KiB GETs {rate:,.0f}/s" for kib, rate in sorted(measured.probe.items(), reverse=True))
            + f". AWS CLI start-up alone: median {statistics.median(measured.cli_startup):.2f} s "
            f"({min(measured.cli_startup):.2f}-{max(measured.cli_startup):.2f}). 1-minute load average "
            f"{measured.load[0]:.1f} at the start, {measured.load[-1]:.1f} at the end (2 cores; the tool and the "
            "endpoint account for up to 2).",
            "",
            *table_lines(measured, sets, big_mib),
            "",
            *target_lines(measured, sets, big_mib, measured.first_byte_ms == DEFAULT_FIRST_BYTE_MS),
            *[f"- Failed run: {case}, {tool}: {r.problem}" for (case, tool), runs_ in measured.runs.items()
              for r in runs_ if r.problem],
        ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latencies", default="30,100", help="first-byte delays in ms, comma-separated")
    parser.add_argument("--small", default="1000x64,10000x4", help="COUNTxKIB sets of small objects, comma-separated")
    parser.add_argument("--big-mib", type=int, default=200)
    parser.add_argument("--naive-limit", type=int, default=250, help="objects the naive loop downloads per small set")
    parser.add_argument("--note", default="", help="a paragraph added to the report (e.g. why sizes were reduced)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return
    sets = [SmallSet(*(int(n) for n in item.split("x"))) for item in args.small.split(",")]
    executables = {CLI: awscli_peer.ensure_installed(),
                   S3FS: peer_venv.ensure_tool("s3fs", "python", "once")}
    results = []
    with tempfile.TemporaryDirectory(prefix="data-speed-") as tmp:
        for latency in (float(x) for x in args.latencies.split(",")):
            workdir = Path(tmp) / f"{latency:g}ms"
            workdir.mkdir()
            results.append(measure_latency(latency, args.runs, sets, args.big_mib, args.naive_limit, executables,
                                           workdir))
    lines = report(results, args.runs, sets, args.big_mib, args.naive_limit, args.note)
    print("\n".join(lines))
    if not args.no_write:
        from benchmarks.results import write_section

        write_section("data-speed", "\n".join(lines))


if __name__ == "__main__":
    main()
