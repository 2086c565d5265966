"""Wall time, requests and verdicts of `lake audit` against prowler's S3 checks, on the benchmarks'
S3 endpoint (benchmarks/endpoint.py, with its latency model; moto behind it for the other services).

Both tools read the same fleet of lake buckets (benchmarks/audit_fleet.py: compliant ones and ones
breaking exactly one control, with the ground truth) from one endpoint on 127.0.0.1, and a
one-bucket fleet on another (what starting costs each tool); a larger fleet (``--lake-only``,
2,000 buckets by default) is audited by `lake audit` alone, for its cost per extra bucket. Each run of each tool is a new
process timed from start to exit; runs alternate between the tools, N runs, median. Requests are counted inside each tool's process by the same hook on botocore (every HTTP
response the server sent, retries included), so neither tool's own counting is trusted. Verdicts
are compared on the seven Security Hub controls both tools check on every bucket.

Prowler runs from its own virtualenv (benchmarks/prowler_peer.py installs it on first use).

    python benchmarks/audit_speed.py [--runs 3] [--buckets 200] [--lake-only 2000] [--first-byte-ms 30]
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
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import prowler_peer  # noqa: E402
from benchmarks.audit_fleet import CONTROLS, LAKE_TAG, LOGS_BUCKET, REGION, Fleet, seed_fleet  # noqa: E402
from benchmarks.machine import describe  # noqa: E402
from benchmarks.results import write_section  # noqa: E402

TARGET_RATIO = 10.0
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
# A worker process of multiprocessing (lake audit's bucket-read workers) ends without running atexit
# handlers, but with multiprocessing's finalizers.
import multiprocessing.util
multiprocessing.util.Finalize(None, _write, exitpriority=0)
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
    server_rate: float  # requests per second the endpoint answers (4 KiB GETs, probed in the run)
    failure: str | None  # why `lake audit` could not be measured
    latency: object = None  # the endpoint's LatencyModel
    lake_only: tuple[int, ...] = ()  # fleet sizes audited by `lake audit` alone
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at the start and the end


def lake_audit_command(endpoint_url: str, output: Path) -> list[str]:
    executable = Path(sys.executable).with_name("lake")
    if not executable.exists():  # the project is not installed into this interpreter: run it from the checkout
        repo = Path(__file__).resolve().parent.parent
        return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(repo)!r}); from lake.cli import entry; "
                "sys.argv[0] = 'lake'; sys.exit(entry())", "audit", "--endpoint-url", endpoint_url, "--region", REGION,
                "--tag", "=".join(LAKE_TAG), "--format", "json", "--output", str(output)]
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


def measure(runs: int, sizes: tuple[int, ...], lake_only: tuple[int, ...] = (), first_byte_ms: float = 30.0) -> Measured:
    """For each fleet size, a new endpoint (its latency model on, moto behind it) and fleet, then the
    tools alternating ``runs`` times; on the ``lake_only`` sizes `lake audit` alone. `lake audit` is
    dropped after its first failure (the reason is kept) so that prowler's side is still measured."""
    from benchmarks.endpoint import Endpoint, LatencyModel

    executable = prowler_peer.ensure_installed()
    checks = prowler_peer.checks_for(CONTROLS)
    latency = LatencyModel(first_byte_ms)
    results: dict[tuple[str, int], list[Run]] = {}
    failure, fleet, rate = None, None, 0.0
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="audit-speed-") as tmp:
        for size in (*sizes, *lake_only):
            # Plain http: S3 Control puts the account id in the host name, which the endpoint's
            # certificate (127.0.0.1) cannot name; TLS is measured by the data benchmark.
            with Endpoint(latency, backend=True, secure=False) as server:
                started = time.perf_counter()
                seeded = seed_fleet(server.endpoint_url, size)
                if size == max(sizes):
                    fleet = seeded
                print(f"{size} buckets seeded in {time.perf_counter() - started:.1f} s", flush=True)
                for run in range(runs):
                    workdir = Path(tmp) / f"{size}-{run}"
                    done = {}
                    if failure is None:
                        try:
                            done[LAKE] = run_lake_audit(server.endpoint_url, _mkdir(workdir / "lake"))
                        except ToolFailed as error:
                            failure = str(error)
                    if size in sizes:
                        done[PROWLER] = run_prowler(executable, checks, server.endpoint_url,
                                                    _mkdir(workdir / "prowler"))
                    for tool, result in done.items():
                        results.setdefault((tool, size), []).append(result)
                    print(f"{size} buckets, run {run + 1}/{runs}: "
                          + ", ".join(f"{tool} {r.seconds:.2f} s" for tool, r in done.items()), flush=True)
                if size == max(sizes):
                    rate = server.probe(4, seconds=3.0).rate
                    print(f"the endpoint answers {rate:.0f} 4 KiB GETs/s", flush=True)
    if failure:
        results = {key: r for key, r in results.items() if key[0] != LAKE}
    return Measured(fleet, results, {c: check for check, c in checks.items()}, rate, failure, latency,
                    tuple(lake_only), (load_start, os.getloadavg()[0]))


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
        lake_runs, prowler_runs = measured.runs[LAKE, large], measured.runs[PROWLER, large]
        lines.append(f"- {large} buckets, prowler / lake audit: **{ratio:.1f}x** (target >= {TARGET_RATIO:.0f}x: "
                     f"{'met' if ratio >= TARGET_RATIO else 'MISSED'}"
                     + (ratio_reason(median_seconds(lake_runs), statistics.median(r.cpu_seconds for r in lake_runs),
                                     lake_runs[-1].answered, median_seconds(prowler_runs),
                                     statistics.median(r.cpu_seconds for r in prowler_runs),
                                     prowler_runs[-1].answered, measured.latency.first_byte_ms)
                        if ratio < TARGET_RATIO else "") + ").")
        calls = measured.runs[LAKE, large][-1].reported_calls or {}
        lines.append(f"- `lake audit` reports {calls.get('total')} calls itself ({calls.get('perBucket')} per bucket); "
                     f"the hook counted {sum(measured.runs[LAKE, large][-1].requests.values())} sends.")
    if per_bucket:
        lines.append(f"- Each bucket beyond {small} costs (difference of the medians): " + "; ".join(
            f"{tool} {seconds * 1000:.0f} ms" for tool, seconds in per_bucket.items()) + ".")
    for extra in measured.lake_only:
        if (LAKE, extra) in measured.runs and (LAKE, large) in measured.runs:
            cost = (median_seconds(measured.runs[LAKE, extra]) - median_seconds(measured.runs[LAKE, large])) / (
                extra - large)
            last = measured.runs[LAKE, extra][-1]
            lines.append(f"- `lake audit` alone on {extra:,} buckets: median {median_seconds(measured.runs[LAKE, extra]):.2f} s; "
                         f"each bucket beyond {large} costs **{cost * 1000:.1f} ms** (difference of the medians); "
                         f"{last.answered} requests ({last.answered / extra:.2f} per bucket). Prowler was not run on "
                         f"{extra:,} buckets, to keep the benchmark's time bounded (at its cost per bucket, three "
                         "runs would take several minutes more).")
    from benchmarks.endpoint import verdict
    from policies.adapters.live.limits import DEFAULT_CONCURRENCY

    delay = measured.latency.first_byte_ms / 1000 if measured.latency else 0
    if delay:
        bound = DEFAULT_CONCURRENCY / delay
        reached = "; ".join(f"{buckets:,} buckets {runs[-1].answered / median_seconds(runs):.0f}/s "
                            f"({runs[-1].answered / median_seconds(runs) / bound:.0%})"
                            for (tool, buckets), runs in sorted(measured.runs.items()) if tool == LAKE)
        lines.append(f"- Concurrency bound: `lake audit` keeps {DEFAULT_CONCURRENCY} reads in flight, so at "
                     f"{measured.latency.first_byte_ms:g} ms per request it cannot exceed {bound:.0f} requests/s; "
                     f"it reached {reached}.")
    fastest = max((runs[-1].answered / median_seconds(runs) for (tool, buckets), runs in measured.runs.items()
                   if buckets == large), default=0.0)
    if fastest and measured.server_rate:
        lines.append(f"- Endpoint rule, {large} buckets: {verdict(measured.server_rate, fastest)}; the endpoint's "
                     f"rate is for 4 KiB presigned GETs (wrk, 256 connections), probed after the runs.")
    return lines


