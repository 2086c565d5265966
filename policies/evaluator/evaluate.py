"""Decide one request against identity policies and a resource policy, as AWS would.

Follows AWS's policy evaluation logic (IAM User Guide, "Policy evaluation logic" and
"Cross-account policy evaluation logic"):

1. An applicable Deny statement in any policy wins: ``explicit_deny``, decided by every Deny
   statement that applies.
2. Otherwise the applicable Allow statements must add up to an allow for this caller and
   service (``grants.py``: same account, cross-account, AWS service, anonymous; S3 or KMS):
   ``allow``, decided by the Allow statements that grant together.
3. Otherwise ``implicit_deny``, with the missing grant as the reason.

S3 Block Public Access (``restrict_public_buckets``): when the bucket policy is public (an Allow
to anyone with no condition pinning the callers, ``policies.iam.is_public_allow``), its grants
count only for principals of the owner account and AWS services; its Deny statements still hold.

Scope, and what this evaluator does not model:

- No SCPs or RCPs, permission boundaries, session policies, ACLs, KMS grants, or VPC endpoint
  policies. Endpoint policies will come as a further ``Sequence[Policy]`` that must also allow:
  scanned like the resource policy for denies, and one more gate after ``granting``.
- Policy variables (``${aws:username}``) are not substituted: they match only themselves.
- A principal is the role or user ARN (a role stands for its sessions); a resource-policy
  ``NotPrincipal`` exempts only principals it names exactly.
- Identity policies apply to IAM principals only: anonymous callers and AWS services have none.
- A statement that cannot be read (unknown operator, unreadable value) does not apply; the
  reason of every decision names it, so an allow never hides it.
- The request context is taken as given, plus the principal keys AWS derives itself
  (``context.py``); keys AWS would add for the service (``kms:CallerAccount``) are the caller's.
"""

from __future__ import annotations

from collections.abc import Sequence

from policies.iam import is_public_allow, statements

from .context import request_context
from .grants import Caller, Grants, Service, caller_kind, denial_reason, granting
from .request import Decision, DecisionKind, Policy, Request, StatementRef
from .statements import Scan, describe, scan

_OUTSIDERS: tuple[Caller, ...] = ("anonymous", "cross_account")


def _decision(kind: DecisionKind, deciding: tuple[StatementRef, ...], reason: str, notes: tuple[str, ...]) -> Decision:
    """Notes on unreadable statements go into every reason, so that no decision hides them."""
    return Decision(kind, deciding, "; ".join((reason, *notes)))


def _listing(refs: tuple[StatementRef, ...]) -> str:
    return ", ".join(map(describe, refs))


def _is_public(policy: Policy | None) -> bool:
    return policy is not None and any(is_public_allow(s) for s in statements(dict(policy.document)))


def _allow_or_implicit_deny(request: Request, found: Scan, caller: Caller, service: Service,
                            resource_owner: str, public_blocked: bool) -> Decision:
    """With no explicit deny: do the applicable Allow statements add up for this caller?

    Outsiders need a resource-policy grant, so when Block Public Access voids those grants the
    answer is no, whatever else applies."""
    grants = Grants(found.refs("Allow", (None,)), found.refs("Allow", ("direct",)), found.refs("Allow", ("account",)))
    if public_blocked and (grants.direct or grants.account):
        reason = (f"Block Public Access (RestrictPublicBuckets): the public bucket policy grants "
                  f"{request.action} only to account {resource_owner} and AWS services")
        return _decision("implicit_deny", (), reason, found.notes)
    chosen = set(granting(caller, service, grants))
    deciding = tuple(r for r in found.refs("Allow") if r in chosen)  # in policy order
    if deciding:
        return _decision("allow", deciding, f"allowed by {_listing(deciding)}", found.notes)
    reason = denial_reason(caller, service, request.action, request.principal, grants)
    return _decision("implicit_deny", (), reason, found.notes)


def evaluate(request: Request, identity_policies: Sequence[Policy], resource_policy: Policy | None,
             resource_owner: str, service: Service = "s3", restrict_public_buckets: bool = False) -> Decision:
    """The decision for ``request``; ``resource_owner`` is the account owning the bucket or key."""
    context, caller = request_context(request), caller_kind(request.principal, resource_owner)
    identity_scope = identity_policies if caller in ("same_account", "cross_account") else ()
    found = scan(identity_scope, request, context, False)
    found += scan([resource_policy] if resource_policy else [], request, context, True)
    denies = found.refs("Deny")
    if denies:
        return _decision("explicit_deny", denies, f"explicitly denied by {_listing(denies)}", found.notes)
    public_blocked = (restrict_public_buckets and service == "s3" and caller in _OUTSIDERS
                      and _is_public(resource_policy))
    return _allow_or_implicit_deny(request, found, caller, service, resource_owner, public_blocked)
