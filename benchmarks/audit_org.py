"""`lake audit` of an organisation: many accounts, each holding a fleet of lake buckets.

    python -m benchmarks.audit_org [--accounts 10] [--buckets 200] [--endpoint-url URL]
                                   [--workers threads,processes] [--runs 1] [--latency-ms MS] [--record]

Seeds ``--accounts`` accounts (ids 100000000001, 100000000002, ...) on a moto server (a new one on
127.0.0.1 by default; ``--endpoint-url`` names another, e.g. benchmarks/endpoint.py's, which must
serve STS AssumeRole into other account ids as moto does). Each account is entered the way the
audit enters it, by assuming ``role/LakeAudit`` (moto accepts any role: credentials of an assumed
role act in that account), and gets the lake key, a logs bucket and ``--buckets - 1`` zone
buckets, all tagged ``lake=bench`` (benchmarks/audit_fleet.py's compliant bucket, without access
logging); one zone bucket per account has versioning suspended, the ground truth the report must
show (S3.14, for that account only).

Then, per worker mode and run, `lake audit --accounts ... --role-name LakeAudit --tag lake=bench
--format json --account-workers MODE` runs as a new process, timed from start to exit; its report
is checked against the ground truth. One untimed run first: moto creates an account's backends
on first use.

``--latency-ms MS`` measures the client alone: the first run records every answer of the server
(in the audit's own process, through a sitecustomize hook on botocore), and the timed runs replay
them after a fixed delay of MS per request, with no server at all, so the audit's own CPU is the
only limit; that is how the worker mode was chosen (lake/org_audit.py). ``--record`` writes the
figures into docs/benchmarks.md (section "audit-org").
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.audit_fleet import BPA_FLAGS, LAKE_TAG, REGION, _lake_key, _protect  # noqa: E402
from benchmarks.machine import describe  # noqa: E402
from benchmarks.results import write_section  # noqa: E402
from components.documents.statements import deny_insecure_transport, policy_document  # noqa: E402

ROLE = "LakeAudit"
TARGET_SECONDS = 60  # the target for 10 accounts x 200 buckets on two cores
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
SEED_THREADS = 8
# Every answer, recorded once and replayed after a delay: loaded by the audit's interpreter and by
# its worker processes through PYTHONPATH. Requests are told apart by method, URL, JSON target,
# S3 Control's account header, the credential scope and the body (query and JSON protocols put the
# operation there).
# The CPU of every process of the audit (the fork server's workers end with os._exit, after
# multiprocessing's finalizers, not atexit's; each worker's are registered once it is forked):
# one file per process, summed by the benchmark.
CPU_HOOK = '''\
import atexit, os, time
import multiprocessing.util

_written = []


def _cpu():
    if not _written and os.environ.get("BENCH_CPU_DIR"):
        _written.append(True)
        with open(os.path.join(os.environ["BENCH_CPU_DIR"], str(os.getpid())), "w") as f:
            f.write(repr(time.process_time()))


class _Anchor:  # register_after_fork keeps a weak reference to an object
    pass


def _in_child(_):  # a worker's bootstrap clears the finalizers it inherited, then runs these
    _written.clear()
    multiprocessing.util.Finalize(None, _cpu, exitpriority=0)


_anchor = _Anchor()
atexit.register(_cpu)
multiprocessing.util.register_after_fork(_anchor, _in_child)
if os.environ.get("BENCH_REPLAY_MODE"):
    import bench_replay  # noqa: F401
'''
REPLAY_HOOK = '''\
import atexit, os, pickle, threading, time
import botocore.endpoint
from botocore.awsrequest import AWSResponse

_mode, _path = os.environ["BENCH_REPLAY_MODE"], os.environ["BENCH_REPLAY_FILE"]
_delay = float(os.environ.get("BENCH_REPLAY_DELAY", "0"))
_send, _lock = botocore.endpoint.Endpoint._send, threading.Lock()


def _header(request, name):
    value = request.headers.get(name, b"")
    return value.decode() if isinstance(value, bytes) else str(value)


def _key(request):
    # The credential scope (access key, date, region, service): each account signs with its own
    # assumed-role key, so its GetCallerIdentity is told from another account's.
    scope = _header(request, "Authorization").partition("Credential=")[2].partition(",")[0]
    body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
    return (request.method, request.url, _header(request, "X-Amz-Target"), _header(request, "x-amz-account-id"),
            scope, body)


class _Raw:
    def __init__(self, content):
        self._content = content

    def stream(self, **_):
        yield self._content


if _mode == "record":
    _answers = {}

    def _recording(self, request):
        response = _send(self, request)
        with _lock:
            _answers[_key(request)] = (response.status_code, dict(response.headers), response.content)
        return response

    def _dump():
        with open(f"{_path}.{os.getpid()}", "wb") as f:
            pickle.dump(_answers, f)

    botocore.endpoint.Endpoint._send = _recording
    atexit.register(_dump)
else:
    with open(_path, "rb") as f:
        _answers = pickle.load(f)

    def _replaying(self, request):
        time.sleep(_delay)
        status, headers, content = _answers[_key(request)]
        return AWSResponse(request.url, status, headers, _Raw(content))

    botocore.endpoint.Endpoint._send = _replaying
'''


@dataclass(frozen=True)
class Run:
    mode: str
    seconds: float
    cpu_seconds: float  # every process of the audit: the main one, the fork server, the workers
    requests: int
    calls: int
    correct: bool


def account_ids(count: int) -> list[str]:
    return [f"1{n:011d}" for n in range(1, count + 1)]


def _assumed(endpoint_url: str, account: str):
    import boto3

    base = boto3.Session(region_name=REGION, **CREDENTIALS)
    answer = base.client("sts", endpoint_url=endpoint_url).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="bench-seed")["Credentials"]
    return boto3.Session(aws_access_key_id=answer["AccessKeyId"], aws_secret_access_key=answer["SecretAccessKey"],
                         aws_session_token=answer["SessionToken"], region_name=REGION)


def broken_bucket(account: str) -> str:
    return f"bench-{account}-raw-000"


def seed_account(endpoint_url: str, account: str, buckets: int) -> None:
    """The lake key, a logs bucket and ``buckets - 1`` zone buckets in ``account``."""
    from botocore.config import Config

    session = _assumed(endpoint_url, account)
    s3 = session.client("s3", endpoint_url=endpoint_url, config=Config(s3={"addressing_style": "path"},
                                                                      max_pool_connections=SEED_THREADS))
    key_arn = _lake_key(session.client("kms", endpoint_url=endpoint_url))
    names = [f"bench-{account}-logs"] + [f"bench-{account}-raw-{n:03d}" for n in range(buckets - 1)]

    def one(name: str) -> None:
        s3.create_bucket(Bucket=name)
        logs = name.endswith("-logs")
        _protect(s3, name, zone="logs" if logs else "raw", policy=policy_document([deny_insecure_transport(
            f"arn:aws:s3:::{name}")]), encryption={"SSEAlgorithm": "AES256"} if logs else {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}, public_access=dict.fromkeys(BPA_FLAGS, True),
            versioning="Suspended" if name == broken_bucket(account) else "Enabled")

    with ThreadPoolExecutor(SEED_THREADS) as pool:
        list(pool.map(one, names))


def correct(report: dict, accounts: list[str], buckets: int) -> bool:
    """Every account audited, every bucket read, S3.14 failing on exactly the broken buckets."""
    failing = {(f["account"], f["resource"]) for f in report["findings"]
               if f["ruleId"] == "S3.14" and f["status"] == "fail"}
    audited = {t["account"] for t in report["targets"] if t["status"] == "audited"}
    bucket_count = sum(len((t["resources"] or {}).get("buckets", [])) for t in report["targets"])
    return (failing == {(a, broken_bucket(a)) for a in accounts} and audited == set(accounts)
            and bucket_count == len(accounts) * buckets)


def environment(endpoint_url: str, hook_dir: Path, cpu_dir: Path, replay: dict[str, str]) -> dict[str, str]:
    from lake.sandbox.server import sandbox_environment

    kept = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BENCH_")) and k != "PYTHONPATH"}
    return {**kept, **sandbox_environment(REGION), "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, **replay,
            "PYTHONPATH": str(hook_dir), "BENCH_CPU_DIR": str(cpu_dir)}


def hooks(workdir: Path) -> Path:
    hook_dir = workdir / "hook"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(CPU_HOOK)
    (hook_dir / "bench_replay.py").write_text(REPLAY_HOOK)
    return hook_dir


def audit(endpoint_url: str, accounts: list[str], mode: str, concurrency: int, workdir: Path,
          replay: dict[str, str] | None = None) -> tuple[float, float, dict]:
    output = workdir / f"report-{mode}.json"
    cpu_dir = Path(tempfile.mkdtemp(prefix="cpu-", dir=workdir))
    command = [str(Path(sys.executable).with_name("lake")), "audit", "--endpoint-url", endpoint_url,
               "--region", REGION, "--tag", "=".join(LAKE_TAG), "--accounts", ",".join(accounts),
               "--role-name", ROLE, "--account-workers", mode, "--account-concurrency", str(concurrency),
               "--format", "json", "--output", str(output)]
    started = time.perf_counter()
    done = subprocess.run(command, env=environment(endpoint_url, hooks(workdir), cpu_dir, replay or {}),
                          cwd=workdir, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1) or not output.exists():
        raise SystemExit(f"lake audit exited with code {done.returncode}:\n{done.stderr[-2000:]}")
    time.sleep(0.5)  # the fork server ends once the audit has: its file comes last
    cpu = sum(float(f.read_text()) for f in cpu_dir.iterdir())
    return seconds, cpu, json.loads(output.read_text())


def measure(endpoint_url: str, args: argparse.Namespace, workdir: Path) -> list[Run]:
    accounts = account_ids(args.accounts)
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:  # moto serves one request at a time anyway
        list(pool.map(lambda a: seed_account(endpoint_url, a, args.buckets), accounts))
    print(f"seeded {len(accounts)} accounts x {args.buckets} buckets in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    replay = {}
    if args.latency_ms is not None:
        recording = workdir / "answers"
        audit(endpoint_url, accounts, "threads", args.account_concurrency, workdir,
              {"BENCH_REPLAY_MODE": "record", "BENCH_REPLAY_FILE": str(recording)})
        answers: dict = {}
        for part in workdir.glob("answers.*"):
            answers.update(pickle.loads(part.read_bytes()))
        recording.write_bytes(pickle.dumps(answers))
        replay = {"BENCH_REPLAY_MODE": "replay", "BENCH_REPLAY_FILE": str(recording),
                  "BENCH_REPLAY_DELAY": str(args.latency_ms / 1000)}
    # Untimed: moto creates an account's regional backends (a default VPC...) on first use.
    audit(endpoint_url, accounts, "threads", args.account_concurrency, workdir, replay)
    runs = []
    for _ in range(args.runs):
        for mode in args.workers:
            seconds, cpu, report = audit(endpoint_url, accounts, mode, args.account_concurrency, workdir, replay)
            runs.append(Run(mode, seconds, cpu, report["calls"]["requests"], report["calls"]["total"],
                            correct(report, accounts, args.buckets)))
            print(f"  {mode}: {seconds:.2f} s, {runs[-1].requests} requests, correct: {runs[-1].correct}",
                  file=sys.stderr)
    return runs


def report(runs: list[Run], args: argparse.Namespace, where: str) -> list[str]:
    lines = [
        "## Organisation-wide audit (`benchmarks/audit_org.py`)",
        "",
        f"Machine and date: {describe()}. {args.accounts} accounts x {args.buckets} lake buckets on {where}; "
        f"`lake audit --accounts ... --role-name {ROLE} --tag lake=bench --format json`, "
        f"--account-concurrency {args.account_concurrency}, each run a new process timed from start to exit, "
        f"{args.runs} run(s) per worker mode, median."
        + (f" Replayed answers after {args.latency_ms:g} ms each: no server, the client's own CPU is the limit."
           if args.latency_ms is not None else ""),
        "",
        "| workers | median (s) | min (s) | max (s) | requests | requests/s | CPU of all the audit's processes, "
        "median (s) | CPU per request (ms) | CPU / (wall x cores) | report matches the seeded truth |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    cores, best = os.cpu_count() or 1, None
    for mode in args.workers:
        mine = [r for r in runs if r.mode == mode]
        seconds = statistics.median(r.seconds for r in mine)
        cpu = statistics.median(r.cpu_seconds for r in mine)
        best = seconds if best is None else min(best, seconds)
        lines.append(f"| {mode} | **{seconds:.2f}** | {min(r.seconds for r in mine):.2f} | "
                     f"{max(r.seconds for r in mine):.2f} | {mine[0].requests} | {mine[0].requests / seconds:.0f} | "
                     f"{cpu:.2f} | {cpu / mine[0].requests * 1000:.2f} | {cpu / (seconds * cores):.0%} | "
                     f"{'yes' if all(r.correct for r in mine) else 'NO'} |")
    if best is not None:
        verdict = "met" if best < TARGET_SECONDS else "MISSED"
        lines += ["", f"- Fastest mode: **{best:.2f} s** for {args.accounts} x {args.buckets} buckets "
                  f"(target < {TARGET_SECONDS} s on this {cores}-core machine: {verdict}). The last column is the "
                  "fraction of the machine's cores the audit kept busy: near 100%, the audit is CPU-bound."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--buckets", type=int, default=200, help="per account, the logs bucket included")
    parser.add_argument("--endpoint-url", help="a running server (default: a new moto server on 127.0.0.1)")
    parser.add_argument("--workers", type=lambda text: text.split(","), default=["threads", "processes"],
                        help="worker modes to time, comma-separated (default: threads,processes)")
    parser.add_argument("--account-concurrency", type=int, default=4)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, help="replay recorded answers after this delay (no server)")
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="audit-org-") as scratch:
        if args.endpoint_url:
            runs, where = measure(args.endpoint_url, args, Path(scratch)), args.endpoint_url
        else:
            from lake.sandbox.server import MotoServer

            with MotoServer() as moto:
                runs, where = measure(moto.endpoint_url, args, Path(scratch)), "a new moto server on 127.0.0.1"
    lines = report(runs, args, where)
    print("\n".join(lines))
    if args.record:
        write_section("audit-org", "\n".join(lines))


if __name__ == "__main__":
    main()
