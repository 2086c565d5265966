"""Test the newest versions pyproject.toml allows: `python3 scripts/upgrade_check.py [--lift NAME]`.

The project's own Renovate. In a scratch copy of the repository's committed files (or, with
--working-tree, of its working tree as it is) it resolves the newest versions pyproject.toml
allows (scripts/lock.py --upgrade), installs them with scripts/install.py --test into a scratch
virtualenv and runs the test suite there. When tests fail, it finds which upgrade breaks what: it
reruns the failing tests on the current lock (a failure that is there too is not an upgrade's),
then on the current lock with one package upgraded at a time (scripts/lock.py --upgrade-package
NAME, which may drag dependencies along: the report says what moved), until every failure is
explained or --max-minutes is spent.

``--lift NAME`` drops NAME's version bound from the scratch pyproject.toml first, to see what a
bound is holding back. The report (markdown) goes to stdout, and to --report FILE when given.
Exit 0 when nothing breaks, 1 when something does, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.util
import io
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lock  # noqa: E402  (the scripts' own modules, beside this file)
import locking  # noqa: E402

# A requirement string in pyproject.toml: "name[extras] specifier; marker".
REQUIREMENT = re.compile(r'"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?P<extras>\[[^\]"]*\])?'
                         r'(?P<spec>[^";]*)(?P<marker>;[^"]*)?"')
ERROR_WIDTH = 200  # characters of an error's first line kept in the report


class UsageError(Exception):
    """A bad option or a repository this script cannot work in: exit 2."""


class StepFailed(Exception):
    """Resolving, installing or testing could not be done; one line says why."""


class OutOfTime(StepFailed):
    """--max-minutes ran out: whether the upgrade breaks anything is not known."""


@dataclass(frozen=True)
class Change:
    name: str
    locked: str  # "" when the current lock does not have the package
    newest: str  # "" when the new resolution drops it


@dataclass(frozen=True)
class Failure:
    nodeid: str
    kind: str  # "failed" or "error"
    message: str  # the first line of the error


@dataclass
class Outcome:
    """One pytest run, read from its JUnit XML."""

    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    failures: dict[str, Failure] = field(default_factory=dict)  # by case_key(), in run order
    stopped: str = ""  # pytest's last line when it stopped before running every test


@dataclass
class Trial:
    """The failing tests rerun on a variant of the current lock (package None: no upgrade)."""

    package: str | None
    moved: list[Change] = field(default_factory=list)
    outcome: Outcome | None = None
    note: str = ""  # why the tests did not run, when they did not
    seconds: float = 0.0


@dataclass
class Attribution:
    trial: Trial
    reproduced: list[Failure]


@dataclass
class Findings:
    started: datetime.datetime
    tree: str = ""  # which files were tested
    lifted: list[tuple[str, str]] = field(default_factory=list)  # (requirement before, after)
    changes: list[Change] = field(default_factory=list)
    outcome: Outcome | None = None
    broken: str = ""  # the upgraded set could not be resolved, installed or tested
    unknown: bool = False  # ... because the time ran out, not because it broke
    baseline: Trial | None = None
    pre_existing: list[Failure] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    unexplained: list[Failure] = field(default_factory=list)
    untried: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)

    def breaks(self):
        """Pre-existing failures are the tree's, not an upgrade's: they alone do not fail the check.
        A check that ran out of time fails too: it cannot say that nothing breaks."""
        return bool(self.broken or self.unexplained or any(a.reproduced for a in self.attributions))


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse(argv)
        uv = args.uv or ensure_uv()
        findings = run_check(args, uv)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except StepFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a full disk, a scratch directory that cannot be written
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    report = render(findings)
    print(report, end="")
    if args.report:
        Path(args.report).write_text(report, encoding="utf-8")
    return 1 if findings.breaks() else 0


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/upgrade_check.py", description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="scratch directory, kept afterwards (default: a temporary one)")
    parser.add_argument("--report", help="also write the markdown report to this file")
    parser.add_argument("--max-minutes", type=float, default=60.0, help="cap on the whole check (default 60)")
    parser.add_argument("--working-tree", action="store_true",
                        help="test the working tree's files, uncommitted changes included (default: HEAD's)")
    parser.add_argument("--lift", action="append", default=[], metavar="NAME",
                        help="drop NAME's version bound from the scratch pyproject.toml first")
    parser.add_argument("--uv", help="a uv executable to use instead of the locked one")
    args = parser.parse_args(argv)  # exits 2 itself, with one line, on a bad option
    if tuple(sys.version_info[:2]) < locking.requires_python():
        raise UsageError("run this script with the Python the project requires (pyproject.toml requires-python)")
    if args.max_minutes <= 0:
        raise UsageError("--max-minutes must be positive")
    if args.workdir and args.workdir.exists() and any(args.workdir.iterdir()):
        raise UsageError(f"--workdir {args.workdir} is not empty")
    if args.report and not Path(args.report).resolve().parent.is_dir():
        raise UsageError(f"--report {args.report}: no such directory")
    # Checked now rather than after the first step, which may be minutes later.
    lift_bounds(locking.PYPROJECT.read_text(encoding="utf-8"), args.lift)
    return args


def ensure_uv() -> str:
    # lock.py prints its own errors; its SystemExit carries one line, which main() prints.
    try:
        return lock.ensure_uv()
    except SystemExit as exit_:
        raise StepFailed(str(exit_.code).removeprefix("error: ")) from None


def run_check(args: argparse.Namespace, uv: str) -> Findings:
    findings = Findings(started=datetime.datetime.now(datetime.timezone.utc))
    clock = Clock(args.max_minutes * 60)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="upgrade-check-"))
    try:
        tree = workdir / "tree"
        findings.tree = copy_tree(locking.REPO, tree, args.working_tree)
        pyproject = tree / "pyproject.toml"
        text, findings.lifted = lift_bounds(pyproject.read_text(encoding="utf-8"), args.lift)
        pyproject.write_text(text, encoding="utf-8")
        check_upgraded(findings, tree, workdir / "upgraded", uv, clock)
        if findings.outcome and findings.outcome.failures:
            explain(findings, tree, workdir, uv, clock)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    findings.durations["total"] = clock.elapsed()
    return findings


class Clock:
    """Seconds since the start, and what is left of --max-minutes."""

    def __init__(self, budget: float):
        self.start = time.monotonic()
        self.budget = budget

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def left(self) -> float:
        return self.budget - self.elapsed()


def say(message: str) -> None:
    # Progress goes to stderr so that stdout is the report alone.
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def check_upgraded(findings: Findings, tree: Path, root: Path, uv: str, clock: Clock) -> None:
    """Resolve, install and test the newest allowed versions; a failing step is the finding."""
    shutil.copytree(tree, root, symlinks=True)
    try:
        say("resolving the newest versions allowed (uv lock --upgrade)")
        relock(root, uv, ["--upgrade"])
        findings.changes = differences(locked_versions(tree / "uv.lock"), locked_versions(root / "uv.lock"))
        say(f"{len(findings.changes)} packages change; installing them into {root / '.venv'}")
        install(root)
        findings.durations["resolve and install"] = clock.elapsed()
        say("running the test suite on the newest versions")
        findings.outcome = run_tests(root, [], clock.left())
        findings.durations["test suite"] = clock.elapsed() - findings.durations["resolve and install"]
    except StepFailed as error:
        findings.broken = str(error)
        findings.unknown = isinstance(error, OutOfTime)
    finally:
        shutil.rmtree(root / ".venv", ignore_errors=True)


def explain(findings: Findings, tree: Path, workdir: Path, uv: str, clock: Clock) -> None:
    """Attribute the failures: first the current lock, then one upgrade at a time."""
    started = clock.elapsed()
    current = locked_versions(tree / "uv.lock")

    def trial(package: str | None, tests: list[str]) -> Trial:
        return try_variant(tree, workdir / f"variant-{package or 'current'}", package, tests, uv, current, clock)

    failing = dict(findings.outcome.failures)
    say(f"rerunning {len(failing)} failing tests on the current lock")
    findings.baseline = trial(None, list(failing))
    if findings.baseline.outcome:
        findings.pre_existing = [failing.pop(key) for key in list(failing) if key in findings.baseline.outcome.failures]
    candidates = [change.name for change in findings.changes if change.locked and change.newest]
    findings.attributions, unexplained, findings.untried = attribute(
        failing, candidates, trial, lambda: clock.left() <= 0)
    findings.unexplained = list(unexplained.values())
    findings.durations["attribution"] = clock.elapsed() - started


def attribute(failing: dict[str, Failure], candidates: list[str], trial: Callable[[str, list[str]], Trial],
              out_of_time: Callable[[], bool]) -> tuple[list[Attribution], dict[str, Failure], list[str]]:
    """Try each upgrade alone, in order, on the failures still unexplained.

    Returns the attempts (with the failures each reproduced), the failures no attempt reproduced,
    and the packages not tried because time ran out. Stops once every failure is explained."""
    unexplained = dict(failing)
    attributions = []
    for index, package in enumerate(candidates):
        if not unexplained:
            break
        if out_of_time():
            return attributions, unexplained, candidates[index:]
        say(f"upgrading {package} alone; rerunning {len(unexplained)} failing tests")
        result = trial(package, list(unexplained))
        found = result.outcome.failures if result.outcome else {}
        # Reported as the full run saw them: the variant may name the same cases differently.
        attributions.append(Attribution(result, [unexplained.pop(key) for key in found if key in unexplained]))
    return attributions, unexplained, []


def try_variant(tree: Path, root: Path, package: str | None, tests: list[str], uv: str,
                current: dict[str, str], clock: Clock) -> Trial:
    started = clock.elapsed()
    result = Trial(package)
    shutil.copytree(tree, root, symlinks=True)
    try:
        # Without an upgrade this still relocks: a --lift changed pyproject.toml, so the exports'
        # headers must be rewritten for install.py to accept them.
        relock(root, uv, [f"--upgrade-package={package}"] if package else [])
        result.moved = differences(current, locked_versions(root / "uv.lock"))
        if package and not any(change.name == package for change in result.moved):
            result.note = "does not move on its own (the other locked versions hold it back)"
            return result
        install(root)
        result.outcome = run_tests(root, tests, clock.left())
    except StepFailed as error:
        result.note = str(error)
    finally:
        shutil.rmtree(root / ".venv", ignore_errors=True)
        result.seconds = clock.elapsed() - started
    return result


def copy_tree(repo: Path, dest: Path, working_tree: bool) -> str:
    """The repository's files into dest, and a line saying which ones.

    By default the committed tree (HEAD): a working tree shared with work in progress may hold
    edited tracked files that import files not yet added, which fail every test run alike."""
    commit = git(repo, "rev-parse", "--short", "HEAD").decode().strip()
    if not working_tree:
        with tarfile.open(fileobj=io.BytesIO(git(repo, "archive", "--format=tar", "HEAD"))) as archive:
            archive.extractall(dest, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        return f"{commit} (committed files)"
    # Tracked files as edited, and the files not added yet that .gitignore does not exclude.
    listed = git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in listed.decode().split("\0"):
        source = repo / name
        # Deleted but not yet committed, or a submodule: nothing to copy.
        if not name or not os.path.lexists(source) or source.is_dir() and not source.is_symlink():
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest / name, follow_symlinks=False)
    return f"the working tree at {commit} (uncommitted changes and files not added included)"


def git(repo: Path, *arguments: str) -> bytes:
    try:
        return subprocess.run(["git", "-C", str(repo), *arguments], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        raise UsageError(f"{repo}: git {arguments[0]} failed (is it a git checkout with a commit?)") from None


def lift_bounds(text: str, names: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """pyproject.toml's text with every requirement on NAME unbounded, and what was replaced."""
    wanted = {canonical(name) for name in names}
    lifted: list[tuple[str, str]] = []
    found: set[str] = set()

    def unbound(match: re.Match) -> str:
        # Strings that are no requirement ("components*") have no comparison operator.
        if canonical(match["name"]) not in wanted or match["spec"].strip()[:1] not in ("<", ">", "=", "!", "~"):
            return match[0]
        after = f'"{match["name"]}{match["extras"] or ""}{match["marker"] or ""}"'
        lifted.append((match[0], after))
        found.add(canonical(match["name"]))
        return after

    lines = [line if line.lstrip().startswith("#") else REQUIREMENT.sub(unbound, line)
             for line in text.splitlines(keepends=True)]
    missing = wanted - found
    if missing:
        raise UsageError(f"--lift {', '.join(sorted(missing))}: pyproject.toml bounds no such requirement")
    return "".join(lines), lifted


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def relock(root: Path, uv: str, upgrade: list[str]) -> None:
    """scripts/lock.py as copied into root, run there: uv.lock and the exports install.py reads."""
    module = load_lock_script(root)
    # The separate resolutions (uv itself, the benchmark peers) feed no test: skipping them saves
    # a network round per package tried.
    module.locking.SEPARATE_LOCKS = ()
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # stdout is for the report
            module.main(["--uv", uv, *upgrade])
    except SystemExit as exit_:
        raise StepFailed(f"resolving failed: {str(exit_.code).removeprefix('error: ')}") from None


