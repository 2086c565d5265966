"""Short builders for evaluator tests: principals, policies, and the references decisions name."""

from __future__ import annotations

from typing import Any

from policies.evaluator.request import Policy, Principal, StatementRef

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "999999999999"


def role(name: str, account: str = ACCOUNT) -> Principal:
    return Principal.iam(f"arn:aws:iam::{account}:role/{name}")


def user(name: str, account: str = ACCOUNT) -> Principal:
    return Principal.iam(f"arn:aws:iam::{account}:user/{name}")


def policy(name: str, *statements: dict[str, Any]) -> Policy:
    return Policy(name, {"Version": "2012-10-17", "Statement": list(statements)})


def ref(policy_: Policy, index: int) -> StatementRef:
    """The reference of statement ``index`` of a policy built with ``policy``."""
    return StatementRef(policy_.name, policy_.document["Statement"][index].get("Sid"), index)


def allow(action: str | list[str], resource: str | list[str] = "*", **elements: Any) -> dict[str, Any]:
    """An Allow statement; other elements (``Sid``, ``Principal``, ``Condition``) by keyword."""
    return {"Effect": "Allow", "Action": action, "Resource": resource, **elements}


def deny(action: str | list[str], resource: str | list[str] = "*", **elements: Any) -> dict[str, Any]:
    return {**allow(action, resource, **elements), "Effect": "Deny"}
