"""The S3-like endpoint of the speed benchmarks: start and stop it, and measure what it can answer.

``with Endpoint() as endpoint:`` runs benchmarks/endpoint_server.py on a random 127.0.0.1 port,
over https with a throwaway self-signed certificate (``endpoint.ca_bundle``), keep-alive on, and
the latency model below applied to every request of every tool alike. ``Endpoint(backend=True)``
also runs a plain moto server behind it for every other service the tools call (KMS, STS, Glue,
S3 Control...; `lake audit` and ``apply_plan`` need them) and mirrors bucket creation and tagging
into it. The policy gate stays out of the speed runs: bucket policies are stored and answered,
not enforced (the gate is tested with moto, in tests/data/).

Latency model: S3's own guidance for latency-sensitive applications gives, for small requests
(under 512 KB), median latencies "often in the range of tens of milliseconds"
(https://docs.aws.amazon.com/whitepapers/latest/s3-optimizing-performance-best-practices/timeouts-and-retries-for-latency-sensitive-applications.html);
the default first-byte delay, 30 ms, is in that range. The often-quoted "100-200 ms first byte"
is not on that page: a search of AWS's documentation found it only in third-party course notes.
``bandwidth_mbps`` optionally caps each connection, in each direction.

    python -m benchmarks.endpoint --capacity [--runs 3] [--seconds 5] [--no-write]

measures requests per second for presigned 64 KiB and 4 KiB GETs with wrk (Debian's package), at
the data client's concurrency (32 connections) with and without latency, and with the latency at
256 connections (at 32 the delay alone caps any client at 32 / 30 ms = 1,067 requests/s).

The rule the data and audit benchmarks apply with it: a result counts only where the endpoint
could answer at least twice the fastest tool's request rate (``counts``, ``verdict``); otherwise it
is reported as endpoint-bound. ``endpoint.probe(kib)`` measures that rate in the benchmark's own
run (same machine, same moment), the capacity section of docs/benchmarks.md records it.

Only 127.0.0.1 is ever served or loaded: the server binds it and refuses a backend elsewhere,
``wrk`` refuses any other target, and every load run stops at a duration and a response count.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DEFAULT_FIRST_BYTE_MS = 30.0
LATENCY_SOURCE = ("https://docs.aws.amazon.com/whitepapers/latest/s3-optimizing-performance-best-practices/"
                  "timeouts-and-retries-for-latency-sensitive-applications.html")
HEADROOM = 2.0  # the endpoint must answer at least this many times the fastest tool's request rate
STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 5.0
BENCH_BUCKET = "endpoint-capacity"
SIZES_KIB = (64, 4)
CONNECTIONS = 32  # the data client's default concurrency, the highest of the benchmarked tools'
WIDE_CONNECTIONS = 256  # with the delay on: enough requests in flight that the delay does not cap the rate
MAX_REQUESTS_PER_RUN = 200_000  # every load loop stops at this count or its duration, whichever first
WRK_SCRIPT = """\
-- Stop each wrk thread after WRK_MAX_REQUESTS responses: the run is bounded in count and time.
local count, limit = 0, tonumber(os.getenv("WRK_MAX_REQUESTS"))
response = function(status, headers, body)
  count = count + 1
  if count >= limit then wrk.thread:stop() end
