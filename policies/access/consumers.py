"""The two-way proof that a consumer gets exactly its declared access (LAKE.16).

Every probe is one request of the consumer, decided with the evaluator: S3 requests with
``matrix.decide`` (the consumer's identity policies, the bucket policy and, for SSE-KMS object
I/O, the lake key's policy), KMS requests against the key policy, Athena and Glue requests on the
identity policies alone (neither a workgroup nor the Data Catalog has a resource policy here). A
probe the grants declare (``declared.py``) must be ALLOWED, else it is *missing*; every other
probe must be DENIED, else it is *excess*.

The probes: on every lake bucket (zones, logs, query results), at each place a grant names and at
a key outside every grant, each object action (reads, writes with the bucket's SSE headers, the
multipart actions, deletes of objects and of versions), listings with ``s3:prefix`` inside,
outside and absent, locating the bucket and administering it; all but the administration also
made by Athena for the consumer (``aws:CalledVia``: a query reads its zone, writes its results);
the lake key through S3, through Glue and called directly; starting a query on each lake workgroup
and on another; reading a table of each database the lake knows and of another. Requests carry
TLS 1.3, and the lake endpoint's id when the consumer must use it; the declared direct requests of
such a consumer are asked again without it, and must be denied, but for the query results, which
Athena writes from its own network (``declared.py``).

An external consumer's own account is not the lake's to judge: its declared requests are asked
with the identity policy the lake exports for it, every other request with an identity policy
allowing everything (``actors.FULL_ACCESS``), so that only the lake's bucket and key policies
stand between it and the lake.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from components.settings import principal_account

from ..declared import Declared, declared_of
from ..evaluator.evaluate import evaluate
from ..evaluator.request import Policy, Principal, Request
from ..model import Bucket, Consumer, Key, Lake, Role, contains_unknown, is_unknown
from .actors import FULL_ACCESS, Actor, role_policies
from .matrix import decide, endpoint_id, key_policy
from .reach import ADMINISTRATION, KMS_DIRECT, places, policy_may_open, reachable
from .scenarios import MODERN_TLS, SSE, SSE_KEY

OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
                  "s3:DeleteObject", "s3:DeleteObjectVersion")
LIST, LOCATE = "s3:ListBucket", "s3:GetBucketLocation"
THROUGH_ATHENA = {"aws:ViaAWSService": "true", "aws:CalledVia": ["athena.amazonaws.com"]}
# How messages name a request Athena makes for the consumer, and one from outside the endpoint.
ATHENA_SUFFIX, OUTSIDE_SUFFIX = " through Athena", " without the endpoint"
OTHER_WORKGROUP = "primary"  # every account's default workgroup: not the lake's
OTHER_DATABASE = "outside_every_grant"
SAMPLE_TABLE = "example"


@dataclass(frozen=True)
class Probe:
    """One request, and whether the grants declare it."""

    action: str  # as messages name it: "s3:GetObject through Athena"
    where: str  # "mlteam-dev-raw/images/", "key lake-key-key", "workgroup mlteam-dev"
    expected: bool
    request_action: str
    resource: str
    context: dict[str, Any] = field(default_factory=dict)
    bucket: Bucket | None = None  # S3 probes
    key: Key | None = None  # KMS probes (else: Athena, Glue)


@dataclass(frozen=True)
class Proof:
    missing: list[Probe]  # declared, but denied
    excess: list[Probe]  # allowed, but not declared
    probes: int


@dataclass(frozen=True)
class Setting:
    model: Lake
    consumer: Consumer
    declared: Declared
    allowed_actor: Actor  # asks the declared requests
    denied_actor: Actor  # asks every other one
    region: str
    endpoint: str | None  # the endpoint id its direct S3 requests carry (requireEndpoint)


def undecidable(model: Lake, consumer: Consumer) -> str | None:
    """Why the proof cannot be made for ``consumer`` yet, if it cannot."""
    declared = declared_of(consumer, model)
    reasons = [
        declared if isinstance(declared, str) else None,
        _unknown_principal(model, consumer),
        _unknown_lake(model),
        _unknown_endpoint(model, consumer),
        _unknown_grant_places(model, consumer),
    ]
    return next((r for r in reasons if r), None)


def _unknown_principal(model: Lake, consumer: Consumer) -> str | None:
    if not isinstance(consumer.principal_arn, str):
        return f"the ARN of consumer {consumer.name}'s principal cannot be known before deployment"
    if _identity_policies(model, consumer) is None:
        return f"an identity policy of consumer {consumer.name} cannot be known before deployment"
    return None


def _role_of(model: Lake, consumer: Consumer) -> Role | None:
    """The role the lake creates for a service consumer, as the model holds it."""
    if consumer.kind != "service":
        return None
    return next((r for r in model.roles if r.ref == consumer.role_ref or r.arn == consumer.principal_arn), None)


def _identity_policies(model: Lake, consumer: Consumer) -> tuple[Policy, ...] | None:
    """What the consumer's principal holds; None when a document cannot be known. A service consumer's
    role, when the model holds it, has what is attached to it: the lake's policy (or nothing, once
    detached) and any other policy attached to it since. Else: the documents the lake gives it."""
    role = _role_of(model, consumer)
    if role is not None:
        return role_policies(role)
    if any(not isinstance(p, dict) or contains_unknown(p) for p in consumer.policies):
        return None
    return tuple(Policy(f"identity policy of consumer {consumer.name}", p) for p in consumer.policies)


def _unknown_lake(model: Lake) -> str | None:
    if not isinstance(model.account_id, str) or not isinstance(model.region, str):
        return "the lake's account or region cannot be known before deployment"
    items = [("bucket", b) for b in sorted(model.buckets, key=lambda b: b.name)] + [("key", k) for k in model.lake_keys]
    return next((f"the ARN or policy of {kind} {item.name} cannot be known before deployment"
                 for kind, item in items if is_unknown(item.arn) or is_unknown(item.policy)), None)


def _unknown_endpoint(model: Lake, consumer: Consumer) -> str | None:
    if is_unknown(consumer.require_endpoint):
        return f"whether consumer {consumer.name} must use the lake's endpoint cannot be known"
    if consumer.require_endpoint and endpoint_id(model) is None:
        return "the id of the lake's endpoint cannot be known before deployment"
    return None


def _unknown_grant_places(model: Lake, consumer: Consumer) -> str | None:
    for grant in consumer.grants if isinstance(consumer.grants, tuple) else ():
        if model.bucket_named(grant.bucket) is None:
            return f"the bucket of consumer {consumer.name}'s grant on zone {grant.zone} is not known"
        if grant.access == "query" and is_unknown(grant.database):
            return f"the database of zone {grant.zone} cannot be known before deployment"
    return None


def probes(model: Lake, consumer: Consumer) -> list[Probe]:
    """Every request the proof asks for ``consumer``, in a stable order (buckets by name, then keys,
    workgroups, databases)."""
    setting = _setting(model, consumer)
    return [*_s3_probes(setting), *_key_probes(setting), *_query_probes(setting)]


def prove(model: Lake, consumer: Consumer, prefilter: bool = True) -> Proof:
    """Every probe of ``consumer``, decided; ``undecidable`` must have found nothing in the way.

    ``prefilter``: an undeclared request to a bucket nothing could open to the consumer (not in
    ``_open``) is denied without asking the evaluator; on such a bucket that no grant names, every
    request is undeclared, so none is even built: they are counted (``_unbuilt``). This keeps the
    proof linear in consumers plus buckets on a lake of many zones; a test shows it changes no proof."""
    setting = _setting(model, consumer)
    closed = {b.name for b in model.buckets} - _open(setting) if prefilter else set()
    skipped = closed - setting.declared.buckets
    asked = [*_s3_probes(setting, skipped), *_key_probes(setting), *_query_probes(setting)]
    decided = [(p, p.expected or p.bucket is None or p.bucket.name not in closed) for p in asked]
    decided = [(p, asks and _allowed(setting, p)) for p, asks in decided]
    return Proof([p for p, allowed in decided if p.expected and not allowed],
                 [p for p, allowed in decided if allowed and not p.expected], len(asked) + _unbuilt(setting, skipped))


def _open(setting: Setting) -> set[str]:
    """The buckets some undeclared request of the consumer could be allowed on. Within the account
    S3 needs an Allow of its identity policies or of the bucket policy (``reach.reachable``); from
    another account the bucket policy must allow it too, whatever its own account grants."""
    buckets = setting.model.buckets
    if setting.consumer.kind == "external":
        return {b.name for b in buckets if policy_may_open(b)}
    return {b.name for b in reachable(setting.denied_actor, buckets)}


def _unbuilt(setting: Setting, skipped: set[str]) -> int:
    """How many probes the proof would have made on the ``skipped`` buckets: as many on each, since
    no grant names any of them (one place, the whole bucket, and nothing declared, so no request
    again from outside the endpoint); only names, ARNs and SSE headers differ. One is built."""
    sample = next((b for b in setting.model.buckets if b.name in skipped), None)
    return len(skipped) * sum(1 for _ in _on_bucket(setting, sample)) if sample else 0


def _setting(model: Lake, consumer: Consumer) -> Setting:
    declared = declared_of(consumer, model)
    assert isinstance(declared, Declared), "prove() needs a decidable consumer: see undecidable()"
    arn = str(consumer.principal_arn)
    allowed = Actor(f"consumer {consumer.name}", Principal.iam(arn), _identity_policies(model, consumer) or (),
                    "its policies as declared")
    denied = allowed
    if consumer.kind == "external":
        denied = replace(allowed, identity_policies=(Policy(f"identity policy of {arn}", FULL_ACCESS),),
                         assumption="an identity policy allowing everything: its own account's to decide")
    endpoint = endpoint_id(model) if consumer.require_endpoint else None
    return Setting(model, consumer, declared, allowed, denied, str(model.region), endpoint)


def _allowed(setting: Setting, probe: Probe) -> bool:
    actor = setting.allowed_actor if probe.expected else setting.denied_actor
    request = Request(actor.principal, probe.request_action, probe.resource, probe.context)
    if probe.bucket is not None:
        return decide(setting.model, probe.bucket, actor, request, setting.region).allowed
    policy = key_policy(probe.key) if probe.key is not None else None
    # Athena and Glue: no resource policy, so within the account the identity policies decide,
    # which is how the evaluator reads S3 without a bucket policy; another account is refused.
    service = "kms" if probe.key is not None else "s3"
    return evaluate(request, actor.identity_policies, policy, str(setting.model.account_id), service=service).allowed


# S3 -----------------------------------------------------------------------------------------

def _s3_probes(setting: Setting, skipped: Collection[str] = ()) -> Iterator[Probe]:
    """Per bucket but the ``skipped`` ones (names), in order of name: ``_on_bucket``."""
    for bucket in sorted(setting.model.buckets, key=lambda b: b.name):
        if bucket.name not in skipped:
            yield from _on_bucket(setting, bucket)


def _on_bucket(setting: Setting, bucket: Bucket) -> Iterator[Probe]:
    """The direct requests (through the endpoint when the consumer must use it), the declared ones
    again from outside it, then the reads through Athena."""
    direct = _direct(setting, bucket, setting.declared, setting.endpoint)
    yield from direct
    # From outside the endpoint, only what requireEndpoint leaves unbound is declared.
    outside = _direct(setting, bucket, setting.declared.unbound, None) if setting.endpoint else direct
    if setting.endpoint:
        yield from (Probe(f"{o.action}{OUTSIDE_SUFFIX}", o.where, o.expected, o.request_action, o.resource,
                          o.context, o.bucket, o.key) for o, d in zip(outside, direct) if d.expected)
    yield from _through_athena(setting, bucket, outside)


def _direct(setting: Setting, bucket: Bucket, declared: Declared, endpoint: str | None) -> list[Probe]:
    """The direct requests at the consumer's places in ``bucket``; ``declared`` says which are allowed."""
    return [*_object_probes(setting, bucket, declared, endpoint), *_bucket_probes(bucket, declared, endpoint)]


