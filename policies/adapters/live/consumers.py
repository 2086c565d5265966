"""The lake's consumers (``datalake:consumers``) as the account shows them: the customer managed
policies and the roles the lake creates for them.

Their name ties them to the lake: IAM names cannot change, and the program names both the policy and
a service consumer's role ``<lake>-<stack>-consumer-<name>`` (components/naming.py). One
ListPolicies call finds the policies of the lake's namespace; per consumer, GetPolicy (its default
version and tags), GetPolicyVersion, ListEntitiesForPolicy (what it is attached to), then the role of
the same name (GetRole answers NoSuchEntity for a principal consumer: it has none). A policy or role
without the lake's tag is reported untagged, like the lake's other resources.

What the account cannot tell stays UNKNOWN: the grants and ``requireEndpoint`` the config declares.
Against a plan (``Declared.consumers``), they come from the plan, else from the stack outputs
(``exported.py``), and each planned consumer is looked for by its name, so one the account lacks
shows as missing (drift's "consumer policy" and "consumer role", against a plan). A consumer role
found by its policy alone, without a plan or outputs, that lost the policy is not seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from components.settings import CONSUMER_SERVICES

from ...drift import rewrite_deep
from ...iam import as_list, statements
from ...model import UNKNOWN, Consumer, IamPolicy, Role, Untagged, is_unknown
from ..resources import parse_policy
from . import services
from .buckets import tag_dict
from .calls import Call, Reader
from .discovery import NAMING, PLAN, Ties

SERVICE, PRINCIPAL, EXTERNAL = "service", "principal", "external"
POLICY_KIND, ROLE_KIND = "consumer policy", "consumer role"
EC2_SERVICE = CONSUMER_SERVICES["ec2"]  # an instance takes its role through an instance profile


def listed(reader: Reader, iam: Any) -> Any:
    """The names of the account's customer managed policies (one paginated ListPolicies), or UNKNOWN."""
    call = Call("ListPolicies", "list_policies", {"Scope": "Local", "PathPrefix": "/"}, pages="Policies")
    return reader.read(iam, call, ("lake", "", "consumer policies"), lambda r: [p["PolicyName"] for p in r["Policies"]])


def prefix(ties: Ties) -> str | None:
    """``<lake>-<stack>-consumer-``: how both names of a consumer start (components/naming.py)."""
    return None if ties.namespace is None else f"{ties.namespace}-consumer-"


def names(found: Any, ties: Ties, planned: Iterable[Consumer]) -> list[str]:
    """The consumers to read: those of the listed policies in the lake's namespace, and every planned
    consumer of the lake's account (an external consumer's identity is another account's)."""
    start = prefix(ties)
    if start is None:
        return []
    listed_names = [n.removeprefix(start) for n in (found if isinstance(found, list) else []) if n.startswith(start)]
    return sorted({*listed_names, *(c.name for c in planned if c.kind != EXTERNAL)})


@dataclass(frozen=True)
class Where:
    """Where the consumers are: the account, its partition, the ties and the planned consumers (of
    the plan, else of the stack outputs: ``found_by`` says which)."""

    account: str
    partition: str
    ties: Ties
    planned: dict[str, Consumer]
    found_by: str = PLAN

    def arn(self, kind: str, name: str) -> str:
        # The program creates both at the path "/".
        return f"arn:{self.partition}:iam::{self.account}:{kind}/{name}"


@dataclass(frozen=True)
class Policy:
    """A consumer's customer managed policy, read."""

    name: str
    arn: str
    tags: Any  # dict, or UNKNOWN
    document: Any
    roles: Any  # frozenset of role names it is attached to, or UNKNOWN
    users: Any  # frozenset of user names, or UNKNOWN


@dataclass(frozen=True)
class Found:
    """What one consumer's reads found: the consumer, its role and policies (for Lake.roles and
    Lake.iam_policies) and what lacks the lake's tag."""

    consumer: Consumer | None
    role: Role | None = None
    policies: tuple[IamPolicy, ...] = ()
    untagged: tuple[Untagged, ...] = ()


def task(reader: Reader, iam: Any, name: str, where: Where) -> Callable[[], Found]:
    return lambda: read(reader, iam, name, where)


