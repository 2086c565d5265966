"""Schema-valid ``datalake`` values (camelCase) -> the typed settings the components read.

Only keys the user set are passed to the dataclasses: every omitted key keeps the dataclass
default, so ``components/settings.py`` stays the one place that decides defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from components.settings import (
    AthenaSettings,
    ConsumerSettings,
    DatasetSettings,
    GrantSettings,
    KeySettings,
    LakeSettings,
    LifecycleSettings,
    LogsSettings,
    NetworkSettings,
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


def _built(settings_class: Callable[..., Any], fields: Fields) -> Callable[[Mapping[str, Any]], Any]:
    """Conversion of a mapping to ``settings_class``; omitted keys keep the dataclass defaults."""
    return lambda raw: settings_class(**_given(raw, fields))


def _each(convert: Callable[[Any], Any]) -> Callable[[list[Any]], tuple[Any, ...]]:
    return lambda raw: tuple(convert(item) for item in raw)


def _logs_lifecycle(raw: Mapping[str, Any]) -> LifecycleSettings:
    # Omitted fields keep the logs defaults: no tiering of small log objects.
    return build_lifecycle(raw, default_logs_lifecycle())


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

_ZONE_FIELDS: Fields = {
    "name": ("name", str),
    "lifecycle": ("lifecycle", build_lifecycle),
}

_NETWORK_FIELDS: Fields = {
    "vpcId": ("vpc_id", str),
    "routeTableIds": ("route_table_ids", tuple),
    "cidr": ("cidr", str),
    "availabilityZones": ("availability_zones", tuple),
    "allowedBuckets": ("allowed_buckets", tuple),
}

_DATASET_FIELDS: Fields = {
    "name": ("name", str),
    "zone": ("zone", str),
    "prefix": ("prefix", str),
    "schedule": ("schedule", str),
    "eventMode": ("event_mode", bool),
}

_ATHENA_FIELDS: Fields = {
    "bytesScannedCutoffPerQuery": ("bytes_scanned_cutoff_per_query", int),
    "resultsExpirationDays": ("results_expiration_days", int),
}

_GRANT_FIELDS: Fields = {
    "zone": ("zone", str),
    "access": ("access", str),
    "prefixes": ("prefixes", tuple),  # unset: () = the whole zone
}

_CONSUMER_FIELDS: Fields = {
    "name": ("name", str),
    "grants": ("grants", _each(_built(GrantSettings, _GRANT_FIELDS))),
    "principal": ("principal", str),
    "service": ("service", str),
    "attach": ("attach", bool),
    "requireEndpoint": ("require_endpoint", bool),
}

_LAKE_FIELDS: Fields = {
    "name": ("name", str),
    "zones": ("zones", _each(_built(ZoneSettings, _ZONE_FIELDS))),
    "administrators": ("administrators", tuple),
    "deployer": ("deployer", str),
    "production": ("production", bool),
    "requireSseHeader": ("require_sse_header", bool),
    "key": ("key", _built(KeySettings, {"deletionWindowDays": ("deletion_window_days", int)})),
    "logs": ("logs", _built(LogsSettings, {"lifecycle": ("lifecycle", _logs_lifecycle)})),
    "tags": ("tags", dict),
    "network": ("network", _built(NetworkSettings, _NETWORK_FIELDS)),
    "perimeter": ("perimeter", bool),
    "datasets": ("datasets", _each(_built(DatasetSettings, _DATASET_FIELDS))),
    "athena": ("athena", _built(AthenaSettings, _ATHENA_FIELDS)),
    "consumers": ("consumers", _each(_built(ConsumerSettings, _CONSUMER_FIELDS))),
    "trustedAccounts": ("trusted_accounts", tuple),
}


def build_settings(namespace_values: Mapping[str, Any], stack: str) -> LakeSettings:
    """The settings of a schema-valid namespace; call only after the schema passed."""
    return LakeSettings(stack=stack, **_given(namespace_values, _LAKE_FIELDS))
