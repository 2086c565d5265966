"""A role's effective reach over the lake, computed with the evaluator, against its purpose.

Each probe is one request the role could make: a pinned S3 action on a lake bucket (inside the
role's own prefix and outside it, or on the bucket itself) or a KMS action on a lake key (through
S3, or called directly). ``decide`` (``matrix.py``) joins the role's identity policies, inline and
attached, with the bucket policy and, for SSE-KMS object I/O, the lake key's policy. The request
context is the most favourable a caller could send (TLS 1.3, through the lake's endpoint, SSE
headers naming the lake key), so a deny meant for careless requests hides no grant. What a role
of the account without any policy may do too is not counted: resource policies grant it to
everyone (S3.2, S3.3 and KMS.5 judge those statements), it is not this role's reach.

The probes are samples: one key inside each own prefix and one outside, listings with and
without ``s3:prefix``. KMS use through Glue (the crawler's encrypted catalog) is not probed: the
key policy's DenyUseOutsideS3 admits it for every caller the key serves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..evaluator.evaluate import evaluate
from ..evaluator.request import Policy, Principal, Request
from ..iam import as_list, resource_matches, statements
from ..model import Bucket, Key, Lake
from ..purposes import Purpose
from .actors import Actor
from .matrix import decide, endpoint_id, key_policy
from .scenarios import MODERN_TLS, SSE, SSE_KEY

OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion")
LIST = "s3:ListBucket"
ADMINISTRATION = (
    "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
    "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock", "s3:DeleteBucket",
)
BUCKET_ACTIONS = ("s3:GetBucketLocation", *ADMINISTRATION)
# Data keys through S3 (what object reads and writes need), then direct use and administration.
KMS_VIA_S3 = ("kms:Decrypt", "kms:GenerateDataKey")
KMS_DIRECT = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:PutKeyPolicy",
              "kms:ScheduleKeyDeletion", "kms:DisableKey")
SAMPLE = "part-0000.parquet"
BASELINE = "lake-reach-baseline"
OUTSIDE = "outside-its-purpose/"


@dataclass(frozen=True)
class Reach:
    """One action the role can take somewhere: ``s3:PutObject`` on ``mlteam-dev-raw/images/``."""

    action: str
    where: str


@dataclass(frozen=True)
class Setting:
    """What every probe of one role shares."""

    model: Lake
    actor: Actor
    purpose: Purpose
    region: str
    # A role of the same account with no policy of its own: what it may do, the resource policies
    # grant everyone (a public statement, S3.2, S3.3 and KMS.5 judge it), not this role's reach.
    baseline: Actor
    # The lake without its keys: the baseline is asked of S3 alone (see ``_allows``).
    s3_only: Lake


def excess(model: Lake, role_arn: str, policies: tuple[Policy, ...], purpose: Purpose, region: str) -> list[Reach]:
    """What the role reaches beyond its purpose, in a stable order (buckets by name, then keys)."""
    actor = Actor(role_arn, Principal.iam(role_arn), policies, "its policies as declared", purpose.targets)
    bare = f"{role_arn.rsplit(':', 1)[0]}:role/{BASELINE}"
    setting = Setting(model, actor, purpose, region, Actor(BASELINE, Principal.iam(bare), (), "no policy"),
                      replace(model, keys=()))
    found: list[Reach] = []
    for bucket in sorted(reachable(actor, model.buckets), key=lambda b: b.name):
        found += _bucket_excess(setting, bucket)
    for key in model.lake_keys:
        found += _key_excess(setting, key)
    return found


def reachable(actor: Actor, buckets: Iterable[Bucket]) -> list[Bucket]:
    """The buckets some request of the role could be allowed on. Within the account S3 needs an
    Allow of the role's identity policies covering the bucket or its objects, or an Allow of the
    bucket policy (which may name the role): without either, every probe of the bucket is refused,
    so none is made. This keeps the rule linear in roles plus buckets on a lake of many zones.
    Conservative: a NotResource, a pattern that is not a string, or any bucket-policy Allow counts."""
    patterns = _s3_patterns(actor)
    return [b for b in buckets
            if policy_may_open(b) or any(resource_matches(p, str(b.arn)) for p in patterns)]


def policy_may_open(bucket: Bucket) -> bool:
    """Has the bucket policy an Allow that may apply to an IAM role (``may_name_a_role``)?"""
    policy = bucket.policy if isinstance(bucket.policy, dict) else None
    return any(s.get("Effect") == "Allow" and may_name_a_role(s) for s in statements(policy))


def _s3_patterns(actor: Actor) -> tuple[str, ...]:
    """The bucket ARN patterns the role's identity Allows of S3 actions cover, read once per role
    (not once per bucket): each Resource pattern, and its bucket part ("arn:aws:s3:::raw" of
    "arn:aws:s3:::raw/images/*"); "*" for a NotResource or a pattern that is not a string."""
    found: dict[str, None] = {}
    for policy in actor.identity_policies:
        for statement in statements(dict(policy.document)):
            if statement.get("Effect") == "Allow" and _names_s3(statement):
                found.update(dict.fromkeys(_bucket_patterns(statement)))
    return tuple(found)


def _bucket_patterns(statement: dict[str, Any]) -> Iterator[str]:
    if "NotResource" in statement:
        yield "*"
        return
    for pattern in as_list(statement.get("Resource")):
        yield from (pattern.split("/", 1)[0], pattern) if isinstance(pattern, str) else ("*",)


def may_name_a_role(statement: dict[str, Any]) -> bool:
    """An Allow that may apply to an IAM role: to anyone, to AWS principals, or through NotPrincipal
    (an Allow to service principals only, like log delivery, never does)."""
    principal = statement.get("Principal")
    if "NotPrincipal" in statement or principal == "*":
        return True
    return not isinstance(principal, dict) or "AWS" in principal


def _names_s3(statement: dict[str, Any]) -> bool:
    """The statement may allow some S3 action ("s3:Get*", "s*:*", "*", or any NotAction)."""
    if "NotAction" in statement:
        return True
    return any(not isinstance(a, str) or resource_matches(a.split(":", 1)[0].lower(), "s3")
               for a in as_list(statement.get("Action")))


def _context(model: Lake, bucket: Bucket | None = None, action: str = "") -> dict[str, Any]:
    endpoint = endpoint_id(model)
    context: dict[str, Any] = {**MODERN_TLS, **({"aws:SourceVpce": endpoint} if endpoint else {})}
    encryption = getattr(bucket, "encryption", None)
    key_id = getattr(encryption, "kms_key_id", None)
    if action == "s3:PutObject" and getattr(encryption, "algorithm", None) == "aws:kms" and isinstance(key_id, str):
        context.update({SSE: "aws:kms", SSE_KEY: key_id})
    return context


def _allows(setting: Setting, bucket: Bucket, action: str, resource: str, extra: dict[str, Any]) -> bool:
    """The role may, and S3 refuses a role without policies: the reach is the role's own. (The
    baseline is asked of S3 alone: the lake key serves the role's purpose, which a public bucket
    statement would otherwise turn into this role's reach.)"""
    context = {**_context(setting.model, bucket, action), **extra}
    return all(
        decide(model, bucket, actor, Request(actor.principal, action, resource, context),
               setting.region).allowed is expected
        for model, actor, expected in ((setting.model, setting.actor, True), (setting.s3_only, setting.baseline, False))
    )


