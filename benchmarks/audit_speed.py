"""Wall time, requests and verdicts of `lake audit` against prowler's S3 checks, on a moto server.

Both tools read the same fleet of lake buckets (benchmarks/audit_fleet.py: compliant ones and ones
breaking exactly one control, with the ground truth) from one moto server on 127.0.0.1, and a
one-bucket fleet on another (what starting costs each tool). Each run of each tool is a new
process timed from start to exit; runs alternate between the tools, N runs, median. Requests are counted inside each tool's process by the same hook on botocore (every HTTP
response the server sent, retries included), so neither tool's own counting is trusted. Verdicts
are compared on the seven Security Hub controls both tools check on every bucket.

Prowler runs from its own virtualenv (benchmarks/prowler_peer.py installs it on first use).

    python benchmarks/audit_speed.py [--runs 3] [--buckets 200]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import prowler_peer  # noqa: E402
from benchmarks.audit_fleet import CONTROLS, LAKE_TAG, LOGS_BUCKET, REGION, Fleet, seed_fleet  # noqa: E402
from benchmarks.machine import describe  # noqa: E402
from benchmarks.results import write_section  # noqa: E402

TARGET_RATIO = 10.0
PROBE_REQUESTS, PROBE_THREADS = 400, 16  # how the server's throughput is measured
LAKE = "lake audit"
PROWLER = "prowler"
# Loaded by each tool's interpreter through PYTHONPATH (nothing is installed in either virtualenv):
# counts every HTTP response per operation and status, and every send that got no response, into
# $BENCH_REQUEST_LOG.<pid> at exit. It also resolves "<anything>.<endpoint host>" to the endpoint
# host, as a wildcard DNS entry would: S3 Control puts the account id in the host name
# (123456789012.127.0.0.1), which nothing resolves; without it prowler's three S3 Control calls
# fail after retries and backoff (about 10 s) instead of reaching the server.
REQUEST_HOOK = '''\
import atexit, collections, json, os, socket, threading
from urllib.parse import urlsplit

import botocore.endpoint

_counts, _lock, _operation = collections.Counter(), threading.Lock(), threading.local()
_make_request, _send = botocore.endpoint.Endpoint.make_request, botocore.endpoint.Endpoint._send
_host, _getaddrinfo = urlsplit(os.environ["AWS_ENDPOINT_URL"]).hostname, socket.getaddrinfo


def make_request(self, operation_model, request_dict):
    _operation.name = f"{operation_model.service_model.service_name}.{operation_model.name}"
    return _make_request(self, operation_model, request_dict)


def send(self, request):
    try:
        response = _send(self, request)
    except Exception as error:
        outcome = f"!{type(error).__name__}"
        raise
    else:
        outcome = str(response.status_code)
        return response
    finally:
        with _lock:
            _counts[f"{getattr(_operation, 'name', '?')} {outcome}"] += 1


def getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith("." + _host):
        host = _host
    return _getaddrinfo(host, *args, **kwargs)


def _write():
    with open(f"{os.environ['BENCH_REQUEST_LOG']}.{os.getpid()}", "w") as out:
        json.dump(_counts, out)


botocore.endpoint.Endpoint.make_request, botocore.endpoint.Endpoint._send = make_request, send
socket.getaddrinfo = getaddrinfo
atexit.register(_write)
'''


class ToolFailed(RuntimeError):
    """A tool exited with an unexpected code or wrote no report."""


@dataclass(frozen=True)
class Run:
    seconds: float  # wall time, start to exit
    cpu_seconds: float  # user + system time of the tool's process (the server's is not in it)
    # "service.Operation <HTTP status>" or "service.Operation !<exception>" -> count
    requests: Counter
    verdicts: dict[tuple[str, str], str]  # (bucket, control) -> PASS, FAIL, N/A, UNKNOWN, MANUAL
    reported_calls: dict | None = None  # what the tool says it called, when it says

    @property
    def answered(self) -> int:
        """Requests the server answered (any HTTP status)."""
        return sum(n for key, n in self.requests.items() if " !" not in key)

    @property
    def unanswered(self) -> int:
        return sum(n for key, n in self.requests.items() if " !" in key)


@dataclass(frozen=True)
class Measured:
    fleet: Fleet  # the large fleet, whose verdicts are compared
    runs: dict[tuple[str, int], list[Run]]  # (tool, buckets) -> runs
    check_of: dict[str, str]  # control -> prowler check
    server_rate: float  # requests per second the server answers at most
    failure: str | None  # why `lake audit` could not be measured


def lake_audit_command(endpoint_url: str, output: Path) -> list[str]:
    executable = Path(sys.executable).with_name("lake")
    return [str(executable), "audit", "--endpoint-url", endpoint_url, "--region", REGION,
            "--tag", "=".join(LAKE_TAG), "--format", "json", "--output", str(output)]


def lake_audit_verdicts(report: dict) -> tuple[dict[tuple[str, str], str], dict | None]:
    """(bucket, control) -> verdict, and the tool's own call count, from `lake audit --format json`.

    The shape read: {"findings": [{"ruleId", "status", "resource", ...}], "calls": {"total", "perBucket"}}.
    """
    verdicts = {
        (f["resource"], f["ruleId"]): "N/A" if f["status"] == "not_applicable" else f["status"].upper()
        for f in report["findings"]
        if f["ruleId"] in CONTROLS
    }
    return verdicts, report.get("calls")


def tool_environment(endpoint_url: str, hook_dir: Path, request_log: Path) -> dict[str, str]:
    """Fake credentials, the endpoint for every client, no profile or config file, the hook."""
    from lake.sandbox.server import sandbox_environment

    kept = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PYTHONPATH"}
    return {
        **kept, **sandbox_environment(REGION),
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "PYTHONPATH": str(hook_dir), "BENCH_REQUEST_LOG": str(request_log),
    }


def timed(command: list[str], endpoint_url: str, workdir: Path,
          ok_codes: tuple[int, ...]) -> tuple[float, float, Counter]:
    """Wall and CPU seconds of ``command`` from start to exit, and the requests its processes sent."""
    hook_dir, logs = workdir / "hook", workdir / "requests"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(REQUEST_HOOK)
    logs.mkdir()
    env = tool_environment(endpoint_url, hook_dir, logs / "count")
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=workdir, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    cpu_seconds = _children_cpu() - cpu_before
    if done.returncode not in ok_codes:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise ToolFailed(f"`{' '.join(command[:2])} ...` exited with code {done.returncode}:\n{tail}")
    requests = Counter()
    for log in logs.iterdir():
        requests.update(json.loads(log.read_text()))
    return seconds, cpu_seconds, requests


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_lake_audit(endpoint_url: str, workdir: Path) -> Run:
    output = workdir / "lake-audit.json"
    # 0: every mandatory rule passes, 1: one fails (the fleet has broken buckets); 2: usage.
    measured = timed(lake_audit_command(endpoint_url, output), endpoint_url, workdir, (0, 1))
    if not output.exists():
        raise ToolFailed(f"`lake audit` wrote no report to {output}")
    return Run(*measured, *lake_audit_verdicts(json.loads(output.read_text())))


def run_prowler(executable: Path, checks: dict[str, str], endpoint_url: str, workdir: Path) -> Run:
    command = prowler_peer.command(executable, REGION, workdir)
    return Run(*timed(command, endpoint_url, workdir, (0,)), prowler_peer.verdicts(workdir, checks))


def server_rate(endpoint_url: str) -> float:
    """Requests per second the server answers at most: one cheap read, many threads at once."""
    from lake.sandbox.server import client

    s3 = client("s3", endpoint_url)
    started = time.perf_counter()
    with ThreadPoolExecutor(PROBE_THREADS) as pool:
        list(pool.map(lambda _: s3.get_bucket_versioning(Bucket=LOGS_BUCKET), range(PROBE_REQUESTS)))
    return PROBE_REQUESTS / (time.perf_counter() - started)


def measure(runs: int, sizes: tuple[int, ...]) -> Measured:
    """For each fleet size, a new server and fleet, then the tools alternating ``runs`` times.
    `lake audit` is dropped after its first failure (the reason is kept) so that prowler's side
    is still measured."""
    from lake.sandbox.server import MotoServer

    executable = prowler_peer.ensure_installed()
    checks = prowler_peer.checks_for(CONTROLS)
    results: dict[tuple[str, int], list[Run]] = {}
    failure, fleet, rate = None, None, 0.0
    with tempfile.TemporaryDirectory(prefix="audit-speed-") as tmp:
        for size in sizes:
            with MotoServer() as server:
                started = time.perf_counter()
                fleet = seed_fleet(server.endpoint_url, size)
                print(f"{size} buckets seeded in {time.perf_counter() - started:.1f} s", flush=True)
                for run in range(runs):
                    workdir = Path(tmp) / f"{size}-{run}"
                    done = {}
                    if failure is None:
                        try:
                            done[LAKE] = run_lake_audit(server.endpoint_url, _mkdir(workdir / "lake"))
                        except ToolFailed as error:
                            failure = str(error)
                    done[PROWLER] = run_prowler(executable, checks, server.endpoint_url, _mkdir(workdir / "prowler"))
                    for tool, result in done.items():
                        results.setdefault((tool, size), []).append(result)
                    print(f"{size} buckets, run {run + 1}/{runs}: "
                          + ", ".join(f"{tool} {r.seconds:.2f} s" for tool, r in done.items()), flush=True)
                rate = server_rate(server.endpoint_url)
    if failure:
        results = {key: r for key, r in results.items() if key[0] != LAKE}
    return Measured(fleet, results, {c: check for check, c in checks.items()}, rate, failure)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def truth(fleet: Fleet, bucket: str, control: str) -> str:
    return fleet.expected(bucket, control) or "N/A"


def median_seconds(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def speed_lines(measured: Measured) -> list[str]:
    rows = []
    for (tool, buckets), runs in sorted(measured.runs.items()):
        seconds, last = [r.seconds for r in runs], runs[-1]
        unanswered = f" (+{last.unanswered} sent, not answered)" if last.unanswered else ""
        rows.append(f"| {tool} | {buckets} | **{statistics.median(seconds):.2f}** | {min(seconds):.2f} | "
                    f"{max(seconds):.2f} | {statistics.median(r.cpu_seconds for r in runs):.2f} | "
                    f"{last.answered}{unanswered} | {last.answered / buckets:.2f} |")
    return [
        "| tool | buckets | median (s) | min (s) | max (s) | CPU of the tool, median (s) | requests to the server | "
        "per bucket |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
    ]


def cost_lines(measured: Measured) -> list[str]:
    """The ratio on the large fleet, what one more bucket costs each tool, and the server's floor."""
    small, large = min(buckets for _, buckets in measured.runs), len(measured.fleet.broken)
    lines, per_bucket = [], {}
    for tool in (LAKE, PROWLER):
        if (tool, large) in measured.runs and (tool, small) in measured.runs and large > small:
            per_bucket[tool] = (median_seconds(measured.runs[tool, large]) - median_seconds(
                measured.runs[tool, small])) / (large - small)
    if (LAKE, large) in measured.runs:
        ratio = median_seconds(measured.runs[PROWLER, large]) / median_seconds(measured.runs[LAKE, large])
        lines.append(f"- {large} buckets, prowler / lake audit: **{ratio:.1f}x** (target >= {TARGET_RATIO:.0f}x: "
                     f"{'met' if ratio >= TARGET_RATIO else 'MISSED'}).")
        calls = measured.runs[LAKE, large][-1].reported_calls or {}
        lines.append(f"- `lake audit` reports {calls.get('total')} calls itself ({calls.get('perBucket')} per bucket); "
                     f"the hook counted {sum(measured.runs[LAKE, large][-1].requests.values())} sends.")
    if per_bucket:
        lines.append(f"- Each bucket beyond {small} costs (difference of the medians): " + "; ".join(
            f"{tool} {seconds * 1000:.0f} ms" for tool, seconds in per_bucket.items()) + ".")
    lines.append("- Both tools are bound by the server: one Python process answering every request, sharing the "
                 "machine's 2 cores with the tool under test. Prowler's start (its one-bucket time) is what "
                 "`lake audit` saves; past it, the cost per bucket follows the requests per bucket. `lake audit` "
                 "already reads only what its rules judge (8 settings, S3's policy status, the ACL only when ACLs "
                 "are enabled), so on this server the ratio cannot reach the target. Against AWS the server's limit "
                 "would not apply, but that cannot be measured here.")
    lines.append(f"- The server answers at most {measured.server_rate:.0f} requests/s here ({PROBE_REQUESTS} "
                 f"GetBucketVersioning on {PROBE_THREADS} threads): "
                 + "; ".join(f"{tool}'s {runs[-1].answered} requests on {large} buckets need at least "
                             f"{runs[-1].answered / measured.server_rate:.1f} s of it"
                             for (tool, buckets), runs in measured.runs.items() if buckets == large) + ".")
    return lines


