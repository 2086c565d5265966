"""Bucket reads shared with worker processes (policies/adapters/live/shards.py): the same report
as threads alone, and workers that fail or are interrupted never leave the audit hanging."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.audit_fleet import seed_fleet
from lake.audit import audit_document, run_audit
from lake.sandbox.server import sandbox_environment
from policies.adapters.live import Selection, Target
from policies.adapters.live import shards
from policies.adapters.live.selection import Chosen
from tests.live.support import REGION, reset, session, threaded_moto
from tests.support import REPO

BUCKETS = 60  # across MIN_BUCKETS_PER_WORKER: `auto` would share them with a worker


@pytest.fixture(scope="module")
def fleet() -> Iterator[str]:
    with threaded_moto() as endpoint_url:
        reset(endpoint_url)
        seed_fleet(endpoint_url, BUCKETS)
        yield endpoint_url


@pytest.fixture
def credentials(monkeypatch) -> None:
    for name, value in sandbox_environment(REGION).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


class Progress:
    def __init__(self) -> None:
        self.total, self.done = 0, 0

    def update(self, count: int) -> None:
        self.done += count


def report(endpoint_url: str, workers: str) -> tuple[dict, Progress]:
    progress = Progress()
    # 4 in flight: 2 threads here and 2 in the worker, so that the worker, started after the
    # listing, still finds buckets left to read.
    target = Target(REGION, endpoint_url=endpoint_url, concurrency=4, workers=workers)
    document = audit_document(run_audit(target, Selection(tag=("lake", "bench")), progress=progress), {})
    del document["seconds"]
    return document, progress


def test_worker_processes_give_the_report_threads_give(fleet, credentials, monkeypatch):
    worker_requests = []
    finished = shards._Worker.finished

    def recorded(self):
        done = finished(self)
        worker_requests.append(done.requests)
        return done

    monkeypatch.setattr(shards._Worker, "finished", recorded)
    threads, threads_progress = report(fleet, "threads")
    assert worker_requests == []
    processes, processes_progress = report(fleet, "processes")
    assert len(worker_requests) == 1 and worker_requests[0] > 0  # the worker read some of the buckets
    assert len(threads["resources"]["buckets"]) == BUCKETS
    assert json.dumps(processes, sort_keys=True) == json.dumps(threads, sort_keys=True)
    assert threads["calls"]["requests"] == threads["calls"]["total"]
    assert (processes_progress.total, processes_progress.done) == (threads_progress.total, threads_progress.done)
    assert processes_progress.done == processes_progress.total


def cores(monkeypatch, count: int) -> None:
    monkeypatch.setattr(shards.os, "sched_getaffinity", lambda _: set(range(count)))


def test_workers_only_for_many_buckets_on_several_cores_without_a_ready_session(monkeypatch):
    cores(monkeypatch, 2)
    target = Target(REGION, concurrency=64)
    assert [shards.worker_count("auto", n, target) for n in (0, 49, 50, 2000)] == [0, 0, 1, 1]
    assert shards.worker_count("auto", 2000, Target(REGION, concurrency=32)) == 0  # one process drives 32
    assert shards.worker_count("threads", 2000, target) == 0
    assert shards.worker_count("processes", 1, target) == 1
    assert shards.worker_count("processes", 2000, Target(REGION, session=session())) == 0
    cores(monkeypatch, 1)
    assert shards.worker_count("auto", 2000, target) == 0
    cores(monkeypatch, 16)
    assert shards.worker_count("auto", 2000, target) == 1
    assert shards.worker_count("auto", 120, Target(REGION, concurrency=128)) == 2
    assert shards.worker_count("auto", 2000, Target(REGION, concurrency=128)) == shards.MAX_WORKERS


def slow_read(chosen: Chosen) -> str:
    time.sleep(0.05)
    return chosen.name


CHOSEN = [Chosen(f"bucket-{i}") for i in range(20)]


def test_a_worker_that_fails_is_reported_with_its_traceback():
    broken = shards.Spec(Target(REGION, profile="no-such-profile-j7"), "aws")
    with pytest.raises(shards.WorkerFailed) as failed, shards.Shared(CHOSEN, slow_read, lambda: None,
                                                                     [broken]) as shared:
        shared.drain()
        shared.results(None)
    assert "ProfileNotFound" in str(failed.value)
    assert multiprocessing.active_children() == []


def test_leaving_early_stops_the_workers(credentials):
    """Ctrl-C (any exception) in this process: the workers are ended, not waited for."""
    spec = shards.Spec(Target(REGION, endpoint_url="http://127.0.0.1:9"), "aws")
    with pytest.raises(KeyboardInterrupt), shards.Shared(CHOSEN, slow_read, lambda: None, [spec]):
        assert [p.name for p in multiprocessing.active_children()] == ["lake-audit-reader"]
        raise KeyboardInterrupt
    assert multiprocessing.active_children() == []


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc: no psutil here)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def is_reader(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker through /proc")
def test_ctrl_c_of_the_command_while_a_worker_reads(fleet, tmp_path):
    """`lake audit` at its default concurrency shares a large lake's reads with a worker: Ctrl-C
    then still exits 130 with one line, writes no report, and leaves no worker behind."""
    report_file = tmp_path / "report.json"
    environment = {**os.environ, **sandbox_environment(REGION)}
    environment.pop("AWS_PROFILE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "lake.cli", "audit", "--endpoint-url", fleet, "--region", REGION, "--tag", "lake=bench",
         "--format", "json", "--output", str(report_file)],
        cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    readers: list[int] = []
    while not readers:
        assert process.poll() is None, f"the audit ended before its worker started: {process.communicate()}"
        assert time.monotonic() < deadline, "no worker within 120 s"
        readers = [pid for pid in children(process.pid) if is_reader(pid)]
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert (process.returncode, out, err) == (130, "", "interrupted\n")
    assert not report_file.exists() and list(tmp_path.iterdir()) == []
    time.sleep(0.5)  # a worker ends once its parent has: give it a moment, then it must be gone
    assert [pid for pid in readers if Path(f"/proc/{pid}").exists() and not zombie(pid)] == []


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False