def read(reader: Reader, iam: Any, name: str, where: Where) -> Found:
    """One consumer: its policy, its role (unless the plan says it has none), and what they tell."""
    full, planned = f"{prefix(where.ties)}{name}", where.planned.get(name)
    policy = _policy(reader, iam, full, where.arn("policy", full))
    known = {policy.arn: policy.document} if policy is not None and not is_unknown(policy.document) else {}
    read_role = None if planned is not None and planned.kind != SERVICE else services.role(
        reader, iam, where.arn("role", full), known)
    role, role_policies = read_role if read_role is not None else (None, [])
    consumer = _consumer(name, policy, role, planned)
    if consumer is not None and planned is None and consumer.kind == PRINCIPAL:
        consumer = replace(consumer, principal_arn=_single_principal(reader, iam, policy))
    if consumer is not None and consumer.service == EC2_SERVICE:
        profile = _instance_profile(reader, iam, full, where.arn("instance-profile", full))
        consumer = replace(consumer, instance_profile=profile)
    own = [IamPolicy(full, policy.arn, policy.document, "managed")] if policy is not None else []
    return Found(consumer, role, tuple({(p.kind, p.ref, p.name): p for p in (*own, *role_policies)}.values()),
                 tuple(_untagged(policy, role, where, planned)))


def _policy(reader: Reader, iam: Any, name: str, arn: str) -> Policy | None:
    where = (name, arn, "consumer policy")
    item = reader.read(iam, Call("GetPolicy", "get_policy", {"PolicyArn": arn}, ("NoSuchEntity",)), where,
                       lambda r: r["Policy"])
    if item is None:
        return None
    document = item if is_unknown(item) else reader.read(
        iam, Call("GetPolicyVersion", "get_policy_version", {"PolicyArn": arn, "VersionId": item["DefaultVersionId"]}),
        where, lambda r: parse_policy(r["PolicyVersion"]["Document"]))
    # One page of up to 1,000 entities: a consumer's policy is attached to one role or user, not more.
    entities = reader.read(iam, Call("ListEntitiesForPolicy", "list_entities_for_policy",
                                     {"PolicyArn": arn, "MaxItems": 1000}), (name, arn, "consumer attachments"),
                           lambda r: (frozenset(e["RoleName"] for e in r["PolicyRoles"]),
                                      frozenset(e["UserName"] for e in r["PolicyUsers"])))
    roles, users = (entities, entities) if is_unknown(entities) else entities
    tags = item if is_unknown(item) else tag_dict(item.get("Tags", []))
    return Policy(name, arn, tags, document, roles, users)


def _instance_profile(reader: Reader, iam: Any, name: str, arn: str) -> Any:
    """The role names an ec2 consumer's instance profile holds (it is named as its role); None: none."""
    call = Call("GetInstanceProfile", "get_instance_profile", {"InstanceProfileName": name}, ("NoSuchEntity",))
    return reader.read(iam, call, (name, arn, "consumer instance profile"),
                       lambda r: tuple(role["RoleName"] for role in r["InstanceProfile"]["Roles"]))


def _consumer(name: str, policy: Policy | None, role: Role | None, planned: Consumer | None) -> Consumer | None:
    """The consumer as found; against a plan, with what only the plan knows (its kind, grants,
    requireEndpoint, service, principal)."""
    if policy is None and role is None and planned is None:
        return None
    kind = planned.kind if planned is not None else SERVICE if role is not None else PRINCIPAL
    principal = role.arn if role is not None else planned.principal_arn if planned is not None else UNKNOWN
    return Consumer(
        name=name,
        ref=policy.arn if policy is not None else role.ref if role is not None else f"consumer:{name}",
        kind=kind,
        principal_arn=principal,
        grants=planned.grants if planned is not None else UNKNOWN,
        require_endpoint=planned.require_endpoint if planned is not None else UNKNOWN,
        policies=(policy.document,) if policy is not None else (),
        # An export older than its ``service`` field leaves it to the role's trust policy, as without one.
        service=planned.service if planned is not None and planned.service else _trusted_service(role),
        role_ref=role.ref if role is not None else None,
        policy_name=policy.name if policy is not None else None,
        attached=_attached(policy, role, kind, planned),
        attach=planned.attach if planned is not None else None,
    )


