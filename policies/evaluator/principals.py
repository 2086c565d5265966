"""Whom a resource-policy statement names, and how: the principal itself, or its whole account.

The difference decides S3 and KMS requests: a grant to the principal itself (its ARN, its
service, or ``*``) stands on its own within the account, while a grant to the account (root ARN
or bare account id) only delegates to the account's IAM policies.

Scope: ``AWS`` and ``Service`` entries. ``Federated`` and ``CanonicalUser`` entries name no
principal this evaluator models; partial wildcards in a principal are not valid IAM and never
match. A role's ARN stands for its sessions (``Principal.arn`` is the role ARN).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from policies.iam import as_list

from .request import Principal

Grant = Literal["direct", "account"]
_ACCOUNT = re.compile(r"(\d{12})|arn:aws[\w-]*:iam::(\d{12}):root")


def entries(principal_element: Any) -> Iterator[tuple[str, str]]:
    """``(type, value)`` pairs: ``"*"`` is ``("AWS", "*")``, as AWS reads it."""
    if principal_element == "*":
        yield "AWS", "*"
    elif isinstance(principal_element, Mapping):
        for kind, values in principal_element.items():
            for value in as_list(values):
                yield kind, str(value)


def named_account(value: str) -> str | None:
    """The account a root ARN or a bare account id names; None for any other value."""
    match = _ACCOUNT.fullmatch(value)
    return (match.group(1) or match.group(2)) if match else None


def entry_grant(kind: str, value: str, principal: Principal) -> Grant | None:
    if kind == "AWS" and value == "*":
        return "direct"
    if principal.is_anonymous:
        return None
    if principal.service is not None:
        return "direct" if kind == "Service" and value == principal.service else None
    if kind != "AWS":
        return None
    if value == principal.arn:
        return "direct"
    return "account" if principal.account and named_account(value) == principal.account else None


def principal_grant(statement: Mapping[str, Any], principal: Principal) -> Grant | None:
    """How a statement's ``Principal`` or ``NotPrincipal`` covers the principal, or None.

    ``NotPrincipal`` covers everyone it does not name, as the principal itself. It exempts only
    principals named exactly: per AWS, naming the account's root there exempts the account
    principal, not every user and role in it.
    """
    if "NotPrincipal" in statement:
        named = any(entry_grant(k, v, principal) == "direct" for k, v in entries(statement["NotPrincipal"]))
        return None if named else "direct"
    grants = {entry_grant(k, v, principal) for k, v in entries(statement.get("Principal"))}
    return "direct" if "direct" in grants else "account" if "account" in grants else None
