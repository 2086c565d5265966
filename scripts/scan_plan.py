"""Run checkov on the stacks' plans as Terraform plan documents, and prove that checkov reads them.

`.venv/bin/python scripts/scan_plan.py [--stack NAME ...] [--write] [--venv DIR] [--workdir DIR]`

For each stack (default: dev and prod) it writes the plan with `lake plan --format terraform-plan`
and runs `checkov -f FILE --framework terraform_plan -o json` on it. Then it makes DELIBERATELY
WEAKENED copies of the first stack's document (a bucket without its encryption resource, versioning
suspended, Block Public Access off, a key without rotation...), each naming the checkov checks that
must fail on it and did not fail before (scripts/plan_weakenings.py): a copy whose checks stay silent
means checkov does not read what the document says; one that names no check shows what checkov has no
check for (its ``blind_spot`` says why). `--write` replaces the report in
docs/assurance.md between its markers; every check failing on an unweakened plan must be classified
there (real gap, waiver or scanner limitation) by a hand-written line naming its id.

checkov is not a project dependency: it runs from its own virtualenv (default
benchmarks/.bench-venvs/checkov, gitignored), installed with hashes from scripts/peers/checkov.txt
on first use. Not run in CI. Exit codes: 0 every weakened copy raised what it names and every
failure is classified, 1 otherwise, 2 bad usage, 3 an internal error (checkov or lake crashed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))
from benchmarks import peer_venv  # noqa: E402  (the benchmark peers' installer, reused for checkov)
from plan_weakenings import WEAKENINGS, Expected, Weakening, WeakeningError, planned, weakened  # noqa: E402

PEERS = REPO / "scripts" / "peers"
DEFAULT_VENV = peer_venv.VENVS / "checkov"
ASSURANCE_MD = REPO / "docs" / "assurance.md"
START, END = "<!-- checkov-report:start -->", "<!-- checkov-report:end -->"
STACKS = ("dev", "prod")


class UsageError(Exception):
    """Bad options or input."""

    exit_code = 2


class InternalError(Exception):
    """lake or checkov failed in a way no option explains."""

    exit_code = 3


# checkov's results.

@dataclass(frozen=True)
class Failure:
    check: str
    title: str
    resource: str


@dataclass
class Scan:
    name: str
    resources: int  # in the document
    read: int  # resources checkov reports it read
    passed: int
    failures: list[Failure] = field(default_factory=list)

    def failed(self) -> set[tuple[str, str]]:
        return {(f.check, f.resource) for f in self.failures}


def parse_checkov(name: str, resources: int, output: str) -> Scan:
    """A Scan from checkov's ``-o json`` output for one file (an object, or a list of one per framework)."""
    try:
        report = json.loads(output)
    except json.JSONDecodeError as error:
        raise InternalError(f"checkov printed no JSON for {name}: {error}") from None
    if isinstance(report, list):
        report = next((r for r in report if r.get("check_type") == "terraform_plan"), {})
    summary, results = report.get("summary", {}), report.get("results", {})
    failures = sorted({Failure(r["check_id"], r["check_name"], r["resource"])
                       for r in results.get("failed_checks", [])}, key=lambda f: (f.check, f.resource))
    return Scan(name, resources, summary.get("resource_count", 0), summary.get("passed", 0), failures)


def resource_count(document: dict) -> int:
    return sum(1 for r in planned(document) if r.get("mode", "managed") == "managed")


