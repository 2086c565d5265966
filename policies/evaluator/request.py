"""The inputs and output of an authorisation decision: who asks what, against which policies.

This module is the contract between the evaluator (``evaluate.py``) and its users (the access
matrix, ``lake access``). Pure data, no logic beyond constructors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Principal:
    """Who makes the request.

    ``arn`` is the IAM role or user ARN (for an assumed role, the role's ARN), the service name
    for an AWS service principal, and None for an anonymous request.
    """

    arn: str | None
    account: str | None
    service: str | None = None

    @staticmethod
    def anonymous() -> Principal:
        return Principal(None, None)

    @staticmethod
    def iam(arn: str) -> Principal:
        """A role or user: its account is read from the ARN."""
        return Principal(arn, arn.split(":")[4])

    @staticmethod
    def aws_service(name: str) -> Principal:
        """An AWS service acting as itself, e.g. ``logging.s3.amazonaws.com``."""
        return Principal(name, None, service=name)

    @property
    def is_anonymous(self) -> bool:
        return self.arn is None


@dataclass(frozen=True)
class Request:
    principal: Principal
    action: str  # "s3:GetObject"
    resource: str  # ARN: "arn:aws:s3:::bucket/key"
    # Condition keys of the request (any case): str, bool, int/float, or a list for multi-valued
    # keys. The evaluator adds aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalIsAWSService
    # and aws:PrincipalServiceName from ``principal`` unless they are given here.
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    name: str  # how decisions name it: "bucket policy of mlteam-dev-raw", "identity policy LakeReader"
    document: Mapping[str, Any]


@dataclass(frozen=True)
class StatementRef:
    policy: str  # Policy.name
    sid: str | None
    index: int  # position in the policy's Statement list, from 0


DecisionKind = Literal["allow", "explicit_deny", "implicit_deny"]


@dataclass(frozen=True)
class Decision:
    decision: DecisionKind
    # The statements that decided: the matching Deny statements for an explicit deny, the
    # matching Allow statements for an allow; empty for an implicit deny.
    deciding: tuple[StatementRef, ...]
    reason: str  # one sentence a reviewer can read

    @property
    def allowed(self) -> bool:
        return self.decision == "allow"
