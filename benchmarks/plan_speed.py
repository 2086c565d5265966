"""End-to-end time of `lake plan` for the dev stack and for generated configs up to 40x larger,
and what evaluating the policy rules adds to it.

Each size is planned as a separate process (what a user or CI waits for), N runs, median.
Startup (interpreter, imports, config) and the cost per resource are separated by a least-squares
line through the sizes (plans recorded with `--no-audit`); linearity is judged by R^2 and by the
marginal cost between sizes. For the dev stack and the 20x config, runs with and without the
audit alternate, so both see the same machine state.

    python benchmarks/plan_speed.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.machine import describe  # noqa: E402
from benchmarks.results import write_section  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SCALES = (1, 5, 10, 20, 40)  # multiples of the dev stack's three zones
TARGET_DEV_SECONDS = 3.0
TARGET_MS_PER_RESOURCE = 5.0
AUDITED_SCALES = (1, 20)
TARGET_AUDIT_OVERHEAD = 0.20


def scaled_config(scale: int) -> dict:
    """The dev stack with its zones, datasets and consumers repeated ``scale`` times (3 x scale zones)."""
    dev = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    config = dev["config"]
    config["datalake:zones"] = [
        {**zone, "name": f"{zone['name']}{i:02d}"} for i in range(scale) for zone in config["datalake:zones"]
    ]
    config["datalake:datasets"] = [
        {**d, "name": f"{d['name']}{i:02d}", "zone": f"{d['zone']}{i:02d}"}
        for i in range(scale) for d in config.get("datalake:datasets", [])
    ]
    config["datalake:consumers"] = [_consumer_copy(c, i) for i in range(scale) for c in config.get("datalake:consumers", [])]
    return dev


def _consumer_copy(consumer: dict, i: int) -> dict:
    """Copy ``i`` of a consumer, on copy ``i`` of its zones; an existing principal gets its own name
    (one identity per consumer)."""
    copy = {**consumer, "name": f"{consumer['name']}{i:02d}",
            "grants": [{**g, "zone": f"{g['zone']}{i:02d}"} for g in consumer["grants"]]}
    if "principal" in consumer:
        copy["principal"] = f"{consumer['principal']}{i:02d}"
    return copy


def time_plan(args: list[str]) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "lake.cli", "plan", "--format", "json", *args],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    return time.perf_counter() - started, json.loads(done.stdout)


def audit_in_process(document: dict, repeats: int = 21) -> float:
    """Median seconds to build the lake model from a plan document and evaluate every rule."""
    from policies.adapters.plan import lake_from_plan
    from policies.evaluate import evaluate

    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        evaluate(lake_from_plan(document))
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def rule_count() -> int:
    from policies.registry import all_rules

    return len(all_rules())


def time_imports() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import lake.plan.runner, components.data_lake"], cwd=REPO, check=True)
    return time.perf_counter() - started


SDK_BASELINE = "\n".join([
    "import sys, time, pulumi, pulumi_aws as aws",
    "from pulumi.runtime.mocks import MockMonitor",
    "from pulumi.runtime.stack import run_pulumi_func",
    "from pulumi.runtime.sync_await import _sync_await",
    "from lake.plan.mocks import LakeMocks, MockEnvironment",
    "n = int(sys.argv[1]); mocks = LakeMocks(MockEnvironment('123456789012', 'us-east-1'))",
    "pulumi.runtime.set_mocks(mocks, 'p', 's', preview=False, monitor=MockMonitor(mocks))",
    "def declare():",
    "    for i in range(n // 2):",
    "        b = aws.s3.Bucket(f'b{i}', bucket=f'bucket-{i}')",
    "        aws.s3.BucketVersioning(f'v{i}', bucket=b.id, versioning_configuration={'status': 'Enabled'})",
    "t = time.perf_counter(); _sync_await(run_pulumi_func(declare)); print(time.perf_counter() - t)",
])


def sdk_baseline(resources: int) -> float:
    """Seconds the SDK's own MockMonitor takes to register ``resources`` bare resources."""
    done = subprocess.run(
        [sys.executable, "-c", SDK_BASELINE, str(resources)], cwd=REPO, capture_output=True, text=True, check=True
    )
    return float(done.stdout.split()[-1])