def operations_line(tool: str, run: Run, buckets: int) -> str:
    """Which calls a tool made, per bucket where it made one per bucket."""
    calls = Counter()
    for key, n in run.requests.items():
        calls[key.split(" ")[0]] += n
    per_bucket = sorted(op for op, n in calls.items() if n % buckets == 0 and n >= buckets)
    other = sorted(op for op in calls if op not in per_bucket)
    return (f"- {tool}: {', '.join(f'{op} x{calls[op] // buckets}' if calls[op] > buckets else op for op in per_bucket)} "
            f"per bucket; besides: {', '.join(f'{op} {calls[op]}' for op in other) or 'nothing'}.")


def agreement_lines(fleet: Fleet, verdicts: dict[str, dict], check_of: dict[str, str]) -> list[str]:
    tools = list(verdicts)
    header = "| control | prowler check | " + " | ".join(f"{t}: pass / fail | {t} = truth" for t in tools)
    header += " | tools agree |" if len(tools) == 2 else " |"
    rows = []
    for control in CONTROLS:
        cells = [control, f"`{check_of[control]}`"]
        for tool in tools:
            got = [verdicts[tool].get((b, control), "—") for b in fleet.broken]
            cells.append(f"{got.count('PASS')} / {got.count('FAIL')}" + _others(got))
            cells.append(str(sum(g == truth(fleet, b, control) for g, b in zip(got, fleet.broken))))
        if len(tools) == 2:
            cells.append(str(sum(verdicts[tools[0]].get((b, control)) == verdicts[tools[1]].get((b, control))
                                 for b in fleet.broken)))
        rows.append("| " + " | ".join(cells) + " |")
    return [header, "|" + "---|" * (header.count("|") - 1), *rows]


