"""What a stack file may not do however valid its YAML: keys written twice, exploding aliases,
nesting deep enough to crash a recursive reader; and the same depth bound on JSON config values."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pulumi.runtime import config as pulumi_config

from lake.config import ConfigError, read_stack_values, values_from_runtime
from lake.config.documents import (
    MAX_CHARACTERS,
    MAX_DEPTH,
    MAX_VALUES,
    NestingError,
    json_depth,
    load_yaml,
    loads_json,
)

PROJECT = "name: datalake\nruntime: python\n"
DEEP = f"nested more than {MAX_DEPTH} levels deep; refused"
DEEP_EXPANDED = f"nested more than {MAX_DEPTH} levels deep once aliases are expanded; refused"
MANY = f"more than {MAX_VALUES} values; refused (a stack config has a few hundred)"
MANY_EXPANDED = f"more than {MAX_VALUES} values once aliases are expanded; refused (a stack config has a few hundred)"


def _errors(tmp_path: Path, stack_yaml: str, project_yaml: str = PROJECT) -> list[str]:
    (tmp_path / "Pulumi.yaml").write_text(project_yaml)
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    with pytest.raises(ConfigError) as caught:
        read_stack_values(tmp_path, "dev")
    return str(caught.value).splitlines()


def _laughs(levels: int = 9) -> str:
    """The billion laughs: each level a list of nine aliases of the one before (9**levels values)."""
    lines = ["config:", "  datalake:name: ml", '  aws:lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"  aws:lol{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# --- keys written twice -----------------------------------------------------------------------


@pytest.mark.parametrize(("stack", "expected"), [
    pytest.param(
        "config:\n  datalake:name: ml\n  datalake:zones:\n    - name: raw\n      lifecycle: {}\n      name: gold\n",
        ["Pulumi.dev.yaml: datalake:zones[0].name: key written twice (lines 4 and 6)"],
        id="in-a-list-item",
    ),
    pytest.param(
        "config:\n  datalake:name: ml\n  datalake:production: false\n  datalake:production: true\n",
        ["Pulumi.dev.yaml: datalake:production: key written twice (lines 3 and 4)"],
        id="config-key",
    ),
    pytest.param(
        "config:\n  name: ml\n  datalake:name: ml2\n",
        ["Pulumi.dev.yaml: datalake:name: key written twice (lines 2 and 3)"],
        id="short-and-full-key-are-one-key",
    ),
    pytest.param(
        "config:\n  datalake:name: ml\n  datalake:tags:\n    7: seven\n    '7': sept\n",
        ["Pulumi.dev.yaml: datalake:tags[\"7\"]: key written twice (lines 4 and 5)"],
        id="same-key-once-a-string",
    ),
    pytest.param(
        "config:\n  datalake:name: ml\nconfig:\n  datalake:name: ml2\n",
        ["Pulumi.dev.yaml: config: key written twice (lines 1 and 3)"],
        id="top-level",
    ),
    pytest.param(
        "config:\n  aws:region: a\n  aws:region: b\n  datalake:key: {deletionWindowDays: 7, deletionWindowDays: 30}\n",
        [
            "Pulumi.dev.yaml: aws:region: key written twice (lines 2 and 3)",
            "Pulumi.dev.yaml: datalake:key.deletionWindowDays: key written twice (lines 4 and 4)",
        ],
        id="every-one-reported",
    ),
])
def test_a_key_written_twice_is_refused(tmp_path, stack, expected):
    assert _errors(tmp_path, stack) == expected


def test_a_key_written_twice_in_pulumi_yaml(tmp_path):
    project = PROJECT + "config:\n  production: true\n  production: false\n"
    assert _errors(tmp_path, "", project) == ["Pulumi.yaml: production: key written twice (lines 4 and 5)"]


def test_merged_keys_may_be_overridden(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "base: &base {days: 30, storageClass: STANDARD_IA}\n"
        "config:\n  datalake:name: ml\n  datalake:zones:\n"
        "    - name: raw\n      lifecycle: {transitions: [{<<: *base, days: 60}]}\n"
    )
    _, values = read_stack_values(tmp_path, "dev")
    assert values["datalake:zones"] == [
        {"name": "raw", "lifecycle": {"transitions": [{"days": 60, "storageClass": "STANDARD_IA"}]}}
    ]


# --- aliases ----------------------------------------------------------------------------------


def test_shared_aliases_within_the_budget_are_expanded(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  datalake:name: ml\n  datalake:zones:\n"
        "    - name: raw\n      lifecycle: &standard {expirationDays: 400}\n"
        "    - name: curated\n      lifecycle: *standard\n"
    )
    _, values = read_stack_values(tmp_path, "dev")
    assert [zone["lifecycle"] for zone in values["datalake:zones"]] == [{"expirationDays": 400}] * 2


def test_billion_laughs_is_refused_quickly(tmp_path):
    text = _laughs()
    assert len(text) < 1000
    started = time.perf_counter()
    assert _errors(tmp_path, text) == [f"Pulumi.dev.yaml: line 7, column 13: {MANY_EXPANDED}"]
    assert time.perf_counter() - started < 1


def test_billion_laughs_through_merge_keys_is_refused(tmp_path):
    lines = ["a0: &a0 {x0: 1, x1: 1, x2: 1, x3: 1, x4: 1, x5: 1, x6: 1, x7: 1}"]
    lines += [f"a{n}: &a{n} {{<<: [" + ", ".join([f"*a{n - 1}"] * 8) + "]}" for n in range(1, 9)]
    # a0 to a3 already expand to more than the budget together: the whole document is too big.
    assert _errors(tmp_path, "\n".join(lines) + "\n") == [f"Pulumi.dev.yaml: line 1, column 1: {MANY_EXPANDED}"]


def test_a_long_string_aliased_many_times_is_refused(tmp_path):
    text = f"long: &s {'x' * 1000}\nconfig:\n  aws:many: [{', '.join(['*s'] * 1001)}]\n"
    assert len(text) < 6000  # 6 KB expanding to 1 MB
    assert _errors(tmp_path, text) == [
        f"Pulumi.dev.yaml: line 3, column 13: more than {MAX_CHARACTERS} characters of text once aliases are expanded; "
        "refused"
    ]


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path):
    assert _errors(tmp_path, "config:\n  aws:x: &a [1, *a]\n") == [
        "Pulumi.dev.yaml: line 2, column 10: an alias refers to a value that contains it, which never ends once expanded"
    ]


def test_a_chain_of_aliases_deeper_than_the_bound_is_refused(tmp_path):
    chain = "config:\n  aws:a0: &a0 [1]\n" + "".join(f"  aws:a{n}: &a{n} [*a{n - 1}]\n" for n in range(1, MAX_DEPTH + 5))
    assert _errors(tmp_path, chain) == [f"Pulumi.dev.yaml: line {MAX_DEPTH - 1}, column 12: {DEEP_EXPANDED}"]


def test_too_many_values_without_aliases(tmp_path):
    text = "config:\n  aws:many: [" + ", ".join(["1"] * MAX_VALUES) + "]\n"
    assert _errors(tmp_path, text) == [f"Pulumi.dev.yaml: line 2, column {14 + 3 * (MAX_VALUES - 5)}: {MANY}"]


# --- nesting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "where"), [
    pytest.param("config:\n  aws:deep: " + "[" * 5000 + "]" * 5000 + "\n", "line 2, column 111", id="flow-lists"),
    pytest.param("config:\n  aws:deep: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", "line 2, column 402", id="flow-maps"),
    pytest.param("config:\n" + "".join("  " * n + f"k{n}:\n" for n in range(1, 3000)), "line 100, column 199",
                 id="block-maps"),
])
def test_a_document_nested_thousands_deep_is_refused_cleanly(tmp_path, text, where):
    started = time.perf_counter()
    assert _errors(tmp_path, text) == [f"Pulumi.dev.yaml: {where}: {DEEP}"]
    assert time.perf_counter() - started < 1


def test_a_million_open_brackets_cost_nothing():
    started = time.perf_counter()
    with pytest.raises(Exception) as caught:
        load_yaml("[" * 1_000_000)
    assert str(caught.value) == f"line 1, column {MAX_DEPTH + 1}: {DEEP}"
    assert time.perf_counter() - started < 1


def test_nesting_up_to_the_bound_is_read():
    text = "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    value = load_yaml(text)
    for _ in range(MAX_DEPTH - 1):
        (value,) = value
    assert value == 1


# --- other read errors ------------------------------------------------------------------------


def test_a_stack_file_that_is_not_utf8(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "Pulumi.dev.yaml").write_bytes(b"config:\n  datalake:name: \xff\n")
    with pytest.raises(ConfigError) as caught:
        read_stack_values(tmp_path, "dev")
    assert str(caught.value) == "Pulumi.dev.yaml: cannot be read: not UTF-8 text (invalid start byte at byte 25)"


def test_a_stack_file_that_is_a_folder(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "Pulumi.dev.yaml").mkdir()
    with pytest.raises(ConfigError) as caught:
        read_stack_values(tmp_path, "dev")
    assert str(caught.value) == f"Pulumi.dev.yaml: cannot be read: not a file ({tmp_path / 'Pulumi.dev.yaml'})"


# --- JSON -------------------------------------------------------------------------------------


def test_json_depth_ignores_brackets_in_strings():
    assert json_depth('{"a": ["[[[", {"b": "]]]{"}]}') == 3
    assert json_depth('"\\"[["') == 0


def test_json_nested_past_the_bound_is_refused_before_parsing():
    started = time.perf_counter()
    with pytest.raises(NestingError, match=f"^nested more than {MAX_DEPTH} levels deep$"):
        loads_json("[" * 1_000_000 + "]" * 1_000_000)
    assert time.perf_counter() - started < 1
    assert loads_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


@pytest.fixture
def runtime_config(monkeypatch):
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    saved = pulumi_config.CONFIG.get()
    yield lambda values: pulumi_config.set_all_config(values)
    pulumi_config.CONFIG.set(saved)


def test_runtime_json_nested_past_the_bound_is_a_config_error(runtime_config):
    runtime_config({"datalake:name": "ml", "datalake:zones": "[" * 5000 + "]" * 5000})
    with pytest.raises(ConfigError) as caught:
        values_from_runtime("Pulumi.dev.yaml")
    assert str(caught.value) == f"Pulumi.dev.yaml: datalake:zones: its JSON value is nested more than {MAX_DEPTH} levels deep"


def test_runtime_allowed_accounts_nested_past_the_bound_stay_a_string(runtime_config):
    from lake.config.aws_provider import allowed_accounts

    deep = "[" * 5000 + "]" * 5000
    assert allowed_accounts({"aws:allowedAccountIds": deep}) == deep
    assert allowed_accounts({"aws:allowedAccountIds": json.dumps(["123456789012"])}) == ["123456789012"]
