"""The `lake audit` command line: which buckets, which account, which report.

Exit codes (the table in lake/cli.py): 0 clean; 1 a mandatory rule fails (LAKE.11 included: a
setting that could not be read), or drift with --fail-on-drift; 2 bad usage, unreadable input, or
an account that cannot be reached (raised here, reported by lake/cli.py: one line, no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lake import inputs
from lake.errors import InputError
from lake.inputs import argument

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "markdown", "sarif")


def add_audit_parser(commands: Any) -> None:
    from policies.adapters.live.limits import DEFAULT_CONCURRENCY

    audit = commands.add_parser(
        "audit",
        help="check the deployed lake against the same rules, and its drift from a plan",
        description="Read the deployed buckets (and the keys, endpoint, crawlers, workgroups and queues they "
        "lead to) with boto3, and judge them with the rules of `lake plan`. Read-only: it never changes AWS.",
    )
    which = audit.add_argument_group("which buckets (at least one; they add up)")
    which.add_argument("--stack-outputs", type=argument(inputs.stack_outputs, "--stack-outputs"), metavar="FILE",
                       help="a saved `pulumi stack output --json` of this program")
    which.add_argument("--bucket", type=argument(inputs.bucket_name, "--bucket"), action="append", default=[],
                       metavar="NAME", help="a bucket name (repeatable)")
    which.add_argument("--tag", type=argument(inputs.tag, "--tag"), metavar="KEY=VALUE",
                       help="every bucket with this tag, e.g. lake=mlteam")
    which.add_argument("--prefix", type=argument(inputs.bucket_prefix, "--prefix"),
                       help="every bucket whose name starts with this")
    where = audit.add_argument_group("which account")
    where.add_argument("--region", type=argument(inputs.region, "--region"),
                       help="AWS region (default: the profile's or AWS_REGION)")
    where.add_argument("--profile", type=argument(inputs.profile, "--profile"),
                       help="AWS named profile (default: the usual credential chain)")
    where.add_argument("--endpoint-url", type=argument(inputs.endpoint_url, "--endpoint-url"),
                       help="an S3-compatible test server, e.g. http://127.0.0.1:5000 (moto; plain http: this "
                       "machine only)")
    where.add_argument("--concurrency", type=argument(inputs.concurrency, "--concurrency"),
                       default=DEFAULT_CONCURRENCY,
                       help=f"reads in flight at once, 1 to {inputs.MAX_CONCURRENCY} (default: {DEFAULT_CONCURRENCY})")
    audit.add_argument("--against-plan", type=argument(inputs.plan_file, "--against-plan"), metavar="PLAN",
                       help="a plan written by `lake plan --format json`: list every setting that differs")
    audit.add_argument("--fail-on-drift", action="store_true", help="exit 1 when --against-plan finds drift")
    audit.add_argument("--format", choices=FORMATS, default="text", help="default: text")
    audit.add_argument("--output", type=Path, help="write the report to this file instead of standard output")


def _selection(args: argparse.Namespace):
    from policies.adapters.live import Selection

    selection = Selection(  # every value checked by lake.inputs when the command line was parsed
        names=tuple(args.bucket),
        outputs=args.stack_outputs.document if args.stack_outputs else None,
        tag=args.tag,
        prefix=args.prefix,
    )
    if selection.empty:
        raise InputError("choose the buckets: --stack-outputs FILE, --bucket NAME, --tag KEY=VALUE or --prefix PREFIX")
    return selection


def _described(args: argparse.Namespace) -> dict[str, Any]:
    return {"stackOutputs": str(args.stack_outputs.path) if args.stack_outputs else None, "buckets": args.bucket,
            "tag": "=".join(args.tag) if args.tag else None, "prefix": args.prefix}


def _progress():
    from lake.progress import bar

    # On a terminal only, never in CI (lake/progress.py); delay: a short audit draws nothing at all.
    return bar(total=0, desc="reading", unit="call", delay=1.0)


def _report(args: argparse.Namespace, audit) -> str:
    from lake.audit import audit_document
    from lake.report.audit import render_audit_markdown, render_audit_text
    from lake.report.sarif import render_sarif

    plan_name = args.against_plan.path.name if args.against_plan else "the plan"
    if args.format == "json":
        return json.dumps(audit_document(audit, _described(args)), indent=2) + "\n"
    if args.format == "markdown":
        return render_audit_markdown(audit, plan_name)
    if args.format == "sarif":
        lake = audit.read.lake
        artifact = str(args.stack_outputs.path if args.stack_outputs else "Pulumi.yaml")
        return json.dumps(render_sarif(audit.findings, f"{lake.account_id}/{lake.region}", artifact, "lake-audit"),
                          indent=2) + "\n"
    return render_audit_text(audit, plan_name)


def run_audit_command(args: argparse.Namespace) -> int:
    """The audit's verdict (0 or 1); bad input raises (InputError, AuditError, SelectionError,
    AccountUnreachable: exit 2 through lake/cli.py)."""
    from lake.audit import run_audit
    from lake.output import open_output
    from policies.adapters.live import Target
    from policies.evaluate import blocking

    if args.profile is None:
        inputs.environment_profile()
    selection = _selection(args)
    with open_output(args.output) as output:  # a path it cannot write is refused before the first request
        plan = args.against_plan.document if args.against_plan else None
        target = Target(args.region, args.profile, args.endpoint_url, args.concurrency)
        with _progress() as bar:
            audit = run_audit(target, selection, plan, bar)
        output.write(_report(args, audit))
    drifted = bool(audit.drift) and args.fail_on_drift
    return EXIT_FINDINGS if blocking(audit.findings) or drifted else EXIT_OK