def _others(got: list[str]) -> str:
    others = Counter(g for g in got if g not in ("PASS", "FAIL"))
    return "".join(f", {n} {status}" for status, n in sorted(others.items()))


def disagreement_lines(fleet: Fleet, verdicts: dict[str, dict]) -> list[str]:
    """Every (bucket, control) where a tool differs from the truth or from the other tool,
    grouped by control and verdicts."""
    tools = list(verdicts)
    groups: dict[tuple[str, ...], list[str]] = {}
    for control in CONTROLS:
        for bucket in fleet.broken:
            got = tuple(verdicts[t].get((bucket, control), "—") for t in tools)
            expected = truth(fleet, bucket, control)
            if any(g != expected for g in got):
                groups.setdefault((control, *got, expected), []).append(bucket)
    if not groups:
        return ["No disagreement: every tool gives the ground truth's verdict on every bucket and control."]
    return [
        "| control | " + " | ".join(tools) + " | truth | buckets | why |",
        "|" + "---|" * (len(tools) + 4),
        *[f"| {' | '.join(key)} | {len(buckets)}: {', '.join(buckets)} | {_why(key[0], buckets)} |"
          for key, buckets in groups.items()],
    ]


# Why the tools differ, per control, as read in prowler's check code and our rules; a disagreement
# with no entry here is reported as unexplained, so a new one cannot hide.
WHY = {
    "S3.8": "prowler's `s3_bucket_level_public_access_block` passes a bucket when IgnorePublicAcls and "
            "RestrictPublicBuckets are on; Security Hub S3.8 and our rule require all four flags, and these "
            "buckets have BlockPublicAcls or BlockPublicPolicy off",
    "S3.9": "the logs bucket is the access-log target: logging it into itself would loop, so our rule does not "
            "apply to it; prowler fails every bucket without logging",
    "S3.17": "S3 server access log delivery cannot write to an SSE-KMS bucket, so the lake's logs bucket uses "
             "SSE-S3 by design (our rule checks exactly that); prowler fails every bucket without SSE-KMS",
}


