"""Schema-valid ``datalake`` values (camelCase) -> the typed settings the components read.

Only keys the user set are passed to the dataclasses: every omitted key keeps the dataclass
default, so ``components/settings.py`` stays the one place that decides defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from components.settings import (
    KeySettings,
    LakeSettings,
    LifecycleSettings,
    LogsSettings,
    NoncurrentVersions,
    Transition,
    ZoneSettings,
    default_logs_lifecycle,
)

# config key -> (dataclass field, conversion of the schema-valid value)
Fields = dict[str, tuple[str, Callable[[Any], Any]]]


def _given(raw: Mapping[str, Any], fields: Fields) -> dict[str, Any]:
    return {attr: convert(raw[key]) for key, (attr, convert) in fields.items() if key in raw}


def _transitions(raw: list[Mapping[str, Any]]) -> tuple[Transition, ...]:
    # int(): JSON Schema counts 30.0 as an integer, the components expect 30.
    return tuple(Transition(int(t["days"]), t["storageClass"]) for t in raw)


def build_noncurrent(raw: Mapping[str, Any], base: NoncurrentVersions | None = None) -> NoncurrentVersions:
    return replace(base or NoncurrentVersions(), **_given(raw, _NONCURRENT_FIELDS))


def build_lifecycle(raw: Mapping[str, Any], base: LifecycleSettings | None = None) -> LifecycleSettings:
    """Fields the user omitted keep ``base`` (the zone default, or the logs default for logs)."""
    base = base or LifecycleSettings()
    given = _given(raw, _LIFECYCLE_FIELDS)
    if "noncurrentVersions" in raw:
        given["noncurrent"] = build_noncurrent(raw["noncurrentVersions"], base.noncurrent)
    return replace(base, **given)


def _zone(raw: Mapping[str, Any]) -> ZoneSettings:
    return ZoneSettings(**_given(raw, {"name": ("name", str), "lifecycle": ("lifecycle", build_lifecycle)}))


def _zones(raw: list[Mapping[str, Any]]) -> tuple[ZoneSettings, ...]:
    return tuple(_zone(zone) for zone in raw)


def _key(raw: Mapping[str, Any]) -> KeySettings:
    return KeySettings(**_given(raw, {"deletionWindowDays": ("deletion_window_days", int)}))


def _logs_lifecycle(raw: Mapping[str, Any]) -> LifecycleSettings:
    # Omitted fields keep the logs defaults: no tiering of small log objects.
    return build_lifecycle(raw, default_logs_lifecycle())


def _logs(raw: Mapping[str, Any]) -> LogsSettings:
    return LogsSettings(**_given(raw, {"lifecycle": ("lifecycle", _logs_lifecycle)}))


_NONCURRENT_FIELDS: Fields = {
    "transitions": ("transitions", _transitions),
    "expirationDays": ("expiration_days", int),
    "newerNoncurrentVersions": ("newer_noncurrent_versions", int),
}

_LIFECYCLE_FIELDS: Fields = {
    "transitions": ("transitions", _transitions),
    "expirationDays": ("expiration_days", int),
    "noncurrentVersions": ("noncurrent", build_noncurrent),
    "abortIncompleteMultipartUploadDays": ("abort_incomplete_multipart_upload_days", int),
    "expiredObjectDeleteMarker": ("expired_object_delete_marker", bool),
    "minimumObjectSize": ("minimum_object_size", str),
    "prefix": ("prefix", str),
}

_LAKE_FIELDS: Fields = {
    "name": ("name", str),
    "zones": ("zones", _zones),
    "administrators": ("administrators", tuple),
    "deployer": ("deployer", str),
    "production": ("production", bool),
    "requireSseHeader": ("require_sse_header", bool),
    "key": ("key", _key),
    "logs": ("logs", _logs),
    "tags": ("tags", dict),
}


def build_settings(namespace_values: Mapping[str, Any], stack: str) -> LakeSettings:
    """The settings of a schema-valid namespace; call only after the schema passed."""
    return LakeSettings(stack=stack, **_given(namespace_values, _LAKE_FIELDS))
