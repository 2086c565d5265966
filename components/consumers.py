"""LakeConsumers: what the lake creates for the consumers its stack config declares (``datalake:consumers``).

- a ``service`` consumer: a role trusted by that service only, a customer managed policy holding
  its grants, attached to the role (and for ec2 an instance profile of the same name);
- a ``principal`` of the lake's account (an existing role or user): the policy, attached to it
  when ``attach`` is set (else only exported, for whoever manages that principal);
- an ``external`` consumer (a role of a trusted other account): nothing in IAM here. The zone
  buckets' and the key's policies grant it (DataLake wires ``zone_statements`` and
  ``external_key_options`` before the consumers exist), and its account attaches the exported
  identity policy.

Every consumer's identity policy is exported (``exports``, the stack output ``consumers``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .documents.consumer_access import (
    LakeTarget,
    consumer_bucket_statements,
    consumer_identity_policy,
    external_key_grants,
    service_trust_policy,
)
from .documents.statements import Statement
from .environment import AwsEnvironment
from .naming import consumer_policy_name, consumer_role_name
from .resource_options import child_options
from .settings import (
    CONSUMER_SERVICES,
    ConsumerSettings,
    GrantSettings,
    LakeSettings,
    consumer_kind,
    principal_account,
)

TYPE_TOKEN = "datalake:access:LakeConsumers"
SERVICE, PRINCIPAL, EXTERNAL = "service", "principal", "external"


def principal_type_and_name(arn: str) -> tuple[str, str]:
    """("role" or "user", its name) of an IAM ARN; the name is the last path segment, as the IAM
    API wants it (``role/team/Analyst`` -> ``Analyst``)."""
    resource = arn.split(":", 5)[5]
    return resource.split("/", 1)[0], resource.rsplit("/", 1)[-1]


def kind_of(consumer: ConsumerSettings, trusted_accounts: tuple[str, ...]) -> str:
    """SERVICE, PRINCIPAL or EXTERNAL (``settings.consumer_kind``); a principal of the lake's account is
    checked against the deployment's account once it is known (``_caller_account``)."""
    return consumer_kind(consumer.service, consumer.principal, trusted_accounts)


def external_consumers(settings: LakeSettings) -> list[ConsumerSettings]:
    return [c for c in settings.consumers if kind_of(c, settings.trusted_accounts) == EXTERNAL]


def zone_statements(settings: LakeSettings, zone: str, bucket_arn: str) -> list[Statement]:
    """The bucket policy statements of the zone's bucket granting the external consumers their
    grants on that zone (none for a zone no external consumer has a grant on)."""
    statements: list[Statement] = []
    for consumer in external_consumers(settings):
        grants = [g for g in consumer.grants if g.zone == zone]
        if grants:
            statements += consumer_bucket_statements(consumer.name, consumer.principal or "", bucket_arn, grants)
    return statements


def external_key_options(settings: LakeSettings) -> dict[str, tuple[str, ...]]:
    """The key policy options (``lake_key_policy``'s keywords) admitting the external consumers'
    roles through S3; empty without external consumers, which leaves the key policy as it was."""
    external = external_consumers(settings)
    if not external:
        return {}
    by_role: dict[str, tuple[GrantSettings, ...]] = {}
    for consumer in external:  # two consumers may name the same role: it gets both grants
        by_role[consumer.principal or ""] = (*by_role.get(consumer.principal or "", ()), *consumer.grants)
    decrypt, data_key = external_key_grants(by_role)
    return {
        "consumer_decrypt_arns": decrypt,
        "consumer_data_key_arns": data_key,
        "consumer_accounts": tuple(sorted({principal_account(arn) for arn in by_role})),
    }


def consumer_arn(settings: LakeSettings, consumer: ConsumerSettings, partition: str, account_id: str) -> str:
    """The ARN a consumer acts as: its principal, or the role the lake creates for it (known from
    its name before the role exists; the lake's roles have no path)."""
    if consumer.service is None:
        return consumer.principal or ""
    return f"arn:{partition}:iam::{account_id}:role/{consumer_role_name(settings.name, settings.stack, consumer.name)}"


def perimeter_exempt_consumers(settings: LakeSettings, partition: str, account_id: str) -> list[str]:
    """Consumers the perimeter lets through from outside the endpoint: those that say
    ``requireEndpoint: false`` while the perimeter is on (external consumers must)."""
    if not settings.perimeter_enabled:
        return []
    return [consumer_arn(settings, c, partition, account_id) for c in settings.consumers
            if not settings.requires_endpoint(c)]


@dataclass(frozen=True)
class LakeConsumersArgs:
    settings: LakeSettings  # its consumers, trusted accounts, perimeter, lake and stack names
    environment: AwsEnvironment
    key_arn: pulumi.Input[str]
    zone_bucket_arns: Mapping[str, pulumi.Input[str]]  # zone -> bucket ARN
    databases: Mapping[str, pulumi.Input[str]]  # zone -> Glue database name
    workgroup: pulumi.Input[str]  # the Athena workgroup's name
    results_bucket_arn: pulumi.Input[str]
    results_prefix: str
    endpoint_id: pulumi.Input[str]  # the lake's S3 endpoint (``requireEndpoint``)
    protect: bool = False
    tags: dict[str, str] = field(default_factory=dict)