def ratio_reason(lake_s: float, lake_cpu: float, lake_requests: int, prowler_s: float, prowler_cpu: float,
                 prowler_requests: int, first_byte_ms: float = 30.0) -> str:
    """Why the ratio stays under the target, from what both tools spent and the latency model."""
    from policies.adapters.live.limits import DEFAULT_CONCURRENCY

    waiting = lake_requests * first_byte_ms / 1000 / DEFAULT_CONCURRENCY
    return (f"; measured reason: {TARGET_RATIO:g}x needs `lake audit` in {prowler_s / TARGET_RATIO:.2f} s; its "
            f"{lake_requests} requests, {DEFAULT_CONCURRENCY} in flight at {first_byte_ms:g} ms each, need "
            f"{waiting:.2f} s of waiting alone, and it spent {lake_cpu:.2f} s of CPU ({1000 * lake_cpu / lake_requests:.2f} "
            f"ms per request, its start included) of its {lake_s:.2f} s; prowler spent {prowler_cpu:.2f} s of CPU in "
            f"{prowler_s:.2f} s for {prowler_requests} requests. `lake audit` already sends only the requests its rules "
            f"judge; at {DEFAULT_CONCURRENCY} reads in flight the latency alone caps the ratio near "
            f"{prowler_s / waiting:.0f}x here")


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

    from benchmarks.endpoint import DEFAULT_FIRST_BYTE_MS

    fleet = measured.fleet
    buckets = len(fleet.broken)
    broken = sum(c is not None for c in fleet.broken.values())
    large = {tool: r for (tool, n), r in measured.runs.items() if n == buckets}
    verdicts = {tool: r[-1].verdicts for tool, r in large.items()}
    lines = [
        "## Live audit against prowler (`benchmarks/audit_speed.py`)",
        "",
        f"Machine and date: {describe()}. Per fleet size a new benchmark endpoint on 127.0.0.1 "
        "(benchmarks/endpoint_server.py: asyncio, keep-alive, plain http, in memory; moto "
        f"{moto_version} behind it for STS, KMS, Glue, Athena, EC2, S3 Control and the tagging API), "
        f"latency model {measured.latency.describe()} on every request of both tools alike"
        f"{' (the default)' if measured.latency.first_byte_ms == DEFAULT_FIRST_BYTE_MS else ''}; the "
        f"large fleet holds {buckets} lake buckets ({broken} breaking one control each, {buckets - broken} "
        f"compliant)"
        + (", the small one only the logs bucket (what starting costs)" if (PROWLER, 1) in measured.runs else
           " (the one-bucket fleet, what starting costs, was skipped: `--no-start-fleet`)")
        + (f", and {', '.join(f'{n:,}' for n in measured.lake_only)} buckets for `lake audit` alone"
           if measured.lake_only else "")
        + f". {runs} alternating runs per tool "
        "and size, median, each a new process timed from start to exit. `lake audit --tag "
        f"{'='.join(LAKE_TAG)} --format json`; prowler {prowler_peer.VERSION} in its own virtualenv: "
        f"`prowler aws --service s3 --region {REGION} --output-formats json-ocsf` (all its S3 checks, JSON "
        "only). Both are pointed at the server by `AWS_ENDPOINT_URL` with fake credentials; their requests are "
        "counted in their own process by the same botocore hook (every answer of the server, retries included). "
        f"The machine's 1-minute load average was {measured.load[0]:.1f} at the start and {measured.load[1]:.1f} at "
        "the end (2 cores; a tool and the endpoint account for up to 2 of it).",
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
    parser.add_argument("--lake-only", type=int, nargs="*", default=[2000],
                        help="fleet sizes audited by `lake audit` alone (none: skip)")
    parser.add_argument("--first-byte-ms", type=float, default=30.0)
    parser.add_argument("--no-start-fleet", dest="start_fleet", action="store_false",
                        help="skip the one-bucket fleet (what starting costs each tool)")
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    sizes = (1, args.buckets) if args.start_fleet else (args.buckets,)
    measured = measure(args.runs, sizes, tuple(args.lake_only), args.first_byte_ms)
    lines = report(measured, args.runs)
    print("\n".join(lines))
    if measured.failure:
        sys.exit(f"\n`lake audit` could not be measured, so docs/benchmarks.md was not written:\n{measured.failure}")
    if not args.no_write:
        write_section("audit-speed", "\n".join(lines))


if __name__ == "__main__":
    main()
