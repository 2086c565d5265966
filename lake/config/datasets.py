"""Checks of ``datalake:datasets``: each dataset is a crawler over one prefix of one zone.

Names become crawler, role and queue names, so they are unique and short enough; prefixes of one
zone must not overlap, or two crawlers catalogue the same objects into two tables.
"""

from __future__ import annotations

from collections.abc import Sequence

from components.naming import crawler_role_name
from components.settings import DatasetSettings, LakeSettings
from lake.config.cron import cron_problems
from lake.config.messages import describe, did_you_mean
from lake.config.problems import NAMESPACE, ConfigProblem, key_path

# IAM refuses longer role names.
MAX_ROLE_NAME_LENGTH = 64


def dataset_problems(settings: LakeSettings) -> list[ConfigProblem]:
    zones = [zone.name for zone in settings.zones]
    problems = []
    for index, dataset in enumerate(settings.datasets):
        earlier = settings.datasets[:index]
        problems += _name_problems(index, dataset, earlier, settings)
        problems += _zone_problems(index, dataset, zones)
        problems += _overlap_problems(index, dataset, earlier)
        problems += _schedule_problems(index, dataset)
        problems += _trigger_problems(index, dataset)
    return problems


def _path(index: int, *parts: str) -> str:
    return key_path(NAMESPACE, ("datasets", index, *parts))


def _name_problems(
    index: int, dataset: DatasetSettings, earlier: Sequence[DatasetSettings], settings: LakeSettings
) -> list[ConfigProblem]:
    first = next((position for position, other in enumerate(earlier) if other.name == dataset.name), None)
    problems = [] if first is None else [
        ConfigProblem(_path(index, "name"), f"dataset '{dataset.name}' is already declared at datasets[{first}]")
    ]
    role = crawler_role_name(settings.name, settings.stack, dataset.name)
    if len(role) > MAX_ROLE_NAME_LENGTH:
        problems.append(ConfigProblem(
            _path(index, "name"),
            f"crawler role name '{role}' is {len(role)} characters long; IAM allows at most {MAX_ROLE_NAME_LENGTH}",
        ))
    return problems


def _zone_problems(index: int, dataset: DatasetSettings, zones: list[str]) -> list[ConfigProblem]:
    return unknown_zone_problems(_path(index, "zone"), dataset.zone, zones)


def unknown_zone_problems(path: str, zone: str, zones: list[str]) -> list[ConfigProblem]:
    """``zone`` (at ``path``) must be one of the lake's ``zones``; datasets and consumer grants name zones."""
    if zone in zones:
        return []
    allowed = ", ".join(f"'{name}'" for name in zones)
    return [ConfigProblem(
        path, f"expected one of the zones {allowed}, got {describe(zone)}{did_you_mean(zone, zones)}"
    )]


def _overlap_problems(index: int, dataset: DatasetSettings, earlier: Sequence[DatasetSettings]) -> list[ConfigProblem]:
    """Reported on the later dataset, naming the first earlier one it overlaps (one line per
    dataset: n copies of one dataset give n lines, not n squared)."""
    other = next((
        other for other in earlier
        if other.zone == dataset.zone
        and (dataset.prefix.startswith(other.prefix) or other.prefix.startswith(dataset.prefix))
    ), None)
    return [] if other is None else [ConfigProblem(
        _path(index, "prefix"),
        f"prefix '{dataset.prefix}' overlaps dataset '{other.name}' (prefix '{other.prefix}') in zone "
        f"'{dataset.zone}': both crawlers would catalogue the same objects",
    )]


def _schedule_problems(index: int, dataset: DatasetSettings) -> list[ConfigProblem]:
    messages = [] if dataset.schedule is None else cron_problems(dataset.schedule)
    return [ConfigProblem(_path(index, "schedule"), message) for message in messages]


def _trigger_problems(index: int, dataset: DatasetSettings) -> list[ConfigProblem]:
    """A crawler without a schedule runs only when started by hand, event mode included: Glue
    consumes the S3 events of the queue on the crawler's schedule."""
    if dataset.schedule is not None:
        return []
    why = ("eventMode crawls consume the queued S3 events on the crawler's schedule"
           if dataset.event_mode else "no eventMode either")
    return [ConfigProblem(
        _path(index), f"has no schedule ({why}): its crawler only runs when started by hand", "warning"
    )]
