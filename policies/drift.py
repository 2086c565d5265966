"""Drift: how the live lake differs from its plan, one setting at a time.

``lake audit --against-plan plan.json`` builds the planned model (``adapters/plan.py``) and the
live one (``adapters/live/``) and lists what :func:`drift` returns. Both are the normalised
``Lake``, so the comparison is a pure function over two models.

What is compared, and what is not:
- resources are matched by what identifies them in both sources (see ``KINDS``): a planned one
  with no live twin is "missing", a live one the plan does not declare is "not declared";
- every setting of a resource except identity and bookkeeping (``ref``, ``name``) and what one
  source cannot observe (``protect``, ``retain_on_delete``, ``force_destroy``,
  ``deletion_window_days`` and ``policy_public``), so those are simply absent from ``KINDS``;
- account-level settings (Block Public Access, the Data Catalog's encryption) only when the plan
  manages them: ``None`` in the plan means "this stack does not manage it", not "off";
- a setting that is UNKNOWN on either side is not reported: a planned UNKNOWN cannot be known
  before deployment, and a live UNKNOWN is a read that failed, which the audit lists as "could not
  verify" from ``Lake.unverified`` (not compared here for the same reason);
- the plan runs under mocks, so its generated identifiers (the lake key's ARN and id, the VPC
  endpoint id, the account) are fake: they are replaced by their live twins' before comparing;
- policy documents are compared as AWS means them, not as it prints them (``normal_policy``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from policies.iam import statements
from policies.model import UNKNOWN, FlowLog, Key, Lake, Role, Vpc, contains_unknown

# The settings whose values are policy documents (or, for a role, a list of them).
POLICY_SETTINGS = frozenset({"policy", "trust_policy", "policies"})

Rewrite = Callable[[str], str]
Pair = tuple[Any, Any]  # (planned, live); either may be None
Pairing = Callable[[Sequence[Any], Sequence[Any], Rewrite], list[Pair]]
Found = tuple[str, Any, Any]  # (setting, planned, live)


@dataclass(frozen=True)
class Difference:
    """One setting of one resource whose live value is not the planned one."""

    resource_kind: str  # "bucket", "key", "endpoint", "account"...
    resource: str  # its name, as the account names it when it exists there
    setting: str  # a dotted path: "encryption.algorithm", "lifecycle.rules[<id>].transitions"
    planned: Any
    live: Any

    def describe(self) -> str:
        where = f"{self.resource_kind} {self.resource}: {self.setting}"
        if self.setting in POLICY_SETTINGS:
            # Whole documents do not fit on a line; the statements that changed do.
            changes = statement_changes(self.planned, self.live)
            return f"{where} differs from the plan" + (f" ({changes})" if changes else "")
        return f"{where} planned {_show(self.planned)}, live {_show(self.live)}"

    def entry(self) -> dict[str, Any]:
        """The difference as JSON-ready data, for the audit's report."""
        return {
            "resource_kind": self.resource_kind,
            "resource": self.resource,
            "setting": self.setting,
            "planned": plain(self.planned, unknown="unknown"),
            "live": plain(self.live, unknown="unknown"),
        }


def _show(value: Any) -> str:
    return json.dumps(plain(value, unknown="unknown"), sort_keys=True, default=str)


def plain(value: Any, unknown: Any = UNKNOWN) -> Any:
    """``value`` as dicts, lists and scalars (dataclasses become dicts); UNKNOWN as ``unknown``."""
    if value is UNKNOWN:
        return unknown
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name), unknown) for f in fields(value)}
    if isinstance(value, dict):
        return {k: plain(v, unknown) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, unknown) for v in value]
    return value


# --- Policy documents -----------------------------------------------------------------------------


