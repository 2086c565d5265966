"""Fuzz: random YAML stack and project files, and random config values, each either read or
refused with a ConfigError (exit 2 under `lake plan`: one `error:` line per problem), never
another exception.

The reader is the one `lake plan`, `lake access` and `lake sandbox` use: ``read_stack_values``
(Pulumi.yaml, then Pulumi.<stack>.yaml or --config-file), then ``load_settings`` (schema and
semantic checks) on what it read.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lake.config import ConfigError, load_settings, read_stack_values
from tests.fuzz import strategies as gen
from tests.fuzz.support import fuzz_settings
from tests.support import REPO

STACK = "fuzz"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with the real Pulumi.yaml and a stack file the examples overwrite."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", folder / "Pulumi.yaml")
    shutil.copy(REPO / "Pulumi.dev.yaml", folder / f"Pulumi.{STACK}.yaml")
    return folder


def assert_clean(error: ConfigError) -> None:
    """A ConfigError as the CLI prints it: problems, each one line (README: one line per problem)."""
    assert error.problems, "a ConfigError without a problem"
    for problem in error.problems:
        # lake/cli.py prints str(error).splitlines(), each as an `error:` line: one line each.
        assert len(str(problem).splitlines()) == 1, f"a problem over several lines: {problem!r}"


def read_then_validate(project: Path, config_file: Path | None = None) -> Any:
    """What `lake plan` does before it runs the program: read, then validate."""
    try:
        _, values = read_stack_values(project, STACK, config_file)
        return load_settings(values, stack=STACK, source=f"Pulumi.{STACK}.yaml")
    except ConfigError as error:
        assert_clean(error)
        return error


# What the fuzzing found, kept as examples: scalars PyYAML cannot convert (they escaped as
# ValueError, KeyError, IndexError: exit 3), and a control character (a problem over two lines).
FOUND = [b"config:\n  datalake:name: !!float abc\n", b"config:\n  datalake:name: !!bool maybe\n",
         b"config:\n  datalake:name: !!int ''\n", b"config:\n  datalake:name: 2020-13-45\n",
         b"config:\n  datalake:name: " + b"9" * 5000 + b"\n", b"config:\n  !!timestamp x: 1\n",
         b"config:\n  datalake:name: a\x01b\n"]


def examples(documents: list[bytes]):
    def decorate(test):
        for document in reversed(documents):
            test = example(document=document)(test)
        return test
    return decorate


@fuzz_settings(examples=200, deadline_seconds=10)
@given(document=gen.as_bytes(gen.yaml_stack_texts))
@examples(FOUND)
def test_any_stack_file_is_read_or_refused_with_a_config_error(project: Path, document: bytes):
    (project / f"Pulumi.{STACK}.yaml").write_bytes(document)
    read_then_validate(project)


@fuzz_settings(examples=100, deadline_seconds=10)
@given(document=gen.as_bytes(gen.yaml_stack_texts))
def test_any_config_file_is_read_or_refused_with_a_config_error(project: Path, tmp_path: Path, document: bytes):
    """--config-file replaces the stack file: same reader, another path."""
    other = tmp_path / "other.yaml"
    other.write_bytes(document)
    read_then_validate(project, other)


@fuzz_settings(examples=100, deadline_seconds=10)
@given(document=gen.as_bytes(gen.yaml_project_texts))
@examples([b"name: !!float abc\nruntime: python\n", b"name: datalake\nruntime: 2020-02-30\n"])
def test_any_project_file_is_read_or_refused_with_a_config_error(project: Path, document: bytes):
    (project / "Pulumi.yaml").write_bytes(document)
    read_then_validate(project)


# --- load_settings on values of any shape: what the Pulumi engine may hand the program too --------

def _yaml_like_values() -> st.SearchStrategy[Any]:
    """What a YAML or JSON config can hold, plus the other types SafeLoader builds."""
    import datetime

    scalars = st.one_of(
        gen.json_scalars, st.floats(), st.binary(max_size=8), st.dates(),
        st.datetimes(timezones=st.none() | st.just(datetime.timezone.utc)),
        st.sampled_from(["١٢٣٤٥٦٧٨٩٠١٢", "123456789012", "arn:aws:iam::123456789012:role/A", "STANDARD_IA",
                         "raw", "cron(0 2 * * ? *)", "us-east-1", "images/", "10.0.0.0/16"]),
    )
    keys = st.one_of(st.sampled_from(gen.INNER_KEYS), st.text(max_size=8))
    return st.recursive(
        scalars,
        lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5),
                                   st.frozensets(st.integers(), max_size=3)),
        max_leaves=30,
    )


@fuzz_settings(examples=200, deadline_seconds=10)
@given(values=st.dictionaries(st.sampled_from(gen.CONFIG_KEYS), _yaml_like_values(), max_size=8))
def test_any_config_values_are_validated_or_refused_with_a_config_error(values: dict[str, Any]):
    try:
        load_settings(values, stack=STACK, source=f"Pulumi.{STACK}.yaml")
    except ConfigError as error:
        assert_clean(error)
