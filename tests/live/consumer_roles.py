"""Consumer roles on the sandbox: created in moto's IAM as the lake creates them, then assumed.

Their identity policies come from the lake's own builder (``consumer_identity_policy``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.config import Config

from components.documents.consumer_access import LakeTarget, consumer_identity_policy
from components.naming import consumer_policy_name, consumer_role_name
from components.settings import GrantSettings

ACCOUNT = "123456789012"
REGION = "us-east-1"
LAKE, STACK = "mlteam", "dev"
ZONES = ("raw", "processed", "curated")
SERVICE_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}


def dev_lake(key_arn: str) -> LakeTarget:
    """What the dev lake's consumer documents name, on the sandbox."""
    return LakeTarget("aws", REGION, ACCOUNT, key_arn, {z: f"arn:aws:s3:::{LAKE}-{STACK}-{z}" for z in ZONES},
                      {z: f"{LAKE}_{STACK}_{z}" for z in ZONES}, f"{LAKE}-{STACK}",
                      f"arn:aws:s3:::{LAKE}-{STACK}-query-results", "results/")


def identity_policy(grants: Sequence[GrantSettings], key_arn: str, with_kms: bool = True) -> dict[str, Any]:
    """The consumer's identity policy; ``with_kms=False`` drops its KMS statements (a broken consumer)."""
    policy = dict(consumer_identity_policy(grants, dev_lake(key_arn), caller_account=ACCOUNT, require_endpoint=False))
    if not with_kms:
        policy["Statement"] = [s for s in policy["Statement"] if not _uses_key(s)]
    return policy


def _uses_key(statement: dict[str, Any]) -> bool:
    actions = statement["Action"]
    return all(a.startswith("kms:") for a in ([actions] if isinstance(actions, str) else actions))


def grant_output(grant: GrantSettings) -> dict[str, Any]:
    """A grant as the stack outputs' ``consumers.<name>.grants`` list it."""
    return {"zone": grant.zone, "access": grant.access, "prefixes": list(grant.prefixes)}


def create_consumer(iam: Any, consumer: str, policy: dict[str, Any], inline: bool = False) -> str:
    """The consumer's role with its policy (customer managed and attached, as the lake does; or
    inline); returns the role ARN."""
    name, policy_name = consumer_role_name(LAKE, STACK, consumer), consumer_policy_name(LAKE, STACK, consumer)
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(SERVICE_TRUST))["Role"]["Arn"]
    if inline:
        iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(policy))
    else:
        policy_arn = iam.create_policy(PolicyName=policy_name, PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    return arn


def assumed_session(sts: Any, role_arn: str, session_name: str = "test") -> boto3.Session:
    """A boto3 session with the credentials moto's STS issues for the role."""
    issued = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
    return boto3.Session(aws_access_key_id=issued["AccessKeyId"], aws_secret_access_key=issued["SecretAccessKey"],
                         aws_session_token=issued["SessionToken"], region_name=REGION)


def s3_of(session: boto3.Session, endpoint_url: str, ca_bundle: str) -> Any:
    return session.client("s3", endpoint_url=endpoint_url, verify=ca_bundle,
                          config=Config(s3={"addressing_style": "path"}))
