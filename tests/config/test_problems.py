"""The problem format every check shares: paths as written in the file, stable order."""

from __future__ import annotations

from lake.config import ConfigError, ConfigProblem
from lake.config.problems import key_path, sorted_problems


def test_problem_and_error_lines():
    problem = ConfigProblem("datalake:zones[1].name", "required key is missing")
    assert str(problem) == "datalake:zones[1].name: required key is missing"
    assert problem.severity == "error"
    error = ConfigError("Pulumi.dev.yaml", [problem, ConfigProblem("aws:region", "bad")])
    assert str(error) == (
        "Pulumi.dev.yaml: datalake:zones[1].name: required key is missing\n"
        "Pulumi.dev.yaml: aws:region: bad"
    )
    assert error.source == "Pulumi.dev.yaml"


def test_file_level_problem_has_no_path():
    assert str(ConfigError("Pulumi.yaml", [ConfigProblem("", "file not found in /x")])) == "Pulumi.yaml: file not found in /x"


def test_key_path_writes_keys_as_in_the_file():
    assert key_path("datalake", ["zones", 1, "lifecycle", "transitions", 0, "days"]) == (
        "datalake:zones[1].lifecycle.transitions[0].days"
    )
    assert key_path("datalake", ["tags", "aws:team"]) == 'datalake:tags["aws:team"]'
    assert key_path("datalake", ["tags", "cost-center"]) == "datalake:tags.cost-center"


def test_problems_are_deduplicated_and_in_natural_path_order():
    def p(path: str, message: str = "m") -> ConfigProblem:
        return ConfigProblem(path, message)

    shuffled = [
        p("datalake:zones[10].name"), p("datalake:zones[2].name", "b"), p("datalake:name"),
        p("datalake:zones[2].name", "a"), p("aws:region"), p("datalake:zones[2].lifecycle.prefix"),
        p("datalake:name"), p('datalake:tags["aws:x"]'), p("datalake:tags.team"),
    ]
    assert [str(problem) for problem in sorted_problems(shuffled)] == [
        "aws:region: m",
        "datalake:name: m",
        'datalake:tags["aws:x"]: m',
        "datalake:tags.team: m",
        "datalake:zones[2].lifecycle.prefix: m",
        "datalake:zones[2].name: a",
        "datalake:zones[2].name: b",
        "datalake:zones[10].name: m",
    ]
