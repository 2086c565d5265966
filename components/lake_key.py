"""LakeKey: the KMS customer key that encrypts every zone bucket, with its alias and policy."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .documents.key_policy import lake_key_policy
from .environment import AwsEnvironment
from .resource_options import child_options

TYPE_TOKEN = "datalake:storage:LakeKey"


@dataclass(frozen=True)
class LakeKeyArgs:
    alias: str  # without the "alias/" prefix
    environment: AwsEnvironment
    administrators: tuple[str, ...] = ()
    deletion_window_days: int = 30
    protect: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    # Services besides S3 through which the account may use the key ("glue" for the catalog).
    via_services: tuple[str, ...] = ()
    # Log groups CloudWatch Logs may encrypt with the key (the crawlers' logs).
    log_groups: tuple[str, ...] = ()
    # Roles granted decryption through S3 in the key policy (the crawlers). KMS refuses a policy
    # naming a role that does not exist yet: these outputs make the key wait for the roles.
    crawler_role_arns: pulumi.Input[list[str]] = field(default_factory=list)
    # External consumers (roles of trusted other accounts, consumers.external_key_options): the
    # roles that decrypt, and that also generate data keys, through S3; and their accounts, which
    # the deny of other accounts then admits. They exist in their own account before the key.
    consumer_decrypt_arns: tuple[str, ...] = ()
    consumer_data_key_arns: tuple[str, ...] = ()
    consumer_accounts: tuple[str, ...] = ()


class LakeKey(pulumi.ComponentResource):
    key: aws.kms.Key
    arn: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(self, name: str, args: LakeKeyArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        env = args.environment
        policy = pulumi.Output.all(env.partition, env.account_id, env.region, args.crawler_role_arns).apply(
            lambda v: json.dumps(lake_key_policy(
                v[0], v[1], v[2], list(args.administrators), via_services=args.via_services,
                log_groups=args.log_groups, crawler_role_arns=tuple(v[3]),
                consumer_decrypt_arns=args.consumer_decrypt_arns, consumer_data_key_arns=args.consumer_data_key_arns,
                consumer_accounts=args.consumer_accounts,
            ))
        )
        # The policy is set on the key itself (not a separate KeyPolicy resource), so the key
        # never exists with the default policy, and the two can never fight over it.
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the objects of the {args.alias} data lake",
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=args.deletion_window_days,
            bypass_policy_lockout_safety_check=False,
            policy=policy,
            tags=args.tags,
            opts=child_options(self, args.protect),
        )
        alias = aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{args.alias}",
            target_key_id=self.key.key_id,
            opts=child_options(self, args.protect),
        )
        self.arn = self.key.arn
        self.alias_name = alias.name
        self.register_outputs({"arn": self.arn, "aliasName": self.alias_name})