def _context(bucket: Bucket, action: str, endpoint: str | None) -> dict[str, Any]:
    context: dict[str, Any] = {**MODERN_TLS, **({"aws:SourceVpce": endpoint} if endpoint else {})}
    encryption = bucket.encryption
    key_id = getattr(encryption, "kms_key_id", None)
    if action == "s3:PutObject" and getattr(encryption, "algorithm", None) == "aws:kms" and isinstance(key_id, str):
        context.update({SSE: "aws:kms", SSE_KEY: key_id})
    return context


def _object_probes(setting: Setting, bucket: Bucket, declared: Declared, endpoint: str | None) -> Iterator[Probe]:
    name = bucket.name
    for where, key, listings in places(name, list(setting.declared.prefixes_in(name))):
        for action in OBJECT_ACTIONS:
            yield Probe(action, where, declared.object_action(action, name, key), action, f"{bucket.arn}/{key}",
                        _context(bucket, action, endpoint), bucket)
        for prefix in listings:
            label = LIST if prefix is not None else f"{LIST} (no s3:prefix)"
            context = {**_context(bucket, LIST, endpoint), **({"s3:prefix": prefix} if prefix is not None else {})}
            yield Probe(label, where, declared.lists(name, prefix), LIST, str(bucket.arn), context, bucket)


