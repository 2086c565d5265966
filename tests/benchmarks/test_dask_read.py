"""The Dask benchmark's pure parts: its data set and truth, the query checked against the truth, the
options each setup hands to Dask, and the report's arithmetic (no cluster, no endpoint)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import dask
import dask.dataframe as dd
import pyarrow.parquet as pq

from benchmarks import dask_read
from benchmarks.dask_read import LAKE_1, LAKE_2, PLAIN_2, Measured, Run, Snapshot, WriteOutcome

OUTPUTS = Path("/tmp/outputs.json")


def run(seconds: float, requests: int = 300, problem: str | None = None) -> Run:
    return Run(seconds, 2.5, {"GetObject": requests}, worker_cpu=4.0, endpoint_cpu=0.5, driver_cpu=0.5,
               machine_busy=0.9, problem=problem)


def test_files_are_the_same_on_every_call_and_differ_from_each_other() -> None:
    first = dask_read.make_table(3, rows=1_000)
    assert first.equals(dask_read.make_table(3, rows=1_000))
    assert not first.equals(dask_read.make_table(4, rows=1_000))
    assert first.column_names == ["key", "amount", "score", "label"]


def test_the_truth_is_the_sum_and_count_by_key_over_every_file() -> None:
    tables = [dask_read.make_table(n, rows=500) for n in range(2)]
    truth = dask_read.combined([dask_read.truth_of(t) for t in tables])
    expected = {}
    for table in tables:
        for key, amount in zip(table.column("key").to_pylist(), table.column("amount").to_pylist()):
            total, count = expected.get(key, (0, 0))
            expected[key] = (total + amount, count + 1)
    assert truth == dict(sorted(expected.items()))
    assert sum(count for _, count in truth.values()) == 1_000


def test_the_query_on_dask_equals_the_truth_and_a_wrong_result_is_named(tmp_path: Path) -> None:
    tables = [dask_read.make_table(n, rows=2_000) for n in range(3)]
    for n, table in enumerate(tables):
        (tmp_path / dask_read.file_name(n)).write_bytes(dask_read.parquet_bytes(table))
    assert pq.ParquetFile(tmp_path / dask_read.file_name(0)).num_row_groups == 1
    truth = dask_read.combined([dask_read.truth_of(t) for t in tables])
    with dask.config.set(scheduler="sync"):
        result = dask_read.aggregate(dd.read_parquet(str(tmp_path))).compute()
    assert dask_read.problem_with(result, truth) is None
    result.loc[5, "count"] += 1
    got, want = dask_read.as_truth(result)[5], truth[5]
    assert dask_read.problem_with(result, truth) == f"1 of 16 keys differ (first: key 5: {got} != {want})"


def test_lake_gets_the_stack_outputs_and_plain_s3fs_only_the_endpoint_and_ca() -> None:
    assert dask_read.path_of(LAKE_2) == "lake://raw/bench/events/"
    assert dask_read.path_of(PLAIN_2) == "s3://lake-bench-dask-raw/bench/events/"
    assert dask_read.storage_options(LAKE_1, "https://127.0.0.1:1", "/ca.pem", OUTPUTS) == {
        "stack_outputs": "/tmp/outputs.json", "endpoint_url": "https://127.0.0.1:1", "ca_bundle": "/ca.pem",
        "region": "us-east-1"}
    assert dask_read.storage_options(PLAIN_2, "https://127.0.0.1:1", "/ca.pem", OUTPUTS) == {
        "endpoint_url": "https://127.0.0.1:1", "client_kwargs": {"verify": "/ca.pem", "region_name": "us-east-1"}}
    assert dask_read.stack_outputs() == {
        "zoneBuckets": {"raw": {"name": "lake-bench-dask-raw", "arn": "arn:aws:s3:::lake-bench-dask-raw"}},
        "keyArn": dask_read.KEY_ARN}


def test_the_setups_order_rotates_from_run_to_run() -> None:
    assert [dask_read.rotated(dask_read.SETUPS, n)[0] for n in range(4)] == [LAKE_2, LAKE_1, PLAIN_2, LAKE_2]


def test_the_report_gives_medians_files_per_second_speed_up_and_overhead() -> None:
    measured = Measured(200, [900_000] * 200, [450_000] * 200, 879, probe_rate=5_000.0, runs={
        LAKE_2.name: [run(10.0), run(12.0), run(11.0)],
        LAKE_1.name: [run(20.0), run(19.0), run(21.0)],
        PLAIN_2.name: [run(10.0), run(9.0, problem="wrong"), run(10.5)]}, load=[0.5, 2.0])
    table = dask_read.table_lines(measured, cores=2)
    assert table[2] == ("| lake://, 2 workers | **11.00** | 10.00 | 12.00 | 18.2 | 300 | 4.00 | 0.50 | 0.50 | 23% | "
                        "90% | 2.50 | 3 of 3 |")
    assert table[4].endswith("| **10.25** | 10.00 | 10.50 | 19.5 | 300 | 4.00 | 0.50 | 0.50 | 24% | 90% | 2.50 "
                             "| 2 of 3 |")
    assert dask_read.speedup_line(measured) == ("- Speed-up, lake:// on 2 workers against 1: **1.82x** "
                                                "(20.00 s / 11.00 s); bound by the cores: all processes kept 90% of "
                                                "the 2 cores busy; per worker 4.50 s of delays and 2.00 s of CPU of "
                                                "its 11.00 s.")
    assert dask_read.overhead_line(measured) == ("- lake:// against the plain s3fs path, both on 2 workers: **+7.3%** "
                                                 "(11.00 s against 10.25 s; their min-max ranges overlap: within the "
                                                 "runs' spread).")
    apart = Measured(200, [], [], 879, runs={LAKE_2.name: measured.runs[LAKE_2.name], PLAIN_2.name: [run(5.0)]})
    assert dask_read.overhead_line(apart).endswith("**+120.0%** (11.00 s against 5.00 s; their min-max ranges do "
                                                      "not overlap).")
    assert dask_read.rule_line(measured).startswith("- Endpoint rule: counts (the endpoint answers 166.7x the fastest")


def test_a_setup_that_failed_every_run_is_reported_not_compared() -> None:
    measured = Measured(200, [900_000], [450_000], 879, runs={LAKE_2.name: [run(10.0, problem="PermissionError: no")],
                                                   LAKE_1.name: [run(20.0)]})
    table = dask_read.table_lines(measured, cores=2)
    assert table[2] == "| lake://, 2 workers | failed | | | | | | | | | | 2.50 | 0 of 1 |"
    assert table[4] == "| plain s3fs s3://, 2 workers | not run | | | | | | | | | | | |"
    assert dask_read.speedup_line(measured) == ("- Speed-up, 2 workers against 1: not measured (a setup failed "
                                                "every run).")


def test_the_sandbox_writes_are_judged_refused_and_written_with_the_lake_key() -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/k"
    strict = dask_read.outcome("dev with `datalake:requireSseHeader: true`", PermissionError("Access Denied\nmore"),
                               None, {"lake": f"aws:kms with {key}"}, key)
    assert strict == WriteOutcome("dev with `datalake:requireSseHeader: true`",
                                  "refused: `PermissionError: Access Denied`", "written, SSE-KMS with the lake key",
                                  plain_refused=True, lake_written=True)
    dev = dask_read.outcome("dev", None, None, {"plain": f"aws:kms with {key}", "lake": "AES256 with None"}, key)
    assert dev == WriteOutcome("dev", "written, SSE-KMS with the lake key", "written, AES256 with None",
                               plain_refused=False, lake_written=False)
    lines = dask_read.write_lines([dev, strict])
    assert lines[5:7] == ["| dev | written, SSE-KMS with the lake key | written, AES256 with None |",
                          "| dev with `datalake:requireSseHeader: true` | refused: `PermissionError: Access Denied` | "
                          "written, SSE-KMS with the lake key |"]
    assert lines[8].startswith("- Plain s3fs refused with PermissionError in strict mode: yes; lake:// written with "
                               "SSE-KMS under the lake key on every plan: **NO**. Without strict mode")
    assert dask_read.write_lines([strict])[7].endswith("under the lake key on every plan: yes.")


def test_strict_mode_is_a_copy_of_the_dev_config_with_the_header_required(tmp_path: Path) -> None:
    copy = dask_read.strict_config(tmp_path)
    original = (dask_read.REPO / "Pulumi.dev.yaml").read_text()
    assert copy == tmp_path / "Pulumi.dev.yaml"
    assert copy.read_text() == original.replace("\nconfig:\n", "\nconfig:\n  datalake:requireSseHeader: true\n")


def test_the_endpoint_is_probed_at_the_files_median_size() -> None:
    assert dask_read.probe_kib([1024, 900_000, 2_000_000]) == 879


def test_the_machine_busy_share_counts_every_core_tick() -> None:
    assert dask_read.busy_between((100, 400), (250, 600)) == 0.75
    assert dask_read.busy_between((100, 400), (100, 400)) == 0.0
    busy, total = dask_read.cpu_ticks()
    assert 0 < busy <= total


def test_every_row_of_the_table_has_the_header_s_cells() -> None:
    measured = Measured(200, [900_000], [450_000], 879,
                        runs={LAKE_2.name: [run(10.0)], LAKE_1.name: [run(9.0, problem="x")]})
    lines = dask_read.table_lines(measured, cores=2)
    assert {line.count("|") for line in lines} == {14}


def test_the_query_reads_only_the_key_and_amount_columns_whose_bytes_are_counted(tmp_path: Path) -> None:
    body = dask_read.parquet_bytes(dask_read.make_table(0, rows=2_000))
    (tmp_path / "part.parquet").write_bytes(body)
    group = pq.ParquetFile(tmp_path / "part.parquet").metadata.row_group(0)
    assert dask_read.query_bytes(body) == group.column(0).total_compressed_size + group.column(1).total_compressed_size
    # Dask's column projection, before its I/O is fused into tasks (which hides the read's columns).
    simplified = dask_read.aggregate(dd.read_parquet(str(tmp_path))).simplify()
    reads = [e for e in simplified.expr.walk() if type(e).__name__.startswith("ReadParquet")]
    assert [sorted(r.columns) for r in reads] == [["amount", "key"]]


def test_a_saturated_machine_is_said_to_be_so() -> None:
    busy = Measured(200, [], [], 879, runs={LAKE_2.name: [run(10.0)]})
    assert dask_read.contention_line(busy, cores=2).startswith("- Contention: **all processes kept 90% of the cores "
                                                               "busy** (median over the runs), this benchmark's own "
                                                               "processes 25%: other work saturated the machine")
    quiet = Measured(200, [], [], 879, runs={LAKE_2.name: [replace(run(10.0), machine_busy=0.3)]})
    assert dask_read.contention_line(quiet, cores=2) == ("- Contention: all processes kept 30% of the cores busy "
                                                         "(median over the runs), this benchmark 25%: the cores were "
                                                         "not saturated.")


def test_a_run_is_what_changed_between_two_snapshots() -> None:
    before = Snapshot({"GetObject": 10, "HeadObject": 5}, 1.0, 2.0, 3.0, (100, 400))
    after = Snapshot({"GetObject": 412, "HeadObject": 5, "ListObjectsV2": 2}, 7.5, 2.5, 4.25, (400, 800))
    assert dask_read.run_between(before, after, 12.0, 3.0, None) == Run(
        12.0, 3.0, {"GetObject": 402, "ListObjectsV2": 2}, 6.5, 0.5, 1.25, 0.75, None)


def test_a_speed_up_bound_by_the_delays_says_so() -> None:
    waiting = replace(run(12.0, requests=600), machine_busy=0.5)
    assert dask_read.what_bounds(waiting, workers=2, cores=2) == (
        "bound by waiting, not by the cores: each worker's one thread sends one request at a time, 9.00 s of 30 ms "
        "delays and 2.00 s of CPU of its 12.00 s, while all processes kept 50% of the 2 cores busy (what 2x lacks: "
        "the driver's listing and first footer, which the workers do not share, and task dispatch)")
    assert dask_read.median_run([run(9.0), run(12.0), run(10.0, problem="x"), run(11.0)]).seconds == 11.0


def test_each_setup_s_time_is_set_against_its_delays_and_its_cpu() -> None:
    measured = Measured(200, [], [], 879, runs={LAKE_1.name: [run(20.0, requests=600)]})
    assert dask_read.bound_lines(measured, cores=2) == [
        "- lake://, 1 worker, its median run (20.00 s): per worker, 600 requests x 30 ms / 1 = 18.00 s of waiting (a "
        "worker's one thread sends its requests one after the other; the listing and the first footer's are the "
        "driver's) and 4.00 s of CPU: 22.00 s, 110% of the run's time (besides: the driver's graph, task dispatch, "
        "waiting for a core). All CPU: 4.00 s in the workers, 0.50 s in the endpoint, 0.50 s in the driver and "
        "scheduler, 12% of the 2 cores; all processes of the machine kept 90% of them busy."]
