"""One exit-code contract for every `lake` command, enforced in lake/cli.py's main (README "Exit codes").

0/1 are a command's verdict; 2 bad usage, configuration or input; 3 an internal error (the
traceback in a crash file, or printed with --debug) or a failed Pulumi program under `lake plan`;
130 Ctrl-C; 141 standard output closed early. `--output` is checked before any work and written
whole or not at all. Ctrl-C and the absence of noise at exit are tested on real processes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from lake import cli
from lake.audit import AuditError
from lake.cli import FAILURE_ERRORS, USAGE_ERRORS, build_parser, main
from lake.config import ConfigError, ConfigProblem
from lake.data.errors import DataError, UsageError
from lake.errors import InputError, ProgramError
from lake.output import TEMPORARY_SUFFIX, open_output
from lake.plan.runner import PlanError
from policies.access.question import QuestionError
from policies.adapters.live.read import AccountUnreachable
from policies.adapters.live.selection import SelectionError
from tests.support import REPO

LAKE = [sys.executable, "-m", "lake.cli"]
CRASH = re.compile(r"traceback in (?P<path>\S+/lake-crash-[^/\s]+\.txt)$")
PROCESS_TIMEOUT = 120  # seconds: a bound for a subprocess on a loaded 2-core machine, never reached normally


@pytest.fixture(autouse=True)
def crash_files_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Crash files go to this test's folder (tempfile.gettempdir() is where lake writes them)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def raising(error: BaseException):
    def handler(args):
        raise error
    return handler


# --- each exception's exit code and lines ---------------------------------------------------------

MAPPED = [
    pytest.param(InputError("--bucket x: not a valid S3 bucket name", "names are 3 to 63 characters"), 2,
                 ["error: --bucket x: not a valid S3 bucket name", "hint: names are 3 to 63 characters"], id="input"),
    pytest.param(ConfigError("Pulumi.dev.yaml", [ConfigProblem("datalake:name", "required key is missing"),
                                                 ConfigProblem("datalake:zonez", "unknown key 'zonez'")]), 2,
                 ["error: Pulumi.dev.yaml: datalake:name: required key is missing",
                  "error: Pulumi.dev.yaml: datalake:zonez: unknown key 'zonez'"], id="config"),
    pytest.param(PlanError("no __main__.py in /x: --project-dir must name the folder of the Pulumi program"), 2,
                 ["error: no __main__.py in /x: --project-dir must name the folder of the Pulumi program"], id="plan"),
    pytest.param(QuestionError("unknown principal 'bob'"), 2, ["error: unknown principal 'bob'"], id="question"),
    pytest.param(AuditError("--against-plan p.json: not a plan document"), 2,
                 ["error: --against-plan p.json: not a plan document"], id="audit"),
    pytest.param(SelectionError("o.json: no 'zoneBuckets' output"), 2, ["error: o.json: no 'zoneBuckets' output"],
                 id="selection"),
    pytest.param(AccountUnreachable("cannot reach the AWS account: no credentials"), 2,
                 ["error: cannot reach the AWS account: no credentials"], id="unreachable"),
    pytest.param(UsageError("expiry of 691200 s is over 7 days", "use at most 7d"), 2,
                 ["error: expiry of 691200 s is over 7 days", "hint: use at most 7d"], id="data-usage"),
    pytest.param(DataError("s3://b/k does not exist", "list what there is with: lake data ls PREFIX"), 1,
                 ["error: s3://b/k does not exist", "hint: list what there is with: lake data ls PREFIX"],
                 id="data-failed"),
    pytest.param(ProgramError("the Pulumi program called sys.exit(5)", "return instead"), 3,
                 ["error: the Pulumi program called sys.exit(5)", "hint: return instead"], id="program"),
]


@pytest.mark.parametrize(("error", "code", "lines"), MAPPED)
def test_each_kind_of_error_has_its_code_and_lines(error, code, lines, capsys, monkeypatch, crash_files_in):
    monkeypatch.setattr(cli, "_plan", raising(error))
    assert run(capsys, "plan") == (code, "", "".join(f"{line}\n" for line in lines))
    assert not list(crash_files_in.iterdir())


def test_every_listed_error_class_exists():
    """The names main() classifies by must keep naming real exception classes."""
    import importlib

    for name in USAGE_ERRORS + FAILURE_ERRORS:
        module, _, attribute = name.partition(":")
        assert issubclass(getattr(importlib.import_module(module), attribute), Exception), name


def test_ctrl_c_is_130_and_one_line(capsys, monkeypatch):
    monkeypatch.setattr(cli, "_plan", raising(KeyboardInterrupt()))
    assert run(capsys, "plan") == (130, "", "interrupted\n")


def test_a_closed_standard_output_is_141_and_silent(capsys, monkeypatch):
    monkeypatch.setattr(cli, "_plan", raising(BrokenPipeError(32, "Broken pipe")))
    assert run(capsys, "plan") == (141, "", "")


def test_any_other_exception_is_an_internal_error_with_a_crash_file(capsys, monkeypatch, crash_files_in):
    monkeypatch.setattr(cli, "_plan", raising(RuntimeError("boom\nsecond line")))
    code, out, err = run(capsys, "plan", "--stack", "dev")
    assert (code, out) == (3, "")
    assert err.count("\n") == 1 and err.startswith("error: internal error (a bug in lake): RuntimeError: boom "
                                                   "second line; traceback in ")
    crash = Path(CRASH.search(err.strip()).group("path"))
    assert crash.parent == crash_files_in
    text = crash.read_text()
    assert text.startswith("lake plan --stack dev\n")
    assert "Traceback (most recent call last):" in text and "RuntimeError: boom\nsecond line" in text
    assert "in handler\n    raise error" in text


@pytest.mark.parametrize("argv", [["--debug", "plan"], ["plan", "--debug"]], ids=["before", "after"])
def test_debug_prints_the_traceback_instead(argv, capsys, monkeypatch, crash_files_in):
    monkeypatch.setattr(cli, "_plan", raising(RuntimeError("boom")))
    code, _, err = run(capsys, *argv)
    assert code == 3
    lines = err.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-2:] == ["RuntimeError: boom", "error: internal error (a bug in lake): RuntimeError: boom"]
    assert not list(crash_files_in.iterdir())


@pytest.mark.parametrize(("argv", "debug"), [
    (["plan"], False), (["--debug", "plan"], True), (["plan", "--debug"], True),
    (["data", "ls", "--bucket", "b", "--debug"], True), (["--debug", "data", "ls"], True),
    (["audit", "--debug"], True), (["access", "--debug", "--principal", "p", "--action", "a", "--resource", "r"], True),
    (["demo", "--debug"], True),
])
def test_debug_is_accepted_before_and_after_every_command(argv, debug):
    assert build_parser().parse_args(argv).debug is debug


def test_usage_errors_of_argparse_still_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--format", "yaml"])
    assert exited.value.code == 2
    assert "invalid choice: 'yaml'" in capsys.readouterr().err


def test_help_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "exit codes (every command):\n" in out
    for code in ("0", "1", "2", "3", "130", "141"):
        assert re.search(rf"^  {code} +\S", out, re.M), code


def test_the_readme_has_one_exit_code_table():
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## Exit codes\n", 1)[1].split("\n## ", 1)[0]
    codes = re.findall(r"^\| `?(\d+)`? \|", section, re.M)
    assert codes == ["0", "1", "2", "3", "130", "141"]
    assert "Exit codes:" not in readme and "**Exit codes:**" not in readme


# --- the Pulumi program under `lake plan` ---------------------------------------------------------


def project(tmp_path: Path, program: str) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", folder / "Pulumi.yaml")
    shutil.copy(REPO / "Pulumi.dev.yaml", folder / "Pulumi.dev.yaml")
    (folder / "__main__.py").write_text(program)
    return folder


RAISES = "import pulumi\n\n\ndef helper():\n    raise ValueError('boom')\n\n\nhelper()\n"


def test_an_exception_in_the_program_is_exit_3_with_where_and_the_traceback_in_a_file(tmp_path, capsys):
    folder = project(tmp_path, RAISES)
    code, out, err = run(capsys, "plan", "--project-dir", str(folder))
    assert (code, out) == (3, "")
    first, hint = err.splitlines()
    assert first == "error: the Pulumi program failed: ValueError: boom (at __main__.py:5)"
    assert re.fullmatch(r"hint: the program's traceback is in \S+/lake-crash-\S+\.txt \(--debug prints it instead\)",
                        hint)
    crash = Path(hint.split(" is in ")[1].split(" (")[0])
    assert "raise ValueError('boom')" in crash.read_text() and "Traceback" not in err


def test_with_debug_the_programs_traceback_is_printed(tmp_path, capsys, crash_files_in):
    folder = project(tmp_path, RAISES)
    code, _, err = run(capsys, "plan", "--project-dir", str(folder), "--debug")
    assert code == 3
    lines = err.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "    raise ValueError('boom')" in lines
    assert lines[-1] == "error: the Pulumi program failed: ValueError: boom (at __main__.py:5)"
    assert not list(crash_files_in.iterdir())


@pytest.mark.parametrize("status", ["5", "0", ""])
def test_the_program_calling_sys_exit_is_exit_3(tmp_path, capsys, status):
    folder = project(tmp_path, f"import sys\n\nsys.exit({status})\n")
    code, out, err = run(capsys, "plan", "--project-dir", str(folder))
    assert (code, out) == (3, "")
    assert err == (f"error: the Pulumi program called sys.exit({status})\n"
                   "hint: a Pulumi program ends by returning; to stop it with a message, raise "
                   "pulumi.RunError(message)\n")


def test_the_programs_own_config_errors_stay_exit_2(tmp_path, capsys):
    folder = project(tmp_path, "from lake.config import ConfigError, ConfigProblem\n\n"
                               "raise ConfigError('Pulumi.dev.yaml', [ConfigProblem('datalake:name', 'too long')])\n")
    expected = "error: Pulumi.dev.yaml: datalake:name: too long\n"
    assert run(capsys, "plan", "--project-dir", str(folder)) == (2, "", expected)
    (folder / "__main__.py").write_text("import pulumi\n\nraise pulumi.RunError('stopped on purpose')\n")
    assert run(capsys, "plan", "--project-dir", str(folder)) == (2, "", "error: stopped on purpose\n")


def test_a_failed_program_leaves_the_output_file_as_it_was(tmp_path, capsys):
    folder = project(tmp_path, RAISES)
    target = tmp_path / "plan.json"
    target.write_text("the previous plan")
    assert run(capsys, "plan", "--project-dir", str(folder), "--output", str(target))[0] == 3
    assert target.read_text() == "the previous plan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json", "project", "tmp"]


# --- --output: checked first, written whole ----------------------------------------------------


def refuse_work(monkeypatch: pytest.MonkeyPatch) -> None:
    def no(*args, **kwargs):
        raise AssertionError("the work started before --output was checked")
    monkeypatch.setattr(cli, "_load", no)


def test_output_into_a_missing_folder(tmp_path, capsys, monkeypatch):
    refuse_work(monkeypatch)
    target = tmp_path / "missing" / "plan.json"
    assert run(capsys, "plan", "--output", str(target)) == (2, "", (
        f"error: --output {target}: folder {target.parent} does not exist\n"
        f"hint: create it first (mkdir -p {target.parent}), or name a file in an existing folder\n"))
    assert not target.parent.exists()


def test_output_onto_a_folder(tmp_path, capsys, monkeypatch):
    refuse_work(monkeypatch)
    assert run(capsys, "plan", "--output", str(tmp_path)) == (2, "", (
        f"error: --output {tmp_path}: is a folder\nhint: --output names the file to write (created or replaced)\n"))


def test_output_below_a_file(tmp_path, capsys, monkeypatch):
    refuse_work(monkeypatch)
    existing = tmp_path / "existing_file"
    existing.write_text("keep")
    code, _, err = run(capsys, "plan", "--output", str(existing / "out.json"))
    assert (code, err.splitlines()[0]) == (2, f"error: --output {existing / 'out.json'}: {existing} is not a folder")
    assert existing.read_text() == "keep"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc, unwritable even for root")
def test_output_where_nothing_can_be_written(capsys, monkeypatch):
    refuse_work(monkeypatch)
    code, _, err = run(capsys, "plan", "--output", "/proc/out.json")
    assert code == 2
    first, hint = err.splitlines()
    assert first.startswith("error: --output /proc/out.json: cannot create a file in /proc (")
    assert hint == "hint: choose a folder you can write to"


def test_audit_checks_its_output_before_any_request(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    target = tmp_path / "missing" / "audit.json"
    # Port 9 answers nothing: reaching the network would be "cannot reach the AWS account".
    code, _, err = run(capsys, "audit", "--bucket", "mlteam-dev-raw", "--endpoint-url", "http://127.0.0.1:9",
                       "--region", "us-east-1", "--output", str(target))
    assert (code, err.splitlines()[0]) == (2, f"error: --output {target}: folder {target.parent} does not exist")


def test_output_is_replaced_whole_with_the_usual_mode(tmp_path, capsys):
    target = tmp_path / "plan.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    assert run(capsys, "plan", "--project-dir", str(REPO), "--format", "json", "--output", str(target)) == (0, "", "")
    assert json.loads(target.read_text())["stack"] == "dev"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json", "tmp"]
    fresh = tmp_path / "fresh.json"
    with open_output(fresh) as output:
        output.write("{}")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("failure", [RuntimeError("failed"), KeyboardInterrupt()], ids=["error", "ctrl-c"])
def test_an_unfinished_output_leaves_nothing(tmp_path, failure):
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(type(failure)), open_output(folder / "out.txt"):
        assert [p.name.endswith(TEMPORARY_SUFFIX) for p in folder.iterdir()] == [True]
        raise failure
    with open_output(folder / "out.txt"):
        pass  # finished without writing: nothing either
    assert list(folder.iterdir()) == []


def test_a_device_is_written_in_place_never_replaced():
    with open_output(Path("/dev/null")) as output:
        output.write("discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_demo_workdir_naming_a_file(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("")
    assert run(capsys, "demo", "--workdir", str(afile)) == (
        2, "", f"error: --workdir {afile}: is a file; --workdir names a folder (created if missing)\n")
    assert run(capsys, "demo", "--workdir", str(afile / "sub")) == (
        2, "", f"error: --workdir {afile / 'sub'}: {afile} is not a folder\n")


# --- real processes: Ctrl-C, and nothing printed at exit --------------------------------------


def start(*argv: str, **kwargs) -> subprocess.Popen[str]:
    return subprocess.Popen([*LAKE, *argv], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)


def wait_for(condition, process: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + PROCESS_TIMEOUT
    while not condition():
        assert process.poll() is None, f"the process ended before {what}: {process.communicate()}"
        assert time.monotonic() < deadline, f"no {what} within {PROCESS_TIMEOUT} s"
        time.sleep(0.05)


def interrupt(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=30)  # "promptly": it never hangs
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("the process did not end within 30 s of Ctrl-C") from None
    return process.returncode, out, err


SLOW = """\
import pathlib
import time