class LakeConsumers(pulumi.ComponentResource):
    # consumer name -> its stack export (kind, principalArn, identityPolicy, grants, ...)
    exports: dict[str, dict[str, Any]]

    def __init__(self, name: str, args: LakeConsumersArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._args = args
        self._target = self._lake_target()
        self.exports = {c.name: self._consumer(c) for c in args.settings.consumers}
        self.register_outputs({"consumers": self.exports})

    def _child(self, **extra: Any) -> pulumi.ResourceOptions:
        return child_options(self, self._args.protect, **extra)

    def _lake_target(self) -> pulumi.Output[LakeTarget]:
        args, env = self._args, self._args.environment
        return pulumi.Output.all(
            partition=env.partition, region=env.region, account_id=env.account_id, key_arn=args.key_arn,
            zone_buckets=pulumi.Output.all(**args.zone_bucket_arns), databases=pulumi.Output.all(**args.databases),
            workgroup=args.workgroup, results_bucket_arn=args.results_bucket_arn, endpoint_id=args.endpoint_id,
        ).apply(lambda v: LakeTarget(results_prefix=args.results_prefix, **v))

    def _consumer(self, consumer: ConsumerSettings) -> dict[str, Any]:
        settings = self._args.settings
        kind = kind_of(consumer, settings.trusted_accounts)
        document = self._identity_policy(consumer, kind)
        return {
            "kind": kind,
            **self._iam(consumer, kind, document),
            "identityPolicy": document,
            "grants": [{"zone": g.zone, "access": g.access, "prefixes": list(g.prefixes)} for g in consumer.grants],
            "requireEndpoint": settings.requires_endpoint(consumer),
        }

    def _iam(self, consumer: ConsumerSettings, kind: str, document: pulumi.Output[str]) -> dict[str, Any]:
        """The consumer's IAM resources, as the fields of its export that name them."""
        if kind == EXTERNAL:
            return {"principalArn": consumer.principal}
        policy = self._policy(consumer, document)
        names = {"policyName": policy.name, "policyArn": policy.arn}
        if kind == PRINCIPAL:
            self._attach_to_principal(consumer, policy)
            # ``attach``: `lake audit --stack-outputs` judges a detached policy by it, as against the plan.
            return {"principalArn": consumer.principal, **names, "attach": consumer.attach}
        role = self._service_role(consumer, policy)
        # ``service`` (as configured): the one service the role must trust, for `lake audit --stack-outputs`.
        return {"principalArn": role.arn, "service": consumer.service, "roleName": role.name, **names}

    def _identity_policy(self, consumer: ConsumerSettings, kind: str) -> pulumi.Output[str]:
        require = self._args.settings.requires_endpoint(consumer)
        return pulumi.Output.all(self._target, self._args.environment.account_id).apply(
            lambda v: json.dumps(consumer_identity_policy(
                consumer.grants, v[0], caller_account=_caller_account(consumer, kind, v[1]), require_endpoint=require)))

    def _tags(self, consumer: ConsumerSettings) -> dict[str, str]:
        return {**self._args.tags, "consumer": consumer.name}

    def _service_role(self, consumer: ConsumerSettings, policy: aws.iam.Policy) -> aws.iam.Role:
        """The role a service consumer acts as, trusted by that service only, with its policy attached."""
        s, service, name = self._args.settings, CONSUMER_SERVICES[consumer.service or ""], f"consumer-{consumer.name}"
        role = aws.iam.Role(
            name,
            name=consumer_role_name(s.name, s.stack, consumer.name),
            description=f"Consumer {consumer.name} of the {s.name} lake ({s.stack}), assumed by {service}",
            assume_role_policy=self._args.environment.account_id.apply(
                lambda account: json.dumps(service_trust_policy(service, account))),
            tags=self._tags(consumer),
            opts=self._child(),
        )
        aws.iam.RolePolicyAttachment(name, role=role.name, policy_arn=policy.arn, opts=self._child())
        if consumer.service == "ec2":  # an instance takes a role through an instance profile only
            aws.iam.InstanceProfile(name, name=role.name, role=role.name, tags=self._tags(consumer),
                                    opts=self._child())
        return role

    def _policy(self, consumer: ConsumerSettings, document: pulumi.Output[str]) -> aws.iam.Policy:
        s = self._args.settings
        return aws.iam.Policy(
            f"consumer-{consumer.name}",
            name=consumer_policy_name(s.name, s.stack, consumer.name),
            description=f"The grants of consumer {consumer.name} on the {s.name} lake ({s.stack})",
            policy=document,
            tags=self._tags(consumer),
            opts=self._child(),
        )

    def _attach_to_principal(self, consumer: ConsumerSettings, policy: aws.iam.Policy) -> None:
        """Attach the policy to the existing role or user (by name) when ``attach`` is set."""
        if not consumer.attach:
            return
        name = f"consumer-{consumer.name}"
        principal_type, principal_name = principal_type_and_name(consumer.principal or "")
        if principal_type == "user":
            aws.iam.UserPolicyAttachment(name, user=principal_name, policy_arn=policy.arn, opts=self._child())
        else:
            aws.iam.RolePolicyAttachment(name, role=principal_name, policy_arn=policy.arn, opts=self._child())


def _caller_account(consumer: ConsumerSettings, kind: str, lake_account: str) -> str:
    """The account the consumer calls from (``kms:CallerAccount``). A principal taken for one of
    the lake's account (not in a trusted account) that turns out to be of another account stops
    the deployment: attaching by name would reach a namesake role of the lake's account."""
    if kind == SERVICE:
        return lake_account
    account = principal_account(consumer.principal or "")
    if kind == PRINCIPAL and account != lake_account:
        # RunError ends the program with this message alone (a ValueError would come wrapped in
        # the serialisation of whichever input awaited it first).
        raise pulumi.RunError(
            f"consumer {consumer.name}: principal {consumer.principal} is not of the lake's account {lake_account}; "
            "a principal of another account must be in datalake:trustedAccounts")
    return account
