"""`lake`: the command line of the data lake.

One exit-code contract for every command (lake/errors.py, EXIT_CODES below), enforced in one
place, ``main``: a command returns 0 or 1 for its verdict and raises for everything else, and
``main`` turns the exception into its exit code and message (`error:` lines, a `hint:` line).
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import platform
import signal
import sys
import tempfile
import threading
import traceback
from pathlib import Path

from lake.audit_command import add_audit_parser, run_audit_command
from lake.data_command import add_data_parser, run_data_command
from lake.sandbox_command import add_sandbox_parser, run_sandbox_command, sandbox_start_errors
from lake.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO,
    EXIT_OK,
    EXIT_USAGE,
    ProgramError,
)
from lake.inputs import ACCOUNT_ID, reject_invalid
from lake.output import check_folder, open_output

EXIT_FINDINGS = EXIT_NO
FORMATS = ("text", "json", "markdown", "sarif", "terraform-plan")
MATRIX_CHOICES = ("summary", "full", "none")
EXIT_CODES = """\
exit codes (every command):
  0    success: the plan or audit has no failing mandatory rule, access ALLOWED, data operation done
  1    the answer is no: a mandatory rule fails, drift with --fail-on-drift, access DENIED,
       a data operation refused or failed (missing object, access denied, throttled, failed files)
  2    bad usage, configuration or input: one `error:` line per problem, often a `hint:` line
  3    internal error (a bug in lake: the traceback is written to a file, --debug prints it),
       or the Pulumi program failed under `lake plan` (an exception, or sys.exit)
  130  interrupted (Ctrl-C, also how `lake sandbox` is stopped): no partial output file is left behind
  141  standard output was closed early (e.g. `lake data ls | head`)
"""


def _account_id(value: str) -> str:
    if not ACCOUNT_ID.fullmatch(value):  # the pattern of lake/inputs.py: ASCII digits only
        raise argparse.ArgumentTypeError(f"{value!r} is not a 12-digit AWS account id")  # repr: one line
    return value


def _images(value: str) -> int:
    """1 to 1000 in ASCII digits (int() would take '١٢' and ' 12'; choices=range would list all 1000)."""
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 1000):
        raise argparse.ArgumentTypeError(f"{value!r} is not a number from 1 to 1000")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lake", description="Secure S3 data lake as code.", epilog=EXIT_CODES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
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
        "sarif (code scanning), terraform-plan (the plan as `terraform show -json` writes it, for checkov and "
        "other scanners; the audit still runs and decides the exit code); default: text",
    )
    plan.add_argument(
        "--no-audit", action="store_true", help="only record the program: evaluate no policy rule (exit 0 or 2)"
    )
    plan.add_argument(
        "--matrix", choices=MATRIX_CHOICES, default="summary",
        help="the access matrix in the text output: summary (per zone bucket, who may do what and the denials "
        "that matter), full (every principal, action and request context, with the deciding statements), none "
        "(skip it); default: summary. JSON and markdown carry the full matrix unless none",
    )
    plan.add_argument("--no-matrix", dest="matrix", action="store_const", const="none",
                      help="evaluate the rules but skip the access matrix (same as --matrix none)")
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
    demo.add_argument("--images", type=_images, default=12, metavar="N",
                      help="images in the synthetic dataset, 1 to 1000 (default: 12)")
    add_sandbox_parser(commands)
    _accept_debug(parser)
    return parser


DEBUG_HELP = "on an internal error, print the traceback instead of writing it to a file"


def _accept_debug(parser: argparse.ArgumentParser) -> None:
    """`--debug` after any (sub)command too: `lake plan --debug`, `lake data ls --debug`. SUPPRESS
    keeps a subcommand from resetting the `lake --debug` given before it."""
    for action in parser._actions:  # noqa: SLF001 - argparse lists subcommands nowhere else
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for sub in dict.fromkeys(action.choices.values()):
                if "--debug" not in sub._option_string_actions:  # noqa: SLF001
                    sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
                _accept_debug(sub)


def _stack_options(command: argparse.ArgumentParser) -> None:
    from lake.plan import DEFAULT_ACCOUNT_ID

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
        "--principal", required=True,
        help=f"an IAM role or user ARN, a consumer's name (or consumer:NAME), or one of: {', '.join(ALIASES)}"
    )
    access.add_argument("--action", required=True, help="one S3 or KMS action (no wildcard), e.g. s3:GetObject, "
                        "kms:Decrypt")
    access.add_argument("--resource", required=True, help="bucket, object or key ARN of this stack")
    access.add_argument(
        "--context", action="append", default=[], metavar="KEY=VALUE",
        help="a condition key of the request (repeatable; a multivalued key once per value), e.g. "
        "aws:SecureTransport=false; global aws:*, s3:* and kms:* keys, values of the key's type",
    )
    access.add_argument(
        "--identity-policy", action="append", default=[], type=Path, metavar="FILE",
        help="an identity policy (JSON, as IAM stores it) of the principal (repeatable)",
    )


def _load(args: argparse.Namespace):
    """The stack's plan and its document (ConfigError, PlanError: exit 2; ProgramError: exit 3)."""
    from lake.plan.render import plan_document
    from lake.plan.runner import plan_stack

    plan = plan_stack(args.project_dir, args.stack, args.account_id, args.config_file)
    return plan, plan_document(plan)


