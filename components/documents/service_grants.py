"""Grants to AWS service principals acting as themselves, for the lake's own resources only."""

from __future__ import annotations

from .statements import Statement


def allow_service_for_sources(
    sid: str, service: str, action: str, resource: str, source_arns: list[str], account_id: str
) -> Statement:
    """Allow ``service`` to call ``action`` on ``resource`` on behalf of ``source_arns`` only.

    ``aws:SourceArn`` and ``aws:SourceAccount`` stop any other resource (even one of another
    account that names ours as its destination) from using the service to reach ours: the
    confused-deputy protection AWS recommends for service principals.
    """
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": action,
        "Resource": resource,
        "Condition": {
            "ArnLike": {"aws:SourceArn": sorted(source_arns)},
            "StringEquals": {"aws:SourceAccount": account_id},
        },
    }