def run_checkov(checkov: Path, path: Path, name: str) -> Scan:
    """checkov on one document. No --quiet: it drops the passed checks this report counts.
    --skip-download: no call to Prisma Cloud for guidelines (offline, and nothing sent)."""
    done = subprocess.run([str(checkov), "-f", str(path), "--framework", "terraform_plan", "-o", "json",
                           "--skip-download"], capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise InternalError(f"checkov exited {done.returncode} on {path}: {done.stderr.strip()[-500:]}")
    return parse_checkov(name, resource_count(json.loads(path.read_text())), done.stdout)


# What the weakened copies proved.

@dataclass(frozen=True)
class Proof:
    weakening: Weakening
    expected: Expected
    raised: Expected
    missing: Expected
    also: Expected  # other new failures, beside the expected ones
    error: str = ""  # the document lacked what the weakening edits


def prove(weakening: Weakening, expected: Expected, baseline: Scan, scan: Scan) -> Proof:
    """Expected failures must be new: failing already on the unweakened plan proves nothing."""
    new = scan.failed() - baseline.failed()
    raised = tuple(pair for pair in expected if pair in new)
    missing = tuple(pair for pair in expected if pair not in new)
    return Proof(weakening, expected, raised, missing, tuple(sorted(new - set(expected))))


def proof_line(proof: Proof) -> str:
    name = proof.weakening.name
    if proof.error:
        return f"{name}: not applied: {proof.error}"
    if not proof.expected:
        extra = f"; raised anyway: {pairs(proof.also)}" if proof.also else ""
        return f"{name}: no check expected ({proof.weakening.blind_spot}){extra}"
    verdict = "raised" if not proof.missing else f"MISSING {pairs(proof.missing)}"
    extra = f"; also {pairs(proof.also)}" if proof.also else ""
    return f"{name}: {verdict} (expected {pairs(proof.expected)}){extra}"


def pairs(found: Expected) -> str:
    return ", ".join(f"{check} on {resource}" for check, resource in found)


def proofs_failed(proofs: Sequence[Proof]) -> list[Proof]:
    return [p for p in proofs if p.missing or p.error]


# Classification: every failure on an unweakened plan is named in docs/assurance.md outside the report.

def hand_written(text: str) -> str:
    return re.sub(re.escape(START) + ".*?" + re.escape(END), "", text, flags=re.S)


def unclassified(scans: Sequence[Scan], assurance_text: str) -> list[str]:
    written = hand_written(assurance_text)
    checks = sorted({f.check for scan in scans for f in scan.failures})
    return [check for check in checks if not re.search(rf"\b{re.escape(check)}\b", written)]


# Rendering.

def summary_lines(scan: Scan) -> list[str]:
    head = (f"{scan.name}: checkov read {scan.read} of {scan.resources} resources; "
            f"{scan.passed} passed, {len(scan.failures)} failed")
    return [head, *(f"  FAILED {f.check} {f.resource}: {f.title}" for f in scan.failures)]


def failure_rows(scans: Sequence[Scan]) -> list[str]:
    """One row per failing check on the unweakened plans: its title, and the resources per plan (plans
    failing on the same resources share one entry)."""
    titles: dict[str, str] = {}
    where: dict[str, dict[str, list[str]]] = {}
    for scan in scans:
        for failure in scan.failures:
            titles[failure.check] = failure.title
            where.setdefault(failure.check, {}).setdefault(scan.name, []).append(f"`{failure.resource}`")
    rows = ["| Check | checkov's title | Resources failing |", "|---|---|---|"]
    for check in sorted(titles, key=check_order):
        rows.append(f"| {check} | {titles[check]} | {places(where[check])} |")
    return rows


def places(by_plan: dict[str, list[str]]) -> str:
    plans_of: dict[str, list[str]] = {}
    for plan, resources in by_plan.items():
        plans_of.setdefault(", ".join(resources), []).append(plan)
    return "; ".join(f"{', '.join(plans)}: {resources}" for resources, plans in plans_of.items())


def check_order(check: str) -> tuple[str, int]:
    prefix, _, number = check.rpartition("_")
    return prefix, int(number) if number.isdigit() else 0


def proof_rows(proofs: Sequence[Proof]) -> list[str]:
    rows = ["| Copy | What was weakened | Must fail | Result |", "|---|---|---|---|"]
    for proof in proofs:
        must = ", ".join(sorted({check for check, _ in proof.expected}, key=check_order)) or "none (blind spot)"
        rows.append(f"| `{proof.weakening.name}` | {proof.weakening.what} | {must} | {proof_result(proof)} |")
    return rows


def proof_result(proof: Proof) -> str:
    if proof.error:
        return f"not applied: {proof.error}"
    if not proof.expected:
        return f"nothing raised: {proof.weakening.blind_spot}" if not proof.also else f"raised {pairs(proof.also)}"
    result = "raised" if not proof.missing else f"**missing**: {pairs(proof.missing)}"
    return result + (f"; also {pairs(proof.also)}" if proof.also else "")


def render(scans: Sequence[Scan], proofs: Sequence[Proof], version: str, weakened_plan: str) -> str:
    caught = sum(1 for p in proofs if p.expected and not p.missing and not p.error)
    named = sum(1 for p in proofs if p.expected or p.error)
    blind = sum(1 for p in proofs if not p.expected and not p.error)
    lines = [
        START,
        "Generated by `.venv/bin/python scripts/scan_plan.py --write`; do not edit between these markers.",
        "",
        f"checkov {version}, `checkov -f <plan> --framework terraform_plan -o json --skip-download`, on "
        "`lake plan --format terraform-plan` of each stack.",
        "",
        "| Plan | Resources checkov read / in the document | Passed | Failed |",
        "|---|---:|---:|---:|",
        *(f"| {s.name} | {s.read} / {s.resources} | {s.passed} | {len(s.failures)} |" for s in scans),
        "",
        *failure_rows(scans),
        "",
        f"Weakened copies of the {weakened_plan} plan: {caught} of the {named} that name checks raised all of "
        f"them (a check counts only if it did not fail on the unweakened plan); {blind} checkov cannot see.",
        "",
        *proof_rows(proofs),
        END,
    ]
    return "\n".join(lines) + "\n"


def write_report(text: str, path: Path = ASSURANCE_MD) -> None:
    """Replace the report between the markers, or append it under its section when there are none."""
    current = path.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END) + "\n?", re.S)
    updated = pattern.sub(lambda _: text, current) if pattern.search(current) else current.rstrip("\n") + "\n\n" + text
    path.write_text(updated)