def _render(args: argparse.Namespace, plan, document: dict, findings: list, matrices: list, reach: dict) -> str:
    from lake.plan.render import render_json, render_text
    from lake.report.access import access_entries, render_access_summary, render_access_text
    from lake.report.markdown import render_markdown
    from lake.report.sarif import render_sarif
    from lake.report.summary import audit_summary, finding_entry
    from lake.report.text import render_findings_text

    if args.format == "json":
        if not args.no_audit:
            document = {**document, "findings": [finding_entry(f) for f in findings], "audit": audit_summary(findings)}
            if args.matrix != "none":
                document = {**document, "accessMatrix": access_entries(matrices), "crawlerReach": reach}
        return render_json(document)
    if args.format == "markdown":
        return render_markdown(document, findings, matrices, reach)
    if args.format == "terraform-plan":
        from lake.plan.terraform import render_terraform_plan

        return render_terraform_plan(document)
    if args.format == "sarif":
        artifact = args.config_file.name if args.config_file else f"Pulumi.{args.stack}.yaml"
        return json.dumps(render_sarif(findings, args.stack, artifact), indent=2) + "\n"
    text = render_text(plan)
    if args.no_audit:
        return text
    renderers = {"summary": render_access_summary, "full": render_access_text}
    matrix = renderers[args.matrix](matrices, reach) if args.matrix in renderers else ""
    return f"{text}\n{render_findings_text(findings)}{matrix}"


def _plan_inputs(args: argparse.Namespace) -> list[Path]:
    """The files `lake plan` reads: the project's, every stack config beside it, --config-file."""
    project = args.project_dir
    found = [project / "Pulumi.yaml", project / "__main__.py", *project.glob("Pulumi.*.yaml")]
    return found + ([args.config_file] if args.config_file else [])


def _plan(args: argparse.Namespace) -> int:
    from policies.access.matrix import access_matrix, crawler_reach
    from policies.adapters.plan import lake_from_plan
    from policies.evaluate import blocking, evaluate

    # A path it cannot write, or one of the files it reads, is refused before the work.
    with open_output(args.output, inputs=_plan_inputs(args)) as output:
        plan, document = _load(args)
        findings, matrices, reach = [], [], {}
        if not args.no_audit:
            model = lake_from_plan(document)
            findings = evaluate(model)
            if args.matrix != "none" and args.format != "terraform-plan":  # that format shows no matrix
                matrices, reach = access_matrix(model), crawler_reach(model)
        output.write(_render(args, plan, document, findings, matrices, reach))
    return EXIT_FINDINGS if blocking(findings) else EXIT_OK


def _identity_policies(paths: list[Path]) -> tuple:
    """Each --identity-policy file, checked (policies/access/inputs.py): QuestionError if not a valid one."""
    from policies.access.inputs import load_identity_policies

    return load_identity_policies(paths)


def _context(pairs: list[str]) -> dict:
    """The --context pairs with known keys and typed values (policies/access/inputs.py), else QuestionError."""
    from policies.access.inputs import parse_context

    return parse_context(pairs)


def _access(args: argparse.Namespace) -> int:
    from policies.access.inputs import check_applies, parse_action, parse_resource
    from policies.access.question import ask, check_principal, resolve_actor
    from policies.adapters.plan import lake_from_plan

    # Every input is checked before the plan runs (QuestionError: exit 2), so a typo costs no plan.
    identity_policies, context = _identity_policies(args.identity_policy), _context(args.context)
    check_principal(args.principal)  # a consumer's name is checked against the plan
    check_applies(parse_action(args.action), parse_resource(args.resource))
    model = lake_from_plan(_load(args)[1])
    actor = resolve_actor(model, args.principal, identity_policies)
    decision = ask(model, actor, args.action, args.resource, context)
    verdict = {"allow": "ALLOWED", "explicit_deny": "DENIED (explicit deny)", "implicit_deny": "DENIED (no grant)"}
    print(f"{verdict[decision.decision]}: {actor.label} -> {args.action} on {args.resource}")
    print(f"  identity: {actor.assumption}")
    for ref in decision.deciding:
        print(f"  decided by: {ref.policy}, statement {ref.sid or f'#{ref.index + 1}'}")
    print(f"  reason: {decision.reason}")
    return EXIT_OK if decision.allowed else EXIT_FINDINGS


