"""`lake audit --accounts/--organization`: the same audit in many accounts and regions, one report.

Each account is entered by assuming ``role/NAME`` in it (policies/adapters/live/accounts.py) and
audited in every region asked for, one region after the other, each with the usual waves of
concurrent reads (``--concurrency`` in flight). Up to ``--account-concurrency`` accounts are
audited at once:

- in worker processes (the default on a machine with more than one core, when more than one
  account is audited at once): the audit costs 1.1 to 1.3 ms of CPU per request in this process
  (botocore's signing and parsing, our reads and the rules), so one process serves at most about
  800 requests per second, while 4 accounts x 16 reads in flight at 30 ms each ask for about
  2,000 (measured before the default became 32 reads in flight, which asks for twice as much). Measured with ``python -m benchmarks.audit_org --latency-ms 30`` (recorded answers
  replayed after 30 ms, no server; 2 cores, medians of 3): one account of 200 buckets takes 5.5 s
  (2.4 s of CPU); four take 8.0 s on threads, with 7.1 s of CPU, one core kept busy: CPU-bound;
  in worker processes 6.1 s (8.0 s of CPU), 1.3x faster. The gain needs a free core: while other
  jobs loaded that shared machine (load 7 to 12), both took 9 to 10 s. Workers come from a fork
  server that has imported boto3 and the rules once; they cost about 1 s of CPU more in all.
- in threads of this process (``--account-workers threads``, or one account at a time, or one
  core): no start-up cost, and what tests use to inject failures into the sessions.

An account that cannot be entered (AssumeRole refused) or a region that cannot be read (an
opt-in region not enabled, an unreachable endpoint) becomes a failing LAKE.11 finding for that
account and region; the other accounts carry on. Every finding carries its account and region.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import time
from collections import Counter
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import Any

from policies.adapters.live import Selection
from policies.adapters.live.limits import ACCOUNT_CONCURRENCY
from policies.rule import Finding, Status

LAKE_11 = "LAKE.11"
WORKER_MODES = ("auto", "threads", "processes")
# What every worker process needs, imported once in the fork server instead of once per worker.
PRELOAD = ["boto3", "botocore.session", "lake.org_audit", "lake.audit", "policies.adapters.live.read",
           "policies.adapters.live.accounts", "policies.evaluate"]


@dataclass(frozen=True)
class Scope:
    """Which accounts and regions, entered how (every value checked by lake.inputs)."""

    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    role_name: str
    external_id: str | None = None
    source: str = "accounts"  # or "organization": listed with ListAccounts
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True)
class Base:
    """The caller's session, as each worker rebuilds it (a session itself cannot cross processes)."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    concurrency: int = ACCOUNT_CONCURRENCY
    max_attempts: int = 5
    session: Any = field(default=None, compare=False)  # threads only (tests register hooks on it)
    # The caller's credentials as resolved once, here, for the workers: a profile that prompts for
    # an MFA code or runs a credential process must not do so once per worker process.
    credentials: tuple[str, str, str | None] | None = field(default=None, repr=False)

    def boto_session(self) -> Any:
        return self.session or _worker_session(self)

    def shippable(self) -> Base:
        from policies.adapters.live.session import frozen_credentials

        return replace(self, session=None, credentials=frozen_credentials(self.session))


@functools.lru_cache(maxsize=4)
def _worker_session(base: Base) -> Any:
    """One caller's session per worker process, whatever the number of accounts it audits: its
    loader, shared with every assumed session, parses each service model once."""
    from policies.adapters.live.session import session_with

    return session_with(base.credentials, base.profile, base.region)


@dataclass(frozen=True)
class RegionAudit:
    """One account in one region: what was read and found, or why it could not be audited.
    Plain data, so that a worker process can send it back."""

    account: str
    region: str
    findings: tuple[Finding, ...] = ()
    resources: dict[str, list[str]] = field(default_factory=dict)
    unverified: tuple[dict[str, str], ...] = ()
    calls: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    seconds: float = 0.0
    error: str | None = None  # could not audit

    @property
    def status(self) -> str:
        if self.error is not None:
            return "failed"
        return "audited" if self.resources.get("buckets") or self.findings else "no-match"

    @property
    def bucket_count(self) -> int:
        return len(self.resources.get("buckets", ()))


