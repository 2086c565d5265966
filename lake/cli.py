"""`lake`: the command line of the data lake.

Exit codes: 0 success, 1 a mandatory (critical or high) rule fails, 2 bad configuration or
usage (one line per problem, no traceback).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from lake.config import ConfigError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
FORMATS = ("text", "json", "markdown", "sarif")


def _account_id(value: str) -> str:
    if not re.fullmatch(r"\d{12}", value):
        raise argparse.ArgumentTypeError(f"'{value}' is not a 12-digit AWS account id")
    return value


def build_parser() -> argparse.ArgumentParser:
    from lake.plan.mocks import DEFAULT_ACCOUNT_ID

    parser = argparse.ArgumentParser(prog="lake", description="Secure S3 data lake as code.")
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser(
        "plan",
        help="run the program offline under Pulumi's mock runtime and show what it declares",
        description="Validate Pulumi.<stack>.yaml, run __main__.py under Pulumi's mock runtime, "
        "and print every declared resource. Nothing is deployed; no credentials are needed.",
    )
    plan.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    plan.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (terminal), json (docs/plan-format.md), markdown (pull-request comment), "
        "sarif (code scanning); default: text",
    )
    plan.add_argument(
        "--no-audit", action="store_true", help="only record the program: evaluate no policy rule (exit 0 or 2)"
    )
    plan.add_argument("--project-dir", type=Path, default=Path("."), help="folder of Pulumi.yaml (default: .)")
    plan.add_argument(
        "--account-id",
        type=_account_id,
        help="account the plan pretends to deploy into (default: the stack's first aws:allowedAccountIds "
        f"entry, else {DEFAULT_ACCOUNT_ID})",
    )
    plan.add_argument(
        "--config-file", type=Path, help="use this stack config file instead of Pulumi.<stack>.yaml (as pulumi does)"
    )
    plan.add_argument("--output", type=Path, help="write the plan to this file instead of standard output")
    return parser


def _render(args: argparse.Namespace, plan, document: dict, findings: list) -> str:
    from lake.plan.render import render_json, render_text
    from lake.report.markdown import render_markdown
    from lake.report.sarif import render_sarif
    from lake.report.summary import audit_summary, finding_entry
    from lake.report.text import render_findings_text

    if args.format == "json":
        if not args.no_audit:
            document = {**document, "findings": [finding_entry(f) for f in findings], "audit": audit_summary(findings)}
        return render_json(document)
    if args.format == "markdown":
        return render_markdown(document, findings)
    if args.format == "sarif":
        artifact = args.config_file.name if args.config_file else f"Pulumi.{args.stack}.yaml"
        return json.dumps(render_sarif(findings, args.stack, artifact), indent=2) + "\n"
    text = render_text(plan)
    return text if args.no_audit else f"{text}\n{render_findings_text(findings)}"


def _plan(args: argparse.Namespace) -> int:
    from lake.plan.render import plan_document
    from lake.plan.runner import PlanError, plan_stack
    from policies.adapters.plan import lake_from_plan
    from policies.evaluate import blocking, evaluate

    try:
        plan = plan_stack(args.project_dir, args.stack, args.account_id, args.config_file)
    except (ConfigError, PlanError) as error:
        print(f"error: {error}".replace("\n", "\nerror: "), file=sys.stderr)
        return EXIT_USAGE
    document = plan_document(plan)
    findings = [] if args.no_audit else evaluate(lake_from_plan(document))
    text = _render(args, plan, document, findings)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return EXIT_FINDINGS if blocking(findings) else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.no_audit and args.format in ("markdown", "sarif"):
        # Those formats exist to report findings: without the audit they would claim a clean lake.
        parser.error(f"--no-audit cannot be combined with --format {args.format}, which reports findings")
    return _plan(args)


if __name__ == "__main__":
    sys.exit(main())
