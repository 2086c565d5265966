"""``Lake.consumers`` of a plan: the consumers of the stack config (the plan's ``settings``), joined to
what the program declared for them (their role, customer managed policy and attachment, found by
the names components/naming.py gives) and to the identity policies it exports (the stack output
``consumers``: an external consumer's only document, which its own account attaches).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from components.naming import consumer_policy_name, consumer_role_name, glue_database_name, zone_bucket_name
from components.settings import CONSUMER_SERVICES, consumer_kind

from ..model import Consumer, ConsumerGrant
from .resources import MANAGED_POLICY_TYPE, ROLE_ATTACHMENT_TYPE, ROLE_TYPE, ResourceRecord, get, parse_policy

USER_ATTACHMENT_TYPE = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
INSTANCE_PROFILE_TYPE = "aws:iam/instanceProfile:InstanceProfile"


def _named(records: list[ResourceRecord], type_: str, name: str) -> ResourceRecord | None:
    return next((r for r in records if r.type == type_ and get(r.props, "name") == name), None)


def _grants(settings: dict[str, Any], consumer: dict[str, Any]) -> tuple[ConsumerGrant, ...]:
    lake, stack = settings["name"], settings["stack"]
    return tuple(
        ConsumerGrant(
            zone=g["zone"], bucket=zone_bucket_name(lake, stack, g["zone"]), access=g["access"],
            prefixes=tuple(g["prefixes"]),
            database=glue_database_name(lake, stack, g["zone"]) if g["access"] == "query" else None,
        )
        for g in consumer["grants"]
    )


def _attached(records: list[ResourceRecord], policy: ResourceRecord) -> bool:
    """Does an attachment name the policy (by its dependency, else by its ARN)?"""
    arn = get(policy.props, "arn")
    return any(r.dependencies.get("policyArn") == policy.urn or (arn is not None and get(r.props, "policyArn") == arn)
               for r in records if r.type in (ROLE_ATTACHMENT_TYPE, USER_ATTACHMENT_TYPE))


def _exported_policy(outputs: dict[str, Any], name: str) -> tuple[Any, ...]:
    document = get(outputs, "consumers", name, "identityPolicy")
    return () if document is None else (parse_policy(document),)


def _role_arn(role: ResourceRecord | None, name: str, partition: str, account_id: str) -> Any:
    """The created role's ARN; in a plan that cannot know it, the one its name gives."""
    arn = get(role.props, "arn") if role is not None else None
    return arn if isinstance(arn, str) else f"arn:{partition}:iam::{account_id}:role/{name}"


def plan_consumer(consumer: dict[str, Any], document: dict[str, Any], records: list[ResourceRecord],
                  perimeter: bool) -> Consumer:
    """One consumer; ``perimeter``: is the stack's perimeter on (a consumer's default ``requireEndpoint``)."""
    settings = document["settings"]
    kind = consumer_kind(consumer.get("service"), consumer.get("principal"), settings.get("trusted_accounts", ()))
    require = consumer["require_endpoint"]
    model = Consumer(name=consumer["name"], ref=f"consumer:{consumer['name']}", kind=kind,
                     principal_arn=consumer.get("principal"), grants=_grants(settings, consumer),
                     require_endpoint=perimeter if require is None else require,
                     attach=kind == "service" or bool(consumer.get("attach")))
    if kind == "external":
        return replace(model, policies=_exported_policy(document.get("outputs") or {}, model.name))
    model = _with_policy(model, records, consumer_policy_name(settings["name"], settings["stack"], model.name))
    return model if kind == "principal" else _with_role(model, consumer["service"], document, records)


def _with_policy(model: Consumer, records: list[ResourceRecord], name: str) -> Consumer:
    policy = _named(records, MANAGED_POLICY_TYPE, name)
    if policy is None:  # the program declared no policy for it: it is given nothing
        return replace(model, attached=False)
    return replace(model, ref=policy.urn, policies=(parse_policy(get(policy.props, "policy")),), policy_name=name,
                   attached=_attached(records, policy))


def _with_role(model: Consumer, service: str, document: dict[str, Any], records: list[ResourceRecord]) -> Consumer:
    settings, environment = document["settings"], document["environment"]
    name = consumer_role_name(settings["name"], settings["stack"], model.name)
    role = _named(records, ROLE_TYPE, name)
    return replace(
        model, principal_arn=_role_arn(role, name, environment["partition"], environment["accountId"]),
        service=CONSUMER_SERVICES[service], role_ref=role.urn if role else None,
        ref=role.urn if role and model.policy_name is None else model.ref,
        instance_profile=_instance_profile(records, name) if service == "ec2" else None)


def _instance_profile(records: list[ResourceRecord], name: str) -> Any:
    """The roles the instance profile named ``name`` holds (an InstanceProfile takes one), or None."""
    profile = _named(records, INSTANCE_PROFILE_TYPE, name)
    if profile is None:
        return None
    role = get(profile.props, "role")
    return () if role is None else (role,)


def plan_consumers(document: dict[str, Any], records: list[ResourceRecord], perimeter: bool) -> tuple[Consumer, ...]:
    return tuple(plan_consumer(c, document, records, perimeter) for c in document["settings"].get("consumers") or ())


def external_principals(consumers: Iterable[Consumer]) -> tuple[str, ...]:
    """The roles of other accounts the stack config names as consumers."""
    return tuple(c.principal_arn for c in consumers if c.kind == "external" and isinstance(c.principal_arn, str))

