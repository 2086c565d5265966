"""scripts/upgrade_check.py's own logic on fake inputs: no resolution, no install, no network."""

from __future__ import annotations

import datetime
import sys

import pytest

from tests.support import REPO

sys.path.insert(0, str(REPO / "scripts"))
import upgrade_check as check  # noqa: E402
from upgrade_check import Attribution, Change, Failure, Findings, Outcome, Trial  # noqa: E402

ATHENA = Failure("tests/data/test_sandbox.py::test_query", "error",
                 'failed on setup with "botocore.exceptions.ClientError: An error occurred (404)"')
YAML = Failure("tests/config/test_build.py::test_load", "failed", "AssertionError: assert 'a' == 'b'")
OLD = Failure("tests/test_cli.py::test_flaky", "failed", "OSError: no network")


def outcome(*failures, passed=10):
    return Outcome(passed=passed, failed=sum(f.kind == "failed" for f in failures),
                   errors=sum(f.kind == "error" for f in failures), failures={f.nodeid: f for f in failures})


def fake_trials(results):
    """A trial function that answers from ``results`` (package -> failures) and records its calls."""
    calls = []

    def trial(package, nodeids):
        calls.append((package, list(nodeids)))
        found = [f for f in results.get(package, []) if f.nodeid in nodeids]
        return Trial(package, moved=[Change(package, "1", "2")], outcome=outcome(*found))

    return trial, calls


def test_attribution_stops_once_every_failure_is_explained():
    trial, calls = fake_trials({"boto3": [ATHENA], "pyyaml": [YAML]})
    failing = {f.nodeid: f for f in (ATHENA, YAML)}
    attributions, unexplained, untried = check.attribute(failing, ["boto3", "moto", "pyyaml", "pytest"], trial,
                                                         lambda: False)
    assert [(a.trial.package, a.reproduced) for a in attributions] == [("boto3", [ATHENA]), ("moto", []),
                                                                       ("pyyaml", [YAML])]
    # Each package reruns only what is still unexplained; pytest is never tried.
    assert calls == [("boto3", [ATHENA.nodeid, YAML.nodeid]), ("moto", [YAML.nodeid]), ("pyyaml", [YAML.nodeid])]
    assert unexplained == {} and untried == []


def test_attribution_reports_what_time_left_untried():
    trial, calls = fake_trials({"pyyaml": [YAML]})
    ticks = iter([False, True])
    attributions, unexplained, untried = check.attribute({YAML.nodeid: YAML}, ["boto3", "moto", "pyyaml"], trial,
                                                         lambda: next(ticks))
    assert [a.trial.package for a in attributions] == ["boto3"]
    assert unexplained == {YAML.nodeid: YAML}
    assert untried == ["moto", "pyyaml"]


def test_a_failure_no_single_upgrade_reproduces_stays_unexplained():
    trial, _ = fake_trials({})
    attributions, unexplained, untried = check.attribute({YAML.nodeid: YAML}, ["boto3"], trial, lambda: False)
    assert attributions[0].reproduced == [] and unexplained == {YAML.nodeid: YAML} and untried == []


def test_a_trial_that_could_not_run_reproduces_nothing():
    def trial(package, nodeids):
        return Trial(package, note="installing failed: no wheel")

    attributions, unexplained, _ = check.attribute({YAML.nodeid: YAML}, ["pyyaml"], trial, lambda: False)
    assert attributions[0].reproduced == [] and YAML.nodeid in unexplained


def findings(**fields):
    base = dict(started=datetime.datetime(2026, 12, 6, 19, 40, tzinfo=datetime.timezone.utc),
                changes=[Change("boto3", "1.43.117", "1.44.18"), Change("botocore", "1.43.117", "1.44.18"),
                         Change("newdep", "", "1.0")],
                durations={"test suite": 300.0, "total": 900.0})
    return Findings(**{**base, **fields})