def _bucket_probes(bucket: Bucket, declared: Declared, endpoint: str | None) -> Iterator[Probe]:
    for action in (LOCATE, *ADMINISTRATION):
        expected = action == LOCATE and declared.locates(bucket.name)
        yield Probe(action, bucket.name, expected, action, str(bucket.arn), _context(bucket, action, endpoint), bucket)


def _through_athena(setting: Setting, bucket: Bucket, outside: list[Probe]) -> Iterator[Probe]:
    """The object and listing requests of ``outside`` (the direct requests from outside the
    endpoint) made by Athena for the consumer, from Athena's network (reading a zone, writing
    results): declared by a query grant's reads, or where the consumer may act from anywhere."""
    for probe in outside:
        if probe.request_action not in ADMINISTRATION:
            expected = _queried(setting.declared, bucket, probe) or probe.expected
            # A new Probe, not dataclasses.replace: this runs once per probe, and replace is slow.
            yield Probe(f"{probe.action}{ATHENA_SUFFIX}", probe.where, expected, probe.request_action,
                        probe.resource, {**probe.context, **THROUGH_ATHENA}, probe.bucket, probe.key)


def _queried(declared: Declared, bucket: Bucket, probe: Probe) -> bool:
    """Does a query grant declare this request through Athena (a read of its zone)?"""
    if probe.request_action == LOCATE:
        return declared.locates(bucket.name, through_athena=True)
    if probe.request_action == LIST:
        return declared.lists(bucket.name, probe.context.get("s3:prefix"), through_athena=True)
    key = probe.resource.removeprefix(f"{bucket.arn}/")
    return declared.object_action(probe.request_action, bucket.name, key, through_athena=True)