# Producing the documents.

def lake_executable() -> Path:
    lake = Path(sys.executable).parent / "lake"
    if not lake.exists():
        raise UsageError(f"no lake beside {sys.executable}: run this script with the project's .venv/bin/python")
    return lake


def plan_document(stack: str, path: Path) -> None:
    """`lake plan --format terraform-plan` of ``stack`` into ``path`` (its exit 2 is a usage error)."""
    done = subprocess.run([str(lake_executable()), "plan", "--stack", stack, "--format", "terraform-plan",
                           "--no-audit", "--output", str(path)], capture_output=True, text=True, cwd=REPO)
    if done.returncode == 2:
        raise UsageError(done.stderr.strip() or f"lake plan --stack {stack} refused its input")
    if done.returncode != 0:
        raise InternalError(f"lake plan --stack {stack} exited {done.returncode}: {done.stderr.strip()[-500:]}")


def scan_weakenings(checkov: Path, document: dict, baseline: Scan, workdir: Path) -> list[Proof]:
    """Each weakened copy scanned by checkov, several at a time (one checkov run takes seconds)."""
    def scan(weakening: Weakening) -> Proof:
        try:
            copied, expected = weakened(document, weakening)
        except WeakeningError as error:
            return Proof(weakening, (), (), (), (), error=str(error))
        path = workdir / f"{baseline.name}-{weakening.name}.json"
        path.write_text(json.dumps(copied, indent=1))
        return prove(weakening, expected, baseline, run_checkov(checkov, path, weakening.name))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(scan, WEAKENINGS))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/scan_plan.py", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", action="append", dest="stacks", metavar="NAME",
                        help="a stack to plan and scan (repeatable; default: dev and prod); the first is weakened")
    parser.add_argument("--document", action="append", type=Path, default=[], metavar="FILE",
                        help="scan this Terraform plan JSON instead of planning the stacks (repeatable)")
    parser.add_argument("--write", action="store_true", help=f"replace the report in {ASSURANCE_MD.relative_to(REPO)}")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="checkov's virtualenv (created if missing)")
    parser.add_argument("--workdir", type=Path, help="keep the documents here (default: a temporary folder)")
    args = parser.parse_args(argv)
    check_args(args)
    return args


def check_args(args: argparse.Namespace) -> None:
    if args.stacks and args.document:
        raise UsageError("--stack and --document do not go together: scan the stacks' plans or the given files")
    for path in args.document:
        if not path.is_file():
            raise UsageError(f"--document {path}: no such file")
    for option, path in (("--venv", args.venv), ("--workdir", args.workdir)):
        if path is not None and path.is_file():
            raise UsageError(f"{option} {path}: is a file, not a folder")


def documents(args: argparse.Namespace, workdir: Path) -> list[tuple[str, Path]]:
    if args.document:
        return [(path.stem, path) for path in args.document]
    found = []
    for stack in args.stacks or STACKS:
        path = workdir / f"{stack}.json"
        plan_document(stack, path)
        found.append((stack, path))
    return found


def load(path: Path) -> dict:
    try:
        document = json.loads(path.read_text())
        planned(document)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(f"{path}: not a Terraform plan JSON document ({type(error).__name__}: {error})") from None
    return document


def run(args: argparse.Namespace, workdir: Path) -> int:
    checkov = peer_venv.ensure_tool("checkov", "checkov", "once; about a minute", peers=PEERS, venv=args.venv)
    named = documents(args, workdir)
    scans = [run_checkov(checkov, path, name) for name, path in named]
    for scan in scans:
        print("\n".join(summary_lines(scan)))
    proofs = scan_weakenings(checkov, load(named[0][1]), scans[0], workdir)
    print(f"weakened copies of {named[0][0]}:")
    print("\n".join("  " + proof_line(p) for p in proofs))
    if args.write:
        write_report(render(scans, proofs, peer_venv.pinned_version("checkov", PEERS), named[0][0]))
        print(f"wrote {ASSURANCE_MD.relative_to(REPO)}")
    return verdict(scans, proofs)


def verdict(scans: Sequence[Scan], proofs: Sequence[Proof]) -> int:
    problems = [f"{p.weakening.name} did not raise what it names" for p in proofs_failed(proofs)]
    problems += [f"{s.name}: checkov read {s.read} of {s.resources} resources" for s in scans if s.read != s.resources]
    problems += [f"{check} fails on an unweakened plan and docs/assurance.md does not classify it"
                 for check in unclassified(scans, ASSURANCE_MD.read_text())]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        if args.workdir is not None:
            args.workdir.mkdir(parents=True, exist_ok=True)
            return run(args, args.workdir)
        with tempfile.TemporaryDirectory(prefix="scan-plan-") as scratch:
            return run(args, Path(scratch))
    except (UsageError, InternalError) as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
