"""Checks the schema cannot express: they relate keys to each other, to the stack name or to S3.

Run only on a schema-valid configuration, on the built settings (defaults included).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.naming import LOGS_SUFFIX, bucket_name_problems, logs_bucket_name, zone_bucket_name
from components.settings import LakeSettings
from lake.config.lifecycle import schedule_problems, schedules
from lake.config.problems import NAMESPACE, ConfigProblem, key_path


def semantic_problems(values: Mapping[str, Any], settings: LakeSettings) -> list[ConfigProblem]:
    """Errors and warnings of a schema-valid namespace ``values`` and the settings built from it."""
    return (
        _production_problems(settings)
        + _zone_name_problems(values, settings)
        + _bucket_name_problems(values, settings)
        + _logs_retention_problems(values)
        + _lifecycle_problems(values, settings)
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
    """Each zone is one bucket named after it: names must be unique and not the logs bucket's."""
    if "zones" not in values:
        return []  # the default zones are fine
    problems = []
    first_index: dict[str, int] = {}
    for index, zone in enumerate(settings.zones):
        if zone.name == LOGS_SUFFIX:
            problems.append(ConfigProblem(
                _path("zones", index, "name"),
                f"'{LOGS_SUFFIX}' is reserved for the access-log bucket "
                f"'{logs_bucket_name(settings.name, settings.stack)}'",
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

    The logs bucket name depends only on the lake and stack names, so its problems are the lake
    name's; when every bucket name is invalid the lake name is the cause, reported once. Zones the
    user did not declare can only be fixed through the lake name too.
    """
    name, stack = settings.name, settings.stack
    logs = bucket_name_problems(logs_bucket_name(name, stack))
    zones = [bucket_name_problems(zone_bucket_name(name, stack, zone.name)) for zone in settings.zones]
    problems = [ConfigProblem(_path("name"), message) for message in logs]
    if logs and all(zones):
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
        for schedule in schedules(path, lifecycle, raw)
        for problem in schedule_problems(schedule)
    ]
