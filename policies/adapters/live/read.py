"""Read the deployed lake into the model, in waves of concurrent calls.

Wave 1 finds the account and the buckets; wave 2 reads every bucket setting and the account-wide
resources; wave 3 follows references from what wave 2 found (the keys buckets encrypt with, the
queues they notify, the crawlers' roles and security configurations); wave 4 reads dead-letter
queues. Each setting is one call, made once, whatever the number of resources naming it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ...model import UNKNOWN, Bucket, Consumer, Key, Lake, Untagged, Unverified, is_unknown
from ..consumers import external_principals
from ..resources import derived_administrators, derived_production, lake_key_policy
from . import consumers, discovery, keys, network, services, shards
from .buckets import TAGS, public_access_block
from .calls import Call, Reader
from .exported import FOUND_BY as OUTPUTS, exported_consumers
from .selection import PLAN, Chosen, Declared, Selection, choose, namespace
from .shards import read_bucket
from .session import Clients, Target


class AccountUnreachable(Exception):
    """No call can succeed: no credentials, a wrong endpoint, an expired token."""


@dataclass(frozen=True)
class LiveRead:
    lake: Lake
    calls: Counter[str]  # API calls by operation (pages counted)
    requests: int  # HTTP requests sent, retries included


Progress = Callable[[int], None]  # told how many reads finished; grows the total as waves start


class _Pool:
    def __init__(self, workers: int, progress: Any) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers)
        self._progress = progress

    def run(self, tasks: list[Callable[[], Any]]) -> list[Any]:
        if self._progress is not None:
            self._progress.total = (self._progress.total or 0) + len(tasks)
        futures = [self._executor.submit(self._tracked, task) for task in tasks]
        return [f.result() for f in futures]

    def _tracked(self, task: Callable[[], Any]) -> Any:
        try:
            return task()
        finally:
            if self._progress is not None:
                self._progress.update(1)

    def grow(self, count: int) -> None:
        """Count ``count`` more reads, made by ``submit``ted work or by worker processes."""
        if self._progress is not None:
            self._progress.total = (self._progress.total or 0) + count

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.update(1)

    def submit(self, work: Callable[[], Any]) -> Future:
        """Run ``work`` in a thread, uncounted: it counts its reads itself (``advance``)."""
        return self._executor.submit(work)

    def close(self) -> None:
        self._executor.shutdown()


def read_lake(target: Target, selection: Selection, progress: Any = None, empty_ok: bool = False) -> LiveRead:
    """The live lake; ``progress`` is a tqdm-like bar (``total``, ``update``) or None.
    ``empty_ok``: when no bucket is chosen (and the selection could be read), stop there, with a
    lake of no bucket, instead of reading the account-wide settings (an organisation's audit
    asks every account and region; most hold no lake)."""
    clients, reader = _connect(target), Reader()
    identity = _identity(clients)
    reader.calls["GetCallerIdentity"] += 1
    account, partition = identity["Account"], identity["Arn"].split(":")[1]
    region = clients.region
    pool = _Pool(target.concurrency, progress)
    try:
        chosen = choose(selection, reader, clients)
        if empty_ok and not chosen and not reader.unverified:
            lake = Lake(source="live", account_id=account, region=region, partition=partition)
        else:
            lake = _read(pool, clients, reader, chosen, (account, partition, region), selection)
    finally:
        pool.close()
    return LiveRead(replace(lake, unverified=tuple(reader.unverified)), reader.calls, clients.requests)


def _connect(target: Target) -> Clients:
    try:
        return Clients(target)
    except BotoCoreError as error:  # an unknown profile
        raise AccountUnreachable(str(error)) from None


def _identity(clients: Clients) -> dict[str, Any]:
    """Who we are: the first call, so missing credentials or a wrong endpoint stop the audit at once."""
    try:
        return clients("sts").get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        raise AccountUnreachable(f"cannot reach the AWS account: {error}") from None


def _read(pool: _Pool, clients: Clients, reader: Reader, chosen: list[Chosen], where: tuple[str, str, str],
          selection: Selection) -> Lake:
    account, partition, region = where
    account_wide = [
        lambda: _account_bpa(reader, clients("s3control"), account),
        lambda: services.catalog_encryption(reader, clients("glue"), f"arn:{partition}:glue:{region}:{account}:catalog"),
        lambda: services.crawlers(reader, clients("glue")),
        lambda: services.workgroup_names(reader, clients("athena")),
        lambda: consumers.listed(reader, clients("iam")),
    ]
    # Wave 3 starts with the VPC endpoints: EC2's client (its model is the largest, 65 ms of CPU) is
    # built now, while wave 2 waits on the network.
    pool.submit(lambda: clients("ec2"))
    workers = shards.worker_count(clients.target.workers, len(chosen), clients.target)
    if workers:
        read_buckets, (account_bpa, catalog, every_crawler, workgroup_names, policy_names) = _shared_wave(
            pool, clients, reader, chosen, partition, workers, account_wide)
    else:
        s3 = clients("s3")
        wave = [lambda c=c: read_bucket(reader, s3, c, partition) for c in chosen]
        *read_buckets, account_bpa, catalog, every_crawler, workgroup_names, policy_names = pool.run(
            wave + account_wide)
    buckets = [b for b in read_buckets if isinstance(b, Bucket)]
    missing = [u for u in read_buckets if isinstance(u, Unverified)]
    reader.unverified.extend(missing)
    ties = _ties(buckets, selection.declared)
    lake_name = ties.lake
    crawlers = [c for c in every_crawler if discovery.is_lake_crawler(c, ties)]
    planned = _planned_consumers(selection)
    follow = _follow(pool, clients, reader, buckets, crawlers, workgroup_names, selection.outputs or {},
                     _Scope(where, ties, selection.declared, consumers.names(policy_names, ties, planned), planned))
    follow["untagged"] = (*_untagged_buckets(chosen, buckets, ties.lake, reader.unverified), *follow["untagged"])
    # The VPCs of the lake's endpoints, once those are known, and their flow logs (EC2.6).
    vpcs = network.vpcs(reader, clients("ec2"), network.vpc_ids(follow["endpoints"]), lake_name)
    lake = Lake(
        source="live", account_id=account, region=region, partition=partition,
        # The account holds no trace of the network allowlist: `lake audit --against-plan` fills it in.
        allowed_buckets=UNKNOWN,
        # The config names its external consumers' roles (LAKE.12): the stack outputs export them.
        trusted_principals=external_principals(planned),
        buckets=tuple(buckets), account_public_access_block=account_bpa, catalog_encryption=catalog,
        crawlers=tuple(crawlers), vpcs=tuple(vpcs), **follow,
    )
    key_policy = lake_key_policy(lake.keys)
    return replace(lake, production=derived_production(lake.buckets, lake.keys),
                   administrators=derived_administrators(key_policy))


def _planned_consumers(selection: Selection) -> tuple[Consumer, ...]:
    """The consumers whose config the audit knows: the plan's, else those the stack outputs export."""
    if selection.declared is not None:
        return selection.declared.consumers
    return exported_consumers(selection.outputs) if selection.outputs is not None else ()


