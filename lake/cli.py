"""`lake`: the command line of the data lake.

`lake plan`: 0 success, 1 a mandatory (critical or high) rule fails, 2 bad configuration or
usage (one line per problem, no traceback). `lake access`: 0 allowed, 1 denied, 2 usage.
`lake audit` (lake/audit_command.py): the codes of `lake plan`, for the deployed lake.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from lake.audit_command import add_audit_parser, run_audit_command
from lake.data_command import add_data_parser, run_data_command
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
    parser = argparse.ArgumentParser(prog="lake", description="Secure S3 data lake as code.")
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser(
        "plan",
        help="run the program offline under Pulumi's mock runtime and show what it declares",
        description="Validate Pulumi.<stack>.yaml, run __main__.py under Pulumi's mock runtime, "
        "and print every declared resource. Nothing is deployed; no credentials are needed.",
    )
    _stack_options(plan)
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
    plan.add_argument("--no-matrix", action="store_true", help="evaluate the rules but skip the access matrix")
    plan.add_argument("--output", type=Path, help="write the plan to this file instead of standard output")
    _access_parser(commands)
    add_audit_parser(commands)
    add_data_parser(commands)
    demo = commands.add_parser(
        "demo",
        help="run `lake data` end to end against a local, policy-enforcing copy of the dev lake",
        description="Start moto on 127.0.0.1 behind the lake's TLS policy gate, create the dev stack from its "
        "offline plan, write a synthetic blood-cell dataset, and run put / ls / cat / sync / presign / restore.",
    )
    demo.add_argument("--project-dir", type=Path, default=Path("."), help="folder of Pulumi.yaml (default: .)")
    demo.add_argument("--workdir", type=Path, help="keep the dataset, outputs and downloads here (default: a "
                      "temporary folder, removed at the end)")
    demo.add_argument("--images", type=int, default=12, choices=range(1, 1001), metavar="N",
                      help="images in the synthetic dataset, 1 to 1000 (default: 12)")
    return parser


def _stack_options(command: argparse.ArgumentParser) -> None:
    from lake.plan.mocks import DEFAULT_ACCOUNT_ID

    command.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    command.add_argument("--project-dir", type=Path, default=Path("."), help="folder of Pulumi.yaml (default: .)")
    command.add_argument(
        "--account-id",
        type=_account_id,
        help="account the plan pretends to deploy into (default: the stack's first aws:allowedAccountIds "
        f"entry, else {DEFAULT_ACCOUNT_ID})",
    )
    command.add_argument(
        "--config-file", type=Path, help="use this stack config file instead of Pulumi.<stack>.yaml (as pulumi does)"
    )


def _access_parser(commands) -> None:
    from policies.access.question import ALIASES

    access = commands.add_parser(
        "access",
        help="can PRINCIPAL do ACTION on RESOURCE, and which statement decided?",
        description="Evaluate one request against the planned stack's bucket and key policies (and the "
        "principal's identity policies). S3 requests use TLS 1.3 unless --context says otherwise.",
    )
    _stack_options(access)
    access.add_argument(
        "--principal", required=True, help=f"an IAM role or user ARN, or one of: {', '.join(ALIASES)}"
    )
    access.add_argument("--action", required=True, help="e.g. s3:GetObject, kms:Decrypt")
    access.add_argument("--resource", required=True, help="bucket, object or key ARN of this stack")
    access.add_argument(
        "--context", action="append", default=[], metavar="KEY=VALUE",
        help="a condition key of the request (repeatable), e.g. aws:SecureTransport=false",
    )
    access.add_argument(
        "--identity-policy", action="append", default=[], type=Path, metavar="FILE",
        help="an identity policy (JSON) of the principal (repeatable)",
    )


def _load(args: argparse.Namespace):
    """The stack's plan and its document; None after printing the error (exit 2)."""
    from lake.plan.render import plan_document
    from lake.plan.runner import PlanError, plan_stack

    try:
        plan = plan_stack(args.project_dir, args.stack, args.account_id, args.config_file)
    except (ConfigError, PlanError) as error:
        print(f"error: {error}".replace("\n", "\nerror: "), file=sys.stderr)
        return None
    return plan, plan_document(plan)


