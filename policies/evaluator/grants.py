"""When the Allow statements that apply add up to an allow, for S3 and for KMS.

Who the caller is decides which allows count:

- S3, within the owner account: an identity policy, or the bucket policy naming the principal
  itself, is enough; a bucket-policy grant to the account only delegates to IAM policies.
- KMS, within the owner account: the key policy must name the principal itself, or name the
  account and an identity policy allow too (identity policies alone never grant use of a key).
- Cross-account (both services): an identity policy and the resource policy must both allow.
- AWS service principals and anonymous callers have no identity policies: only a resource
  policy grant to them (or ``*``) counts, and KMS accepts no anonymous request at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .request import Principal, StatementRef

Caller = Literal["anonymous", "service", "same_account", "cross_account"]
Service = Literal["s3", "kms"]
POLICY_NOUN = {"s3": "bucket policy", "kms": "key policy"}


def caller_kind(principal: Principal, resource_owner: str) -> Caller:
    if principal.is_anonymous:
        return "anonymous"
    if principal.service is not None:
        return "service"
    return "same_account" if principal.account == resource_owner else "cross_account"


@dataclass(frozen=True)
class Grants:
    """The Allow statements that apply, by where they come from."""

    identity: tuple[StatementRef, ...]  # identity policies
    direct: tuple[StatementRef, ...]  # resource policy, naming the principal itself or "*"
    account: tuple[StatementRef, ...]  # resource policy, naming the principal's account


def granting(caller: Caller, service: Service, grants: Grants) -> tuple[StatementRef, ...]:
    """The Allow statements that together grant the request; empty when they do not add up.

    A statement that applies but grants nothing on its own here (an account grant with no
    identity allow beside it) is left out, so the deciding statements are the ones to change."""
    identity, direct, account = grants.identity, grants.direct, grants.account
    if caller == "same_account" and service == "s3":
        return identity + direct
    if caller == "same_account":
        return direct + (identity + account if identity and account else ())
    if caller == "cross_account":
        return identity + direct + account if identity and (direct or account) else ()
    return () if caller == "anonymous" and service == "kms" else direct


def _same_account_gap(service: Service, action: str, principal: Principal, grants: Grants) -> str:
    noun = POLICY_NOUN[service]
    if grants.account:
        return (f"no identity policy allows {action}; the {noun}'s grant to account "
                f"{principal.account} only delegates to IAM policies")
    if service == "s3":
        return f"no identity policy allows {action}, and the {noun} does not name {principal.arn}"
    return f"the {noun} allows {action} neither to {principal.arn} nor to account {principal.account}"


def denial_reason(caller: Caller, service: Service, action: str, principal: Principal, grants: Grants) -> str:
    """Why ``granting`` found nothing, in the terms a reviewer would check first."""
    noun = POLICY_NOUN[service]
    if caller == "anonymous" and service == "kms":
        return "KMS accepts no anonymous request"
    if caller == "anonymous":
        return f"the {noun} allows {action} to no anonymous caller"
    if caller == "service":
        return f"the {noun} does not allow {action} to the service {principal.service}"
    if caller == "cross_account":
        if not grants.identity:
            return f"cross-account: no identity policy allows {action}"
        return f"cross-account: the {noun} grants nothing to account {principal.account}"
    return _same_account_gap(service, action, principal, grants)