end
"""


@dataclass(frozen=True)
class LatencyModel:
    """Applied by the server to every request alike: the first byte of a response leaves no sooner
    than ``first_byte_ms`` after the request's last byte arrived; bodies flow at most at
    ``bandwidth_mbps`` per connection and direction (0: uncapped)."""

    first_byte_ms: float = DEFAULT_FIRST_BYTE_MS
    bandwidth_mbps: float = 0.0

    def arguments(self) -> list[str]:
        return ["--first-byte-ms", f"{self.first_byte_ms:g}", "--bandwidth-mbps", f"{self.bandwidth_mbps:g}"]

    def describe(self) -> str:
        if not self.first_byte_ms and not self.bandwidth_mbps:
            return "no added latency"
        cap = f", {self.bandwidth_mbps:g} Mbit/s per connection" if self.bandwidth_mbps else ""
        return f"{self.first_byte_ms:g} ms to first byte{cap}"


NO_LATENCY = LatencyModel(0.0, 0.0)


class Endpoint:
    """``with Endpoint() as endpoint:`` the S3-like server on a random 127.0.0.1 port, stopped on
    exit (also when the body raises). ``endpoint_url``, ``ca_bundle`` (None over plain http),
    ``pid`` (for its CPU time), ``stats()`` (requests it answered, by operation)."""

    def __init__(self, latency: LatencyModel = LatencyModel(), backend: bool = False, secure: bool = True) -> None:
        self.latency, self.backend, self.secure = latency, backend, secure
        self.endpoint_url = ""
        self.ca_bundle: Path | None = None
        self.loop_name = ""
        self.process: subprocess.Popen[str] | None = None
        self._stack = ExitStack()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> Endpoint:
        from lake.sandbox.tls import self_signed_certificate

        try:
            # This interpreter, standard library only (uvloop was measured and not worth a dependency:
            # benchmarks/endpoint_candidates.py).
            self.loop_name = "asyncio"
            command = [sys.executable, "-m", "benchmarks.endpoint_server", "--port", "0", *self.latency.arguments()]
            if self.secure:
                directory = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-endpoint-tls-")))
                certificate = self_signed_certificate(directory)
                self.ca_bundle = certificate.cert_path
                command += ["--cert", str(certificate.cert_path), "--key", str(certificate.key_path)]
            if self.backend:
                from lake.sandbox.server import MotoServer

                moto = self._stack.enter_context(MotoServer())
                command += ["--backend", moto.endpoint_url]
            self.process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True,
                                            env={**os.environ, "PYTHONPATH": str(REPO)})
            self.endpoint_url = self._ready_url()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop()

    def _ready_url(self) -> str:
        """The URL the server prints once it listens."""
        assert self.process is not None and self.process.stdout is not None
        readable, _, _ = select.select([self.process.stdout], [], [], STARTUP_TIMEOUT_SECONDS)
        line = self.process.stdout.readline() if readable else ""
        found = re.match(r"ready (\S+)", line)
        if not found:
            raise RuntimeError(f"the endpoint did not start within {STARTUP_TIMEOUT_SECONDS:g} s "
                               f"(exit code {self.process.poll()}): {line!r}")
        return found.group(1)

    def stats(self) -> dict:
        """What the server answered so far: requests per S3 operation, forwarded ones per service,
        its CPU seconds."""
        import ssl

        context = ssl.create_default_context(cafile=str(self.ca_bundle)) if self.ca_bundle else None
        with urllib.request.urlopen(f"{self.endpoint_url}/__endpoint/stats", timeout=10, context=context) as answer:
            return json.loads(answer.read())

    def probe(self, kib: int = 64, seconds: float = 3.0) -> LoadRun:
        """What this endpoint answers now, for the rule: presigned ``kib`` KiB GETs with wrk, at the
        tools' concurrency, or at WIDE_CONNECTIONS when a first-byte delay is on (so that the delay does
        not cap the figure). Writes one object in a bucket of its own."""
        url = presigned_gets(self.client(), BENCH_BUCKET, (kib,))[kib]
        connections = WIDE_CONNECTIONS if self.latency.first_byte_ms else CONNECTIONS
        with tempfile.TemporaryDirectory(prefix="endpoint-probe-") as directory:
            return wrk(url, connections, seconds, wrk_script(Path(directory)), [self.pid])

    def client(self, service: str = "s3", pool: int = 10):  # noqa: ANN201 - a botocore client
        """A boto3 client of the endpoint with fake credentials and path-style addressing."""
        import boto3
        from botocore.config import Config

        config = Config(s3={"addressing_style": "path"}, max_pool_connections=pool, signature_version="s3v4")
        return boto3.client(service, endpoint_url=self.endpoint_url, region_name=REGION, config=config,
                            verify=str(self.ca_bundle) if self.ca_bundle else None, **CREDENTIALS)

    def _stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        self._stack.close()


def counts(endpoint_rate: float, fastest_tool_rate: float) -> bool:
    """The rule: a tool's result counts only where the endpoint could answer at least HEADROOM times
    the fastest tool's request rate (same requests, same machine); otherwise it is endpoint-bound."""
    return endpoint_rate >= HEADROOM * fastest_tool_rate