def load_lock_script(root: Path):
    """A private instance of root's scripts/lock.py and scripts/locking.py.

    Every path and digest they derive (REPO, the locks, pyproject.toml) is then root's, so the
    scratch locks get the headers that root's install.py checks. The repository's own modules
    stay as they were."""
    saved = sys.modules.pop("locking", None)
    path = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location(f"lock_in_{root.name}", root / "scripts" / "lock.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # puts root/scripts first on sys.path and imports its locking
    finally:
        sys.modules.pop("locking", None)
        if saved is not None:
            sys.modules["locking"] = saved
        sys.path[:] = path
    return module


def install(root: Path) -> None:
    done = subprocess.run([sys.executable, str(root / "scripts" / "install.py"), "--test",
                           "--venv", str(root / ".venv")], capture_output=True, text=True)
    if done.returncode != 0:
        first = next((line for line in done.stderr.splitlines() if line.strip()), f"exit {done.returncode}")
        raise StepFailed(f"installing failed: {first.removeprefix('error: ')}")


def locked_versions(path: Path) -> dict[str, str]:
    """Package name -> version(s) in a uv.lock; a universal lock may hold several versions of one."""
    import tomllib  # Python 3.11+, checked by parse()

    versions: dict[str, set[str]] = {}
    for package in tomllib.loads(path.read_text(encoding="utf-8")).get("package", []):
        source = package.get("source", {})
        if "editable" in source or "virtual" in source:  # the project itself
            continue
        versions.setdefault(package["name"], set()).add(package.get("version", "?"))
    return {name: ", ".join(sorted(found)) for name, found in versions.items()}


def differences(current: dict[str, str], newest: dict[str, str]) -> list[Change]:
    return [Change(name, current.get(name, ""), newest.get(name, ""))
            for name in sorted(current.keys() | newest.keys()) if current.get(name) != newest.get(name)]


def run_tests(root: Path, tests: list[str], seconds_left: float) -> Outcome:
    """pytest in root's virtualenv (all tests, or the functions of tests), stopped when the time is up."""
    if seconds_left <= 0:
        raise OutOfTime("--max-minutes was spent before the tests could run")
    venv = root / ".venv"
    junit = root / "junit.xml"
    # xunit1 keeps each test's file, which the node ids are rebuilt from. pytest's cache stays on:
    # tests keep downloads in it (the SARIF schema) and fail without it; here it is root's own.
    command = [str(venv / "bin" / "pytest"), "-q", "-o", "junit_family=xunit1", f"--junitxml={junit}",
               *selection(tests)]
    env = dict(os.environ, VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    with open(root / "pytest.log", "w", encoding="utf-8") as log:
        # A session of its own, so that a timeout stops the servers the tests started too.
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            code = process.wait(timeout=seconds_left)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise OutOfTime("the tests did not finish within --max-minutes") from None
    # 2: interrupted, by collection errors among others; the JUnit file still lists those.
    if code not in (0, 1, 2) or not junit.is_file():
        raise StepFailed(f"pytest exited {code}: {last_line(root / 'pytest.log')} (see {root / 'pytest.log'})")
    outcome = read_junit(junit)
    if code == 2:
        outcome.stopped = last_line(root / "pytest.log")
    return outcome


def selection(tests: list[str]) -> list[str]:
    """The test functions of tests (node ids or case keys), each once. pytest splits a command-line
    node id at every "::", parameter ids included ("arn:aws:s3:::bucket"), so a parametrized case
    cannot be named alone; and every case of a function must run for case_key() to line up.
    The extra cases are not counted: only failures already known are compared."""
    return list(dict.fromkeys(test.partition("[")[0] for test in tests))


def last_line(log: Path) -> str:
    lines = [line.strip(" =!") for line in log.read_text(encoding="utf-8", errors="replace").splitlines()]
    return next((line for line in reversed(lines) if line), "no output")


def read_junit(path: Path) -> Outcome:
    outcome = Outcome()
    cases: dict[str, list[str]] = {}  # test function -> the node ids of its cases, in run order
    for case in ET.parse(path).iter("testcase"):
        nodeid = nodeid_of(case)
        key = case_key(nodeid, cases)
        problem = next((child for child in case if child.tag in ("failure", "error")), None)
        if problem is None:
            skipped = any(child.tag == "skipped" for child in case)
            outcome.skipped += skipped
            outcome.passed += not skipped
            continue
        if key in outcome.failures:  # a test that failed and then erred in teardown counts once
            continue
        if problem.tag == "failure":
            outcome.failed += 1
        else:
            outcome.errors += 1
        kind = "failed" if problem.tag == "failure" else "error"
        outcome.failures[key] = Failure(nodeid, kind, first_line(problem.get("message") or problem.text or ""))
    return outcome


def case_key(nodeid: str, cases: dict[str, list[str]]) -> str:
    """What identifies a test across runs: its node id, or for a parametrized case its function and
    position ("f.py::test[#3]"). pytest releases name parameter cases differently (9.2 names long
    strings by argument and index), while the order of the cases stays."""
    function, bracket, _ = nodeid.partition("[")
    seen = cases.setdefault(function, [])
    if nodeid not in seen:
        seen.append(nodeid)
    return f"{function}[#{seen.index(nodeid)}]" if bracket else nodeid


def nodeid_of(case: ET.Element) -> str:
    """pytest's node id from an xunit1 testcase: file, classes, name."""
    file = case.get("file", "")
    classname, name = case.get("classname", ""), case.get("name", "")
    module = re.sub(r"\.py$", "", file).replace("/", ".")
    if not classname:  # a collection error names the module only
        return file or name
    classes = classname[len(module) + 1:].split(".") if classname.startswith(module + ".") else []
    return "::".join([file, *[part for part in classes if part], name])


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()] or [""]
    # pytest's assertion messages start "AssertionError:" and say what failed on the next line.
    line = " ".join(lines[:2]) if lines[0].endswith(":") else lines[0]
    return line if len(line) <= ERROR_WIDTH else line[:ERROR_WIDTH - 1] + "…"


# ---- the report ----------------------------------------------------------------------------------


def render(findings: Findings) -> str:
    sections = [header(findings), changes_table(findings.changes), summary(findings)]
    if findings.outcome and findings.outcome.failures:
        sections += [attribution_table(findings), leftovers(findings), failure_list(findings.outcome)]
    return "\n\n".join(section for section in sections if section) + "\n"


def header(findings: Findings) -> str:
    lifted = "; ".join(f"`{before}` → `{after}`" for before, after in findings.lifted) or "none"
    durations = ", ".join(f"{name} {minutes(seconds)}" for name, seconds in findings.durations.items())
    return "\n".join([
        "# Dependency upgrade check",
        "",
        f"- Date: {findings.started:%Y-%m-%d %H:%M} UTC",
        f"- Python: {platform.python_version()} ({platform.python_implementation()})",
        f"- Machine: {os.cpu_count()} cores (nproc), {platform.platform()}",
        f"- Tree: {findings.tree}",
        f"- Bounds lifted: {lifted}",
        f"- Durations: {durations}",
        f"- Verdict: {verdict(findings)}",
    ])


def verdict(findings: Findings) -> str:
    if findings.broken:
        return f"{'unknown' if findings.unknown else 'breaks'}: {findings.broken}"
    if not findings.breaks():
        return "nothing breaks" + (" (the failures also fail on the current lock)" if findings.pre_existing else "")
    outcome = findings.outcome
    errors = f"{outcome.errors} error" + ("" if outcome.errors == 1 else "s")
    also = f" ({len(findings.pre_existing)} of them also on the current lock)" if findings.pre_existing else ""
    return f"breaks: {outcome.failed} failed, {errors} with the newest versions{also}"


def changes_table(changes: list[Change]) -> str:
    if not changes:
        return "## Changed packages\n\nNone: the lock already has the newest versions allowed."
    rows = [f"| {c.name} | {c.locked or '—'} | {c.newest or '—'} |" for c in changes]
    return "\n".join([f"## Changed packages ({len(changes)})", "", "| Package | Locked | Newest |",
                      "|---|---|---|", *rows])


def summary(findings: Findings) -> str:
    outcome = findings.outcome
    if outcome is None:
        return "## Test suite\n\nNot run: " + (findings.broken or "see above") + "."
    total = outcome.passed + outcome.failed + outcome.errors + outcome.skipped
    stopped = ["", f"pytest stopped before running every test: {outcome.stopped}."] if outcome.stopped else []
    return "\n".join(["## Test suite on the newest versions", "", "| Passed | Failed | Errors | Skipped | Total |",
                      "|---|---|---|---|---|",
                      f"| {outcome.passed} | {outcome.failed} | {outcome.errors} | {outcome.skipped} | {total} |",
                      *stopped])


def attribution_table(findings: Findings) -> str:
    rows = []
    for attribution in findings.attributions:
        trial = attribution.trial
        own = next((c for c in trial.moved if c.name == trial.package), None)
        along = ", ".join(f"{c.name} {c.locked or '—'} → {c.newest or '—'}" for c in trial.moved
                          if c.name != trial.package) or "—"
        first = attribution.reproduced[0] if attribution.reproduced else None
        rows.append("| " + " | ".join([
            trial.package, own.newest if own else "(did not move)", along,
            str(len(attribution.reproduced)) if trial.outcome else cell(trial.note),
            f"`{first.nodeid}`" if first else "—", cell(first.message) if first else "—",
            minutes(trial.seconds)]) + " |")
    if not rows:
        return "## Failures by upgrade\n\nNo single upgrade was tried."
    return "\n".join(["## Failures by upgrade", "",
                      "Each package upgraded alone on the current lock, the failing tests rerun.", "",
                      "| Package | Version | Moved along | Failures reproduced | First failing test | First error line "
                      "| Took |", "|---|---|---|---|---|---|---|", *rows])


def leftovers(findings: Findings) -> str:
    lines = ["## Unattributed", ""]
    baseline = findings.baseline
    if baseline and not baseline.outcome:
        lines.append(f"- The current lock could not be checked: {baseline.note}")
    if findings.pre_existing:
        lines.append(f"- {len(findings.pre_existing)} fail on the current lock too (not an upgrade's doing), "
                     f"first `{findings.pre_existing[0].nodeid}`: {findings.pre_existing[0].message}")
    if findings.unexplained:
        why = "time ran out" if findings.untried else "no single upgrade reproduces them (a combination does)"
        lines.append(f"- {len(findings.unexplained)} unexplained ({why}), first "
                     f"`{findings.unexplained[0].nodeid}`: {findings.unexplained[0].message}")
    if findings.untried:
        lines.append(f"- Not tried before --max-minutes ran out: {', '.join(findings.untried)}")
    return "\n".join(lines) if len(lines) > 2 else "## Unattributed\n\nNone: every failure is explained."


def failure_list(outcome: Outcome) -> str:
    items = [f"- `{f.nodeid}` ({f.kind}): {f.message}" for f in outcome.failures.values()]
    return "\n".join([f"<details><summary>All {len(items)} failing tests</summary>", "", *items, "", "</details>"])


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


if __name__ == "__main__":
    sys.exit(main())