def _attached(policy: Policy | None, role: Role | None, kind: str, planned: Consumer | None) -> Any:
    """Is the policy attached to the consumer's principal: its role, the principal the plan names, or
    (a principal consumer without a plan) anyone?"""
    if policy is None:
        return False
    if is_unknown(policy.roles):
        return UNKNOWN
    if kind == SERVICE:
        return role is not None and role.name in policy.roles
    if planned is None:
        return bool(policy.roles or policy.users)
    principal = planned.principal_arn
    if not isinstance(principal, str):
        return UNKNOWN
    resource = principal.split(":", 5)[-1]  # "role/path/Name", "user/Name"
    entities = policy.roles if resource.startswith("role/") else policy.users
    return resource.rsplit("/", 1)[-1] in entities


def _single_principal(reader: Reader, iam: Any, policy: Policy | None) -> Any:
    """Without a plan, a principal consumer's principal is what its policy is attached to, when that
    is one role or user (ListEntitiesForPolicy names it without its path: GetRole or GetUser gives
    its ARN); else UNKNOWN."""
    if policy is None or is_unknown(policy.roles) or len(policy.roles) + len(policy.users) != 1:
        return UNKNOWN
    if policy.roles:
        (role_name,) = policy.roles
        call = Call("GetRole", "get_role", {"RoleName": role_name})
        return reader.read(iam, call, (role_name, policy.arn, "consumer principal"), lambda r: r["Role"]["Arn"])
    (user_name,) = policy.users
    call = Call("GetUser", "get_user", {"UserName": user_name})
    return reader.read(iam, call, (user_name, policy.arn, "consumer principal"), lambda r: r["User"]["Arn"])


def _trusted_service(role: Role | None) -> str | None:
    """The one service the role's trust policy names, if it names exactly one."""
    trust = role.trust_policy if role is not None and isinstance(role.trust_policy, dict) else None
    found = {p for s in statements(trust) if isinstance(s.get("Principal"), dict)
             for p in as_list(s["Principal"].get("Service"))}
    return found.pop() if len(found) == 1 else None


def _untagged(policy: Policy | None, role: Role | None, where: Where, planned: Consumer | None) -> list[Untagged]:
    ties = where.ties
    if ties.lake is None:
        return []
    found_by = where.found_by if planned is not None else f"{NAMING} {ties.namespace}"
    lacking = []
    if policy is not None and isinstance(policy.tags, dict) and policy.tags.get("lake") != ties.lake:
        lacking.append(Untagged(POLICY_KIND, policy.name, policy.arn, found_by, ties.lake))
    if role is not None and role.tags.get("lake") != ties.lake:
        lacking.append(Untagged(ROLE_KIND, role.name, role.ref, found_by, ties.lake))
    return lacking


def collected(found: list[Found], planned: Iterable[Consumer]) -> dict[str, tuple[Any, ...]]:
    """The consumers, roles, policies and untagged resources of every consumer read; against a plan,
    its external consumers as planned: their identity and the policy they attach live in another
    account, which this audit cannot read, so the exported identity policy stands for it (the
    bucket and key policies that grant them are read here, and judged)."""
    externals = tuple(c for c in planned if c.kind == EXTERNAL)
    return {
        "consumers": tuple(sorted((*(f.consumer for f in found if f.consumer is not None), *externals),
                                  key=lambda c: c.name)),
        "roles": tuple(f.role for f in found if f.role is not None),
        "iam_policies": tuple(p for f in found for p in f.policies),
        "untagged": tuple(u for f in found for u in f.untagged),
    }


def exported_with_live_ids(consumers: Iterable[Consumer], rewrite: Callable[[str], str]) -> tuple[Consumer, ...]:
    """The consumers, with the plan's generated ids (the lake key's ARN, the endpoint's id: mocks) in
    the external consumers' exported policies replaced by the live ones (``drift.rewriter``), as the
    deployed stack exports them; the lake's account holds no copy to read."""
    return tuple(replace(c, policies=rewrite_deep(c.policies, rewrite)) if c.kind == EXTERNAL else c
                 for c in consumers)