# KMS, Athena, Glue --------------------------------------------------------------------------

def _key_probes(setting: Setting) -> Iterator[Probe]:
    for key in setting.model.lake_keys:
        where, caller = f"key {key.name}", {"kms:CallerAccount": principal_account(str(setting.consumer.principal_arn))}
        for via, actions in (("s3", ("kms:Decrypt", "kms:GenerateDataKey")), ("glue", ("kms:Decrypt",))):
            context = {**caller, "kms:ViaService": f"{via}.{setting.region}.amazonaws.com"}
            yield from (Probe(f"{a} through {'S3' if via == 's3' else 'Glue'}", where,
                              setting.declared.uses_key(a, via), a, str(key.arn), context, key=key) for a in actions)
        yield from (Probe(a, where, False, a, str(key.arn), caller, key=key) for a in KMS_DIRECT)


def _query_probes(setting: Setting) -> Iterator[Probe]:
    model, queries = setting.model, setting.declared.queries
    prefix = f"arn:{model.partition}:athena:{setting.region}:{model.account_id}:workgroup"
    secure = {"aws:SecureTransport": "true"}
    names = [(w.name, queries) for w in model.workgroups] + [(OTHER_WORKGROUP, False)]
    yield from (Probe("athena:StartQueryExecution", f"workgroup {name}", expected, "athena:StartQueryExecution",
                      f"{prefix}/{name}", secure) for name, expected in names)
    grants = setting.consumer.grants if isinstance(setting.consumer.grants, tuple) else ()
    queried = {g.database for g in grants if g.access == "query" and isinstance(g.database, str)}
    catalog = f"arn:{model.partition}:glue:{setting.region}:{model.account_id}"
    for database in [*_databases(model), OTHER_DATABASE]:
        yield Probe("glue:GetTable", f"database {database}", database in queried, "glue:GetTable",
                    f"{catalog}:table/{database}/{SAMPLE_TABLE}", secure)


def _databases(model: Lake) -> list[str]:
    """Every Glue database the lake knows: its crawlers' and its consumers' zones'."""
    found = {c.database for c in model.crawlers}
    found |= {g.database for c in model.consumers if isinstance(c.grants, tuple) for g in c.grants}
    return sorted(d for d in found if isinstance(d, str))
