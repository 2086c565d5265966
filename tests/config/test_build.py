"""Good configs build exactly the settings the components expect; the schema's documented
defaults are the dataclasses' defaults."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from components.settings import (
    DEFAULT_ZONES,
    MINIMUM_OBJECT_SIZE_CHOICES,
    STORAGE_CLASS_ORDER,
    AthenaSettings,
    DatasetSettings,
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
from lake.config import load_settings, read_stack_values
from lake.config.build import build_lifecycle, build_noncurrent, build_settings
from lake.config.problems import ConfigProblem
from lake.config.schema import namespace_schema, resolve
from tests.config.helpers import SOURCE, STACK, dataset, lake, transitions, zone

REPO = Path(__file__).resolve().parents[2]
ARN = "arn:aws:iam::123456789012:role/LakeAdmin"


def test_minimal_config_builds_the_dataclass_defaults():
    loaded = load_settings(lake(), STACK, SOURCE)
    assert loaded.settings == LakeSettings(name="ml", stack="dev")
    assert [zone.name for zone in loaded.settings.zones] == list(DEFAULT_ZONES)
    assert (loaded.warnings, loaded.region) == ([], None)


def test_full_config_builds_exactly_the_expected_settings():
    values = {
        **lake(
            name="mlteam",
            production=True,
            requireSseHeader=True,
            administrators=[ARN, "arn:aws-cn:iam::210987654321:user/ops/alice"],
            tags={"team": "ml-platform", "cost-center": ""},
            key={"deletionWindowDays": 14},
            logs={"lifecycle": {"transitions": [], "expirationDays": 730,
                                "noncurrentVersions": {"transitions": [], "expirationDays": 30}}},
            zones=[
                zone("raw"),
                zone(
                    "features",
                    transitions=transitions((30, "STANDARD_IA"), (90, "GLACIER_IR"), (270, "DEEP_ARCHIVE")),
                    expirationDays=1000,
                    noncurrentVersions={"transitions": transitions((30, "STANDARD_IA")), "expirationDays": 180,
                                        "newerNoncurrentVersions": 3},
                    abortIncompleteMultipartUploadDays=2,
                    expiredObjectDeleteMarker=False,
                    minimumObjectSize="varies_by_storage_class",
                    prefix="exports/",
                ),
            ],
            network={"vpcId": "vpc-0a1b2c3d4e5f60718", "routeTableIds": ["rtb-0a1b2c3d", "rtb-1a2b3c4d"],
                     "allowedBuckets": ["model-registry"]},
            perimeter=False,
            datasets=[dataset("images", schedule="cron(0 2 * * ? *)"),
                      dataset("vectors", zone="features", prefix="exports/vectors/", eventMode=True, schedule="cron(0 * * * ? *)")],
            athena={"bytesScannedCutoffPerQuery": 107374182400, "resultsExpirationDays": 7},
        ),
        "aws:region": "eu-west-1",
        "aws:profile": "ml",
    }
    loaded = load_settings(values, "prod", "Pulumi.prod.yaml")
    assert loaded.region == "eu-west-1"
    assert loaded.warnings == []
    assert loaded.settings == LakeSettings(
        name="mlteam",
        stack="prod",
        zones=(
            ZoneSettings("raw"),
            ZoneSettings(
                "features",
                LifecycleSettings(
                    transitions=(Transition(30, "STANDARD_IA"), Transition(90, "GLACIER_IR"),
                                 Transition(270, "DEEP_ARCHIVE")),
                    expiration_days=1000,
                    noncurrent=NoncurrentVersions((Transition(30, "STANDARD_IA"),), 180, 3),
                    abort_incomplete_multipart_upload_days=2,
                    expired_object_delete_marker=False,
                    minimum_object_size="varies_by_storage_class",
                    prefix="exports/",
                ),
            ),
        ),
        administrators=(ARN, "arn:aws-cn:iam::210987654321:user/ops/alice"),
        production=True,
        require_sse_header=True,
        key=KeySettings(14),
        logs=LogsSettings(LifecycleSettings(transitions=(), expiration_days=730,
                                            noncurrent=NoncurrentVersions((), 30))),
        tags={"team": "ml-platform", "cost-center": ""},
        network=NetworkSettings(vpc_id="vpc-0a1b2c3d4e5f60718", route_table_ids=("rtb-0a1b2c3d", "rtb-1a2b3c4d"),
                                allowed_buckets=("model-registry",)),
        perimeter=False,
        datasets=(DatasetSettings("images", "raw", "images/", schedule="cron(0 2 * * ? *)"),
                  DatasetSettings("vectors", "features", "exports/vectors/", schedule="cron(0 * * * ? *)", event_mode=True)),
        athena=AthenaSettings(bytes_scanned_cutoff_per_query=107374182400, results_expiration_days=7),
    )
    assert loaded.settings.perimeter_enabled is False


@pytest.mark.parametrize(
    ("keys", "enabled"),
    [({}, False), ({"production": True, "administrators": [ARN]}, True), ({"perimeter": True}, True),
     ({"production": True, "administrators": [ARN], "perimeter": False}, False)],
    ids=["default", "production-default", "on", "production-off"],
)
def test_perimeter_is_on_for_production_unless_set(keys, enabled):
    settings = load_settings(lake(**keys), STACK, SOURCE).settings
    assert settings.perimeter_enabled is enabled
    assert settings.perimeter == keys.get("perimeter")


def test_partial_lifecycle_keeps_the_other_defaults():
    loaded = load_settings(lake(zones=[zone("scratch", transitions=[], expirationDays=14)]), STACK, SOURCE)
    assert loaded.settings.zones == (ZoneSettings("scratch", LifecycleSettings(transitions=(), expiration_days=14)),)


def test_frozen_fields_are_tuples_and_integral_floats_become_ints():
    # JSON Schema counts 30.0 as an integer; the components must still get an int.
    settings = load_settings(
        lake(administrators=[ARN], zones=[zone(transitions=transitions((30.0, "STANDARD_IA")))],
             network={"availabilityZones": ["eu-west-1a", "eu-west-1b"], "allowedBuckets": ["model-registry"]},
             datasets=[dataset("images", eventMode=True)],
             athena={"bytesScannedCutoffPerQuery": 1e10, "resultsExpirationDays": 7.0}),
        STACK, SOURCE,
    ).settings
    assert type(settings.administrators) is tuple and type(settings.zones) is tuple
    assert type(settings.zones[0].lifecycle.transitions) is tuple
    assert type(settings.zones[0].lifecycle.transitions[0].days) is int
    assert type(settings.datasets) is tuple
    assert type(settings.network.availability_zones) is tuple and type(settings.network.allowed_buckets) is tuple
    assert type(settings.athena.bytes_scanned_cutoff_per_query) is int
    assert type(settings.athena.results_expiration_days) is int


def _schema_defaults(schema: dict[str, Any]) -> dict[str, Any]:
    """The documented defaults as config values; a null default documents "unset", i.e. omitted."""
    return {key: prop["default"] for key, prop in schema["properties"].items() if prop.get("default") is not None}


def _unset_by_default(schema: dict[str, Any]) -> set[str]:
    return {key for key, prop in schema["properties"].items() if "default" in prop and prop["default"] is None}


def test_documented_lake_defaults_are_the_dataclass_defaults():
    assert build_settings({"name": "ml", **_schema_defaults(namespace_schema())}, STACK) == LakeSettings("ml", STACK)


def test_documented_section_defaults_are_the_dataclass_defaults():
    properties = namespace_schema()["properties"]
    sections = {"key": KeySettings, "network": NetworkSettings, "athena": AthenaSettings}
    for key, settings_class in sections.items():
        built = build_settings({"name": "ml", key: _schema_defaults(properties[key])}, STACK)
        assert getattr(built, key) == settings_class(), key
    assert _unset_by_default(properties["network"]) == {"vpcId", "availabilityZones"}


def test_documented_dataset_defaults_are_the_dataclass_defaults():
    item = namespace_schema()["properties"]["datasets"]["items"]
    raw = {"name": "images", "zone": "raw", "prefix": "images/", **_schema_defaults(item)}
    built = build_settings({"name": "ml", "datasets": [raw]}, STACK)
    assert built.datasets == (DatasetSettings("images", "raw", "images/"),)
    assert _unset_by_default(item) == {"schedule"}


def test_documented_lifecycle_defaults_are_the_dataclass_defaults():
    lifecycle = namespace_schema()["$defs"]["lifecycle"]
    noncurrent = lifecycle["properties"]["noncurrentVersions"]
    assert build_lifecycle(_schema_defaults(lifecycle)) == LifecycleSettings()
    assert build_noncurrent(_schema_defaults(noncurrent)) == NoncurrentVersions()
    assert _unset_by_default(lifecycle) == {"expirationDays"}
    assert LifecycleSettings().expiration_days is None
    assert _unset_by_default(noncurrent) == {"newerNoncurrentVersions"}
    assert NoncurrentVersions().newer_noncurrent_versions is None


def test_documented_logs_lifecycle_default_is_the_logs_dataclass_default():
    default = namespace_schema()["properties"]["logs"]["properties"]["lifecycle"]["default"]
    assert build_lifecycle(default) == default_logs_lifecycle()


def test_schema_choices_are_the_settings_constants():
    transition = resolve(namespace_schema()["$defs"]["transitions"])["items"]
    lifecycle = namespace_schema()["$defs"]["lifecycle"]["properties"]
    assert tuple(transition["properties"]["storageClass"]["enum"]) == STORAGE_CLASS_ORDER
    assert tuple(lifecycle["minimumObjectSize"]["enum"]) == MINIMUM_OBJECT_SIZE_CHOICES


def _objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Every object schema with properties, definitions included."""
    found = [schema] if "properties" in schema else []
    children = list(schema.get("properties", {}).values()) + list(schema.get("$defs", {}).values())
    children += [schema["items"]] if isinstance(schema.get("items"), dict) else []
    return found + [obj for child in children for obj in _objects(child)]