def _demo(args: argparse.Namespace) -> int:
    from lake.demo.walkthrough import main_demo

    if args.workdir is not None:
        check_folder(args.workdir, "--workdir")
    # The test extra missing, or no moto server to start, or one that cannot serve this botocore: exit 2.
    with sandbox_start_errors("demo"):
        from lake.sandbox.compat import check_sandbox_protocols

        check_sandbox_protocols()  # before the plan or any server: moto must understand this botocore
        # Each `lake data` step runs through run_command: its errors are reported and become its
        # exit code, while Ctrl-C ends the whole demo.
        return main_demo(args.project_dir, args.workdir, args.images, run_command)


# Exceptions that mean bad usage, configuration or input (exit 2), and a failed data operation
# (exit 1), as "module:class": a class is looked up only once its module is loaded (an exception
# of a module never imported cannot have been raised), so classifying costs no import.
USAGE_ERRORS = (
    "lake.errors:InputError",
    "lake.config.problems:ConfigError",
    "lake.plan.runner:PlanError",  # a bad stack or project folder, or the program's pulumi.RunError
    "policies.access.question:QuestionError",
    "lake.audit:AuditError",
    "policies.adapters.live.selection:SelectionError",
    "policies.adapters.live.read:AccountUnreachable",  # no credentials, unknown profile, wrong endpoint
    "lake.data.errors:UsageError",
)
FAILURE_ERRORS = ("lake.data.errors:DataError",)


# Set by Ctrl-C (see main): an exception that follows it is the interruption's, whatever its type.
_INTERRUPTED = threading.Event()


def main(argv: list[str] | None = None) -> int:
    """The `lake` command; returns its exit code (EXIT_CODES). argparse's usage errors exit 2 themselves.

    A Ctrl-C is remembered as well as raised: a library that turns the KeyboardInterrupt into
    another exception (an import interrupted half-way becomes an AttributeError) must not turn an
    interruption into an internal or program error."""

    def on_interrupt(signum, frame):
        _INTERRUPTED.set()
        raise KeyboardInterrupt

    _INTERRUPTED.clear()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if in_main_thread else None
    try:
        code = run_command(argv)
    except KeyboardInterrupt:
        _INTERRUPTED.set()
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
    if _INTERRUPTED.is_set():
        _flush(sys.stdout)
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return code


def entry() -> int:
    """The console script: main(), then Ctrl-C is ignored while the interpreter exits, so that an
    interruption after the work is done cannot turn a finished run into a death by SIGINT."""
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if code == EXIT_INTERRUPTED:
        # CPython ends with SIGINT, whatever the exit code, once a KeyboardInterrupt has escaped any
        # nested PyRun_* call (an extension module interrupted while it was imported): seen under load
        # as status -2 after "interrupted". Every clean-up has run by now (finally blocks): leave.
        _flush(sys.stdout)
        _flush(sys.stderr)
        os._exit(code)
    return code


def run_command(argv: list[str] | None = None) -> int:
    """Parse and run one command: its verdict, or the exit code of the exception it raised (after
    printing it). Ctrl-C passes through: `lake demo` runs its steps with this, and stops on it."""
    words = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in words  # before parsing, so a failure while building the parser is covered too
    try:
        parser = build_parser()
        args = parser.parse_args(words)
        debug = args.debug
        _refuse_empty_values(parser, args)
        reject_invalid(args)  # option values checked at parse time (lake/inputs.py), before any work
        if args.command == "plan" and args.no_audit and args.format in ("markdown", "sarif"):
            # Those formats exist to report findings: without the audit they would claim a clean lake.
            parser.error(f"--no-audit cannot be combined with --format {args.format}, which reports findings")
        handlers = {"access": _access, "audit": run_audit_command, "data": run_data_command, "demo": _demo,
                    "plan": _plan, "sandbox": run_sandbox_command}
        return handlers[args.command](args)
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (`| head`): nothing to report, and nothing more to write
        return EXIT_BROKEN_PIPE
    except Exception as error:  # noqa: BLE001 - the one place an exception becomes an exit code
        return _failed(error, debug, words)


