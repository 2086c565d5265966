"""Lifecycle rules of a secure bucket, as plain dicts in the shape pulumi-aws expects.

One rule per concern, each with an id that says what it does, so a reader of the S3 console or
of a finding knows which rule moved or removed an object. Clean-up rules cover the whole bucket
even when tiering is limited to a prefix: leftovers cost money wherever they are.
"""

from __future__ import annotations

from typing import Any

from .settings import LifecycleSettings, NoncurrentVersions, Transition

Rule = dict[str, Any]
WHOLE_BUCKET: dict[str, Any] = {}


def _rule(rule_id: str, filter_: dict[str, Any], **actions: Any) -> Rule:
    return {"id": rule_id, "status": "Enabled", "filter": filter_, **actions}


def _transitions(transitions: tuple[Transition, ...]) -> list[dict[str, Any]]:
    return [{"days": t.days, "storage_class": t.storage_class} for t in transitions]


def tiering_rule(settings: LifecycleSettings) -> Rule | None:
    """Current objects: move to colder classes, and expire them if a retention is set."""
    if not settings.transitions and settings.expiration_days is None:
        return None
    actions: dict[str, Any] = {}
    if settings.transitions:
        actions["transitions"] = _transitions(settings.transitions)
    if settings.expiration_days is not None:
        actions["expiration"] = {"days": settings.expiration_days}
    filter_ = {"prefix": settings.prefix} if settings.prefix else WHOLE_BUCKET
    return _rule("tier-current-objects", filter_, **actions)


def noncurrent_versions_rule(noncurrent: NoncurrentVersions) -> Rule:
    """Overwritten and deleted versions: tier them, then delete them."""
    expiration: dict[str, Any] = {"noncurrent_days": noncurrent.expiration_days}
    if noncurrent.newer_noncurrent_versions is not None:
        expiration["newer_noncurrent_versions"] = noncurrent.newer_noncurrent_versions
    actions: dict[str, Any] = {"noncurrent_version_expiration": expiration}
    if noncurrent.transitions:
        actions["noncurrent_version_transitions"] = [
            {"noncurrent_days": t.days, "storage_class": t.storage_class} for t in noncurrent.transitions
        ]
    return _rule("expire-noncurrent-versions", WHOLE_BUCKET, **actions)


def abort_multipart_rule(days: int) -> Rule:
    return _rule(
        "abort-incomplete-multipart-uploads",
        WHOLE_BUCKET,
        abort_incomplete_multipart_upload={"days_after_initiation": days},
    )


def expired_delete_markers_rule() -> Rule:
    """A separate rule: S3 refuses ExpiredObjectDeleteMarker next to Days in one expiration."""
    return _rule("remove-expired-delete-markers", WHOLE_BUCKET, expiration={"expired_object_delete_marker": True})


def lifecycle_rules(settings: LifecycleSettings) -> list[Rule]:
    rules = [
        tiering_rule(settings),
        noncurrent_versions_rule(settings.noncurrent),
        abort_multipart_rule(settings.abort_incomplete_multipart_upload_days),
        expired_delete_markers_rule() if settings.expired_object_delete_marker else None,
    ]
    return [r for r in rules if r is not None]