def _shared_wave(pool: _Pool, clients: Clients, reader: Reader, chosen: list[Chosen], partition: str, workers: int,
                 account_wide: list[Callable[[], Any]]) -> tuple[list[Any], list[Any]]:
    """Wave 2 with the bucket reads shared with ``workers`` processes (shards.py), each taking its
    share of the reads in flight; the account-wide reads stay here."""
    target = clients.target
    share = max(1, target.concurrency // (workers + 1))
    spec = shards.Spec(replace(target, region=clients.region, concurrency=share), partition, clients.credentials())
    s3 = clients("s3")
    pool.grow(len(chosen))
    with shards.Shared(chosen, lambda c: read_bucket(reader, s3, c, partition), pool.advance,
                       [spec] * workers) as shared:
        local = [pool.submit(shared.drain) for _ in range(max(1, target.concurrency - share * workers))]
        account_results = pool.run(account_wide)
        for future in local:
            future.result()
        read_buckets = shared.results(reader)
    clients.requests += shared.requests  # no other thread sends now
    return read_buckets, account_results


def _account_bpa(reader: Reader, s3control: Any, account: str) -> Any:
    call = Call("GetPublicAccessBlock", "get_public_access_block", {"AccountId": account},
                ("NoSuchPublicAccessBlockConfiguration",))
    return reader.read(s3control, call, ("lake", "", "account_public_access_block"),
                       lambda r: public_access_block(r["PublicAccessBlockConfiguration"]))


def _lake_name(buckets: Iterable[Bucket]) -> str | None:
    names = {b.tags.get("lake") for b in buckets} - {None}
    return names.pop() if len(names) == 1 else None


def _ties(buckets: list[Bucket], declared: Declared | None) -> discovery.Ties:
    """What ties resources to the lake: its name and namespace (the plan's, else its buckets' tags),
    its buckets, and what the plan declares."""
    names = frozenset(b.name for b in buckets)
    if declared is None:
        return discovery.Ties(_lake_name(buckets), namespace(b.tags for b in buckets), names)
    return discovery.Ties(declared.lake, f"{declared.lake}-{declared.stack}", names, frozenset(declared.network),
                          frozenset((*declared.crawlers, *declared.workgroups)))


def _untagged_buckets(chosen: list[Chosen], buckets: list[Bucket], lake: str | None,
                      unverified: list[Unverified]) -> list[Untagged]:
    """The buckets without the tag lake=<lake>, once the lake's name is known (and their tags read)."""
    found_by = {c.name: c.found_by for c in chosen}
    unread = {u.resource for u in unverified if u.setting == TAGS.field}
    return [Untagged("bucket", b.name, b.ref, found_by[b.name], lake) for b in buckets
            if lake is not None and b.tags.get("lake") != lake and b.name not in unread]


@dataclass(frozen=True)
class _Scope:
    where: tuple[str, str, str]  # account, partition, region
    ties: discovery.Ties
    declared: Declared | None
    consumer_names: list[str]  # the consumers to read (``consumers.names``)
    planned: tuple[Consumer, ...]  # ``_planned_consumers``

    def consumer_where(self) -> consumers.Where:
        account, partition, _ = self.where
        return consumers.Where(account, partition, self.ties, {c.name: c for c in self.planned},
                               PLAN if self.declared else OUTPUTS)

    def queue_arns(self) -> set[str]:
        account, partition, region = self.where
        names = self.declared.queues if self.declared else ()
        return {f"arn:{partition}:sqs:{region}:{account}:{n}" for n in names}

    def role_arns(self) -> set[str]:
        account, partition, _ = self.where
        names = self.declared.roles if self.declared else ()
        return {f"arn:{partition}:iam::{account}:role/{n}" for n in names}

    def workgroup_arn(self, name: str) -> str:
        account, partition, region = self.where
        return f"arn:{partition}:athena:{region}:{account}:workgroup/{name}"

    def crawler_arn(self, name: str) -> str:
        account, partition, region = self.where
        return f"arn:{partition}:glue:{region}:{account}:crawler/{name}"


def _follow(pool: _Pool, clients: Clients, reader: Reader, buckets: list[Bucket], crawlers: list[Any],
            workgroup_names: list[str], outputs: dict[str, Any], scope: _Scope) -> dict:
    """Waves 3 to 5: what the buckets and crawlers lead to, and what the plan declares."""
    region, ties = scope.where[2], scope.ties
    queue_arns = sorted({*_queue_arns(buckets, crawlers), *scope.queue_arns()})
    role_arns = sorted({c.role_arn for c in crawlers if isinstance(c.role_arn, str)} | scope.role_arns())
    config_names = sorted({c.security_configuration for c in crawlers if isinstance(c.security_configuration, str)}
                          | set(scope.declared.security_configurations if scope.declared else ()))
    tasks = [lambda: services.endpoints(reader, clients("ec2"), region)]
    tasks += [lambda a=a: services.queue(reader, clients("sqs"), a) for a in queue_arns]
    tasks += [lambda a=a: services.role(reader, clients("iam"), a) for a in role_arns]
    tasks += [lambda n=n: services.security_configuration(reader, clients("glue"), n) for n in config_names]
    tasks += [lambda n=n: discovery.workgroup(reader, clients("athena"), n, ties, scope.workgroup_arn(n))
              for n in workgroup_names]
    tasks += [lambda c=c: discovery.untagged_crawler(reader, clients("glue"), c, ties, scope.crawler_arn(c.name))
              for c in crawlers]
    tasks += [consumers.task(reader, clients("iam"), n, scope.consumer_where()) for n in scope.consumer_names]
    endpoint_items, *rest = pool.run(tasks)
    rest, found_consumers = rest[:len(rest) - len(scope.consumer_names)], rest[len(rest) - len(scope.consumer_names):]
    rest, untagged_crawlers = rest[:len(rest) - len(crawlers)], rest[len(rest) - len(crawlers):]
    endpoints, untagged = discovery.lake_endpoints(endpoint_items, ties)
    queues, rest = rest[:len(queue_arns)], rest[len(queue_arns):]
    roles, rest = rest[:len(role_arns)], rest[len(role_arns):]
    configs, found = rest[:len(config_names)], [w for w in rest[len(config_names):] if w is not None]
    workgroups = [w for w, _ in found]
    untagged += [u for _, u in found if u is not None]
    untagged += [u for u in untagged_crawlers if u is not None]
    configs = [c for c in configs if c is not None]
    references = [outputs.get("keyArn"), *(_bucket_keys(buckets)), *(w.kms_key_arn for w in workgroups),
                  *(arn for c in configs for arn in c.key_arns)]
    read_queues = [q for q in queues if q is not None]
    dead_letters = sorted({dlq for _, dlq in read_queues if dlq} - set(queue_arns))
    key_list, dead_letter_queues = _keys_and_dead_letters(pool, clients, reader, keys.key_references(references),
                                                           dead_letters)
    read_roles = [r for r in roles if r is not None]
    of_consumers = consumers.collected(found_consumers, scope.planned)
    every_policy = (*(p for _, policies in read_roles for p in policies), *of_consumers["iam_policies"])
    return {
        "keys": tuple(key_list),
        # A managed policy attached to several roles is one policy: judged once.
        "iam_policies": tuple({(p.kind, p.ref, p.name): p for p in every_policy}.values()),
        "endpoints": tuple(endpoints),
        "security_configurations": tuple(configs),
        "workgroups": tuple(workgroups),
        "queues": tuple(q for q, _ in (*read_queues, *dead_letter_queues)),
        "roles": (*(r for r, _ in read_roles), *of_consumers["roles"]),
        "consumers": of_consumers["consumers"],
        "untagged": (*untagged, *of_consumers["untagged"]),
    }


def _queue_arns(buckets: list[Bucket], crawlers: list[Any]) -> list[str]:
    notified = [n.get("queueArn") for b in buckets if isinstance(b.notifications, tuple) for n in b.notifications]
    crawled = [arn for c in crawlers for arn in c.event_queue_arns]
    return sorted({a for a in (*notified, *crawled) if isinstance(a, str)})


def _bucket_keys(buckets: list[Bucket]) -> list[Any]:
    return [b.encryption.kms_key_id for b in buckets
            if not is_unknown(b.encryption) and b.encryption is not None]


def _keys_and_dead_letters(pool: _Pool, clients: Clients, reader: Reader, references: list[str],
                           dead_letters: list[str]) -> tuple[list[Key], list[Any]]:
    """Describe every key reference and read the dead-letter queues; then read each key once."""
    tasks = [lambda r=r: keys.resolve(reader, clients("kms"), r) for r in references]
    tasks += [lambda a=a: services.queue(reader, clients("sqs"), a) for a in dead_letters]
    results = pool.run(tasks)
    described, queues = results[:len(references)], results[len(references):]
    unique = {m["Arn"]: m for m in described if m is not None}
    key_list = pool.run([lambda m=m: keys.read_key(reader, clients("kms"), m) for m in unique.values()])
    return key_list, [q for q in queues if q is not None]