def _order(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _canonical(value: Any) -> Any:
    """A statement's value as IAM reads it: lists unordered, a one-item list the item itself, and
    scalars as strings (condition values are compared as strings; S3 and IAM may return
    ``1.2`` or ``true`` as written or quoted)."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = sorted((_canonical(v) for v in value), key=_order)
        return items[0] if len(items) == 1 else items
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _statement_order(statement: Any) -> tuple[int, str]:
    sid = statement.get("Sid") if isinstance(statement, dict) else None
    return (0, sid) if isinstance(sid, str) and sid else (1, _order(statement))


def normal_document(document: dict[str, Any]) -> dict[str, Any]:
    """A policy document with what AWS rewrites made canonical: statement order (by Sid, else by
    content), a bare string for a one-item list, and the order of items in lists."""
    found = document.get("Statement", [])
    listed = found if isinstance(found, list) else [found]
    return {**document, "Statement": sorted((_canonical(s) for s in listed), key=_statement_order)}


def normal_policy(value: Any) -> Any:
    """A document, or a role's inline documents (unordered), made canonical; ``None`` stays."""
    if isinstance(value, dict):
        return normal_document(value)
    if isinstance(value, list):
        return sorted((normal_policy(v) for v in value), key=_order)
    return value


def _named_statements(value: Any) -> dict[str, Any]:
    documents = value if isinstance(value, list) else [value]
    named = (s for d in documents if isinstance(d, dict) for s in statements(d))
    return {s["Sid"]: s for s in named if isinstance(s.get("Sid"), str)}


def statement_changes(planned: Any, live: Any) -> str:
    """The Sids added, removed or changed live, e.g. "removed DenyOutdatedTls"."""
    before, after = _named_statements(planned), _named_statements(live)
    changed = {sid for sid in before.keys() & after.keys() if before[sid] != after[sid]}
    parts = (("added", after.keys() - before.keys()), ("removed", before.keys() - after.keys()),
             ("changed", changed))
    return "; ".join(f"{verb} {', '.join(sorted(sids))}" for verb, sids in parts if sids)


# --- Comparing settings ---------------------------------------------------------------------------


def _compare_policy(setting: str, planned: Any, live: Any) -> Iterator[Found]:
    if contains_unknown(planned) or contains_unknown(live):
        return  # an unknown document cannot be compared; see the module docstring
    normal_planned, normal_live = normal_policy(planned), normal_policy(live)
    if normal_planned != normal_live:
        yield setting, normal_planned, normal_live


def _rules_by_id(rules: Any) -> dict[str, Any]:
    return {r["id"]: r for r in rules if isinstance(r, dict)}


def _compare_rules(setting: str, planned: Any, live: Any) -> Iterator[Found]:
    """Lifecycle rules matched by id, so a change names the rule and its field."""
    if not (isinstance(planned, list) and isinstance(live, list)):
        yield from _compare_value(setting, planned, live)
        return
    before, after = _rules_by_id(planned), _rules_by_id(live)
    for rule_id in _keys(before, after):
        yield from compare(f"{setting}[{rule_id}]", before.get(rule_id), after.get(rule_id))


# Settings compared otherwise than by value, by their path.
SPECIAL: dict[str, Callable[[str, Any, Any], Iterator[Found]]] = {
    **{name: _compare_policy for name in POLICY_SETTINGS},
    "lifecycle.rules": _compare_rules,
}


def _keys(planned: dict[Any, Any], live: dict[Any, Any]) -> list[Any]:
    """The planned keys in their order, then the live-only ones sorted: a stable report."""
    return [*planned, *sorted(live.keys() - planned.keys(), key=str)]


def _compare_value(setting: str, planned: Any, live: Any) -> Iterator[Found]:
    if contains_unknown(planned) or contains_unknown(live):
        return  # cannot be compared; see the module docstring
    if planned != live:
        yield setting, planned, live


def compare(setting: str, planned: Any, live: Any) -> Iterator[Found]:
    """The differing settings under ``setting`` of two plain values (see :func:`plain`).

    Dicts (nested settings, tags) are compared key by key, so each difference names its leaf."""
    special = SPECIAL.get(setting)
    if special is not None:
        yield from special(setting, planned, live)
    elif isinstance(planned, dict) and isinstance(live, dict):
        for key in _keys(planned, live):
            yield from compare(f"{setting}.{key}", planned.get(key), live.get(key))
    else:
        yield from _compare_value(setting, planned, live)


# --- Identifiers the plan cannot know -------------------------------------------------------------


def _lake_key_pair(planned: Lake, live: Lake) -> tuple[Key, Key] | None:
    if len(planned.lake_keys) == len(live.lake_keys) == 1:
        return planned.lake_keys[0], live.lake_keys[0]
    return None


def _key_id(arn: Any) -> Any:
    return arn.split(":key/", 1)[1] if isinstance(arn, str) and ":key/" in arn else None


def substitutions(planned: Lake, live: Lake) -> dict[str, str]:
    """Planned identifier -> live one, for what the plan's mocks generate: the lake key's ARN and
    id, the endpoints' ids, the account."""
    pairs: list[Pair] = [(planned.account_id, live.account_id)]
    keys = _lake_key_pair(planned, live)
    if keys is not None:
        pairs += [(keys[0].arn, keys[1].arn), (_key_id(keys[0].arn), _key_id(keys[1].arn))]
    endpoints = _pair_endpoints(planned.endpoints, live.endpoints, _unchanged)
    pairs += [(ours.endpoint_id, theirs.endpoint_id) for ours, theirs in endpoints
              if ours is not None and theirs is not None]
    return {old: new for old, new in pairs if isinstance(old, str) and isinstance(new, str) and old and old != new}


def _unchanged(text: str) -> str:
    return text


def rewriter(mapping: dict[str, str]) -> Rewrite:
    """Replace every occurrence of a planned identifier in a string, in one pass (longest first,
    so an ARN is replaced whole before the ids inside it could be)."""
    if not mapping:
        return _unchanged
    pattern = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda match: mapping[match.group(0)], text)