def fit(points: list[tuple[int, float]]) -> tuple[float, float, float]:
    """Least squares y = a + b x; returns (a, b, r^2)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs)
    a = my - b * mx
    ss_res = sum((y - (a + b * x)) ** 2 for x, y in points)
    ss_tot = sum((y - my) ** 2 for y in ys)
    return a, b, 1 - ss_res / ss_tot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    rows, points, overheads = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in SCALES:
            if scale == 1:
                args = ["--stack", "dev"]
            else:
                path = Path(tmp) / f"Pulumi.dev{scale}x.yaml"
                path.write_text(yaml.safe_dump(scaled_config(scale)))
                args = ["--stack", "dev", "--config-file", str(path)]
            samples, audited, count = [], [], 0
            for _ in range(runs):
                seconds, document = time_plan([*args, "--no-audit"])
                samples.append(seconds)
                count = document["summary"]["resourceCount"]
                if scale in AUDITED_SCALES:
                    audited.append(time_plan([*args, "--no-matrix"])[0])
            median = statistics.median(samples)
            if audited:
                overheads.append((scale, count, median, statistics.median(audited), audit_in_process(document)))
            points.append((count, median))
            rows.append((scale, count, median, min(samples), max(samples)))
            print(f"{scale:>3}x  {count:>5} resources  median {median:.3f}s", flush=True)
    imports = statistics.median(time_imports() for _ in range(runs))
    baseline = [(n, statistics.median(sdk_baseline(n) for _ in range(runs))) for n in (100, 400, 1600)]
    startup, per_resource, r2 = fit(points)
    marginal = [
        (b[2] - a[2]) / (b[1] - a[1]) * 1000 for a, b in zip(rows, rows[1:])
    ]
    dev_seconds = rows[0][2]
    lines = [
        "## Plan speed (`benchmarks/plan_speed.py`)",
        "",
        f"Machine and date: {describe()}. {runs} runs per size, median; each run is a new process "
        "(`python -m lake.cli plan --format json --no-audit`: recording only, the audit is measured below), so times are end to end.",
        "",
        "| config | resources | median (s) | min (s) | max (s) |",
        "|---|---|---|---|---|",
        *[f"| dev x{s} ({3 * s} zones) | {c} | {m:.3f} | {lo:.3f} | {hi:.3f} |" for s, c, m, lo, hi in rows],
        "",
        f"- Startup (intercept of the least-squares line): **{startup:.2f} s**; of which imports of "
        f"the SDKs and the program's modules alone: {imports:.2f} s.",
        f"- Cost per additional resource (slope): **{per_resource * 1000:.2f} ms** "
        f"(target < {TARGET_MS_PER_RESOURCE:.0f} ms: {'met' if per_resource * 1000 < TARGET_MS_PER_RESOURCE else 'MISSED'}).",
        f"- Marginal cost between successive sizes: {', '.join(f'{m:.2f}' for m in marginal)} ms per resource; "
        f"R^2 of the linear fit {r2:.4f} (growth is {'linear' if r2 > 0.99 else 'NOT clearly linear'}).",
        f"- Dev stack end to end: **{dev_seconds:.2f} s** (target < {TARGET_DEV_SECONDS:.0f} s: "
        f"{'met' if dev_seconds < TARGET_DEV_SECONDS else 'MISSED'}).",
        "- Baseline, same run: the Pulumi SDK's own `MockMonitor` registering bare buckets and "
        "versioning resources (no lake code, no recording), in-process: "
        + ", ".join(f"{n} resources {t:.2f} s ({t / n * 1000:.2f} ms each)" for n, t in baseline)
        + f". The lake's slope ({per_resource * 1000:.2f} ms) is "
        f"{'below' if per_resource * 1000 < baseline[-1][1] / baseline[-1][0] * 1000 else 'above'} "
        "the bare SDK's cost per resource at 1600 resources: what the plan costs is the SDK's mock runtime.",
    ]
    write_section("plan-speed", "\n".join(lines))
    print("\n".join(lines))
    audit_lines = [
        "## Policy audit overhead (`benchmarks/plan_speed.py`)",
        "",
        f"Machine and date: {describe()}. {runs} alternating runs per variant, median, end to end: "
        "`lake plan --format json --no-audit` (record only) against `lake plan --format json --no-matrix` "
        f"(record, then evaluate all {rule_count()} rules and add the findings to the document; the "
        "access matrix is measured by `benchmarks/matrix_speed.py`).",
        "",
        "| config | resources | record only (s) | with audit (s) | end-to-end difference | "
        "audit alone, in-process (ms) | audit alone / record only | target < 20% |",
        "|---|---|---|---|---|---|---|---|",
        *[
            f"| dev x{s} | {c} | {plain:.3f} | {audit:.3f} | {(audit - plain) / plain:+.1%} | "
            f"{alone * 1000:.1f} | {alone / plain:.1%} | "
            f"{'met' if max(alone, audit - plain) / plain < TARGET_AUDIT_OVERHEAD else 'MISSED'} |"
            for s, c, plain, audit, alone in overheads
        ],
        "",
        "The end-to-end difference is within the run-to-run noise of whole processes on this machine; "
        "the in-process column times the audit alone (model from the plan document plus all rules, "
        "median of 21) and is the precise figure. The target is judged on the larger of the two.",
    ]
    write_section("audit-overhead", "\n".join(audit_lines))
    print("\n".join(audit_lines))


if __name__ == "__main__":
    main()