def verdict(endpoint_rate: float, fastest_tool_rate: float) -> str:
    ratio = endpoint_rate / fastest_tool_rate if fastest_tool_rate else float("inf")
    if counts(endpoint_rate, fastest_tool_rate):
        return f"counts (the endpoint answers {ratio:.1f}x the fastest tool's {fastest_tool_rate:.0f} requests/s)"
    return (f"endpoint-bound (the endpoint answers only {ratio:.1f}x the fastest tool's "
            f"{fastest_tool_rate:.0f} requests/s; {HEADROOM:g}x needed)")


# --- load generation (shared with benchmarks/endpoint_candidates.py) ----------------------------------


@dataclass(frozen=True)
class LoadRun:
    rate: float  # responses per second, as wrk reports them
    requests: int
    bad: int  # non-2xx responses, socket errors and timeouts
    server_cpu: float  # CPU seconds the server's processes spent during the run
    seconds: float = 0.0  # wall time of the run
    generator_cpu: float = 0.0  # CPU seconds wrk spent

    @property
    def generator_load(self) -> float:
        """wrk's CPU over the run's wall time: near 1.0, the load generator (one thread) is the limit."""
        return self.generator_cpu / self.seconds if self.seconds else float("nan")

    @property
    def cpu_per_request_ms(self) -> float:
        return 1000 * self.server_cpu / self.requests if self.requests else float("nan")


def wrk_version() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk (Debian's package)")
    done = subprocess.run([found, "--version"], capture_output=True, text=True)
    return (done.stdout or done.stderr).split("[")[0].strip()


def wrk(url: str, connections: int, seconds: float, script: Path, server_pids: list[int],
        max_requests: int = MAX_REQUESTS_PER_RUN) -> LoadRun:
    """One wrk run against ``url`` (only ever 127.0.0.1), one thread, ``connections`` kept open,
    stopped after ``seconds`` or ``max_requests`` responses."""
    if not url.split("://", 1)[-1].startswith(f"{HOST}:"):
        raise ValueError(f"refusing to load {url}: only {HOST} is ever a target")
    before = sum(process_tree_cpu(pid) for pid in server_pids)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + 60, env={**os.environ, "WRK_MAX_REQUESTS": str(max_requests)},
    )
    cpu = sum(process_tree_cpu(pid) for pid in server_pids) - before
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    generator = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if done.returncode != 0 or rate is None or total is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {out[-500:]} {done.stderr[-500:]}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(n) for n in errors.groups()) if errors else 0)
    return LoadRun(float(rate.group(1)), int(total.group(1)), bad, cpu, elapsed, generator)


def wrk_script(directory: Path) -> Path:
    script = directory / "bounded.lua"
    script.write_text(WRK_SCRIPT)
    return script


