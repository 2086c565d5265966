"""Dask reads 200 Parquet files through `lake://` on 2 workers, on 1 worker, and through a plain
`s3://` path of s3fs, on the benchmarks' S3 endpoint (benchmarks/endpoint.py); and, on the gated
sandbox, a plain s3fs write against the lake's bucket policy (refused in strict mode) beside `lake://`'s.

The endpoint (https, its CA bundle, the default latency model: 30 ms to first byte on every
request) is seeded once, not timed: ``--files`` Parquet files of ROWS rows each (written with
SSE-KMS headers naming the lake key, checked afterwards with HeadObject), and a stack-outputs file
mapping the zone to their bucket with the key ARN, as `pulumi stack output --json` writes it.
Each run starts a new ``distributed.LocalCluster`` (worker processes, one thread each), imports
the readers in its workers, then times ``dd.read_parquet(path, storage_options=...)`` and the
aggregate's ``compute()`` only: the cluster's start-up is reported, not timed. Every result is
compared with the truth computed when the files were written; a wrong result is a failed run,
never a fast one. The setups' order rotates from run to run.

    python -m benchmarks.dask_read [--runs 3] [--files 200] [--write]

Why files of 50,000 rows (about 0.9 MiB: an int32 key, an int64 amount, a float64 score, a
dictionary-encoded label): each file is one Dask partition (one row group), large enough that
decoding it costs CPU of the same order as the requests' 30 ms waits (a benchmark of latency
alone would say nothing about the workers), small enough that 200 of them (10 million rows,
about 170 MiB in the endpoint's memory) and 3 runs of 3 setups finish in minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPO = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
ZONE = "raw"
BUCKET = "lake-bench-dask-raw"
PREFIX = "bench/events/"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/5d0c2a9e-7b1f-4c3d-8e6a-2f4b9c1d0e7a"
ROWS = 50_000
KEYS = 16  # distinct values of the group-by key
QUERY_COLUMNS = ("key", "amount")
LABELS = tuple(f"label-{n:02d}" for n in range(64))
SEED = 20261207
SEED_THREADS = 16  # PUTs in flight while seeding (not timed)
FIRST_BYTE_MS = 30.0
SATURATED = 0.9  # the machine's cores this busy, all processes together, during a run's timed part


@dataclass(frozen=True)
class Setup:
    name: str
    scheme: str  # "lake" or "s3"
    workers: int


LAKE_2 = Setup("lake://, 2 workers", "lake", 2)
LAKE_1 = Setup("lake://, 1 worker", "lake", 1)
PLAIN_2 = Setup("plain s3fs s3://, 2 workers", "s3", 2)
SETUPS = (LAKE_2, LAKE_1, PLAIN_2)

Truth = dict[int, tuple[int, int]]  # key -> (sum of amount, count of rows)


# --- the data set -------------------------------------------------------------------------------


def file_name(index: int) -> str:
    return f"part-{index:04d}.parquet"


def make_table(index: int, rows: int = ROWS):  # noqa: ANN201 - a pyarrow.Table
    """File ``index``'s rows, the same on every machine (its own seed)."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng([SEED, index])
    labels = pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, len(LABELS), rows, dtype=np.int32)),
                                            pa.array(LABELS))
    return pa.table({"key": pa.array(rng.integers(0, KEYS, rows, dtype=np.int32)),
                     "amount": pa.array(rng.integers(0, 1_000_000, rows, dtype=np.int64)),
                     "score": pa.array(rng.standard_normal(rows)),
                     "label": labels})


def parquet_bytes(table) -> bytes:  # noqa: ANN001 - a pyarrow.Table
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(table, out)  # one row group: one Dask partition per file
    return out.getvalue()


def query_bytes(body: bytes) -> int:
    """Bytes of the column chunks the query reads (key and amount) in one file: the larger of the two
    ranged GETs a reader sends per file (the other is the footer)."""
    import pyarrow.parquet as pq

    group = pq.ParquetFile(io.BytesIO(body)).metadata.row_group(0)
    columns = (group.column(n) for n in range(group.num_columns))
    return sum(c.total_compressed_size for c in columns if c.path_in_schema in QUERY_COLUMNS)


