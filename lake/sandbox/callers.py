"""Who signed a request to the sandbox, and the policies moto keeps for it: the gate's view of IAM and KMS.

moto issues credentials for ``sts:AssumeRole`` (``sts_backends``: each session with its temporary
access key), keeps roles with their inline and attached policies (``iam_backends``) and keys with
their key policies (``kms_backends``), but enforces none of them on S3 requests. The gate reads
them here to judge a request signed by an assumed role as AWS would.

moto gaps met here (what AWS would also weigh and moto does not keep or the gate does not read):
- a session policy (``AssumeRole``'s ``Policy``) and a role's permissions boundary are not read:
  the session gets the role's identity policies whole;
- a session does not expire for the gate (moto keeps it in ``assumed_roles`` for good);
- moto lets anyone assume any role ARN, even one that does not exist: such a session has no
  identity policy, so the gate refuses all its data requests (implicit deny);
- a KMS key named by an alias is not resolved (the lake's ``DenyOtherKmsKey`` refuses such
  uploads anyway), nor is the AWS managed ``aws/s3`` key of ``aws:kms`` without a key id: the
  gate then judges only S3's side, as it does for a key moto does not have.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from moto.iam.exceptions import NotFoundException
from moto.iam.models import Role, iam_backends
from moto.kms.models import Key, kms_backends
from moto.sts.models import AssumedRole, sts_backends

from policies.evaluator.request import Policy, Principal

SIGV4_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")
SIGV2_HEADER = "AWS "  # "AWS key:signature"


@dataclass(frozen=True)
class Caller:
    """An assumed-role session: the evaluator models it as its role (``Principal``), S3's error
    names the session (``arn``), and the role's identity policies decide with the resource's."""

    principal: Principal
    arn: str  # arn:aws:sts::<account>:assumed-role/<role>/<session>
    identity_policies: tuple[Policy, ...]


def access_key_id(authorization: str, query: Mapping[str, list[str]]) -> str | None:
    """The access key id a request is signed with: SigV4 or S3's SigV2, header or presigned URL."""
    if authorization.startswith(SIGV2_HEADER):
        return authorization.removeprefix(SIGV2_HEADER).partition(":")[0]
    found = SIGV4_CREDENTIAL.search(authorization)
    if found:
        return found.group(1)
    presigned = query.get("X-Amz-Credential") or query.get("AWSAccessKeyId")
    return presigned[0].partition("/")[0] if presigned else None


def assumed_role(key_id: str) -> AssumedRole | None:
    """The session moto's STS issued ``key_id`` to, in whichever account it assumed its role.

    Only the STS backends that exist are searched (``iter_backends`` creates none): the sandbox's
    default credentials (``testing``) belong to no session, and cost a scan of a short list."""
    for _, _, backend in sts_backends.iter_backends():
        session = backend.get_assumed_role_from_access_key(key_id)
        if session is not None:
            return session
    return None


def _role(role_arn: str) -> Role | None:
    partition, account = role_arn.split(":")[1], role_arn.split(":")[4]
    try:
        return iam_backends[account][partition].get_role_by_arn(role_arn)
    except NotFoundException:
        return None


def role_policies(role_arn: str) -> tuple[Policy, ...]:
    """The role's inline policies, then the default version of each managed policy attached to it."""
    role = _role(role_arn)
    if role is None:
        return ()
    inline = [Policy(f"inline policy {name} of {role.name}", json.loads(text)) for name, text in role.policies.items()]
    attached = [Policy(f"managed policy {policy.name}", json.loads(version.document))
                for policy in role.managed_policies.values()
                for version in policy.versions if version.is_default]
    return tuple(inline + attached)


def signing_caller(authorization: str, query: Mapping[str, list[str]]) -> Caller | None:
    """The assumed-role session that signed the request; None for moto's user (any other key)."""
    key_id = access_key_id(authorization, query)
    session = assumed_role(key_id) if key_id else None
    if session is None:
        return None
    return Caller(Principal.iam(session.role_arn), session.arn, role_policies(session.role_arn))


def kms_key(key_id: str, account: str, region: str) -> Key | None:
    """The key a key ARN or key id names (a bare id: in ``account`` and ``region``, the bucket's)."""
    if key_id.startswith("arn:"):
        region, account = key_id.split(":")[3], key_id.split(":")[4]
    backends = kms_backends[account]
    return backends[region].keys.get(key_id.rpartition(":key/")[2]) if region in backends else None
