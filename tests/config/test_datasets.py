"""datalake:datasets: one crawler per prefix of a zone; exact messages for every mistake."""

from __future__ import annotations

import pytest

from components.settings import DatasetSettings
from lake.config import load_settings
from tests.config.helpers import SOURCE, STACK, dataset, error_lines, lake, warning_lines, zone

P = "Pulumi.dev.yaml: datalake:datasets"
DAILY = "cron(0 2 * * ? *)"
ZONES = "'raw', 'processed', 'curated'"
PREFIX_RULE = (
    "a key prefix ending with '/', without a leading '/' and without control characters, '*' or '?' "
    "(crawler paths are literal), "
    "e.g. 'images/'"
)

ERROR_CASES = [
    # schema
    pytest.param(lake(datasets={"images": "raw"}), [f"{P}: expected a list, got a mapping"], id="not-a-list"),
    pytest.param(
        lake(datasets=[{"schedule": DAILY}]),
        [f"{P}[0].name: required key is missing", f"{P}[0].prefix: required key is missing",
         f"{P}[0].zone: required key is missing"],
        id="required-keys",
    ),
    pytest.param(
        lake(datasets=[dataset("Images", prefix="images/")]),
        [f"{P}[0].name: expected lowercase letters, digits, '_' and '-', starting with a letter or digit, "
         "got string 'Images'"],
        id="name-pattern",
    ),
    pytest.param(
        lake(datasets=[dataset("images", prefix="images")]),
        [f"{P}[0].prefix: expected {PREFIX_RULE}, got string 'images'"],
        id="prefix-without-trailing-slash",
    ),
    pytest.param(
        lake(datasets=[dataset("images", prefix="/images/")]),
        [f"{P}[0].prefix: expected {PREFIX_RULE}, got string '/images/'"],
        id="prefix-leading-slash",
    ),
    pytest.param(
        lake(datasets=[dataset("images", prefix="images/*/")]),
        [f"{P}[0].prefix: expected {PREFIX_RULE}, got string 'images/*/'"],
        id="prefix-wildcard",
    ),
    pytest.param(
        lake(datasets=[dataset("images", eventMode="yes")]),
        [f"{P}[0].eventMode: expected a boolean (true or false), got string 'yes'"],
        id="event-mode-type",
    ),
    pytest.param(
        lake(datasets=[dataset("images", schedule=2)]), [f"{P}[0].schedule: expected a string, got integer 2"],
        id="schedule-type",
    ),
    pytest.param(
        lake(datasets=[dataset("images", crawlSchedule=DAILY)]),
        [f"{P}[0].crawlSchedule: unknown key 'crawlSchedule' (did you mean 'schedule'?)"],
        id="unknown-key",
    ),
    # semantics
    pytest.param(
        lake(datasets=[dataset("images", zone="raws")]),
        [f"{P}[0].zone: expected one of the zones {ZONES}, got string 'raws' (did you mean 'raw'?)"],
        id="unknown-zone-typo",
    ),
    pytest.param(
        lake(zones=[zone("landing")], datasets=[dataset("images", zone="raw")]),
        [f"{P}[0].zone: expected one of the zones 'landing', got string 'raw'"],
        id="zone-not-declared",
    ),
    pytest.param(
        lake(datasets=[dataset("images", zone="logs")]),
        [f"{P}[0].zone: expected one of the zones {ZONES}, got string 'logs'"],
        id="logs-bucket-is-no-zone",
    ),
    pytest.param(
        lake(datasets=[dataset("images"), dataset("labels"), dataset("images", zone="curated")]),
        [f"{P}[2].name: dataset 'images' is already declared at datasets[0]"],
        id="duplicate-name",
    ),
    pytest.param(
        lake(datasets=[dataset("images"), dataset("images-2024", prefix="images/2024/")]),
        [f"{P}[1].prefix: prefix 'images/2024/' overlaps dataset 'images' (prefix 'images/') in zone 'raw': "
         "both crawlers would catalogue the same objects"],
        id="prefix-inside-earlier-prefix",
    ),
    pytest.param(
        lake(datasets=[dataset("images-2024", prefix="images/2024/"), dataset("images")]),
        [f"{P}[1].prefix: prefix 'images/' overlaps dataset 'images-2024' (prefix 'images/2024/') in zone 'raw': "
         "both crawlers would catalogue the same objects"],
        id="prefix-around-earlier-prefix",
    ),
    pytest.param(
        lake(datasets=[dataset("images"), dataset("pictures", prefix="images/")]),
        [f"{P}[1].prefix: prefix 'images/' overlaps dataset 'images' (prefix 'images/') in zone 'raw': "
         "both crawlers would catalogue the same objects"],
        id="same-prefix",
    ),
    pytest.param(
        lake(datasets=[dataset("images", schedule=DAILY), dataset("labels", schedule="cron(0 25 * * ? *)")]),
        [f"{P}[1].schedule: cron field 2 (hours) has 25, outside 0-23"],
        id="schedule-hour",
    ),
    pytest.param(
        lake(datasets=[dataset("images", schedule="cron(0 2 * * *)")]),
        [f"{P}[0].schedule: must be cron(...) with 6 fields, got 5"],
        id="schedule-unix-cron",
    ),
    pytest.param(
        lake(datasets=[dataset("images", schedule="cron(0 2 * * MON *)")]),
        [f"{P}[0].schedule: one of day-of-month and day-of-week must be '?'"],
        id="schedule-without-question-mark",
    ),
    pytest.param(
        lake(datasets=[dataset("images", schedule="rate(1 day)")]),
        [f"{P}[0].schedule: must be cron(Minutes Hours Day-of-month Month Day-of-week Year), got 'rate(1 day)'"],
        id="schedule-rate",
    ),
    pytest.param(
        lake(name="x" * 30, datasets=[dataset("y" * 22, eventMode=True)]),
        [f"{P}[0].name: crawler role name '{'x' * 30}-dev-crawler-{'y' * 22}' is 65 characters long; "
         "IAM allows at most 64"],
        id="role-name-too-long",
    ),
]