def truth_of(table) -> Truth:  # noqa: ANN001 - a pyarrow.Table
    """Sum of ``amount`` and row count per ``key``, exact (integers)."""
    import numpy as np

    keys = table.column("key").to_numpy()
    amounts = table.column("amount").to_numpy()
    sums = np.zeros(KEYS, dtype=np.int64)
    np.add.at(sums, keys, amounts)
    counts = np.bincount(keys, minlength=KEYS)
    return {k: (int(sums[k]), int(counts[k])) for k in range(KEYS) if counts[k]}


def combined(truths: list[Truth]) -> Truth:
    total: dict[int, tuple[int, int]] = {}
    for truth in truths:
        for key, (amount, count) in truth.items():
            before = total.get(key, (0, 0))
            total[key] = (before[0] + amount, before[1] + count)
    return dict(sorted(total.items()))


def aggregate(frame):  # noqa: ANN001, ANN201 - a Dask (or pandas) DataFrame
    """The query every setup computes: sum and count of ``amount`` by ``key``. ``split_out=1``: a
    tree reduction into one partition, as 16 groups need (Dask would otherwise choose a shuffle by
    the partition count)."""
    return frame.groupby("key")["amount"].agg(["sum", "count"], split_out=1)


def as_truth(result) -> Truth:  # noqa: ANN001 - the computed pandas DataFrame
    return {int(key): (int(row["sum"]), int(row["count"])) for key, row in result.sort_index().iterrows()}


def problem_with(result, truth: Truth) -> str | None:  # noqa: ANN001
    """None when the computed aggregate equals the truth, else what differs."""
    got = as_truth(result)
    if got == truth:
        return None
    wrong = sorted(k for k in set(got) | set(truth) if got.get(k) != truth.get(k))
    first = wrong[0]
    return f"{len(wrong)} of {len(truth)} keys differ (first: key {first}: {got.get(first)} != {truth.get(first)})"


# --- the paths and options each setup hands to Dask ----------------------------------------------


