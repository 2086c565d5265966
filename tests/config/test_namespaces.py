"""A config namespace that is a near miss of the lake's own is reported, not silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from lake.config import ConfigError, read_stack_values
from lake.config.namespaces import edit_distance, near_miss
from tests.config.helpers import SOURCE, error_lines, lake

PROJECT = "name: datalake\nruntime: python\n"


@pytest.mark.parametrize(("key", "meant"), [
    ("datalaek:requireSseHeader", "datalake:requireSseHeader"),  # two letters swapped: one edit
    ("DataLake:production", "datalake:production"),  # a case variant
    ("DATALAKE:zones", "datalake:zones"),
    ("datalke:zones", "datalake:zones"),  # a letter missing
    ("datalakes:name", "datalake:name"),  # a letter more
    ("dtalak:tags", "datalake:tags"),  # two edits
])
def test_near_misses_of_the_namespace_are_errors(key, meant):
    namespace = key.partition(":")[0]
    assert error_lines({**lake(), key: True}) == [
        f"{SOURCE}: {key}: unknown namespace '{namespace}', which the lake would ignore (did you mean '{meant}'?)"
    ]


@pytest.mark.parametrize("key", [
    "aws:region", "aws:defaultTags", "pulumi:tags", "awsx:x", "random:x", "tls:x", "kubernetes:x", "gcp:x",
    "data:x", "lake:x", "dtlk:x", "othersproject:x", "datalake-old:x",
])
def test_other_namespaces_are_left_alone(key):
    from lake.config import load_settings

    value = "us-east-1" if key == "aws:region" else "x"
    assert load_settings({**lake(), key: value}, "dev", SOURCE)


def test_short_project_names_claim_only_case_variants_and_one_edit():
    assert near_miss("ML", {"ml"}) == "ml"
    assert near_miss("tls", {"ml"}) is None  # two edits from "ml", but "ml" is too short for two
    assert near_miss("lak", {"lake"}) == "lake"
    assert near_miss("lk", {"lake"}) is None


def test_edit_distance_counts_a_swap_as_one_edit():
    assert [edit_distance(*pair) for pair in [("datalaek", "datalake"), ("", "abc"), ("kitten", "sitting")]] == [1, 3, 3]


def _read(tmp_path: Path, stack: str, project: str = PROJECT) -> list[str]:
    (tmp_path / "Pulumi.yaml").write_text(project)
    (tmp_path / "Pulumi.dev.yaml").write_text(stack)
    with pytest.raises(ConfigError) as caught:
        read_stack_values(tmp_path, "dev")
    return str(caught.value).splitlines()


def test_a_near_miss_in_the_stack_file_is_reported_when_it_is_read(tmp_path):
    stack = "config:\n  datalake:name: ml\n  datalaek:production: true\n  DataLake:requireSseHeader: true\n"
    assert _read(tmp_path, stack) == [
        "Pulumi.dev.yaml: datalaek:production: unknown namespace 'datalaek', which the lake would ignore "
        "(did you mean 'datalake:production'?)",
        "Pulumi.dev.yaml: DataLake:requireSseHeader: unknown namespace 'DataLake', which the lake would ignore "
        "(did you mean 'datalake:requireSseHeader'?)",
    ]


def test_a_near_miss_in_pulumi_yaml_names_pulumi_yaml(tmp_path):
    assert _read(tmp_path, "", PROJECT + "config:\n  datalke:production: true\n") == [
        "Pulumi.yaml: datalke:production: unknown namespace 'datalke', which the lake would ignore "
        "(did you mean 'datalake:production'?)"
    ]


def test_a_near_miss_of_a_renamed_project_is_reported_too(tmp_path):
    project = "name: mllake\nruntime: python\n"
    assert _read(tmp_path, "config:\n  mlalke:name: ml\n", project) == [
        "Pulumi.dev.yaml: mlalke:name: unknown namespace 'mlalke', which the lake would ignore (did you mean 'mllake:name'?)"
    ]