@dataclass(frozen=True)
class OrgAudit:
    scope: Scope
    caller: str
    parts: tuple[RegionAudit, ...]
    workers: str  # "threads" or "processes"
    seconds: float

    @property
    def findings(self) -> list[Finding]:
        return [f for part in self.parts for f in part.findings]

    @property
    def drift(self) -> None:  # an organisation's audit compares with no plan
        return None

    @property
    def bucket_count(self) -> int:
        return sum(p.bucket_count for p in self.parts)

    @property
    def calls(self) -> Counter[str]:
        return sum((p.calls for p in self.parts), Counter())

    @property
    def requests(self) -> int:
        return sum(p.requests for p in self.parts)


@dataclass(frozen=True)
class AccountJob:
    account: str
    scope: Scope
    selection: Selection
    base: Base


def located(findings: list[Finding], account: str, region: str) -> tuple[Finding, ...]:
    return tuple(replace(f, account=account, region=region) for f in findings)


def could_not_audit(account: str, region: str, reason: str, ref: str | None) -> RegionAudit:
    message = f"could not audit account {account} in region {region}: {reason}"
    finding = Finding(LAKE_11, Status.FAIL, "account", message, ref, account, region)
    return RegionAudit(account, region, (finding,), error=reason)


def audit_account(job: AccountJob) -> list[RegionAudit]:
    """Every region of one account (runs in a worker thread or process)."""
    from policies.adapters.live.accounts import AssumeRoleFailed, assumed_session, partition_of, role_arn

    base = job.base.boto_session()
    ref = role_arn(partition_of(base, job.base.region), job.account, job.scope.role_name)
    try:
        session = assumed_session(base, job.account, job.scope.role_name, job.scope.external_id,
                                  region=job.base.region, endpoint_url=job.base.endpoint_url,
                                  max_attempts=job.base.max_attempts)
    except AssumeRoleFailed as error:
        return [could_not_audit(job.account, region, str(error), ref) for region in job.scope.regions]
    return [audit_region(session, job, region, ref) for region in job.scope.regions]


def audit_region(session: Any, job: AccountJob, region: str, ref: str) -> RegionAudit:
    from lake.audit import explain_unverified
    from policies.adapters.live import Target, read_lake
    from policies.adapters.live.read import AccountUnreachable
    from policies.evaluate import evaluate

    started = time.perf_counter()
    target = Target(region, None, job.base.endpoint_url, job.base.concurrency, job.base.max_attempts, session)
    try:
        read = read_lake(target, replace(job.selection, region=region), empty_ok=True)
    except AccountUnreachable as error:
        return could_not_audit(job.account, region, str(error).removeprefix("cannot reach the AWS account: "), ref)
    lake = read.lake
    if lake.account_id != job.account:  # a role that leads elsewhere must not pass for this account
        return could_not_audit(job.account, region, f"the role's credentials act in account {lake.account_id}",
                               ref)
    findings: list[Finding] = []
    if lake.buckets or lake.unverified:
        findings = explain_unverified(evaluate(lake), lake.unverified)
    resources = {
        "buckets": [b.name for b in lake.buckets], "keys": [k.arn for k in lake.keys],
        "endpoints": [e.endpoint_id for e in lake.endpoints], "crawlers": [c.name for c in lake.crawlers],
        "workgroups": [w.name for w in lake.workgroups], "queues": [q.name for q in lake.queues],
    }
    return RegionAudit(job.account, region, located(findings, job.account, region), resources,
                       tuple(vars(u) for u in lake.unverified), read.calls, read.requests,
                       time.perf_counter() - started)


def worker_mode(requested: str, accounts: int, account_concurrency: int) -> str:
    """``auto``: processes when more than one account is audited at once and this machine has
    more than one core to run them on; threads otherwise."""
    if requested != "auto":
        return requested
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return "processes" if min(accounts, account_concurrency) > 1 and cores > 1 else "threads"


