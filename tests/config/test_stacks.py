"""Which stack and project: Pulumi's stack-name rules, the stacks that exist, a Python Pulumi.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from lake.config import ConfigError, StackRef, parse_stack, read_stack_values

PROJECT = "name: datalake\nruntime: python\n"
STACK_RULE = "a stack name has only letters, digits, '-', '_' and '.', at most 100 (Pulumi's rule)"


def _error(call) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        call()
    return str(caught.value).splitlines()


@pytest.mark.parametrize(("ref", "expected"), [
    ("dev", StackRef("dev")),
    ("feature_x.v2-dev", StackRef("feature_x.v2-dev")),
    ("s" * 100, StackRef("s" * 100)),
    ("acme/dev", StackRef("dev", owner="acme")),
    ("acme-corp/datalake/prod", StackRef("prod", owner="acme-corp", project="datalake")),
])
def test_stack_names_pulumi_accepts(ref, expected):
    assert parse_stack(ref) == expected


@pytest.mark.parametrize(("ref", "reason"), [
    ("", STACK_RULE),
    ("dev prod", STACK_RULE),
    ("dev\n", STACK_RULE),
    ("d\u0117v", STACK_RULE),  # a letter outside ASCII
    ("dev\u0661", STACK_RULE),  # an Arabic-Indic digit
    ("\uff44ev", STACK_RULE),  # full-width
    ("s" * 101, STACK_RULE),
    ("../dev", "organization '..' must have 3 to 40 letters, digits, '-' or '_', starting and ending with a "
               "letter or digit (Pulumi's rule)"),
    ("acme/", STACK_RULE),
    ("acme/data lake/dev", "a project name has only letters, digits, '-', '_' and '.', at most 100 (Pulumi's rule)"),
    ("a/b/c/d", "expected STACK, ORG/STACK or ORG/PROJECT/STACK"),
])
def test_stack_names_pulumi_refuses(ref, reason):
    assert _error(lambda: parse_stack(ref)) == [f"invalid stack {ref!r}: {reason}"]


def test_an_invalid_stack_name_is_refused_before_any_file_is_read(tmp_path):
    # No Pulumi.yaml here: the name is refused first.
    assert _error(lambda: read_stack_values(tmp_path, "dev/../../etc/x")) == [
        "invalid stack 'dev/../../etc/x': expected STACK, ORG/STACK or ORG/PROJECT/STACK"
    ]


def _project(tmp_path: Path, project: str = PROJECT, *stacks: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project)
    for stack in stacks:
        (tmp_path / f"Pulumi.{stack}.yaml").write_text("config:\n  datalake:name: ml\n")
    return tmp_path


def test_an_unknown_stack_lists_the_stacks_there(tmp_path):
    _project(tmp_path, PROJECT, "dev", "prod")
    (tmp_path / "Pulumi.not a stack.yaml").write_text("")
    assert _error(lambda: read_stack_values(tmp_path, "dve")) == [
        f"no stack 'dve' in {tmp_path}: Pulumi.dve.yaml not found; stacks here: dev, prod (did you mean 'dev'?)"
    ]


def test_an_unknown_stack_without_a_close_one(tmp_path):
    _project(tmp_path, PROJECT, "dev", "prod")
    assert _error(lambda: read_stack_values(tmp_path, "staging")) == [
        f"no stack 'staging' in {tmp_path}: Pulumi.staging.yaml not found; stacks here: dev, prod"
    ]


def test_an_unknown_stack_in_the_stack_config_dir(tmp_path):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.prod.yaml").write_text("")
    _project(tmp_path, PROJECT + "stackConfigDir: stacks\n", "dev")  # Pulumi.dev.yaml outside stacks/: not a stack
    assert _error(lambda: read_stack_values(tmp_path, "dev")) == [
        f"no stack 'dev' in {tmp_path / 'stacks'}: Pulumi.dev.yaml not found; stacks here: prod"
    ]


def test_a_qualified_stack_reads_the_stack_file_of_its_name(tmp_path):
    _project(tmp_path, PROJECT, "dev")
    assert read_stack_values(tmp_path, "acme/datalake/dev") == ("datalake", {"datalake:name": "ml"})
    assert read_stack_values(tmp_path, "acme/dev") == ("datalake", {"datalake:name": "ml"})


def test_a_qualified_stack_of_another_project_is_refused(tmp_path):
    _project(tmp_path, PROJECT, "dev")
    assert _error(lambda: read_stack_values(tmp_path, "acme/website/dev")) == [
        f"stack 'acme/website/dev' belongs to project 'website', but {tmp_path / 'Pulumi.yaml'} is project 'datalake'"
    ]


@pytest.mark.parametrize(("project", "expected"), [
    ("name: datalake\nruntime: nodejs\n",
     "Pulumi.yaml: runtime: expected 'python' (the lake is a Python program), got string 'nodejs'"),
    ("name: datalake\nruntime:\n  name: go\n",
     "Pulumi.yaml: runtime.name: expected 'python' (the lake is a Python program), got string 'go'"),
    ("name: datalake\nruntime:\n  options: {toolchain: pip}\n",
     "Pulumi.yaml: runtime.name: required key is missing: the lake is a Python program (runtime: python)"),
    ("name: datalake\n",
     "Pulumi.yaml: runtime: required key is missing: the lake is a Python program (runtime: python)"),
    ("name: datalake\nruntime: Python\n",
     "Pulumi.yaml: runtime: expected 'python' (the lake is a Python program), got string 'Python'"),
    ("name: datalake\nruntime: [python]\n",
     "Pulumi.yaml: runtime: expected 'python' (the lake is a Python program), got a list"),
])
def test_a_project_that_is_not_python_is_refused(tmp_path, project, expected):
    _project(tmp_path, project, "dev")
    assert _error(lambda: read_stack_values(tmp_path, "dev")) == [expected]


def test_a_python_runtime_with_options_is_accepted(tmp_path):
    _project(tmp_path, "name: datalake\nruntime:\n  name: python\n  options:\n    toolchain: pip\n", "dev")
    assert read_stack_values(tmp_path, "dev")[0] == "datalake"


def test_a_project_without_name_and_runtime_reports_both(tmp_path):
    _project(tmp_path, "description: a lake\n", "dev")
    assert _error(lambda: read_stack_values(tmp_path, "dev")) == [
        "Pulumi.yaml: name: required key is missing",
        "Pulumi.yaml: runtime: required key is missing: the lake is a Python program (runtime: python)",
    ]


def test_a_missing_project_file(tmp_path):
    assert _error(lambda: read_stack_values(tmp_path, "dev")) == [f"Pulumi.yaml: file not found in {tmp_path}"]


def test_an_unreadable_project_file(tmp_path):
    (tmp_path / "Pulumi.yaml").mkdir()
    assert _error(lambda: read_stack_values(tmp_path, "dev")) == [
        f"Pulumi.yaml: cannot be read: not a file ({tmp_path / 'Pulumi.yaml'})"
    ]


def test_a_project_file_that_is_not_utf8(tmp_path):
    (tmp_path / "Pulumi.yaml").write_bytes(b"name: data\xe9lake\nruntime: python\n")
    assert _error(lambda: read_stack_values(tmp_path, "dev")) == [
        "Pulumi.yaml: cannot be read: not UTF-8 text (invalid continuation byte at byte 10)"
    ]


def test_plan_stack_refuses_a_bad_stack_name_before_running_anything(tmp_path):
    from lake.plan.runner import plan_stack

    assert _error(lambda: plan_stack(tmp_path, "dev prod")) == [f"invalid stack 'dev prod': {STACK_RULE}"]