def stack_outputs(bucket: str = BUCKET, key_arn: str = KEY_ARN, zone: str = ZONE) -> dict[str, Any]:
    """What `pulumi stack output --json` gives for one zone: its bucket and the lake key."""
    return {"zoneBuckets": {zone: {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"}}, "keyArn": key_arn}


def path_of(setup: Setup) -> str:
    return f"lake://{ZONE}/{PREFIX}" if setup.scheme == "lake" else f"s3://{BUCKET}/{PREFIX}"


def storage_options(setup: Setup, endpoint_url: str, ca_bundle: str, outputs: Path) -> dict[str, Any]:
    """lake://: the stack outputs, the endpoint and the CA bundle (the lake's settings follow from
    them); plain s3fs: the endpoint and the CA only. Credentials come from the environment in both."""
    if setup.scheme == "lake":
        return {"stack_outputs": str(outputs), "endpoint_url": endpoint_url, "ca_bundle": ca_bundle, "region": REGION}
    return {"endpoint_url": endpoint_url, "client_kwargs": {"verify": ca_bundle, "region_name": REGION}}


# --- seeding (not timed) -------------------------------------------------------------------------


def seed(s3, files: int) -> tuple[Truth, list[int], list[int]]:  # noqa: ANN001 - a botocore client
    """Write the files (SSE-KMS headers naming the lake key), check them with HeadObject; the truth,
    the files' sizes and the bytes of the columns the query reads in each."""
    s3.create_bucket(Bucket=BUCKET)

    def put(index: int) -> tuple[Truth, int, int]:
        table = make_table(index)
        body = parquet_bytes(table)
        s3.put_object(Bucket=BUCKET, Key=PREFIX + file_name(index), Body=body,
                      ServerSideEncryption="aws:kms", SSEKMSKeyId=KEY_ARN)
        head = s3.head_object(Bucket=BUCKET, Key=PREFIX + file_name(index))
        if head.get("SSEKMSKeyId") != KEY_ARN or head["ContentLength"] != len(body):
            raise RuntimeError(f"{file_name(index)}: stored as {head.get('SSEKMSKeyId')}, "
                               f"{head['ContentLength']} bytes")
        return truth_of(table), len(body), query_bytes(body)

    with ThreadPoolExecutor(SEED_THREADS) as pool:
        done = list(pool.map(put, range(files)))
    return combined([d[0] for d in done]), [d[1] for d in done], [d[2] for d in done]


# --- one timed run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    startup: float  # the cluster's start-up and the imports in its workers (not in ``seconds``)
    requests: dict[str, int]  # S3 operations the endpoint answered during the timed part
    worker_cpu: float
    endpoint_cpu: float
    driver_cpu: float  # this process: the graph, the scheduler, the client
    machine_busy: float = 0.0  # share of all cores busy (every process on the machine) during the timed part
    problem: str | None = None

    @property
    def cpu(self) -> float:
        return self.worker_cpu + self.endpoint_cpu + self.driver_cpu


def warm_up() -> None:
    """Imported in each worker before the clock starts, as a long-lived cluster already has them."""
    import pyarrow.parquet  # noqa: F401
    import s3fs  # noqa: F401

    import lake.data.filesystem  # noqa: F401


@contextmanager
def cluster(workers: int) -> Iterator[tuple[Any, float]]:
    """A new LocalCluster of ``workers`` processes of one thread; yields its client and the seconds
    from asking for it to every worker ready and warmed up."""
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as local, \
            Client(local) as client:
        client.wait_for_workers(workers)
        client.run(warm_up)
        yield client, time.perf_counter() - started


def clear_filesystem_caches() -> None:
    """fsspec keeps one instance per class and options, with its listings: each run starts cold."""
    import s3fs

    from lake.data.filesystem import LakeFileSystem

    for kind in (LakeFileSystem, s3fs.S3FileSystem):
        kind.clear_instance_cache()


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot, from /proc/stat (iowait counts as idle)."""
    fields = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def busy_between(before: tuple[int, int], after: tuple[int, int]) -> float:
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


@dataclass(frozen=True)
class Snapshot:
    """What the endpoint answered so far and the CPU spent so far, at one moment."""

    requests: dict[str, int]
    worker_cpu: float
    endpoint_cpu: float
    driver_cpu: float
    ticks: tuple[int, int]

    @classmethod
    def take(cls, endpoint, worker_pids: list[int]) -> Snapshot:  # noqa: ANN001 - benchmarks.endpoint.Endpoint
        from benchmarks.endpoint import process_tree_cpu

        return cls(endpoint.stats()["requests"], sum(process_tree_cpu(p) for p in worker_pids),
                   process_tree_cpu(endpoint.pid), time.process_time(), cpu_ticks())


def run_between(before: Snapshot, after: Snapshot, seconds: float, startup: float, problem: str | None) -> Run:
    requests = {op: n - before.requests.get(op, 0) for op, n in after.requests.items()
                if n - before.requests.get(op, 0)}
    return Run(seconds, startup, requests, after.worker_cpu - before.worker_cpu,
               after.endpoint_cpu - before.endpoint_cpu, after.driver_cpu - before.driver_cpu,
               busy_between(before.ticks, after.ticks), problem)


def timed_run(setup: Setup, endpoint, options: dict[str, Any], truth: Truth) -> Run:  # noqa: ANN001
    import dask.dataframe as dd

    clear_filesystem_caches()
    with cluster(setup.workers) as (client, startup):
        pids = list(client.run(os.getpid).values())
        before = Snapshot.take(endpoint, pids)
        started = time.perf_counter()
        try:
            result = aggregate(dd.read_parquet(path_of(setup), storage_options=options)).compute()
            problem = problem_with(result, truth)
        except Exception as error:  # noqa: BLE001 - a run that raised is reported as failed
            problem = f"{type(error).__name__}: {str(error)[:300]}"
        seconds = time.perf_counter() - started
        after = Snapshot.take(endpoint, pids)
    return run_between(before, after, seconds, startup, problem)


# --- writes on the gated sandbox ------------------------------------------------------------------

STRICT = "datalake:requireSseHeader"  # prod's strict mode: a PutObject without an SSE header is denied


@dataclass(frozen=True)
class WriteOutcome:
    stack: str  # the plan applied to the gated sandbox
    plain: str  # what a plain s3fs write to a zone bucket did
    lake: str  # what the same write through lake:// did
    plain_refused: bool
    lake_written: bool  # written, SSE-KMS with the lake key


def strict_config(directory: Path) -> Path:
    """Pulumi.dev.yaml with strict mode on, as a copy in ``directory`` (the repository's file is
    left alone)."""
    text = (REPO / "Pulumi.dev.yaml").read_text()
    if STRICT in text or "\nconfig:\n" not in text:
        raise RuntimeError(f"Pulumi.dev.yaml: expected a config section without {STRICT}")
    path = directory / "Pulumi.dev.yaml"
    path.write_text(text.replace("\nconfig:\n", f"\nconfig:\n  {STRICT}: true\n", 1))
    return path


def write_outcomes() -> list[WriteOutcome]:
    """The dev plan as recorded, then with strict mode on, each applied to moto behind the policy
    gate (as tests/data/conftest.py does); in each, one small Parquet file written to the raw zone
    with plain s3fs (endpoint and CA only), then through lake://, their encryption read back."""
    from lake.plan.render import plan_document
    from lake.plan.runner import plan_stack
    from lake.sandbox.serve import gated_servers

    with tempfile.TemporaryDirectory(prefix="dask-read-gate-") as tmp, gated_servers() as servers:
        plans = (("dev", None), (f"dev with `{STRICT}: true` (strict mode, as prod)", strict_config(Path(tmp))))
        return [write_outcome(servers, name, plan_document(plan_stack(REPO, "dev", config_file=config)), Path(tmp))
                for name, config in plans]


def write_outcome(servers, stack: str, document: dict[str, Any], directory: Path) -> WriteOutcome:  # noqa: ANN001
    import urllib.request

    from lake.sandbox.apply import apply_plan, substitute
    from lake.sandbox.tls import client_context

    # moto's backends are process-wide: each plan starts from an empty account.
    reset = urllib.request.Request(f"{servers.https_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, context=client_context(servers.ca_bundle), timeout=10).close()
    applied = apply_plan(document, servers.https_url, verify=servers.ca_bundle)
    outputs = substitute(document["outputs"], applied.substitutions)
    outputs_file = directory / "stack-outputs.json"
    outputs_file.write_text(json.dumps(outputs))
    bucket, ca, body = outputs["zoneBuckets"][ZONE]["name"], str(servers.ca_bundle), parquet_bytes(make_table(0, 1_000))
    plain = attempt(lambda: s3fs_of(PLAIN_2, servers.https_url, ca, outputs_file).pipe_file(
        f"{bucket}/{PREFIX}plain.parquet", body))
    lake = attempt(lambda: s3fs_of(LAKE_2, servers.https_url, ca, outputs_file).pipe_file(
        f"{ZONE}/{PREFIX}lake.parquet", body))
    stored = {name: encryption_of(servers.https_url, ca, bucket, f"{PREFIX}{name}.parquet")
              for name, error in (("plain", plain), ("lake", lake)) if error is None}
    return outcome(stack, plain, lake, stored, outputs["keyArn"])


def s3fs_of(setup: Setup, endpoint_url: str, ca_bundle: str, outputs: Path):  # noqa: ANN201
    """The filesystem Dask would make for ``setup`` (a new instance, not fsspec's cached one)."""
    import fsspec

    return fsspec.filesystem(setup.scheme, skip_instance_cache=True,
                             **storage_options(setup, endpoint_url, ca_bundle, outputs))


def attempt(write: Callable[[], Any]) -> BaseException | None:
    try:
        write()
    except Exception as error:  # noqa: BLE001 - reported as the outcome
        return error
    return None


def encryption_of(endpoint_url: str, ca_bundle: str, bucket: str, key: str) -> str:
    from lake.sandbox.server import client

    head = client("s3", endpoint_url, REGION, verify=ca_bundle).head_object(Bucket=bucket, Key=key)
    return f"{head.get('ServerSideEncryption')} with {head.get('SSEKMSKeyId')}"


def outcome(stack: str, plain: BaseException | None, lake: BaseException | None, stored: Mapping[str, str],
            key_arn: str) -> WriteOutcome:
    """What each write did; ``stored``: the encryption of each object written."""
    lake_key = f"aws:kms with {key_arn}"

    def described(name: str, error: BaseException | None) -> str:
        if error is not None:
            return f"refused: `{type(error).__name__}: {first_line(error)}`"
        return f"written, {'SSE-KMS with the lake key' if stored[name] == lake_key else stored[name]}"

    return WriteOutcome(stack, described("plain", plain), described("lake", lake), isinstance(plain, PermissionError),
                        lake is None and stored.get("lake") == lake_key)


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [""])[0][:300]


# --- the measurement ---------------------------------------------------------------------------------


@dataclass
class Measured:
    files: int
    sizes: list[int]  # of the files
    ranges: list[int]  # bytes of the query's columns in each file
    probe_kib: int
    probe_rate: float = 0.0
    runs: dict[str, list[Run]] = field(default_factory=dict)  # setup name -> runs
    load: list[float] = field(default_factory=list)
    writes: list[WriteOutcome] = field(default_factory=list)


def measure(runs: int, files: int) -> Measured:
    from benchmarks.endpoint import Endpoint, LatencyModel
    from lake.sandbox.server import sandbox_environment

    os.environ.update(sandbox_environment(REGION))  # the workers inherit the fake credentials
    os.environ.pop("AWS_PROFILE", None)
    writes = write_outcomes()
    for done in writes:
        print(f"gated sandbox, {done.stack}: plain s3fs {done.plain}; lake:// {done.lake}", flush=True)
    with Endpoint(LatencyModel(FIRST_BYTE_MS)) as endpoint, tempfile.TemporaryDirectory(prefix="dask-read-") as tmp:
        started = time.perf_counter()
        truth, sizes, ranges = seed(endpoint.client(pool=SEED_THREADS), files)
        print(f"seeded {files} files ({sum(sizes) / 2**20:.1f} MiB) in {time.perf_counter() - started:.1f} s",
              flush=True)
        outputs = Path(tmp) / "stack-outputs.json"
        outputs.write_text(json.dumps(stack_outputs()))
        measured = Measured(files, sizes, ranges, probe_kib(ranges), load=[os.getloadavg()[0]], writes=writes)
        run_setups(measured, runs, endpoint, outputs, truth)
        measured.load.append(os.getloadavg()[0])
        measured.probe_rate = endpoint.probe(measured.probe_kib, seconds=3.0).rate
    return measured


def run_setups(measured: Measured, runs: int, endpoint, outputs: Path, truth: Truth) -> None:  # noqa: ANN001
    """Every setup ``runs`` times, their order rotating from run to run."""
    for run in range(runs):
        for setup in rotated(SETUPS, run):
            measured.load.append(os.getloadavg()[0])
            options = storage_options(setup, endpoint.endpoint_url, str(endpoint.ca_bundle), outputs)
            done = timed_run(setup, endpoint, options, truth)
            measured.runs.setdefault(setup.name, []).append(done)
            print(f"run {run + 1}/{runs}, {setup.name}: {done.seconds:.2f} s (start-up {done.startup:.2f} s, "
                  f"{requests_of(done)} requests) {done.problem or 'correct'}", flush=True)


def rotated(items: tuple, run: int) -> tuple:
    shift = run % len(items)
    return items[shift:] + items[:shift]


def probe_kib(sizes: list[int]) -> int:
    """The object size the endpoint's capacity is probed at: the median of ``sizes``, in KiB."""
    return max(1, round(statistics.median(sizes) / 1024))


# --- the report --------------------------------------------------------------------------------------


def good(runs: list[Run]) -> list[Run]:
    return [r for r in runs if r.problem is None]


def median_seconds(runs: list[Run]) -> float | None:
    ok = good(runs)
    return statistics.median(r.seconds for r in ok) if ok else None


def requests_of(run: Run) -> int:
    return sum(run.requests.values())


def table_row(name: str, runs: list[Run], files: int, cores: int) -> str:
    ok = good(runs)
    if not runs:
        return f"| {name} | not run | | | | | | | | | | | |"
    startup = statistics.median(r.startup for r in runs)
    if not ok:
        return f"| {name} | failed | | | | | | | | | | {startup:.2f} | 0 of {len(runs)} |"
    seconds = [r.seconds for r in ok]

    def median(value: Callable[[Run], float]) -> float:
        return statistics.median(value(r) for r in ok)

    cells = [f"**{median(lambda r: r.seconds):.2f}**", f"{min(seconds):.2f}", f"{max(seconds):.2f}",
             f"{files / median(lambda r: r.seconds):.1f}", f"{median(requests_of):.0f}",
             f"{median(lambda r: r.worker_cpu):.2f}", f"{median(lambda r: r.endpoint_cpu):.2f}",
             f"{median(lambda r: r.driver_cpu):.2f}", f"{median(lambda r: r.cpu / (r.seconds * cores)):.0%}",
             f"{median(lambda r: r.machine_busy):.0%}", f"{startup:.2f}", f"{len(ok)} of {len(runs)}"]
    return f"| {name} | " + " | ".join(cells) + " |"


def table_lines(measured: Measured, cores: int) -> list[str]:
    return [
        "| setup | median (s) | min (s) | max (s) | files/s | requests to the endpoint | CPU of the workers (s) "
        "| CPU of the endpoint (s) | CPU of the driver and scheduler (s) | cores busy with these | cores busy, all "
        "processes | cluster start-up, median (s), not timed | runs correct |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *[table_row(setup.name, measured.runs.get(setup.name, []), measured.files, cores) for setup in SETUPS],
    ]


def median_run(runs: list[Run]) -> Run:
    """The correct run whose time is nearest the median (one real run, its figures consistent)."""
    ok = good(runs)
    middle = statistics.median(r.seconds for r in ok)
    return min(ok, key=lambda r: abs(r.seconds - middle))


def speedup_line(measured: Measured, cores: int = 2) -> str:
    two, one = good(measured.runs.get(LAKE_2.name, [])), good(measured.runs.get(LAKE_1.name, []))
    if not two or not one:
        return "- Speed-up, 2 workers against 1: not measured (a setup failed every run)."
    fast, slow = median_seconds(two), median_seconds(one)
    return f"- Speed-up, lake:// on 2 workers against 1: **{slow / fast:.2f}x** ({slow:.2f} s / {fast:.2f} s)" + (
        f"; {what_bounds(median_run(two), LAKE_2.workers, cores)}.")


def what_bounds(run: Run, workers: int, cores: int) -> str:
    """Waiting or the cores: per worker, the requests' delay (one thread, one request at a time)
    against its CPU, and how busy the machine's cores were."""
    waiting = requests_of(run) * FIRST_BYTE_MS / 1000 / workers
    cpu = run.worker_cpu / workers
    if run.machine_busy < SATURATED and waiting > cpu:
        return (f"bound by waiting, not by the cores: each worker's one thread sends one request at a time, "
                f"{waiting:.2f} s of {FIRST_BYTE_MS:g} ms delays and {cpu:.2f} s of CPU of its {run.seconds:.2f} s, "
                f"while all processes kept {run.machine_busy:.0%} of the {cores} cores busy (what 2x lacks: "
                "the driver's listing and first footer, which the workers do not share, and task dispatch)")
    return (f"bound by the cores: all processes kept {run.machine_busy:.0%} of the {cores} cores busy; per worker "
            f"{waiting:.2f} s of delays and {cpu:.2f} s of CPU of its {run.seconds:.2f} s")


def overhead_line(measured: Measured) -> str:
    lake, plain = good(measured.runs.get(LAKE_2.name, [])), good(measured.runs.get(PLAIN_2.name, []))
    if not lake or not plain:
        return "- lake:// against the plain s3fs path: not measured (a setup failed every run)."
    ours, theirs = median_seconds(lake), median_seconds(plain)
    spans = [(min(r.seconds for r in runs), max(r.seconds for r in runs)) for runs in (lake, plain)]
    overlap = spans[0][0] <= spans[1][1] and spans[1][0] <= spans[0][1]
    return (f"- lake:// against the plain s3fs path, both on 2 workers: **{(ours / theirs - 1):+.1%}** "
            f"({ours:.2f} s against {theirs:.2f} s; their min-max ranges "
            + ("overlap: within the runs' spread)." if overlap else "do not overlap)."))


def bound_lines(measured: Measured, cores: int) -> list[str]:
    """What bounds each setup: waiting (requests x the delay per worker) or the shared cores."""
    lines = []
    for setup in SETUPS:
        ok = good(measured.runs.get(setup.name, []))
        if not ok:
            continue
        run = median_run(ok)
        waiting = requests_of(run) * FIRST_BYTE_MS / 1000 / setup.workers
        each = run.worker_cpu / setup.workers
        lines.append(
            f"- {setup.name}, its median run ({run.seconds:.2f} s): per worker, {requests_of(run)} requests x "
            f"{FIRST_BYTE_MS:g} ms / {setup.workers} = {waiting:.2f} s of waiting (a worker's one thread sends its "
            f"requests one after the other; the listing and the first footer's are the driver's) and {each:.2f} s of "
            f"CPU: {waiting + each:.2f} s, {(waiting + each) / run.seconds:.0%} of the run's time (besides: the "
            f"driver's graph, task dispatch, waiting for a core). All CPU: {run.worker_cpu:.2f} s in the workers, "
            f"{run.endpoint_cpu:.2f} s in the endpoint, {run.driver_cpu:.2f} s in the driver and scheduler, "
            f"{run.cpu / (run.seconds * cores):.0%} of the {cores} cores; all processes of the machine kept "
            f"{run.machine_busy:.0%} of them busy.")
    return lines


def contention_line(measured: Measured, cores: int) -> str:
    """Whether other work shared the machine: all processes' busy share against the benchmark's own."""
    ok = [r for runs in measured.runs.values() for r in good(runs)]
    if not ok:
        return ""
    machine = statistics.median(r.machine_busy for r in ok)
    ours = statistics.median(r.cpu / (r.seconds * cores) for r in ok)
    if machine < SATURATED:
        return (f"- Contention: all processes kept {machine:.0%} of the cores busy (median over the runs), this "
                f"benchmark {ours:.0%}: the cores were not saturated.")
    return (f"- Contention: **all processes kept {machine:.0%} of the cores busy** (median over the runs), this "
            f"benchmark's own processes {ours:.0%}: other work saturated the machine, so the workers waited for a "
            "core as well as for the endpoint, and the times, the speed-up and the overhead carry that noise (see "
            "the min-max spread); rerun on an otherwise idle machine for figures of the readers alone.")


def rule_line(measured: Measured) -> str:
    from benchmarks.endpoint import verdict

    rates = [requests_of(r) / r.seconds for runs in measured.runs.values() for r in good(runs)]
    if not rates or not measured.probe_rate:
        return "- Endpoint rule: not judged (no complete run)."
    return (f"- Endpoint rule: {verdict(measured.probe_rate, max(rates))}; the endpoint's rate is for presigned "
            f"{measured.probe_kib} KiB GETs (the median size of the query's column chunks in a file, the larger of "
            "the two GETs a reader sends per file; the other reads the footer), wrk at 256 connections, probed after "
            "the runs.")


def operations_line(measured: Measured) -> str:
    parts = []
    for setup in SETUPS:
        ok = good(measured.runs.get(setup.name, []))
        if ok:
            ops = ok[0].requests
            parts.append(f"{setup.name}: " + ", ".join(f"{op} {n}" for op, n in sorted(ops.items())))
    return "- Requests of the first complete run, by operation: " + "; ".join(parts) + "."


def versions_line() -> str:
    from importlib.metadata import version

    names = ("dask", "distributed", "s3fs", "fsspec", "pyarrow", "pandas", "botocore")
    return "Versions: " + ", ".join(f"{name} {version(name)}" for name in names) + "."


def write_lines(writes: list[WriteOutcome]) -> list[str]:
    """The writes on the gated sandbox, and whether they did what the lake requires."""
    if not writes:
        return []
    rows = [f"| {w.stack} | {w.plain} | {w.lake} |" for w in writes]
    strict = [w for w in writes if STRICT in w.stack]
    refused = bool(strict) and all(w.plain_refused for w in strict)
    written = all(w.lake_written for w in writes)
    return [
        "",
        "Writes on the gated sandbox (moto behind the lake's policy gate, as tests/data/ runs it: the benchmark "
        "endpoint stores bucket policies without enforcing them, so writes are judged here): one Parquet file of "
        "1,000 rows to the raw zone's bucket with plain s3fs (endpoint and CA only), then through lake://, the "
        "stored encryption read back with HeadObject.",
        "",
        "| plan applied | plain s3fs `s3://<bucket>/...` | `lake://raw/...` |",
        "|---|---|---|",
        *rows,
        "",
        f"- Plain s3fs refused with PermissionError in strict mode: {'yes' if refused else '**NO**'}; lake:// written "
        f"with SSE-KMS under the lake key on every plan: {'yes' if written else '**NO**'}."
        + (" Without strict mode the bucket policy denies a wrong SSE header (DenyNonKmsEncryptionHeader, "
           "DenyOtherKmsKey, DenyKmsHeaderWithoutKey, DenySseC), not a missing one: a plain write without headers "
           "is accepted and the bucket's default encryption applies (its row above)."
           if any(not w.plain_refused for w in writes if w not in strict) else ""),
    ]


def report(measured: Measured, runs: int) -> list[str]:
    from benchmarks.endpoint import LATENCY_SOURCE
    from benchmarks.machine import describe

    cores = os.cpu_count() or 1
    mib = sum(measured.sizes) / 2**20
    return [
        "## Dask reading Parquet through lake:// (`python -m benchmarks.dask_read`)",
        "",
        f"Machine and date: {describe()}. {versions_line()}",
        "",
        f"Method: the benchmarks' S3 endpoint (benchmarks/endpoint_server.py: asyncio, https with its self-signed CA "
        f"bundle trusted by every reader, keep-alive, SigV4 checked, in memory), latency model {FIRST_BYTE_MS:g} ms to "
        f"first byte on every request ([AWS's guidance]({LATENCY_SOURCE})). Seeded once, not timed: "
        f"{measured.files} Parquet files of {ROWS:,} rows (an int32 key of {KEYS} values, an int64 amount, a float64 "
        f"score, a dictionary-encoded label; one row group each), {mib:.1f} MiB in all (median "
        f"{statistics.median(measured.sizes) / 2**10:.0f} KiB a file, of which the query's two columns "
        f"{statistics.median(measured.ranges) / 2**10:.0f} KiB), under `{PREFIX}` of one bucket, written with SSE-KMS "
        "headers naming the lake key (checked with HeadObject); a stack-outputs file maps the zone "
        f"`{ZONE}` to that bucket with the key ARN. Query: `dd.read_parquet(path, storage_options=...)` then "
        "`groupby(\"key\")[\"amount\"].agg([\"sum\", \"count\"]).compute()` (Dask reads only the two columns), "
        "compared with the truth computed when the files were written (exact integers): a wrong or failed "
        "result is a failed run. Paths and options: "
        f"`{path_of(LAKE_2)}` with `{{stack_outputs, endpoint_url, ca_bundle, region}}`; `{path_of(PLAIN_2)}` with "
        "`{endpoint_url, client_kwargs: {verify, region_name}}` (endpoint and CA only, no lake settings); fake "
        "credentials from the environment for both. Each run starts a new `distributed.LocalCluster` (worker "
        "processes, 1 thread each), imports pyarrow, s3fs and the lake filesystem in its workers, and clears "
        "fsspec's cached instances (and their listings) in the driver: **cluster start-up is excluded from the "
        "timing** (reported in its own column); the clock covers the graph's construction (listing, the first "
        "file's footer) and `compute()`. "
        f"{runs} runs per setup, the setups' order rotating from run to run; median, min and max of the correct "
        "runs. CPU from /proc: the worker processes', the endpoint's, this process's (driver and the scheduler, "
        f"which LocalCluster runs in it); the machine's busy share of all cores from /proc/stat (every process, "
        f"this benchmark's and any other). 1-minute load average {measured.load[0]:.1f} at the start, "
        f"{min(measured.load[1:-1] or [0]):.1f} to {max(measured.load[1:-1] or [0]):.1f} at the starts of the runs, "
        f"{measured.load[-1]:.1f} at the "
        f"end ({cores} cores, shared by the workers, the endpoint and the driver).",
        "",
        *table_lines(measured, cores),
        "",
        speedup_line(measured, cores),
        overhead_line(measured),
        *bound_lines(measured, cores),
        *[line for line in [contention_line(measured, cores)] if line],
        rule_line(measured),
        operations_line(measured),
        *[f"- Failed run: {name}: {r.problem}" for name, runs_ in measured.runs.items() for r in runs_ if r.problem],
        *write_lines(measured.writes),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--write", action="store_true", help="write the section into docs/benchmarks.md")
    args = parser.parse_args()
    measured = measure(args.runs, args.files)
    lines = report(measured, args.runs)
    print("\n".join(lines))
    if args.write:
        from benchmarks.results import write_section

        write_section("dask-read", "\n".join(lines))


if __name__ == "__main__":
    main()