def _refuse_empty_values(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Python 3.11's argparse reads `--stack=--` as the value [] (it drops the '--' as if it
    separated options from arguments, and calls no type= check): no option of lake takes a list
    of nothing, so it is the usage error it would be without the value."""
    parsers = [parser]
    while parsers:
        for action in parsers.pop()._actions:  # noqa: SLF001 - argparse lists its actions nowhere else
            if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001 - the command given only:
                chosen = action.choices.get(getattr(args, action.dest, None))  # dests recur between them
                parsers += [chosen] if chosen is not None else []
            elif action.option_strings and action.nargs in (None, "?"):
                value = getattr(args, action.dest, None)
                values = value if isinstance(action, argparse._AppendAction) else [value]  # noqa: SLF001
                if isinstance(values, list) and any(item == [] for item in values):
                    parser.error(f"argument {'/'.join(action.option_strings)}: expected one argument")


def _classes(names: tuple[str, ...]) -> tuple[type[BaseException], ...]:
    found = []
    for name in names:
        module, _, attribute = name.partition(":")
        if module in sys.modules:
            found.append(getattr(sys.modules[module], attribute))
    return tuple(found)


def _failed(error: Exception, debug: bool, words: list[str]) -> int:
    if _INTERRUPTED.is_set():  # the interruption's consequence: main reports the interruption alone
        raise KeyboardInterrupt from error
    if isinstance(error, _classes(USAGE_ERRORS)):
        _report(error)
        return EXIT_USAGE
    if isinstance(error, _classes(FAILURE_ERRORS)):
        _report(error)
        return EXIT_NO
    if isinstance(error, OSError) and error.errno == errno.ENAMETOOLONG:
        # A path given on the command line with a name longer than the file system takes: the
        # checks of every path option (Path.exists(), is_dir()...) raise it rather than say no.
        from lake.inputs import shown

        print(f"error: {shown(str(error.filename))}: {error.strerror}", file=sys.stderr)
        print("hint: a file or folder name is at most 255 bytes: check the path given", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(error, ProgramError):
        cause = error.__cause__
        if cause is None or cause.__traceback__ is None:  # sys.exit: no traceback to show
            _report(error)
        elif debug:
            traceback.print_exception(cause, file=sys.stderr)
            _report(error)
        else:
            _report(error, _traceback_hint(_crash_file(cause, words), "the program's traceback"))
        return EXIT_INTERNAL
    summary = f"internal error (a bug in lake): {_one_line(error)}"
    if debug:
        traceback.print_exception(error, file=sys.stderr)
        print(f"error: {summary}", file=sys.stderr)
    else:
        written = _crash_file(error, words)
        if isinstance(written, Path):
            print(f"error: {summary}; traceback in {written}", file=sys.stderr)
        else:
            traceback.print_exception(error, file=sys.stderr)
            print(f"error: {summary} (the traceback above could not be written to a file: {written})",
                  file=sys.stderr)
    return EXIT_INTERNAL


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _report(error: BaseException, *hints: str) -> None:
    """One `error:` line per line of the message, then `hint:` lines (the exception's own first)."""
    text, hint = str(error), getattr(error, "hint", None) or ""
    if hint and text.endswith(f"\nhint: {hint}"):  # DataError's str() carries its hint already
        text = text[: -len(f"\nhint: {hint}")]
    for line in text.splitlines() or [type(error).__name__]:
        print(f"error: {line}", file=sys.stderr)
    for line in (hint, *hints):
        for part in line.splitlines():  # a hint quoting a value with a line break stays hint: lines
            print(f"hint: {part}", file=sys.stderr)


def _traceback_hint(written: Path | str, what: str) -> str:
    if isinstance(written, Path):
        return f"{what} is in {written} (--debug prints it instead)"
    return f"{what} could not be written to a file ({written}): rerun with --debug to print it"


def _crash_file(error: BaseException, words: list[str]) -> Path | str:
    """Write the traceback to a new file in the temporary folder: its path, or why it could not."""
    try:
        handle, name = tempfile.mkstemp(prefix="lake-crash-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as crash:
            crash.write(f"lake {' '.join(words)}\n")
            crash.write(f"Python {platform.python_version()} on {platform.platform()}\n\n")
            crash.writelines(traceback.format_exception(error))
    except OSError as problem:
        return problem.strerror or str(problem)
    return Path(name)


def _flush(stream) -> None:
    try:
        stream.flush()
    except (OSError, ValueError):
        pass


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (captured by a test)
        pass


if __name__ == "__main__":
    sys.exit(entry())
