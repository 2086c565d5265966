"""Wave 2's bucket reads shared with worker processes, when one process cannot keep up.

Each request costs this process about 1.1 ms of CPU (botocore builds, signs, sends and parses
it; our parsing is a small part), under one GIL whatever the number of threads. On the
benchmarks' endpoint (30 ms per request, 2 cores) one process therefore reads at most about 870
requests a second, while 32 reads in flight could be answered at 1,067: `lake audit` of 200
buckets spent 2.0 s of CPU in 2.6 s of bucket reads, CPU-bound. A worker process reads with the
machine's other core.

The work is handed out one bucket at a time from both ends of the chosen list: this process's
threads take from the front, each worker asks for the next bucket from the back. A worker that
starts late (about 0.35 s: spawning, importing boto3, building its S3 client) or runs on a busy
core simply reads fewer buckets; the buckets come back as the same ``Bucket`` models, in the
list's order, with the worker's call counts, requests and unverified entries added to this
process's. The reads in flight stay ``--concurrency`` in all: this process and each worker take
their share of the threads.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ...model import Bucket, Unverified
from .buckets import TAGS, assemble, bucket_arn, read_setting, read_settings
from .calls import BucketMissing, Reader
from .selection import PLAN, Chosen
from .session import Clients, Credentials, Target, session_with

WORKER_MODES = ("auto", "threads", "processes")
# Fewer buckets than this are read in threads (`auto`): a worker costs 0.3 to 0.4 s of CPU and
# about 0.5 s to start, and below this the threads finish while it is still starting.
MIN_BUCKETS_PER_WORKER = 50
# Reads in flight one process drives (`auto`): on the benchmarks' endpoint (30 ms per request,
# 2 cores), 200 buckets took 3.78 s at 32 in flight in threads alone, 3.07 s at 48 and 2.92 s at 64
# with one worker (medians of 5 alternating CLI runs, load 2.3 to 2.8; limits.py's default is 64).
# The gain needs a free core: under other jobs' load (1.5 to 6) a worker at 32 in flight gained
# nothing (200 buckets 3.53 s against 3.54 s; 2,000 buckets 26.4 s against 26.2 s).
READS_PER_PROCESS = 32
MAX_WORKERS = 3  # beyond a few cores, the account's API rate limits matter more than CPU


def worker_count(mode: str, buckets: int, target: Target) -> int:
    """Worker processes for ``buckets`` bucket reads: none for a target with a ready session (tests
    register hooks on it; a session cannot cross processes), for ``threads``, or on one core;
    with ``processes`` at least one; with ``auto`` one per READS_PER_PROCESS reads in flight beyond
    this process's and per MIN_BUCKETS_PER_WORKER buckets, one core left to this process."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if target.session is not None or mode == "threads" or buckets == 0:
        return 0
    if mode == "processes":
        return max(1, min(cores - 1, MAX_WORKERS))
    beyond = -(-target.concurrency // READS_PER_PROCESS) - 1
    return max(0, min(cores - 1, MAX_WORKERS, buckets // MIN_BUCKETS_PER_WORKER, beyond))


@dataclass(frozen=True)
class Spec:
    """What a worker needs to read as this process does (a session cannot cross processes)."""

    target: Target  # its concurrency: the worker's threads
    partition: str
    # The session's credentials as resolved once, here: a profile that prompts for an MFA code or
    # runs a credential process must not do so again in each worker.
    credentials: Credentials | None = field(default=None, repr=False)


class Claims:
    """The indexes of the buckets no one has claimed yet (thread-safe)."""

    def __init__(self, count: int) -> None:
        self._front, self._back = 0, count
        self._lock = threading.Lock()

    def front(self) -> int | None:
        with self._lock:
            if self._front >= self._back:
                return None
            self._front += 1
            return self._front - 1

    def back(self) -> int | None:
        with self._lock:
            if self._front >= self._back:
                return None
            self._back -= 1
            return self._back

    def close(self) -> None:
        """Hand out nothing more (Ctrl-C, a failed worker)."""
        with self._lock:
            self._back = self._front


class WorkerFailed(RuntimeError):
    """A worker process ended without returning what it read."""


class Shared:
    """``with Shared(...) as shared:`` the chosen buckets read by this process's threads
    (``drain``, run by ``threads`` of them) and by worker processes started now; ``results()``
    waits for all. Leaving the block stops the workers that are still running."""

    def __init__(self, chosen: list[Chosen], read: Callable[[Chosen], Any], advance: Callable[[], None],
                 specs: list[Spec]) -> None:
        self._chosen, self._read, self._advance = chosen, read, advance
        self._claims = Claims(len(chosen))
        self._results: list[Any] = [None] * len(chosen)
        self._workers = [_Worker(spec, self) for spec in specs]
        self.requests = 0  # the workers' HTTP requests

    def __enter__(self) -> Shared:
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._claims.close()
        for worker in self._workers:
            worker.stop()

    def drain(self) -> None:
        """Read buckets from the front of the list until none is left (one of this process's threads)."""
        while (index := self._claims.front()) is not None:
            self._results[index] = self._read(self._chosen[index])
            self._advance()

    def results(self, reader: Reader) -> list[Any]:
        """What every bucket read gave, in the chosen order, once the workers are done; their calls
        and unverified entries are added to ``reader``'s."""
        for worker in self._workers:
            done = worker.finished()
            reader.calls.update(done.calls)
            reader.unverified.extend(done.unverified)
            self.requests += done.requests
        return self._results

    def claim(self) -> tuple[int, Chosen] | None:
        index = self._claims.back()
        return None if index is None else (index, self._chosen[index])

    def deliver(self, index: int, result: Any) -> None:
        self._results[index] = result
        self._advance()

    def abandon(self) -> None:
        self._claims.close()


@dataclass(frozen=True)
class Done:
    calls: Any
    unverified: list[Any]
    requests: int


class _Worker:
    """One worker process and the thread of this process that answers it."""

    def __init__(self, spec: Spec, shared: Shared) -> None:
        context = multiprocessing.get_context("spawn")  # a clean interpreter: no copied threads or locks
        self._connection, child = context.Pipe()
        # daemon: never outlives this process, whatever ends it
        self._process = context.Process(target=serve, args=(child, spec), daemon=True, name="lake-audit-reader")
        self._child = child
        self._shared = shared
        self._done: Done | None = None
        self._failure: str | None = None
        self._listener = threading.Thread(target=self._listen, daemon=True, name="lake-audit-shard")

    def start(self) -> None:
        self._process.start()
        self._child.close()  # the worker's end: closed here, so that its death reads as end of file
        self._listener.start()

    def _listen(self) -> None:
        try:
            while self._done is None and self._failure is None:
                self._answer(self._connection.recv())
        except (EOFError, OSError):
            self._failure = f"the worker process ended (exit code {self._process.exitcode})"
        if self._failure is not None:
            self._shared.abandon()

    def _answer(self, message: tuple[Any, ...]) -> None:
        kind, *body = message
        if kind == "want":
            self._connection.send(self._shared.claim())
        elif kind == "read":
            self._shared.deliver(*body)
        elif kind == "done":
            self._done = Done(*body)
        else:  # "failed": its traceback
            self._failure = body[0]

    def finished(self) -> Done:
        self._listener.join()
        if self._done is None:  # its threads may wait for an answer no one sends any more
            self.stop()
            raise WorkerFailed(f"a bucket-reading worker process failed:\n{self._failure}")
        self._process.join()
        return self._done

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        if self._process.pid is not None:
            self._process.join()
        self._connection.close()


def read_bucket(reader: Reader, s3: Any, chosen: Chosen, partition: str) -> Bucket | Unverified | None:
    """Every setting of one bucket (here or in a worker), or why it could not be read."""
    arn = bucket_arn(chosen.name, partition)
    try:
        tags = chosen.tags if chosen.tags is not None else read_setting(reader, s3, chosen.name, arn, TAGS)
        values = read_settings(reader, s3, chosen.name, arn)
    except BucketMissing as missing:
        if chosen.found_by == PLAN:
            return None  # only the plan names it: LAKE.11 says "declared in the plan but not found"
        return Unverified(chosen.name, arn, "bucket", str(missing), "NoSuchBucket: the bucket does not exist")
    tags = dict(tags) if isinstance(tags, dict) else {}
    if chosen.zone is not None:
        tags.setdefault("zone", chosen.zone)  # the stack outputs say which zone, even untagged
    return assemble(chosen.name, arn, tags, values)


# --- in the worker process -----------------------------------------------------------------------

def serve(connection: Any, spec: Spec) -> None:
    """Read the buckets the parent hands out, ``spec.target.concurrency`` at a time, until it
    has none left; then send the counts."""
    # Ctrl-C reaches the whole process group: the parent handles it and ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        clients, reader = Clients(replace(spec.target, session=_session(spec))), Reader()
        s3 = clients("s3")
        channel = _Channel(connection)
        threads = [threading.Thread(target=_read_until_done, args=(channel, reader, s3, spec.partition, read_bucket))
                   for _ in range(spec.target.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        channel.send(("done", reader.calls, reader.unverified, clients.requests))
    except BaseException:  # noqa: BLE001 - anything: the parent reports it
        connection.send(("failed", traceback.format_exc()))


def _session(spec: Spec) -> Any:
    return session_with(spec.credentials, spec.target.profile, spec.target.region)


class _Channel:
    """The worker's end of the pipe, shared by its threads: one asks at a time, sends are whole."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._asking, self._sending = threading.Lock(), threading.Lock()

    def send(self, message: tuple[Any, ...]) -> None:
        with self._sending:
            self._connection.send(message)

    def next_bucket(self) -> tuple[int, Chosen] | None:
        with self._asking:
            self.send(("want",))
            return self._connection.recv()


def _read_until_done(channel: _Channel, reader: Reader, s3: Any, partition: str, read_bucket: Callable) -> None:
    try:
        while (claimed := channel.next_bucket()) is not None:
            index, chosen = claimed
            channel.send(("read", index, read_bucket(reader, s3, chosen, partition)))
    except Exception:  # noqa: BLE001 - a bug: the parent stops and reports it
        channel.send(("failed", traceback.format_exc()))
