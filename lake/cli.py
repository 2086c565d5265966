"""`lake`: the command line of the data lake.

Exit codes: 0 success, 2 bad configuration or usage (one line per problem, no traceback).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from lake.config import ConfigError

EXIT_OK = 0
EXIT_USAGE = 2


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
    plan.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
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


def _plan(args: argparse.Namespace) -> int:
    from lake.plan.render import render_json, render_text
    from lake.plan.runner import PlanError, plan_stack

    try:
        plan = plan_stack(args.project_dir, args.stack, args.account_id, args.config_file)
    except (ConfigError, PlanError) as error:
        print(f"error: {error}".replace("\n", "\nerror: "), file=sys.stderr)
        return EXIT_USAGE
    text = render_json(plan) if args.format == "json" else render_text(plan)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return _plan(args)


if __name__ == "__main__":
    sys.exit(main())