def test_report_of_a_breaking_upgrade():
    boto3 = Trial("boto3", moved=[Change("boto3", "1.43.117", "1.44.18"), Change("botocore", "1.43.117", "1.44.18")],
                  outcome=outcome(ATHENA), seconds=120)
    moto = Trial("moto", note="does not move on its own (the other locked versions hold it back)")
    result = findings(outcome=outcome(ATHENA, YAML, OLD, passed=1490), lifted=[('"botocore>=1,<2"', '"botocore"')],
                      baseline=Trial(None, outcome=outcome(OLD)), pre_existing=[OLD],
                      attributions=[Attribution(boto3, [ATHENA]), Attribution(moto, [])],
                      unexplained=[YAML], untried=["pyyaml"])
    report = check.render(result)
    assert result.breaks()
    assert "- Date: 2026-12-06 19:40 UTC" in report
    assert f"- Machine: {check.os.cpu_count()} cores (nproc), " in report
    assert '- Bounds lifted: `"botocore>=1,<2"` → `"botocore"`' in report
    verdict = "- Verdict: breaks: 2 failed, 1 error with the newest versions (1 of them also on the current lock)"
    assert verdict in report
    assert "| boto3 | 1.43.117 | 1.44.18 |" in report and "| newdep | — | 1.0 |" in report
    assert "| 1490 | 2 | 1 | 0 | 1493 |" in report
    assert (f"| boto3 | 1.44.18 | botocore 1.43.117 → 1.44.18 | 1 | `{ATHENA.nodeid}` | {ATHENA.message} | 2.0 min |"
            in report)
    assert "| moto | (did not move) | — | does not move on its own" in report
    assert f"- 1 fail on the current lock too (not an upgrade's doing), first `{OLD.nodeid}`" in report
    assert f"- 1 unexplained (time ran out), first `{YAML.nodeid}`: {YAML.message}" in report
    assert "- Not tried before --max-minutes ran out: pyyaml" in report
    assert "<details><summary>All 3 failing tests</summary>" in report


def test_report_when_nothing_breaks():
    result = findings(outcome=outcome(passed=1493))
    report = check.render(result)
    assert not result.breaks()
    assert "- Verdict: nothing breaks" in report and "- Bounds lifted: none" in report
    assert "## Failures by upgrade" not in report and "<details>" not in report


def test_failures_that_also_fail_on_the_current_lock_do_not_fail_the_check():
    result = findings(outcome=outcome(OLD), baseline=Trial(None, outcome=outcome(OLD)), pre_existing=[OLD])
    assert not result.breaks()
    assert "nothing breaks (the failures also fail on the current lock)" in check.render(result)


def test_report_when_the_upgrade_cannot_be_installed():
    result = findings(broken="installing failed: requirements/test.txt: a package needed is not in the lock")
    report = check.render(result)
    assert result.breaks()
    assert "- Verdict: breaks: installing failed: requirements/test.txt" in report
    assert "## Test suite\n\nNot run: installing failed" in report


def test_table_cells_escape_pipes():
    trial = Trial("x", moved=[Change("x", "1", "2")], outcome=outcome(Failure("t.py::a", "failed", "a | b")))
    report = check.render(findings(outcome=trial.outcome, attributions=[Attribution(trial, list(
        trial.outcome.failures.values()))]))
    assert "| a \\| b |" in report


def test_junit_results_become_node_ids_counts_and_first_lines(tmp_path):
    junit = tmp_path / "junit.xml"
    junit.write_text("""<?xml version="1.0"?><testsuites><testsuite>
      <testcase classname="tests.data.test_sandbox" name="test_query[a-b]" file="tests/data/test_sandbox.py">
        <error message="failed on setup with &quot;ClientError: 404&quot;&#10;more">trace</error></testcase>
      <testcase classname="tests.data.test_sandbox" name="test_query[a-b]" file="tests/data/test_sandbox.py">
        <error message="failed on teardown">trace</error></testcase>
      <testcase classname="tests.test_cli.TestMain" name="test_run" file="tests/test_cli.py">
        <failure message="AssertionError: assert 1 == 2">trace</failure></testcase>
      <testcase classname="" name="tests.test_broken" file="tests/test_broken.py">
        <error message="collection failure">trace</error></testcase>
      <testcase classname="tests.test_cli" name="test_ok" file="tests/test_cli.py"/>
      <testcase classname="tests.test_cli" name="test_skip" file="tests/test_cli.py"><skipped message="s"/></testcase>
    </testsuite></testsuites>""")
    result = check.read_junit(junit)
    assert (result.passed, result.failed, result.errors, result.skipped) == (1, 1, 2, 1)
    assert list(result.failures) == ["tests/data/test_sandbox.py::test_query[#0]",
                                     "tests/test_cli.py::TestMain::test_run", "tests/test_broken.py"]
    query = result.failures["tests/data/test_sandbox.py::test_query[#0]"]
    assert query == Failure("tests/data/test_sandbox.py::test_query[a-b]", "error",
                            'failed on setup with "ClientError: 404"')