def places(bucket: str, own: list[str]) -> Iterator[tuple[str, str, list[str | None]]]:
    """(label, sample key, s3:prefix values of its listings): each own prefix, then the rest (none
    when the own prefixes cover the whole bucket: "")."""
    if "" in own:
        yield f"{bucket}/*", SAMPLE, [None, ""]
        return
    for prefix in own:
        yield f"{bucket}/{prefix}", f"{prefix}{SAMPLE}", [prefix]
    rest = f"{bucket}/* outside {', '.join(own)}" if own else f"{bucket}/*"
    yield rest, f"{OUTSIDE}{SAMPLE}", [None, OUTSIDE]


def _bucket_excess(setting: Setting, bucket: Bucket) -> list[Reach]:
    found, name, purpose = [], bucket.name, setting.purpose
    for where, key, listings in places(name, [p for b, p in purpose.targets if b == name]):
        found += [Reach(a, where) for a in OBJECT_ACTIONS
                  if not purpose.permits(a, name, key) and _allows(setting, bucket, a, f"{bucket.arn}/{key}", {})]
        if any(not purpose.permits(LIST, name, p) and _allows(setting, bucket, LIST, str(bucket.arn), _prefix(p))
               for p in listings):
            found.append(Reach(LIST, where))
    found += [Reach(a, name) for a in BUCKET_ACTIONS
              if not purpose.permits(a, name, None) and _allows(setting, bucket, a, str(bucket.arn), {})]
    return found


def _prefix(prefix: str | None) -> dict[str, Any]:
    return {} if prefix is None else {"s3:prefix": prefix}


def _key_excess(setting: Setting, key: Key) -> list[Reach]:
    via_s3 = {"kms:ViaService": f"s3.{setting.region}.amazonaws.com"}
    where = f"key {key.name}"
    found = [Reach(f"{a} through S3", where) for a in KMS_VIA_S3
             if not setting.purpose.permits_key(a) and _kms_allows(setting, key, a, via_s3)]
    return found + [Reach(a, where) for a in KMS_DIRECT if _kms_allows(setting, key, a, {})]


def _kms_allows(setting: Setting, key: Key, action: str, extra: dict[str, Any]) -> bool:
    """As ``_allows``, on the key."""
    return all(_kms_decides(setting, actor, key, action, extra) is expected
               for actor, expected in ((setting.actor, True), (setting.baseline, False)))


def _kms_decides(setting: Setting, actor: Actor, key: Key, action: str, extra: dict[str, Any]) -> bool:
    principal = actor.principal
    context = {**extra, **({"kms:CallerAccount": principal.account} if principal.account else {})}
    request = Request(principal, action, str(key.arn), context)
    return evaluate(request, actor.identity_policies, key_policy(key), str(setting.model.account_id),
                    service="kms").allowed


def describe(found: list[Reach], limit: int = 6) -> str:
    """``s3:PutObject, s3:DeleteObject on b/images/; s3:GetObject on c/*``: actions grouped by
    place, in order, at most ``limit`` places, then how many more."""
    places: dict[str, list[str]] = {}
    for reach in found:
        places.setdefault(reach.where, []).append(reach.action)
    parts = [f"{', '.join(_shortened(actions))} on {where}" for where, actions in places.items()]
    more = f"; and {len(parts) - limit} more places" if len(parts) > limit else ""
    return "; ".join(parts[:limit]) + more


def _shortened(actions: list[str]) -> list[str]:
    """Every administration action probed, named by its first: the message stays readable."""
    if not set(ADMINISTRATION) <= set(actions):
        return actions
    others = [a for a in actions if a not in ADMINISTRATION]
    return [*others, f"{ADMINISTRATION[0]} and every other bucket administration action"]