def _worker_start() -> None:
    """Ctrl-C is this process's to handle: it stops the workers (``_stop``), which must not each
    die of it with a traceback of their own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _process_pool(workers: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    # A fork server imports the audit once and forks clean workers from it; plain fork would copy
    # this process's threads and locks (the progress bar's, botocore's) into the child.
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start)


def _stop(executor: Executor) -> None:
    """Stop (Ctrl-C, an error): queued accounts are dropped, worker processes ended at once (then
    waited for, so that the pool's semaphores are released). Threads cannot be ended: the regions
    they are reading finish first."""
    # ProcessPoolExecutor's own processes (no public way before Python 3.14's terminate_workers),
    # taken before shutdown, which forgets them.
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    executor.shutdown(wait=bool(processes), cancel_futures=True)


def run_org_audit(scope: Scope, selection: Selection, base: Base, account_concurrency: int, workers: str = "auto",
                  caller: str = "", progress: Any = None) -> OrgAudit:
    """Audit every account of ``scope`` in every region; ``progress`` counts account and region
    pairs done (a tqdm-like bar, or None)."""
    from lake.audit import AuditError

    started = time.perf_counter()
    mode = worker_mode(workers, len(scope.accounts), account_concurrency)
    jobs = [AccountJob(a, scope, selection, base if mode == "threads" else base.shippable()) for a in scope.accounts]
    if progress is not None:
        progress.total = len(jobs) * len(scope.regions)
    size = max(1, min(account_concurrency, len(jobs)))
    executor: Executor = ThreadPoolExecutor(size) if mode == "threads" else _process_pool(size)
    results: dict[str, list[RegionAudit]] = {}
    try:
        futures = {executor.submit(audit_account, job): job.account for job in jobs}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if progress is not None:
                progress.update(len(scope.regions))
    except BaseException:
        _stop(executor)
        raise
    executor.shutdown()
    parts = tuple(part for account in scope.accounts for part in results[account])
    audit = OrgAudit(scope, caller, parts, mode, time.perf_counter() - started)
    if not any(p.status != "no-match" for p in parts):
        raise AuditError(f"no bucket matched the selection in any of the {len(scope.accounts)} accounts, "
                         f"regions {', '.join(scope.regions)}")
    return audit



# --- the report ---------------------------------------------------------------------------------

RESOURCE_KINDS = ("buckets", "keys", "endpoints", "crawlers", "workgroups", "queues")


def resource_totals(parts: tuple[RegionAudit, ...]) -> dict[str, int]:
    return {kind: sum(len(p.resources.get(kind, ())) for p in parts) for kind in RESOURCE_KINDS}


def org_calls_summary(audit: OrgAudit) -> dict[str, Any]:
    calls = audit.calls
    total = sum(calls.values())
    return {
        "total": total,
        "requests": audit.requests,
        "perBucket": round(total / audit.bucket_count, 2) if audit.bucket_count else None,
        "byOperation": dict(sorted(calls.items())),
    }


def org_audit_document(audit: OrgAudit, selection: dict[str, Any]) -> dict[str, Any]:
    """The JSON report of an audit of several accounts (docs/audit-format.md)."""
    from lake import __version__
    from lake.report.summary import audit_summary, finding_entry

    scope = audit.scope
    return {
        "formatVersion": 1,
        "generator": f"lake {__version__}",
        "source": "live",
        "scope": scope.source,
        "accounts": list(scope.accounts),
        "excludedAccounts": list(scope.excluded),
        "regions": list(scope.regions),
        "roleName": scope.role_name,
        "caller": audit.caller,
        "selection": selection,
        "targets": [{
            "account": p.account, "region": p.region, "status": p.status, "error": p.error,
            "resources": p.resources or None,
            "calls": sum(p.calls.values()), "requests": p.requests, "seconds": round(p.seconds, 3),
        } for p in audit.parts],
        "findings": [finding_entry(f) for f in audit.findings],
        "audit": audit_summary(audit.findings),
        "unverified": [{**u, "account": p.account, "region": p.region} for p in audit.parts for u in p.unverified],
        "calls": org_calls_summary(audit),
        "workers": audit.workers,
        "seconds": round(audit.seconds, 3),
    }