def test_parametrized_cases_match_across_pytest_releases_by_position(tmp_path):
    """pytest 9.2 names a case "[nobody-first_line0]" that 9.0 named "[nobody-error: ...]"."""

    def run(name, *ids):
        junit = tmp_path / name
        cases = "".join(f'<testcase classname="tests.t" name="test_p[{i}]" file="tests/t.py"><failure message="m"/>'
                        f'</testcase>' for i in ids)
        junit.write_text(f"<testsuite>{cases}</testsuite>")
        return check.read_junit(junit)

    old, new = run("old.xml", "a-error: long", "b-error: longer"), run("new.xml", "a-first_line0", "b-first_line1")
    assert list(old.failures) == list(new.failures) == ["tests/t.py::test_p[#0]", "tests/t.py::test_p[#1]"]
    assert new.failures["tests/t.py::test_p[#1]"].nodeid == "tests/t.py::test_p[b-first_line1]"


def test_changes_list_moved_added_and_dropped_packages():
    assert check.differences({"a": "1", "b": "1", "gone": "3"}, {"a": "1", "b": "2", "new": "1"}) == [
        Change("b", "1", "2"), Change("gone", "3", ""), Change("new", "", "1")]


def test_lift_drops_only_the_named_bound():
    text = ('dependencies = [\n    # "botocore>=1" in a comment stays\n    "boto3>=1.43,<2",\n'
            '    "Botocore[crt]>=1.43.115,<1.43.118; python_version >= \'3.11\'",\n]\ninclude = ["botocore*"]\n')
    lifted, replaced = check.lift_bounds(text, ["botocore"])
    assert lifted == ('dependencies = [\n    # "botocore>=1" in a comment stays\n    "boto3>=1.43,<2",\n'
                      '    "Botocore[crt]; python_version >= \'3.11\'",\n]\ninclude = ["botocore*"]\n')
    assert replaced == [("\"Botocore[crt]>=1.43.115,<1.43.118; python_version >= '3.11'\"",
                         "\"Botocore[crt]; python_version >= '3.11'\"")]


def test_lifting_a_name_pyproject_does_not_bound_is_a_usage_error():
    with pytest.raises(check.UsageError, match="--lift nope: pyproject.toml bounds no such requirement"):
        check.lift_bounds('dependencies = ["boto3>=1"]\n', ["nope"])


def test_usage_errors_exit_2_with_one_line(tmp_path, capsys):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    assert check.main(["--workdir", str(tmp_path / "full")]) == 2
    assert capsys.readouterr().err == f"error: --workdir {tmp_path / 'full'} is not empty\n"
    assert check.main(["--lift", "no-such-package"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_run_pytest_stopped_says_so():
    stopped = Outcome(errors=1, failures={"tests/t.py": Failure("tests/t.py", "error", "collection failure")},
                      stopped="Interrupted: 1 error during collection")
    assert "pytest stopped before running every test: Interrupted: 1 error during collection." in check.render(
        findings(outcome=stopped))


def test_the_tree_is_the_commit_unless_the_working_tree_is_asked_for(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*arguments):
        check.subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *arguments],
                             check=True, capture_output=True)

    git("init", "-q")
    (repo / "kept.py").write_text("committed\n")
    (repo / ".gitignore").write_text("ignored/\n")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    (repo / "kept.py").write_text("edited\n")
    (repo / "new.py").write_text("not added\n")
    (repo / "ignored").mkdir()
    (repo / "ignored" / "x").write_text("")

    assert check.copy_tree(repo, tmp_path / "head", working_tree=False).endswith("(committed files)")
    assert (tmp_path / "head" / "kept.py").read_text() == "committed\n"
    assert not (tmp_path / "head" / "new.py").exists()

    check.copy_tree(repo, tmp_path / "work", working_tree=True)
    assert (tmp_path / "work" / "kept.py").read_text() == "edited\n"
    assert (tmp_path / "work" / "new.py").exists() and not (tmp_path / "work" / "ignored").exists()


def test_parametrized_tests_are_selected_by_their_function():
    assert check.selection(["tests/a.py::test_x[arn:aws:s3:::b]", "tests/a.py::test_x[2]", "tests/a.py::C::test_y",
                            "tests/b.py"]) == ["tests/a.py::test_x", "tests/a.py::C::test_y", "tests/b.py"]


def test_the_first_line_of_an_assertion_says_what_failed():
    assert check.first_line("AssertionError: \nassert (0, 'x') == (2, '')\n  more") == (
        "AssertionError: assert (0, 'x') == (2, '')")
    assert check.first_line("ValueError: bad\nmore") == "ValueError: bad"
    assert check.first_line("x" * 300) == "x" * 199 + "…"
    assert check.first_line("") == ""


def test_a_check_out_of_time_is_unknown_not_green():
    result = findings(broken="--max-minutes was spent before the tests could run", unknown=True)
    assert result.breaks()
    assert "- Verdict: unknown: --max-minutes was spent before the tests could run" in check.render(result)