@pytest.mark.parametrize(("values", "expected"), ERROR_CASES)
def test_bad_dataset_is_reported_exactly(values, expected):
    assert error_lines(values) == expected


WARNING_CASES = [
    pytest.param(
        lake(datasets=[dataset("images", schedule=DAILY), dataset("labels")]),
        ["datalake:datasets[1]: has no schedule (no eventMode either): its crawler only runs when started by hand"],
        id="no-trigger",
    ),
    pytest.param(lake(datasets=[dataset("images", schedule=DAILY)]), [], id="scheduled"),
    pytest.param(
        lake(datasets=[dataset("images", eventMode=True)]),
        ["datalake:datasets[0]: has no schedule (eventMode crawls consume the queued S3 events on the crawler's "
         "schedule): its crawler only runs when started by hand"],
        id="event-mode-without-schedule",
    ),
    pytest.param(lake(datasets=[dataset("images", eventMode=True, schedule=DAILY)]), [], id="event-mode"),
    pytest.param(lake(name="x" * 30, datasets=[dataset("y" * 21, eventMode=True, schedule=DAILY)]), [],
                 id="role-name-of-64"),
]


@pytest.mark.parametrize(("values", "expected"), WARNING_CASES)
def test_dataset_without_trigger_is_a_warning(values, expected):
    assert warning_lines(values) == expected


def test_datasets_build_in_order_with_defaults_kept():
    values = lake(datasets=[
        dataset("images", schedule=DAILY),
        dataset("annotations", eventMode=True),
        dataset("features", zone="curated", prefix="exports/features/", schedule="cron(0 3 ? * SUN *)",
                eventMode=False),
        dataset("resized", zone="processed", prefix="images/", eventMode=True),
    ])
    assert load_settings(values, STACK, SOURCE).settings.datasets == (
        DatasetSettings("images", "raw", "images/", schedule=DAILY),
        DatasetSettings("annotations", "raw", "annotations/", event_mode=True),
        DatasetSettings("features", "curated", "exports/features/", schedule="cron(0 3 ? * SUN *)"),
        DatasetSettings("resized", "processed", "images/", event_mode=True),
    )


def test_same_prefix_in_two_zones_is_two_datasets():
    values = lake(datasets=[dataset("raw-images", prefix="images/", eventMode=True),
                            dataset("curated-images", zone="curated", prefix="images/", eventMode=True)])
    assert [d.zone for d in load_settings(values, STACK, SOURCE).settings.datasets] == ["raw", "curated"]