def _render(args: argparse.Namespace, plan, document: dict, findings: list, matrices: list, reach: dict) -> str:
    from lake.plan.render import render_json, render_text
    from lake.report.access import access_entries, render_access_text
    from lake.report.markdown import render_markdown
    from lake.report.sarif import render_sarif
    from lake.report.summary import audit_summary, finding_entry
    from lake.report.text import render_findings_text

    if args.format == "json":
        if not args.no_audit:
            document = {**document, "findings": [finding_entry(f) for f in findings], "audit": audit_summary(findings)}
            if not args.no_matrix:
                document = {**document, "accessMatrix": access_entries(matrices), "crawlerReach": reach}
        return render_json(document)
    if args.format == "markdown":
        return render_markdown(document, findings, matrices, reach)
    if args.format == "sarif":
        artifact = args.config_file.name if args.config_file else f"Pulumi.{args.stack}.yaml"
        return json.dumps(render_sarif(findings, args.stack, artifact), indent=2) + "\n"
    text = render_text(plan)
    if args.no_audit:
        return text
    matrix = "" if args.no_matrix else render_access_text(matrices, reach)
    return f"{text}\n{render_findings_text(findings)}{matrix}"


def _plan(args: argparse.Namespace) -> int:
    from policies.access.matrix import access_matrix, crawler_reach
    from policies.adapters.plan import lake_from_plan
    from policies.evaluate import blocking, evaluate

    loaded = _load(args)
    if loaded is None:
        return EXIT_USAGE
    plan, document = loaded
    findings, matrices, reach = [], [], {}
    if not args.no_audit:
        model = lake_from_plan(document)
        findings = evaluate(model)
        if not args.no_matrix:
            matrices, reach = access_matrix(model), crawler_reach(model)
    text = _render(args, plan, document, findings, matrices, reach)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return EXIT_FINDINGS if blocking(findings) else EXIT_OK


def _identity_policies(paths: list[Path]) -> tuple:
    from policies.evaluator.request import Policy

    policies = []
    for path in paths:
        try:
            policies.append(Policy(f"identity policy {path.name}", json.loads(path.read_text())))
        except (OSError, ValueError) as error:
            raise ValueError(f"{path}: not a readable JSON policy ({error})") from None
    return tuple(policies)


def _context(pairs: list[str]) -> dict[str, str]:
    context = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--context '{pair}': expected KEY=VALUE")
        context[key] = value
    return context


def _access(args: argparse.Namespace) -> int:
    from policies.access.question import QuestionError, ask, resolve_actor
    from policies.adapters.plan import lake_from_plan

    loaded = _load(args)
    if loaded is None:
        return EXIT_USAGE
    model = lake_from_plan(loaded[1])
    try:
        actor = resolve_actor(model, args.principal, _identity_policies(args.identity_policy))
        decision = ask(model, actor, args.action, args.resource, _context(args.context))
    except (QuestionError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    verdict = {"allow": "ALLOWED", "explicit_deny": "DENIED (explicit deny)", "implicit_deny": "DENIED (no grant)"}
    print(f"{verdict[decision.decision]}: {actor.label} -> {args.action} on {args.resource}")
    print(f"  identity: {actor.assumption}")
    for ref in decision.deciding:
        print(f"  decided by: {ref.policy}, statement {ref.sid or f'#{ref.index + 1}'}")
    print(f"  reason: {decision.reason}")
    return EXIT_OK if decision.allowed else EXIT_FINDINGS


def _demo(args: argparse.Namespace) -> int:
    from lake.demo.walkthrough import main_demo
    from lake.plan.runner import PlanError

    try:
        return main_demo(args.project_dir, args.workdir, args.images, main)
    except (ConfigError, PlanError, RuntimeError) as error:  # a broken stack, or no moto server to start
        print(f"error: {error}".replace("\n", "\nerror: "), file=sys.stderr)
        return EXIT_USAGE
    except ModuleNotFoundError as error:  # the sandbox needs the test extra (moto, cryptography)
        print(f"error: {error.name} is not installed: `lake demo` needs the test extra: "
              "python3 scripts/install.py --test", file=sys.stderr)
        return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "plan" and args.no_audit and args.format in ("markdown", "sarif"):
        # Those formats exist to report findings: without the audit they would claim a clean lake.
        parser.error(f"--no-audit cannot be combined with --format {args.format}, which reports findings")
    handlers = {"access": _access, "audit": run_audit_command, "data": run_data_command, "demo": _demo,
                "plan": _plan}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
