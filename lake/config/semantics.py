"""Checks the schema cannot express: they relate keys to each other, to the stack name or to S3.

Run only on a schema-valid configuration, on the built settings (defaults included).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.lifecycle import lifecycle_rules
from components.naming import (
    LOGS_SUFFIX,
    QUERY_RESULTS_SUFFIX,
    RESERVED_ZONE_NAMES,
    bucket_name_problems,
    logs_bucket_name,
    query_results_bucket_name,
    zone_bucket_name,
)
from components.settings import LakeSettings
from lake.config.datasets import dataset_problems
from lake.config.lifecycle import combination_problems, schedule_problems, schedules
from lake.config.network import network_problems
from lake.config.problems import NAMESPACE, ConfigProblem, key_path


# The lake's own buckets, named like zones: what each is for and its name.
_OWN_BUCKETS = {
    LOGS_SUFFIX: ("the access-log bucket", logs_bucket_name),
    QUERY_RESULTS_SUFFIX: ("the Athena query-results bucket", query_results_bucket_name),
}


def semantic_problems(values: Mapping[str, Any], settings: LakeSettings, region: str | None) -> list[ConfigProblem]:
    """Errors and warnings of a schema-valid namespace ``values`` and the settings built from it.

    ``region`` is ``aws:region`` when set (availability zones must belong to it).
    """
    return (
        _production_problems(settings)
        + _zone_name_problems(values, settings)
        + _bucket_name_problems(values, settings)
        + _logs_retention_problems(values)
        + _lifecycle_problems(values, settings)
        + network_problems(values.get("network", {}), settings.network, region)
        + dataset_problems(settings)
    )


def _path(*parts: str | int) -> str:
    return key_path(NAMESPACE, parts)


def _production_problems(settings: LakeSettings) -> list[ConfigProblem]:
    if not settings.production or settings.administrators:
        return []
    return [ConfigProblem(
        _path("administrators"),
        "must list at least one IAM ARN when production is true: the production key and buckets are "
        "protected, so someone must be named to administer them",
    )]


def _zone_name_problems(values: Mapping[str, Any], settings: LakeSettings) -> list[ConfigProblem]:
    """Each zone is one bucket named after it: names must be unique and not those of the lake's own buckets."""
    if "zones" not in values:
        return []  # the default zones are fine
    problems = []
    first_index: dict[str, int] = {}
    for index, zone in enumerate(settings.zones):
        if zone.name in RESERVED_ZONE_NAMES:
            purpose, bucket_name = _OWN_BUCKETS[zone.name]
            problems.append(ConfigProblem(
                _path("zones", index, "name"),
                f"'{zone.name}' is reserved for {purpose} '{bucket_name(settings.name, settings.stack)}'",
            ))
        elif zone.name in first_index:
            problems.append(ConfigProblem(
                _path("zones", index, "name"),
                f"zone '{zone.name}' is already declared at zones[{first_index[zone.name]}]",
            ))
        first_index.setdefault(zone.name, index)
    return problems


def _bucket_name_problems(values: Mapping[str, Any], settings: LakeSettings) -> list[ConfigProblem]:
    """S3 naming rules on the derived names, reported where the user can fix them.

    The names of the lake's own buckets (logs, query results) depend only on the lake and stack
    names, so their problems are the lake name's: those of the first own bucket that has any, so
    that a bad lake name is reported once. When every zone name is invalid too, the lake name is
    the cause. Zones the user did not declare can only be fixed through the lake name too.
    """
    name, stack = settings.name, settings.stack
    own_names = [bucket_name(name, stack) for _, bucket_name in _OWN_BUCKETS.values()]
    own = next(filter(None, map(bucket_name_problems, own_names)), [])
    zones = [bucket_name_problems(zone_bucket_name(name, stack, zone.name)) for zone in settings.zones]
    problems = [ConfigProblem(_path("name"), message) for message in own]
    if own and all(zones):
        return problems
    for index, messages in enumerate(zones):
        path = _path("zones", index, "name") if "zones" in values else _path("name")
        problems += [ConfigProblem(path, message) for message in messages]
    return problems


def _logs_retention_problems(values: Mapping[str, Any]) -> list[ConfigProblem]:
    lifecycle = values.get("logs", {}).get("lifecycle")
    if lifecycle is None or "expirationDays" in lifecycle:
        return []
    return [ConfigProblem(
        _path("logs", "lifecycle", "expirationDays"),
        "required key is missing: without a retention, access logs are kept and billed forever",
    )]


def _lifecycle_problems(values: Mapping[str, Any], settings: LakeSettings) -> list[ConfigProblem]:
    """Every zone's lifecycle and the logs lifecycle, current and noncurrent schedules alike."""
    raw_zones = values.get("zones", [{}] * len(settings.zones))
    checked = [
        (_path("zones", index, "lifecycle"), zone.lifecycle, raw.get("lifecycle"))
        for index, (zone, raw) in enumerate(zip(settings.zones, raw_zones))
    ]
    checked.append((_path("logs", "lifecycle"), settings.logs.lifecycle, values.get("logs", {}).get("lifecycle")))
    return [
        problem
        for path, lifecycle, raw in checked
        for problem in [
            *(p for schedule in schedules(path, lifecycle, raw) for p in schedule_problems(schedule)),
            *combination_problems(path, lifecycle_rules(lifecycle)),
        ]
    ]