def process_tree_cpu(pid: int) -> float:
    """User + system seconds of ``pid`` and its live descendants (0 for a process that is gone)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
        pending += children.get(current, [])
    return total


def presigned_gets(s3, bucket: str, sizes_kib: tuple[int, ...] = SIZES_KIB, sse_kms: bool = True) -> dict[int, str]:  # noqa: ANN001
    """One random object per size (SSE-KMS headers on, as the lake's objects have them), read back
    and compared, and a SigV4-presigned GET URL for each (valid one hour)."""
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    urls = {}
    for kib in sizes_kib:
        body, key = os.urandom(kib * 1024), f"capacity/object-{kib}k.bin"
        extra = {"ServerSideEncryption": "aws:kms",
                 "SSEKMSKeyId": "arn:aws:kms:us-east-1:123456789012:key/bench"} if sse_kms else {}
        s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)
        if s3.get_object(Bucket=bucket, Key=key)["Body"].read() != body:
            raise RuntimeError(f"the {kib} KiB object did not read back as written")
        urls[kib] = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=3600)
    return urls


# --- --capacity -------------------------------------------------------------------------------------------


@dataclass
class Capacity:
    runs: dict[tuple[int, str, int], list[LoadRun]] = field(default_factory=dict)  # (KiB, latency, conns)
    load: list[float] = field(default_factory=list)
    loop: str = ""
    latency: LatencyModel = LatencyModel()


def measure_capacity(runs: int, seconds: float, latency: LatencyModel) -> Capacity:
    """The endpoint without and with the latency model, side by side; each configuration ``runs``
    times, in an order rotating from run to run."""
    wrk_version()
    measured = Capacity(load=[os.getloadavg()[0]], latency=latency)
    with ExitStack() as stack:
        plain = stack.enter_context(Endpoint(NO_LATENCY))
        delayed = stack.enter_context(Endpoint(latency))
        measured.loop = plain.loop_name
        script = wrk_script(Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="endpoint-capacity-"))))
        cases = []
        for endpoint, name in ((plain, NO_LATENCY.describe()), (delayed, latency.describe())):
            urls = presigned_gets(endpoint.client(), BENCH_BUCKET)
            for kib in SIZES_KIB:
                cases.append((kib, name, CONNECTIONS, urls[kib], endpoint.pid))
                if endpoint is delayed:
                    cases.append((kib, name, WIDE_CONNECTIONS, urls[kib], endpoint.pid))
        for run in range(runs):
            shift = run % len(cases)
            for kib, name, connections, url, pid in cases[shift:] + cases[:shift]:
                done = wrk(url, connections, seconds, script, [pid])
                measured.runs.setdefault((kib, name, connections), []).append(done)
                print(f"run {run + 1}/{runs}: {kib} KiB, {name}, {connections} connections: {done.rate:.0f}/s "
                      f"({done.bad} bad, {done.cpu_per_request_ms:.3f} ms CPU per request)", flush=True)
    measured.load.append(os.getloadavg()[0])
    return measured


def capacity_of(measured: Capacity, kib: int) -> float:
    """Requests per second the endpoint answers for ``kib`` GETs when its CPU is the limit: the
    median without latency at the tools' concurrency."""
    return statistics.median(r.rate for r in measured.runs[kib, NO_LATENCY.describe(), CONNECTIONS])


def capacity_report(measured: Capacity, runs: int, seconds: float) -> list[str]:
    from benchmarks.machine import describe

    delay = measured.latency.first_byte_ms
    rows = []
    for (kib, name, connections), done in measured.runs.items():
        rates = [r.rate for r in done]
        median = statistics.median(rates)
        ceiling = f"{connections / (delay / 1000):,.0f}" if name != NO_LATENCY.describe() and delay else ""
        rows.append(f"| {kib} KiB | {name} | {connections} | **{median:,.0f}** | {min(rates):,.0f} | {max(rates):,.0f} | "
                    f"{median * kib / 1024:,.1f} | {statistics.median(r.cpu_per_request_ms for r in done):.3f} | "
                    f"{statistics.median(r.generator_load for r in done):.0%} | {ceiling} | {sum(r.bad for r in done)} |")
    return [
        "## The benchmarks' S3 endpoint: capacity (`python -m benchmarks.endpoint --capacity`)",
        "",
        "The data and audit benchmarks point every tool at one endpoint, `benchmarks.endpoint.Endpoint` "
        "(benchmarks/endpoint_server.py: asyncio, TLS, keep-alive, in memory; why this server: the section above). "
        "With `Endpoint(backend=True)` a plain moto server answers, behind it, every service other than S3 (KMS, "
        "STS, Glue, S3 Control...). The policy gate stays out of the speed runs: bucket policies are stored and read "
        "back, never enforced; the gate is tested elsewhere (tests/data/, against moto).",
        "",
        f"Latency model, applied by the server to every request of every tool alike: the first byte of each response "
        f"leaves no sooner than **{delay:g} ms** after the request's last byte arrived"
        + (f", and each connection carries at most {measured.latency.bandwidth_mbps:g} Mbit/s in each direction"
           if measured.latency.bandwidth_mbps else " (a per-connection bandwidth cap is available, off by default)")
        + ". AWS's guidance for latency-sensitive applications on S3 says that small requests (under 512 KB) have "
        "median latencies \"often in the range of tens of milliseconds\" "
        f"([Timeouts and Retries for Latency-Sensitive Applications]({LATENCY_SOURCE}), in the whitepaper "
        "*Best Practices Design Patterns: Optimizing Amazon S3 Performance*); the default sits in that range. The "
        "\"100-200 ms first byte\" often quoted for S3 is not on that page: a search of AWS's documentation found it "
        "only in third-party course notes. Interim `100 Continue` answers are not delayed.",
        "",
        f"The rule: **a result counts only where the endpoint could answer at least {HEADROOM:g}x the fastest tool's "
        "request rate** (the endpoint's rate for the same object size, measured in the benchmark's own run with "
        "`Endpoint.probe()` or else taken from the table below, against the fastest tool's requests per second); "
        "otherwise it is reported as endpoint-bound (`benchmarks.endpoint.verdict`).",
        "",
        f"Machine and date: {describe()}. Server: benchmarks/endpoint_server.py on the {measured.loop} event loop, "
        f"https (TLS 1.2+, self-signed ECDSA P-256 certificate), keep-alive. Load generator: {wrk_version()} "
        f"(Debian's package), one thread, presigned SigV4 GETs of one object per size (SSE-KMS), the signature "
        f"verified by the server on every request. {runs} runs of {seconds:g} s per row (each also stops after "
        f"{MAX_REQUESTS_PER_RUN:,} responses), the rows' order rotating from run to run, both servers (with and "
        "without the latency model) running side by side; median, min and max. The server's CPU is read from /proc "
        "around each run, wrk's from its resource usage. The machine's 1-minute load average was "
        f"{measured.load[0]:.1f} at the start and {measured.load[-1]:.1f} at the end (wrk and the server account for "
        "up to 2 of it).",
        "",
        "| object | latency model | connections | requests/s (median) | min | max | MiB/s | server CPU per request (ms) "
        "| wrk's CPU (of one core) | ceiling of the delay alone (requests/s) | failed responses |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"- Capacity the rule uses (median without latency, {CONNECTIONS} connections): "
        + "; ".join(f"{kib} KiB GETs **{capacity_of(measured, kib):,.0f}/s**" for kib in SIZES_KIB) + ".",
        f"- With the delay on, {CONNECTIONS} connections cannot exceed {CONNECTIONS} / {delay:g} ms whatever the "
        f"server, and neither can a tool with {CONNECTIONS} requests in flight. At {WIDE_CONNECTIONS} connections "
        "the delay no longer binds: that row shows what the server sustains with the model on (waiting costs it no "
        "CPU). Where wrk's CPU nears 100% of its core, the load generator, not the server, sets the rate, and the "
        "server's capacity is at least the figure shown.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capacity", action="store_true", help="measure the endpoint's capacity (required)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--first-byte-ms", type=float, default=DEFAULT_FIRST_BYTE_MS)
    parser.add_argument("--bandwidth-mbps", type=float, default=0.0)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave docs/benchmarks.md alone")
    args = parser.parse_args()
    if not args.capacity:
        parser.error("nothing to do: pass --capacity")
    measured = measure_capacity(args.runs, args.seconds, LatencyModel(args.first_byte_ms, args.bandwidth_mbps))
    lines = capacity_report(measured, args.runs, args.seconds)
    print("\n".join(lines))
    if not args.no_write:
        from benchmarks.results import write_section

        write_section("endpoint-capacity", "\n".join(lines))


if __name__ == "__main__":
    main()