def _why(control: str, buckets: list[str]) -> str:
    if control in ("S3.9", "S3.17") and buckets != [LOGS_BUCKET]:
        return "unexplained"
    return WHY.get(control, "unexplained")


def stable(runs: list[Run]) -> bool:
    return all(r.verdicts == runs[0].verdicts for r in runs)


def report(measured: Measured, runs: int) -> list[str]:
    from moto import __version__ as moto_version

    fleet = measured.fleet
    buckets = len(fleet.broken)
    broken = sum(c is not None for c in fleet.broken.values())
    large = {tool: r for (tool, n), r in measured.runs.items() if n == buckets}
    verdicts = {tool: r[-1].verdicts for tool, r in large.items()}
    lines = [
        "## Live audit against prowler (`benchmarks/audit_speed.py`)",
        "",
        f"Machine and date: {describe()}. Per fleet size a new moto {moto_version} server on 127.0.0.1; the "
        f"large fleet holds {buckets} lake buckets ({broken} breaking one control each, {buckets - broken} "
        f"compliant), the small one only the logs bucket (what starting costs). {runs} alternating runs per tool "
        "and size, median, each a new process timed from start to exit. `lake audit --tag "
        f"{'='.join(LAKE_TAG)} --format json`; prowler {prowler_peer.VERSION} in its own virtualenv: "
        f"`prowler aws --service s3 --region {REGION} --output-formats json-ocsf` (all its S3 checks, JSON "
        "only). Both are pointed at the server by `AWS_ENDPOINT_URL` with fake credentials; their requests are "
        "counted in their own process by the same botocore hook (every answer of the server, retries included).",
        "",
        *speed_lines(measured),
        "",
        *cost_lines(measured),
        *[operations_line(tool, r[-1], buckets) for tool, r in large.items()],
        *[f"- {tool}: verdicts differed between runs; the last run's are compared."
          for tool, r in large.items() if not stable(r)],
        "",
        f"Verdicts on the {len(CONTROLS)} controls both tools check on every bucket (prowler's check for each "
        "from its own Foundational Security Best Practices mapping), on the large fleet; truth: FAIL for the "
        "control a bucket breaks, PASS otherwise, N/A for access logging of the logs bucket.",
        "",
        *agreement_lines(fleet, verdicts, measured.check_of),
        "",
        *disagreement_lines(fleet, verdicts),
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--buckets", type=int, default=200, help="lake buckets on the server, the logs bucket included")
    args = parser.parse_args()
    measured = measure(args.runs, (1, args.buckets))
    lines = report(measured, args.runs)
    print("\n".join(lines))
    if measured.failure:
        sys.exit(f"\n`lake audit` could not be measured, so docs/benchmarks.md was not written:\n{measured.failure}")
    write_section("audit-speed", "\n".join(lines))


if __name__ == "__main__":
    main()
