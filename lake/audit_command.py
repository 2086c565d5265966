"""The `lake audit` command line: which buckets, which account, which report.

Exit codes (the table in lake/cli.py): 0 clean; 1 a mandatory rule fails (LAKE.11 included: a
setting that could not be read), or drift with --fail-on-drift; 2 bad usage, unreadable input, or
an account that cannot be reached (raised here, reported by lake/cli.py: one line, no traceback).
Across accounts (--accounts, --organization: lake/org_audit.py), an account or region that cannot
be audited is a failing LAKE.11 finding (1); the caller's own credentials failing, an organization
that cannot be listed, or options that do not go together are 2, before any account is tried.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from lake import inputs
from lake.errors import EXIT_NO as EXIT_FINDINGS, EXIT_OK, InputError
from lake.inputs import argument
from policies.adapters.live import limits

FORMATS = ("text", "json", "markdown", "sarif")


def add_audit_parser(commands: Any) -> None:
    audit = commands.add_parser(
        "audit",
        help="check the deployed lake against the same rules, and its drift from a plan",
        description="Read the deployed buckets (and the keys, endpoint, crawlers, workgroups and queues they "
        "lead to) with boto3, and judge them with the rules of `lake plan`. Read-only: it never changes AWS.",
    )
    which = audit.add_argument_group("which buckets (at least one; they add up)")
    which.add_argument("--stack-outputs", type=argument(inputs.audited_stack_outputs, "--stack-outputs"),
                       metavar="FILE", help="a saved `pulumi stack output --json` of this program")
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
                       help=f"reads in flight at once, 1 to {inputs.MAX_CONCURRENCY} (default: "
                       f"{limits.DEFAULT_CONCURRENCY}; {limits.ACCOUNT_CONCURRENCY} per account with --accounts or "
                       "--organization)")
    many = audit.add_argument_group(
        "which accounts (an organization-wide audit: one report, each finding with its account and region)")
    accounts = many.add_mutually_exclusive_group()
    accounts.add_argument("--accounts", type=argument(inputs.account_ids, "--accounts"), metavar="ID,ID,...",
                          help="audit these accounts (12-digit ids, comma-separated) through --role-name")
    accounts.add_argument("--organization", action="store_true",
                          help="audit every ACTIVE account of the caller's AWS organization (ListAccounts; the "
                          "management account included)")
    many.add_argument("--exclude-accounts", type=argument(inputs.account_ids, "--exclude-accounts"),
                      metavar="ID,ID,...", help="leave these accounts out (listed in the report)")
    many.add_argument("--role-name", type=argument(inputs.role_name, "--role-name"), metavar="ROLE",
                      help="the role assumed in each account: arn:aws:iam::ACCOUNT:role/ROLE (session name "
                      "lake-audit)")
    many.add_argument("--external-id", type=argument(inputs.external_id, "--external-id"), metavar="ID",
                      help="the sts:ExternalId the role's trust policy requires")
    many.add_argument("--regions", type=argument(inputs.regions, "--regions"), metavar="REGION,...",
                      help="audit each account in these regions (default: --region, else the session's)")
    many.add_argument("--account-concurrency", type=argument(inputs.account_concurrency, "--account-concurrency"),
                      metavar="N", help=f"accounts audited at once, 1 to {inputs.MAX_ACCOUNT_CONCURRENCY}, each "
                      f"with --concurrency reads in flight (default: {inputs.DEFAULT_ACCOUNT_CONCURRENCY})")
    many.add_argument("--account-workers", choices=("auto", "threads", "processes"),
                      help="run the accounts audited at once in worker processes or in threads of this process "
                      "(default: auto, processes when more than one account runs at once on more than one core)")
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


ORG_ONLY = ("exclude_accounts", "role_name", "external_id", "regions", "account_concurrency", "account_workers")


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _org_options(args: argparse.Namespace) -> bool:
    """Is this an audit of several accounts? Its options checked together, before any request."""
    if not (args.accounts or args.organization):
        given = [_option(name) for name in ORG_ONLY if getattr(args, name) is not None]
        if given:
            raise InputError(f"{given[0]} applies to an audit of several accounts: add --accounts ID,ID,... "
                             "or --organization", "without them, lake audit reads the account of the credentials")
        return False
    many = "--accounts" if args.accounts else "--organization"
    if args.role_name is None:
        raise InputError(f"{many} needs --role-name ROLE: the role lake audit assumes in each account",
                         "e.g. --role-name LakeAudit, a role with the SecurityAudit managed policy "
                         "(README: lake audit)")
    if args.stack_outputs is not None:
        raise InputError(f"--stack-outputs cannot be combined with {many}: stack outputs name one stack's buckets "
                         "in one account", "choose the buckets of every account with --tag, --prefix or --bucket")
    if args.against_plan is not None:
        raise InputError(f"--against-plan cannot be combined with {many}: a plan is one stack in one account",
                         "compare each account with its own plan: lake audit --against-plan, one account at a time")
    if args.accounts and args.exclude_accounts:
        left = [a for a in args.accounts if a not in args.exclude_accounts]
        if not left:
            raise InputError("--exclude-accounts leaves out every account of --accounts")
    return True


def _scope(args: argparse.Namespace, base, session) -> tuple[object, str]:
    """The accounts and regions to audit (ListAccounts for --organization), and who audits."""
    from lake.org_audit import Scope
    from policies.adapters.live.accounts import caller, organization_accounts

    regions = args.regions or ((base.region,) if base.region else ())
    if not regions:
        raise InputError("no region to audit: pass --regions or --region, or set AWS_REGION or a profile's region")
    who = caller(session, base.region, base.endpoint_url, base.max_attempts)
    excluded = tuple(args.exclude_accounts or ())
    if args.organization:
        listed = organization_accounts(session, base.region, base.endpoint_url, base.max_attempts)
        accounts = tuple(a for a in listed if a not in excluded)
        if not accounts:
            raise InputError("the organization has no ACTIVE account left to audit" +
                             (" after --exclude-accounts" if excluded else ""))
    else:
        accounts = tuple(a for a in args.accounts if a not in excluded)
    scope = Scope(accounts, regions, args.role_name, args.external_id,
                  "organization" if args.organization else "accounts", excluded)
    return scope, who


def _run_org_audit(args: argparse.Namespace, selection, output) -> int:
    from lake.org_audit import Base, org_audit_document, run_org_audit
    from lake.report.audit import render_org_audit_markdown, render_org_audit_text
    from lake.report.sarif import render_sarif
    from policies.evaluate import blocking

    session = _base_session(args)
    # The caller's region (STS, Organizations): --region, the session's, else the first audited one.
    region = args.region or session.region_name or (args.regions[0] if args.regions else None)
    base = Base(region, args.profile, args.endpoint_url, args.concurrency or limits.ACCOUNT_CONCURRENCY,
                session=session)
    scope, who = _scope(args, base, session)
    concurrency = args.account_concurrency or inputs.DEFAULT_ACCOUNT_CONCURRENCY
    with _account_progress() as bar:
        audit = run_org_audit(scope, selection, base, concurrency, args.account_workers or "auto", who, bar)
    if args.format == "json":
        output.write(json.dumps(org_audit_document(audit, _described(args)), indent=2) + "\n")
    elif args.format == "markdown":
        output.write(render_org_audit_markdown(audit))
    elif args.format == "sarif":
        output.write(json.dumps(render_sarif(audit.findings, scope.source, "Pulumi.yaml", "lake-audit"), indent=2)
                     + "\n")
    else:
        output.write(render_org_audit_text(audit))
    return EXIT_FINDINGS if blocking(audit.findings) else EXIT_OK


def _base_session(args: argparse.Namespace):
    """The caller's session, which lists the organization and assumes the roles."""
    import boto3
    from botocore.exceptions import BotoCoreError

    from policies.adapters.live.read import AccountUnreachable

    try:
        return boto3.Session(profile_name=args.profile, region_name=args.region)
    except BotoCoreError as error:  # a profile that cannot be used
        raise AccountUnreachable(str(error)) from None


