"""The `lake audit` command line: which buckets, which account, which report.

Exit codes as `lake plan`: 0 clean; 1 a mandatory rule fails (LAKE.11 included: a setting that
could not be read), or drift with --fail-on-drift; 2 bad usage, unreadable input, or an account
that cannot be reached (one line, no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "markdown", "sarif")


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a positive whole number")
    return int(value)


def add_audit_parser(commands: Any) -> None:
    from policies.adapters.live import DEFAULT_CONCURRENCY

    audit = commands.add_parser(
        "audit",
        help="check the deployed lake against the same rules, and its drift from a plan",
        description="Read the deployed buckets (and the keys, endpoint, crawlers, workgroups and queues they "
        "lead to) with boto3, and judge them with the rules of `lake plan`. Read-only: it never changes AWS.",
    )
    which = audit.add_argument_group("which buckets (at least one; they add up)")
    which.add_argument("--stack-outputs", type=Path, metavar="FILE",
                       help="a saved `pulumi stack output --json` of this program")
    which.add_argument("--bucket", action="append", default=[], metavar="NAME", help="a bucket name (repeatable)")
    which.add_argument("--tag", metavar="KEY=VALUE", help="every bucket with this tag, e.g. lake=mlteam")
    which.add_argument("--prefix", help="every bucket whose name starts with this")
    where = audit.add_argument_group("which account")
    where.add_argument("--region", help="AWS region (default: the profile's or AWS_REGION)")
    where.add_argument("--profile", help="AWS named profile (default: the usual credential chain)")
    where.add_argument("--endpoint-url", help="an S3-compatible test server, e.g. http://127.0.0.1:5000 (moto)")
    where.add_argument("--concurrency", type=_positive, default=DEFAULT_CONCURRENCY,
                       help=f"reads in flight at once (default: {DEFAULT_CONCURRENCY})")
    audit.add_argument("--against-plan", type=Path, metavar="PLAN",
                       help="a plan written by `lake plan --format json`: list every setting that differs")
    audit.add_argument("--fail-on-drift", action="store_true", help="exit 1 when --against-plan finds drift")
    audit.add_argument("--format", choices=FORMATS, default="text", help="default: text")
    audit.add_argument("--output", type=Path, help="write the report to this file instead of standard output")


def _selection(args: argparse.Namespace):
    from policies.adapters.live import Selection, load_outputs, parse_tag

    selection = Selection(
        names=tuple(args.bucket),
        outputs=load_outputs(args.stack_outputs) if args.stack_outputs else None,
        tag=parse_tag(args.tag) if args.tag else None,
        prefix=args.prefix,
    )
    if selection.empty:
        raise ValueError("choose the buckets: --stack-outputs FILE, --bucket NAME, --tag KEY=VALUE or --prefix PREFIX")
    return selection


def _described(args: argparse.Namespace) -> dict[str, Any]:
    return {"stackOutputs": str(args.stack_outputs) if args.stack_outputs else None, "buckets": args.bucket,
            "tag": args.tag, "prefix": args.prefix}


def _progress():
    from tqdm import tqdm

    # disable=None: drawn on a terminal only; delay: a short audit draws nothing at all.
    return tqdm(total=0, desc="reading", unit="call", file=sys.stderr, disable=None, delay=1.0, leave=False)


def _report(args: argparse.Namespace, audit) -> str:
    from lake.audit import audit_document
    from lake.report.audit import render_audit_markdown, render_audit_text
    from lake.report.sarif import render_sarif

    plan_name = args.against_plan.name if args.against_plan else "the plan"
    if args.format == "json":
        return json.dumps(audit_document(audit, _described(args)), indent=2) + "\n"
    if args.format == "markdown":
        return render_audit_markdown(audit, plan_name)
    if args.format == "sarif":
        lake = audit.read.lake
        artifact = str(args.stack_outputs or "Pulumi.yaml")
        return json.dumps(render_sarif(audit.findings, f"{lake.account_id}/{lake.region}", artifact, "lake-audit"),
                          indent=2) + "\n"
    return render_audit_text(audit, plan_name)


def run_audit_command(args: argparse.Namespace) -> int:
    from lake.audit import AuditError, load_plan, run_audit
    from policies.adapters.live import AccountUnreachable, SelectionError, Target
    from policies.evaluate import blocking

    try:
        selection = _selection(args)
        plan = load_plan(args.against_plan) if args.against_plan else None
        target = Target(args.region, args.profile, args.endpoint_url, args.concurrency)
        with _progress() as bar:
            audit = run_audit(target, selection, plan, bar)
    except (AuditError, SelectionError, AccountUnreachable, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    text = _report(args, audit)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    drifted = bool(audit.drift) and args.fail_on_drift
    return EXIT_FINDINGS if blocking(audit.findings) or drifted else EXIT_OK
