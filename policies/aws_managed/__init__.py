"""Pinned documents of the AWS managed policies a lake role typically gets.

A plan cannot read an AWS managed policy (it names an ARN, AWS owns the document), and a live
audit may be refused GetPolicyVersion; the rules judging a role's reach still need the document.
Each ``<Name>.json`` here holds one policy's default version as AWS published it: its ARN, its
``VersionId``, the version's ``CreateDate`` and its ``Document``.

Source: the MAMIP mirror of AWS managed policies (https://github.com/z0ph/MAMIP, folder
``policies/``, each file the output of ``aws iam get-policy-version`` for the default version;
ARNs from its ``policies-list.json``), at commit de4971a44b36762f50d87c2baf65ebbec0e93b39
(2025-02-22). Pinned versions:

- AWSGlueServiceRole (``service-role/``): v5, 2023-09-11
- AmazonS3FullAccess: v2, 2021-09-27
- AmazonS3ReadOnlyAccess: v3, 2023-08-10
- AdministratorAccess: v1, 2015-02-06
- PowerUserAccess: v6, 2024-08-19
- ReadOnlyAccess: v128, 2025-01-23
- AWSGlueConsoleFullAccess: v14, 2023-07-14

AWS revises these policies (ReadOnlyAccess often): refresh a file from the same source when
its default version moves on. A live audit prefers the document it reads; the pinned one is its
fallback when the read is denied. An AWS managed ARN outside this list has an unknown document.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).parent
AWS_MANAGED_PREFIX = ":iam::aws:policy/"


def is_aws_managed(arn: object) -> bool:
    """``arn:<partition>:iam::aws:policy/...``: a policy AWS owns."""
    return isinstance(arn, str) and arn.startswith("arn:") and AWS_MANAGED_PREFIX in arn


@cache
def _pinned() -> dict[str, dict[str, Any]]:
    """``{ARN in the aws partition: pinned file}`` for every file here."""
    files = (json.loads(path.read_text()) for path in sorted(_HERE.glob("*.json")))
    return {item["Arn"]: item for item in files}


def _aws_partition(arn: str) -> str:
    """The same policy in another partition (aws-cn, aws-us-gov) has the same path and name."""
    return "arn:aws" + arn[arn.index(AWS_MANAGED_PREFIX):]


def pinned_document(arn: object) -> dict[str, Any] | None:
    """The pinned document of an AWS managed policy, or None when it is not pinned."""
    if not isinstance(arn, str) or not is_aws_managed(arn):
        return None
    item = _pinned().get(_aws_partition(arn))
    return item["Document"] if item is not None else None


def pinned_arns() -> tuple[str, ...]:
    return tuple(sorted(_pinned()))
