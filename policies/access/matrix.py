"""Decisions for every (principal, action, context) on each zone bucket.

An object request on an SSE-KMS bucket succeeds only if S3 allows it AND the lake key lets the
principal use it through S3 (kms:Decrypt to read, kms:GenerateDataKey to write): the matrix
evaluates both and reports the first refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..evaluator.evaluate import evaluate
from ..evaluator.request import Decision, Policy, Request
from ..model import Bucket, Key, Lake
from .actors import Actor, crawler_actors, representative_actors
from .scenarios import ACTIONS, MODERN_TLS, OBJECT_KEY, Scenario, scenarios

KMS_ACTION = {"s3:GetObject": "kms:Decrypt", "s3:GetObjectVersion": "kms:Decrypt", "s3:PutObject": "kms:GenerateDataKey"}


@dataclass(frozen=True)
class Cell:
    actor: str
    action: str
    scenario: str
    decision: Decision


@dataclass(frozen=True)
class BucketMatrix:
    bucket: str
    actors: tuple[Actor, ...]
    scenarios: tuple[Scenario, ...]
    cells: tuple[Cell, ...]

    def cell(self, actor: str, action: str, scenario: str) -> Cell | None:
        return next((c for c in self.cells if (c.actor, c.action, c.scenario) == (actor, action, scenario)), None)


def _bucket_policy(bucket: Bucket) -> Policy | None:
    return Policy(f"bucket policy of {bucket.name}", bucket.policy) if isinstance(bucket.policy, dict) else None


def _restricts_public(bucket: Bucket) -> bool:
    bpa = bucket.public_access_block
    return bool(getattr(bpa, "restrict_public_buckets", False) is True)


def key_policy(key: Key) -> Policy | None:
    return Policy(f"key policy of {key.name}", key.policy) if isinstance(key.policy, dict) else None


def endpoint_id(model: Lake) -> str | None:
    """The lake endpoint's id, what a perimeter's aws:SourceVpce names (None: none is known)."""
    return next((e.endpoint_id for e in model.endpoints if isinstance(e.endpoint_id, str)), None)


def _kms_decision(key: Key, model: Lake, actor: Actor, action: str, region: str) -> Decision:
    context = {"kms:ViaService": f"s3.{region}.amazonaws.com"}
    if actor.principal.account:
        context["kms:CallerAccount"] = actor.principal.account
    request = Request(actor.principal, KMS_ACTION[action], str(key.arn), context)
    return evaluate(request, actor.identity_policies, key_policy(key), str(model.account_id), service="kms")


def matrix_request(actor: Actor, bucket: Bucket, action: str, scenario: Scenario) -> Request:
    """The request of one cell: an object under the actor's own prefix where it has one."""
    prefix = actor.prefix_in(bucket.name)
    context = dict(scenario.context)
    if dict(ACTIONS)[action] == "bucket":
        resource = str(bucket.arn)
        if prefix is not None:
            context["s3:prefix"] = prefix  # a crawler lists its own prefix
    else:
        resource = f"{bucket.arn}/{prefix or ''}{OBJECT_KEY}"
    return Request(actor.principal, action, resource, context)


def decide(model: Lake, bucket: Bucket, actor: Actor, request: Request, region: str) -> Decision:
    """S3's decision on ``request`` to ``bucket``, then the lake key's for SSE-KMS object I/O."""
    action = request.action
    s3 = evaluate(request, actor.identity_policies, _bucket_policy(bucket), str(model.account_id),
                  service="s3", restrict_public_buckets=_restricts_public(bucket))
    keys = [k for k in model.lake_keys if k.arn == getattr(bucket.encryption, "kms_key_id", None)]
    if not s3.allowed or action not in KMS_ACTION or not keys:
        return s3
    kms = _kms_decision(keys[0], model, actor, action, region)
    if not kms.allowed:
        return Decision(kms.decision, kms.deciding, f"S3 allows it, but the lake key refuses: {kms.reason}")
    return Decision("allow", s3.deciding + kms.deciding, f"{s3.reason}; {kms.reason}")


def bucket_matrix(model: Lake, bucket: Bucket, everyone: list[Actor], region: str) -> BucketMatrix:
    """Every representative principal, the crawlers that crawl this bucket and the consumers with a
    grant on it: a crawler's reach into other buckets is ``crawler_reach``'s job (one decision per
    bucket, not a whole table), a consumer's is LAKE.16's proof."""
    actors = tuple(a for a in everyone if not a.prefixes or a.prefix_in(bucket.name) is not None)
    tried = tuple(scenarios(model.lake_key_arn if isinstance(model.lake_key_arn, str) else None, endpoint_id(model)))
    cells = tuple(
        Cell(actor.label, action, scenario.label,
             decide(model, bucket, actor, matrix_request(actor, bucket, action, scenario), region))
        for actor in actors
        for action, _ in ACTIONS
        for scenario in tried
        if scenario.applies_to(action)
    )
    return BucketMatrix(bucket.name, actors, tried, cells)


def access_matrix(model: Lake) -> list[BucketMatrix]:
    """One matrix per zone bucket whose policy and ARN are known."""
    region = str(model.region)
    everyone = representative_actors(model, region)
    return [
        bucket_matrix(model, b, everyone, region)
        for b in sorted(model.buckets, key=lambda b: b.name)
        if b.is_data_bucket and isinstance(b.arn, str) and isinstance(b.policy, dict)
    ]


def crawler_reach(model: Lake) -> dict[str, list[str]]:
    """For each crawler, the zone buckets whose objects it can read through the endpoint: its own
    bucket only, if its role is as narrow as intended."""
    region, endpoint = str(model.region), endpoint_id(model)
    context = {**MODERN_TLS, **({"aws:SourceVpce": endpoint} if endpoint else {})}
    crawlers = [a for a in crawler_actors(model) if a.prefixes]
    buckets = [b for b in sorted(model.buckets, key=lambda b: b.name) if b.is_data_bucket and isinstance(b.arn, str)]
    return {
        crawler.label: [
            b.name for b in buckets
            if decide(model, b, crawler, matrix_request(crawler, b, "s3:GetObject", Scenario("reach", context)),
                      region).allowed
        ]
        for crawler in crawlers
    }