import pulumi_aws as aws

for index in range(5):
    aws.s3.Bucket(f"bucket{index}", bucket=f"slow-bucket-{index}")
pathlib.Path(__file__).with_name("started").touch()
time.sleep(120)
"""


def test_ctrl_c_while_the_program_runs_exits_130_with_one_line_and_no_output(tmp_path):
    folder = project(tmp_path, SLOW)
    target = tmp_path / "plan.json"
    process = start("plan", "--project-dir", str(folder), "--output", str(target))
    wait_for((folder / "started").exists, process, "program start")
    assert interrupt(process) == (130, "", "interrupted\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "tmp"]  # no plan.json, no temporary file


def pulumi_loaded(pid: int) -> bool:
    try:
        return "cygrpc" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="polls /proc/PID/maps")
@pytest.mark.parametrize("delay", [0.1, 0.6, 1.2, 2.0])
def test_ctrl_c_at_any_moment_of_a_real_plan_leaves_a_whole_file_or_none(tmp_path, delay):
    target = tmp_path / "plan.json"
    process = start("plan", "--format", "json", "--output", str(target))
    wait_for(lambda: pulumi_loaded(process.pid), process, "the Pulumi runtime loaded")
    time.sleep(delay)
    code, out, err = interrupt(process)
    assert out == ""
    if code == 0:  # finished before the signal: the whole plan
        assert err == "" and json.loads(target.read_text())["stack"] == "dev"
    else:
        assert (code, err) == (130, "interrupted\n")
        assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(TEMPORARY_SUFFIX)]


def test_nothing_is_printed_at_exit_even_under_load(tmp_path):
    """Two plans at a time on a small machine: no asyncio or thread noise when the process ends."""
    for round_ in range(2):
        processes = [start("plan", "--format", "json", "--output", str(tmp_path / f"plan{round_}{i}.json"))
                     for i in range(2)]
        for process in processes:
            out, err = process.communicate(timeout=PROCESS_TIMEOUT)
            assert "Exception ignored" not in err and "Traceback" not in err
            assert (process.returncode, out, err) == (0, "", "")


def test_ctrl_c_during_the_demo_stops_it_and_its_server(tmp_path):
    process = start("demo", "--workdir", str(tmp_path / "demo"), "--images", "2",
                    env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []

    def reached_a_step() -> bool:
        lines.append(process.stdout.readline())
        return lines[-1].startswith("## put")

    wait_for(reached_a_step, process, "the demo's first step")
    port = int(next(line for line in lines if line.startswith("moto on ")).split()[2].rsplit(":", 1)[1])
    code, _, err = interrupt(process)
    assert code == 130 and err.splitlines()[-1] == "interrupted" and "Traceback" not in err
    with pytest.raises(ConnectionRefusedError):  # the sandbox's server is gone with the demo
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_an_exception_that_follows_ctrl_c_is_reported_as_the_interruption(monkeypatch, capsys, tmp_path):
    """A library may turn the KeyboardInterrupt into another exception (an import interrupted
    half-way leaves a module without its attributes): that is still Ctrl-C, not a bug in lake."""
    crashes = tmp_path / "crashes"
    crashes.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(crashes))

    def interrupted_import(args):
        cli._INTERRUPTED.set()  # what main's SIGINT handler records
        raise AttributeError("module 'pulumi_aws.s3' has no attribute 'Bucket'")

    monkeypatch.setattr(cli, "_plan", interrupted_import)
    assert cli.main(["plan"]) == 130
    assert capsys.readouterr().err == "interrupted\n"
    assert not list(crashes.iterdir())  # no crash file either


@pytest.mark.parametrize("name", ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.yaml", "__main__.py"])
def test_plan_output_onto_one_of_its_inputs_is_refused_before_the_work(tmp_path, capsys, name):
    for source in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "__main__.py"):
        shutil.copy(REPO / source, tmp_path / source)
    before = (tmp_path / name).read_bytes()
    assert main(["plan", "--project-dir", str(tmp_path), "--output", str(tmp_path / name)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: --output {tmp_path / name}: is an input of this command", "hint: write the output to another file"]
    assert (tmp_path / name).read_bytes() == before


def test_plan_output_onto_its_config_file_is_refused(tmp_path, capsys):
    config = tmp_path / "stack.yaml"
    shutil.copy(REPO / "Pulumi.dev.yaml", config)
    assert main(["plan", "--config-file", str(config), "--output", str(config)]) == 2
    assert capsys.readouterr().err.startswith(f"error: --output {config}: is an input of this command\n")


def test_audit_output_onto_its_plan_is_refused_before_any_request(tmp_path, capsys):
    plan = tmp_path / "plan.json"
    assert main(["plan", "--format", "json", "--output", str(plan)]) == 0
    before = plan.read_bytes()
    assert main(["audit", "--tag", "lake=mlteam", "--against-plan", str(plan), "--output", str(plan),
                 "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: --output {plan}: is an input of this command", "hint: write the output to another file"]
    assert plan.read_bytes() == before
