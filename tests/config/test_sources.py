"""Reading config values: from the Pulumi runtime (strings) and from the YAML files (native)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi.runtime import config as pulumi_config

from lake.config import ConfigError, read_stack_values, values_from_runtime
from tests.config.helpers import STACK, error_lines

PROJECT = """\
name: datalake
runtime: python
config:
  production:
    type: boolean
    default: false
  requireSseHeader: true
  tags:
    type: string
  aws:region: us-east-1
"""


@pytest.fixture
def runtime_config(monkeypatch):
    """Sets the runtime config as the engine would (all strings), restoring it afterwards."""
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    saved = pulumi_config.CONFIG.get()
    yield lambda values: pulumi_config.set_all_config(values)
    pulumi_config.CONFIG.set(saved)


def test_runtime_strings_are_decoded_by_schema_type(runtime_config):
    runtime_config({
        "datalake:name": "123",
        "datalake:production": "true",
        "datalake:key": json.dumps({"deletionWindowDays": 7}),
        "datalake:zones": json.dumps([{"name": "raw"}]),
        "datalake:zonez": "[]",
        "aws:region": "eu-west-1",
        "aws:defaultTags": json.dumps({"tags": {"a": "b"}}),
    })
    assert values_from_runtime() == {
        "datalake:name": "123",  # a string-typed key stays a string even when it parses as JSON
        "datalake:production": True,
        "datalake:key": {"deletionWindowDays": 7},
        "datalake:zones": [{"name": "raw"}],
        "datalake:zonez": "[]",  # unknown: left alone, for the schema to name
        "aws:region": "eu-west-1",
        "aws:defaultTags": json.dumps({"tags": {"a": "b"}}),  # not ours: passed through
    }


def test_runtime_value_that_is_not_json_is_reported_as_a_string(runtime_config):
    runtime_config({"datalake:name": "ml", "datalake:production": "yes"})
    assert error_lines(values_from_runtime()) == [
        "Pulumi.dev.yaml: datalake:production: expected a boolean (true or false), got string 'yes'"
    ]


def test_runtime_config_overrides_the_environment(runtime_config, monkeypatch):
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"datalake:name": "env", "datalake:requireSseHeader": "true"}))
    runtime_config({"datalake:name": "ml"})
    assert values_from_runtime() == {"datalake:name": "ml", "datalake:requireSseHeader": True}


def _project(tmp_path: Path, stack_yaml: str | None, project_yaml: str = PROJECT) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project_yaml)
    if stack_yaml is not None:
        (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    return tmp_path


def _read_error(project_dir: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        read_stack_values(project_dir, STACK)
    return str(caught.value).splitlines()


def test_stack_values_override_project_values(tmp_path):
    stack = "config:\n  datalake:name: ml\n  datalake:production: true\n  aws:region: eu-west-1\n"
    project, values = read_stack_values(_project(tmp_path, stack), STACK)
    assert project == "datalake"
    assert values == {
        "datalake:name": "ml",
        "datalake:production": True,  # the stack's value over the project's default
        "datalake:requireSseHeader": True,  # a plain project-level value, short key namespaced
        "aws:region": "eu-west-1",
        # datalake:tags is only declared (no default): it sets nothing
    }


def test_short_stack_keys_belong_to_the_project_and_stack_config_dir_is_honoured(tmp_path):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  name: ml\n  tags: {7: seven}\n")
    _project(tmp_path, None, "name: lake\nruntime: python\nstackConfigDir: stacks\n")
    assert read_stack_values(tmp_path, STACK) == ("lake", {"lake:name": "ml", "lake:tags": {"7": "seven"}})


def test_empty_stack_file_leaves_the_project_values(tmp_path):
    _, values = read_stack_values(_project(tmp_path, ""), STACK)
    assert values == {"datalake:production": False, "datalake:requireSseHeader": True, "aws:region": "us-east-1"}


def test_missing_stack_file_lists_the_stacks_that_exist(tmp_path):
    _project(tmp_path, None)
    (tmp_path / "Pulumi.prod.yaml").write_text("")
    (tmp_path / "Pulumi.dve.yaml").write_text("")
    assert _read_error(tmp_path) == [
        f"no stack 'dev' in {tmp_path}: Pulumi.dev.yaml not found; stacks here: dve, prod (did you mean 'dve'?)"
    ]


def test_missing_stack_file_without_any_stack(tmp_path):
    assert _read_error(_project(tmp_path, None)) == [f"no stack 'dev' in {tmp_path}: Pulumi.dev.yaml not found; no stack here"]


def test_missing_project_file(tmp_path):
    assert _read_error(tmp_path) == [f"Pulumi.yaml: file not found in {tmp_path}"]


def test_project_without_name(tmp_path):
    assert _read_error(_project(tmp_path, "", "runtime: python\n")) == ["Pulumi.yaml: name: required key is missing"]


def test_project_name_that_is_not_a_string(tmp_path):
    assert _read_error(_project(tmp_path, "", "name: [a]\nruntime: python\n")) == [
        "Pulumi.yaml: name: expected a project name, got a list"
    ]


def test_yaml_syntax_error_names_the_line(tmp_path):
    stack = "config:\n  datalake:name: ml\n   aws:region: eu-west-1\n"
    assert _read_error(_project(tmp_path, stack)) == [
        "Pulumi.dev.yaml: line 3, column 14: invalid YAML: mapping values are not allowed in this context"
    ]


def test_config_that_is_not_a_mapping(tmp_path):
    assert _read_error(_project(tmp_path, "config:\n  - datalake:name\n")) == [
        "Pulumi.dev.yaml: config: expected a mapping of keys to values, got a list"
    ]


def test_stack_file_that_is_not_a_mapping(tmp_path):
    assert _read_error(_project(tmp_path, "just text\n")) == [
        "Pulumi.dev.yaml: expected a mapping at the top of the file, got string 'just text'"
    ]


def test_secure_values_of_the_lake_are_refused(tmp_path):
    stack = (
        "config:\n"
        "  datalake:name:\n    secure: v1:abc\n"
        "  datalake:tags:\n    team:\n      secure: v1:def\n"
        "  aws:secretKey:\n    secure: v1:ghi\n"  # not ours: ignored
    )
    reason = "is encrypted (secure), which only a Pulumi run can read; the lake's settings are not secret: " \
             "set it without --secret"
    assert _read_error(_project(tmp_path, stack)) == [
        f"Pulumi.dev.yaml: datalake:name: {reason}",
        f"Pulumi.dev.yaml: datalake:tags.team: {reason}",
    ]


def test_secure_values_of_other_namespaces_pass_through(tmp_path):
    stack = "config:\n  datalake:name: ml\n  aws:secretKey:\n    secure: v1:ghi\n"
    _, values = read_stack_values(_project(tmp_path, stack), STACK)
    assert values["aws:secretKey"] == {"secure": "v1:ghi"}