def rewrite_deep(value: Any, rewrite: Rewrite) -> Any:
    """``value`` with ``rewrite`` applied to every string inside it (keys included)."""
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, dict):
        return {rewrite_deep(k, rewrite): rewrite_deep(v, rewrite) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(rewrite_deep(v, rewrite) for v in value)
    return value


# --- Matching resources ---------------------------------------------------------------------------


def _pair_by(identity: Callable[[Any], Any]) -> Pairing:
    """Pair resources by ``identity`` (of the planned one once its identifiers are rewritten)."""

    def pair(planned: Sequence[Any], live: Sequence[Any], rewrite: Rewrite) -> list[Pair]:
        before = {rewrite_deep(identity(p), rewrite): p for p in planned}
        after = {identity(item): item for item in live}
        return [(before.get(k), after.get(k)) for k in _keys(before, after)]

    return pair


def _name(resource: Any) -> Any:
    return resource.name


_pair_by_name = _pair_by(_name)
_pair_endpoints = _pair_by(lambda e: (e.service_name, e.endpoint_type))
_pair_by_arn = _pair_by(lambda k: k.arn)


def _pair_keys(planned: Sequence[Key], live: Sequence[Key], rewrite: Rewrite) -> list[Pair]:
    """The lake keys with each other when there is one on each side, the other keys by ARN."""
    lake_planned = [k for k in planned if k.is_lake_key]
    lake_live = [k for k in live if k.is_lake_key]
    if len(lake_planned) != 1 or len(lake_live) != 1:
        return _pair_by_arn(planned, live, rewrite)
    others = _pair_by_arn([k for k in planned if not k.is_lake_key], [k for k in live if not k.is_lake_key], rewrite)
    return [(lake_planned[0], lake_live[0]), *others]


def _lake_vpcs(lake: Lake) -> tuple[Vpc, ...]:
    """The VPCs the lake creates: an existing VPC is its owner's, its flow logs too."""
    return tuple(v for v in lake.vpcs if v.created_by_lake)


def _flow_logs(lake: Lake) -> tuple[FlowLog, ...]:
    return tuple(f for v in _lake_vpcs(lake) if isinstance(v.flow_logs, tuple) for f in v.flow_logs)


def _flow_log_target(flow_log: FlowLog) -> tuple[Any, Any]:
    """Flow logs are paired by where they deliver (for S3, the bucket): they have no name of their own,
    and a changed prefix is then a difference of the pair, not a missing flow log and a new one."""
    destination = flow_log.destination
    if isinstance(destination, str) and ":s3:::" in destination:
        destination = destination.split(":s3:::", 1)[1].split("/", 1)[0]
    return flow_log.destination_type, destination


def _optional(value: Any) -> tuple[Any, ...]:
    return () if value is None else (value,)


def _is_consumer_role(lake: Lake) -> Callable[[Role], bool]:
    refs = {c.role_ref for c in lake.consumers if c.role_ref is not None}
    return lambda role: role.ref in refs


def _roles(lake: Lake) -> tuple[Role, ...]:
    """The roles but those the lake creates for consumers (compared as "consumer role")."""
    return tuple(r for r in lake.roles if not _is_consumer_role(lake)(r))


def _consumer_roles(lake: Lake) -> tuple[Role, ...]:
    return tuple(r for r in lake.roles if _is_consumer_role(lake)(r))


@dataclass(frozen=True)
class ConsumerPolicy:
    """A consumer's customer managed policy, as drift compares it: its document, and whether it is
    attached to the consumer's principal (its role, or the principal the config names)."""

    name: str
    policy: Any
    attached: Any


def _consumer_policies(lake: Lake) -> tuple[ConsumerPolicy, ...]:
    """The policies the lake creates for consumers (none for an external consumer: the policy it
    exports is the other account's to attach, and to keep)."""
    return tuple(ConsumerPolicy(c.policy_name, c.policies[0] if c.policies else None, c.attached)
                 for c in lake.consumers if isinstance(c.policy_name, str))


@dataclass(frozen=True)
class InstanceProfile:
    """An ec2 consumer's instance profile, as drift compares it: the roles it holds."""

    name: str
    roles: Any


def _instance_profiles(lake: Lake) -> tuple[InstanceProfile, ...]:
    """Named as their consumer's role (components/naming.py: consumer_role_name)."""
    return tuple(InstanceProfile(c.name, c.instance_profile)
                 for c in lake.consumers if c.instance_profile is not None)


@dataclass(frozen=True)
class Kind:
    """How one kind of resource is found in a lake, matched and compared."""

    label: str
    resources: Callable[[Lake], Sequence[Any]]
    settings: tuple[str, ...]  # the fields compared, in report order
    pair: Pairing = _pair_by_name
    name: Callable[[Any], Any] = _name
    prefix: str = ""  # put before each setting's path
    # Live-only resources are not reported: the plan leaves them to others ("not managed").
    declared_only: bool = False


KINDS = (
    Kind("bucket", lambda lake: lake.buckets, (
        "arn", "tags", "versioning", "encryption", "public_access_block", "ownership", "acl", "policy",
        "lifecycle", "logging", "notifications")),
    Kind("key", lambda lake: lake.keys, ("arn", "tags", "rotation_enabled", "policy", "pending_deletion", "state"),
         pair=_pair_keys),
    Kind("endpoint", lambda lake: lake.endpoints, ("service_name", "endpoint_type", "policy", "endpoint_id"),
         pair=_pair_endpoints),
    Kind("crawler", lambda lake: lake.crawlers, (
        "role_arn", "database", "s3_paths", "security_configuration", "event_queue_arns", "recrawl_behavior")),
    Kind("security configuration", lambda lake: lake.security_configurations, (
        "s3_mode", "cloudwatch_mode", "job_bookmarks_mode", "key_arns")),
    Kind("workgroup", lambda lake: lake.workgroups, (
        "enforced", "cutoff", "output_location", "encryption_option", "kms_key_arn")),
    Kind("queue", lambda lake: lake.queues, ("arn", "encrypted", "kms_key_id", "policy", "has_dead_letter_queue")),
    Kind("role", _roles, ("arn", "trust_policy", "policies")),
    Kind("consumer role", _consumer_roles, ("arn", "trust_policy", "policies")),
    Kind("consumer policy", _consumer_policies, ("policy", "attached")),
    Kind("consumer instance profile", _instance_profiles, ("roles",)),
    Kind("vpc", _lake_vpcs, ("tags",)),  # by name: its Name tag, in both sources
    Kind("flow log", _flow_logs, ("traffic_type", "destination_type", "destination", "max_aggregation_interval",
                                  "file_format", "hive_compatible_partitions", "per_hour_partition"),
         pair=_pair_by(_flow_log_target)),
    Kind("account", lambda lake: _optional(lake.account_public_access_block), (
        "block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"),
         pair=_pair_by(lambda _: "account"), name=lambda _: "account", prefix="public_access_block.",
         declared_only=True),
    Kind("data catalog", lambda lake: _optional(lake.catalog_encryption), (
        "mode", "key_arn", "password_encrypted", "password_key_arn"), declared_only=True),
)


# --- Drift ----------------------------------------------------------------------------------------


def _settings(kind: Kind, resource: str, planned: Any, live: Any, rewrite: Rewrite) -> Iterator[Difference]:
    for setting in kind.settings:
        before = rewrite_deep(plain(getattr(planned, setting)), rewrite)
        for path, value, live_value in compare(setting, before, plain(getattr(live, setting))):
            yield Difference(kind.label, resource, kind.prefix + path, value, live_value)


def _pair_differences(kind: Kind, planned: Any, live: Any, rewrite: Rewrite) -> Iterator[Difference]:
    resource = str(kind.name(live) if live is not None else rewrite_deep(kind.name(planned), rewrite))
    if live is None:
        yield Difference(kind.label, resource, "exists", "declared", "missing")
    elif planned is None:
        if not kind.declared_only:
            yield Difference(kind.label, resource, "exists", "not declared", "present")
    else:
        yield from _settings(kind, resource, planned, live, rewrite)


def _kind_differences(kind: Kind, planned: Lake, live: Lake, rewrite: Rewrite) -> list[Difference]:
    pairs = kind.pair(kind.resources(planned), kind.resources(live), rewrite)
    found = [d for before, after in pairs for d in _pair_differences(kind, before, after, rewrite)]
    return sorted(found, key=lambda d: d.resource)  # stable: a resource's settings keep their order


def drift(planned: Lake, live: Lake) -> list[Difference]:
    """Every setting where ``live`` differs from ``planned``: kinds in ``KINDS`` order, resources
    by name, settings in each kind's order.

    Nothing is reported for a setting UNKNOWN on either side: a live UNKNOWN is a read that failed,
    which the audit lists as "could not verify" from ``live.unverified`` instead."""
    rewrite = rewriter(substitutions(planned, live))
    return [d for kind in KINDS for d in _kind_differences(kind, planned, live, rewrite)]