def _account_progress():
    from lake.progress import bar

    return bar(total=0, desc="auditing", unit="account-region", delay=1.0)


def _inputs(args: argparse.Namespace) -> list[Path]:
    """The files the audit reads, which --output must not overwrite."""
    return [Path(loaded.path) for loaded in (args.stack_outputs, args.against_plan) if loaded]


def run_audit_command(args: argparse.Namespace) -> int:
    """The audit's verdict (0 or 1); bad input raises (InputError, AuditError, SelectionError,
    AccountUnreachable: exit 2 through lake/cli.py)."""
    from lake.audit import run_audit
    from lake.output import open_output
    from policies.adapters.live import Target
    from policies.evaluate import blocking

    if args.profile is None:
        inputs.environment_profile()
    many = _org_options(args)
    selection = _selection(args)
    if many:
        with open_output(args.output, inputs=_inputs(args)) as output:  # refused before the first request
            return _run_org_audit(args, selection, output)
    with open_output(args.output, inputs=_inputs(args)) as output:  # refused before the first request
        plan = args.against_plan.document if args.against_plan else None
        # Bucket reads in worker processes too when there are many (policies/adapters/live/shards.py).
        concurrency = args.concurrency or limits.DEFAULT_CONCURRENCY
        target = Target(args.region, args.profile, args.endpoint_url, concurrency, workers="auto")
        with _progress() as bar:
            audit = run_audit(target, selection, plan, bar)
        output.write(_report(args, audit))
    drifted = bool(audit.drift) and args.fail_on_drift
    return EXIT_FINDINGS if blocking(audit.findings) or drifted else EXIT_OK