def test_every_object_refuses_unknown_keys_and_documents_its_keys():
    objects = _objects(namespace_schema())
    # namespace, key, logs, zone, dataset, athena, network, consumer, grant, transition, lifecycle,
    # noncurrentVersions
    assert len(objects) == 12
    for obj in objects:
        assert obj["additionalProperties"] is False
        required = set(obj.get("required", []))
        for key, prop in obj["properties"].items():
            assert prop.get("description"), key
            assert ("default" in prop) != (key in required), key


# The one intended warning of the repository's stacks: prod's partner reads from another account, cannot use
# the lake's endpoint, and says so (issue 15); every other stack is warning-free.
INTENDED_WARNINGS = {
    "Pulumi.prod.yaml": [ConfigProblem(
        "datalake:consumers[1].requireEndpoint",
        "is false while the perimeter is on: consumer 'partner-research' is exempt from the perimeter, "
        "its requests need not come through the lake's endpoint",
        severity="warning",
    )],
}


@pytest.mark.parametrize("stack_file", sorted(REPO.glob("Pulumi.*.yaml")), ids=lambda path: path.name)
def test_the_repository_stacks_are_valid_with_only_their_intended_warnings(stack_file):
    stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
    _, values = read_stack_values(REPO, stack)
    assert load_settings(values, stack, stack_file.name).warnings == INTENDED_WARNINGS.get(stack_file.name, [])


def test_partial_logs_lifecycle_keeps_the_logs_defaults_not_the_zone_defaults():
    loaded = load_settings({"datalake:name": "ml", "datalake:logs": {"lifecycle": {"expirationDays": 30}}}, "dev", "x")
    assert loaded.settings.logs.lifecycle == replace(default_logs_lifecycle(), expiration_days=30)
    assert loaded.warnings == []


def test_partial_noncurrent_versions_keep_the_other_defaults():
    zone = {"name": "raw", "lifecycle": {"noncurrentVersions": {"expirationDays": 60}}}
    loaded = load_settings({"datalake:name": "ml", "datalake:zones": [zone]}, "dev", "x")
    assert loaded.settings.zones[0].lifecycle.noncurrent == NoncurrentVersions(expiration_days=60)


def test_deployer_is_read():
    arn = "arn:aws:iam::123456789012:role/PlatformDeployer"
    assert load_settings({"datalake:name": "ml", "datalake:deployer": arn}, "dev", "x").settings.deployer == arn
