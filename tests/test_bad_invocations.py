"""The bad-invocation table (issue "Robust command line"): over a hundred wrong command lines across
every command, each with its exact exit code and the exact line that states the error.

A row is (argv, exit code, error line). The error line is the first stderr line for lake's own
errors (`error: ...`, then often a `hint:` line), and argparse's `lake ...: error: ...` line for
its usage errors (which print `usage: ...` first: the test checks that too). Exit 1 rows are
verdicts ("no"), not errors. Placeholders in braces are the files the ``bad`` fixture makes in the
test's folder ({files}), a copy of the project ({project}), the repository ({repo}) and the closed
endpoint every AWS client is pointed at ({endpoint}).

Every row runs in-process (fast), offline (tests/fuzz/support.py: no AWS, no network, no user
configuration, one attempt per request); a handful also run as a real `lake` process, to prove
that nothing but those lines reaches a terminal. Finally the stderr of all rows is written to one
file and searched for "Traceback" (there must be none).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fuzz.support import error_line, memoize_programs, offline, offline_environ, run_lake, stray_lines
from tests.support import REPO

LAKE = REPO / ".venv" / "bin" / "lake"
PROCESS_TIMEOUT = 120  # seconds: a bound for a process on a loaded 2-core machine, never reached normally


# --- the files the rows need ----------------------------------------------------------------------

DEV = (REPO / "Pulumi.dev.yaml").read_text(encoding="utf-8")
GOOD_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::mlteam-dev-raw/*"}]}
OUTPUTS = {"zoneBuckets": {"raw": {"name": "mlteam-dev-raw", "arn": "arn:aws:s3:::mlteam-dev-raw"}},
           "keyArn": "arn:aws:kms:us-east-1:123456789012:key/bc71db6d-e09f-5836-b910-98c093af4ca2"}


def _laughs(levels: int = 9, width: int = 10) -> str:
    lines = ["config:", "  aws:region: us-east-1", '  datalake:name: &l0 "lol"']
    lines += [f"  datalake:l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _stack(extra: str) -> str:
    return "config:\n  aws:region: us-east-1\n  datalake:name: mlteam\n" + extra


FILES: dict[str, str | bytes] = {
    # --config-file
    "malformed.yaml": "config:\n  datalake:name: [unclosed\n",
    "duplicate.yaml": _stack("  datalake:name: other\n"),
    "bomb.yaml": _laughs(),
    "deep.yaml": "config:\n  datalake:zones: " + "[" * 200 + "]" * 200 + "\n",
    "near-miss.yaml": _stack("  datalaek:zones: []\n"),
    "python-tag.yaml": _stack("  datalake:tags: !!python/object/apply:os.system [echo hi]\n"),
    "float-tag.yaml": _stack("  datalake:perimeter: !!float abc\n"),
    "bad-date.yaml": "config:\n  aws:region: us-east-1\n  datalake:name: 2020-13-45\n",
    "huge-int.yaml": "config:\n  aws:region: us-east-1\n  datalake:name: " + "9" * 5000 + "\n",
    "control.yaml": "config:\n  aws:region: us-east-1\n  datalake:name: ml\x01team\n",
    "trailing-newline.yaml": 'config:\n  aws:region: us-east-1\n  datalake:name: "mlteam\\n"\n',
    "key-newline.yaml": _stack('  "datalake:zones\\n": []\n'),
    "arabic-digits.yaml": _stack('  aws:allowedAccountIds: ["١٢٣٤٥٦٧٨٩٠١٢"]\n'),
    "secret.yaml": _stack("  datalake:deployer:\n    secure: AAABAKx0\n"),
    "no-region.yaml": "config:\n  datalake:name: mlteam\n",
    "top-list.yaml": "- config\n",
    "latin1.yaml": "config:\n  datalake:name: caf\xe9\n".encode("latin-1"),
    "two-documents.yaml": _stack("---\nconfig: {}\n"),
    "dev-copy.yaml": DEV,
    # --identity-policy
    "policy-list.json": "[]",
    "policy-invalid.json": '{"Version": "2012-10-17", "Statement": [',
    "policy-deep.json": "[" * 40 + "]" * 40,
    "policy-huge.json": " " * (1024 * 1024 + 1),
    "policy-long.json": json.dumps({**GOOD_POLICY,
                                    "Statement": [{**GOOD_POLICY["Statement"][0], "Sid": "x" * 11_000}]}),
    "policy-duplicate.json": '{"Version": "2012-10-17", "Version": "2008-10-17", "Statement": []}',
    "policy-nan.json": '{"Version": "2012-10-17", "Statement": NaN}',
    "policy-bigint.json": '{"Version": "2012-10-17", "Statement": [], "x": 1' + "0" * 5000 + "}",
    "policy-quote.json": '{"Version": “2012-10-17”}',
    "policy-no-statement.json": '{"Version": "2012-10-17"}',
    "policy-good.json": json.dumps(GOOD_POLICY),
    # --stack-outputs
    "outputs.json": json.dumps(OUTPUTS),
    "outputs-malformed.json": '{"zoneBuckets": ',
    "outputs-deep.json": '{"zoneBuckets": ' + "[" * 100 + "]" * 100 + "}",
    "outputs-list.json": "[]",
    "outputs-no-zones.json": '{"keyArn": "arn:aws:kms:us-east-1:123456789012:key/abc"}',
    "outputs-bad-bucket.json": '{"zoneBuckets": {"raw": {"name": "Raw_Bucket"}}}',
    "outputs-bad-key.json": '{"zoneBuckets": {"raw": "mlteam-dev-raw"}, "keyArn": "alias/mlteam-dev"}',
    # --against-plan
    "plan-not-json.json": "plan: yes\n",
    "plan-v2.json": '{"formatVersion": 2, "resources": [], "environment": {}}',
    "plan-audit-report.json": '{"formatVersion": 1, "source": "live", "findings": []}',
    "plan-list.json": "[1, 2]",
    "plan-no-settings.json": '{"formatVersion": 1, "resources": [], "environment": {"accountId": "123456789012", '
                             '"region": "us-east-1", "partition": "aws"}}',
    # --ca-bundle
    "garbage.pem": "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n",
    # a file where a folder is expected, and a small file to upload
    "a-file": "x",
}


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The placeholders of the rows: the files above, and project folders broken in each way."""
    root = tmp_path_factory.mktemp("bad")
    files = root / "files"
    files.mkdir()
    for name, content in FILES.items():
        path = files / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    (files / "a-folder").mkdir()
    project = root / "project"  # the stack files of the project, plus broken ones; no program
    project.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"):
        shutil.copy(REPO / name, project / name)
    (project / "Pulumi.broken.yaml").write_text("config:\n  datalake:name: mlteam\n   aws:region: us-east-1\n")
    (project / "Pulumi.twice.yaml").write_text(_stack("  aws:region: eu-west-1\n"))
    projects = {"bad-project": "name: datalake\nruntime: [python\n", "nodejs": "name: datalake\nruntime: nodejs\n",
                "no-name": "runtime: python\n", "dotnet": "name: datalake\nruntime:\n  name: dotnet\n"}
    for name, text in projects.items():
        (root / name).mkdir()
        (root / name / "Pulumi.yaml").write_text(text)
        shutil.copy(REPO / "Pulumi.dev.yaml", root / name / "Pulumi.dev.yaml")
    return {"files": str(files), "project": str(project), "root": str(root), "repo": str(REPO)}


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


# --- the table ----------------------------------------------------------------------------------------


class Prefix(str):
    """An expected line of which only the start is pinned (the rest names a library's internals)."""


def ask(principal: str, action: str, resource: str, *more: str) -> list[str]:
    return ["access", "--principal", principal, "--action", action, "--resource", resource, *more]


ACCESS = ["--principal", "administrator", "--action", "s3:GetObject", "--resource",
          "arn:aws:s3:::mlteam-dev-raw/images/a.png"]
BUCKET = ["--bucket", "mlteam-dev-raw", "--region", "us-east-1"]
OUT = ["--stack-outputs", "{files}/outputs.json", "--zone", "raw", "--region", "us-east-1"]

# (id, argv, exit code, error line): see the module's docstring. None: nothing on stderr.
ROWS: list[tuple[str, list[str], int, str | None]] = [
    # --- top level -----------------------------------------------------------------------
    ("no-command", [],
     2, "lake: error: the following arguments are required: command"),
    ("unknown-command", ["deploy"],
     2, "lake: error: argument command: invalid choice: 'deploy' (choose from 'plan', 'access', "
        "'audit', 'data', 'demo', 'sandbox')"),
    ("unknown-top-option", ["--verbose", "plan"],
     2, "lake: error: unrecognized arguments: --verbose"),
    ("misspelt-command", ["plna"],
     2, "lake: error: argument command: invalid choice: 'plna' (choose from 'plan', 'access', "
        "'audit', 'data', 'demo', 'sandbox')"),
    ("debug-only", ["--debug"],
     2, "lake: error: the following arguments are required: command"),
    # --- lake plan -----------------------------------------------------------------------
    ("plan-unknown-option", ["plan", "--stak", "dev"],
     2, "lake: error: unrecognized arguments: --stak dev"),
    ("plan-option-without-value", ["plan", "--stack"],
     2, "lake plan: error: argument --stack: expected one argument"),
    ("plan-stack-equals-dashes", ["plan", "--stack=--"],
     2, "lake: error: argument --stack: expected one argument"),
    ("plan-empty-stack", ["plan", "--stack", ""],
     2, "error: invalid stack '': a stack name has only letters, digits, '-', '_' and '.', at most "
        "100 (Pulumi's rule)"),
    ("plan-stack-with-space", ["plan", "--stack", "my stack"],
     2, "error: invalid stack 'my stack': a stack name has only letters, digits, '-', '_' and '.', "
        "at most 100 (Pulumi's rule)"),
    ("plan-stack-newline", ["plan", "--stack", "dev\n"],
     2, "error: invalid stack 'dev\\n': a stack name has only letters, digits, '-', '_' and '.', at "
        "most 100 (Pulumi's rule)"),
    ("plan-stack-four-parts", ["plan", "--stack", "a/b/c/d"],
     2, "error: invalid stack 'a/b/c/d': expected STACK, ORG/STACK or ORG/PROJECT/STACK"),
    ("plan-stack-bad-org", ["plan", "--stack", "a/dev"],
     2, "error: invalid stack 'a/dev': organization 'a' must have 3 to 40 letters, digits, '-' or "
        "'_', starting and ending with a letter or digit (Pulumi's rule)"),
    ("plan-stack-other-project", ["plan", "--stack", "acme/other/dev"],
     2, "error: stack 'acme/other/dev' belongs to project 'other', but {project}/Pulumi.yaml is "
        "project 'datalake'"),
    ("plan-stack-too-long", ["plan", "--stack", "x" * 101],
     2, "error: invalid stack '" + "x" * 101 + "': a stack name has only letters, digits, '-', '_' and '.', "
        "at most 100 (Pulumi's rule)"),
    ("plan-unknown-stack", ["plan", "--stack", "staging", "--project-dir", "{project}"],
     2, "error: no stack 'staging' in {project}: Pulumi.staging.yaml not found; stacks here: broken, "
        "dev, prod, twice"),
    ("plan-near-miss-stack", ["plan", "--stack", "prd", "--project-dir", "{project}"],
     2, "error: no stack 'prd' in {project}: Pulumi.prd.yaml not found; stacks here: broken, dev, "
        "prod, twice (did you mean 'prod'?)"),
    ("plan-project-dir-missing", ["plan", "--project-dir", "{root}/nowhere"],
     2, "error: Pulumi.yaml: file not found in {root}/nowhere"),
    ("plan-project-dir-is-file", ["plan", "--project-dir", "{files}/a-file"],
     2, "error: Pulumi.yaml: file not found in {root}/files/a-file"),
    ("plan-project-malformed", ["plan", "--project-dir", "{root}/bad-project"],
     2, "error: Pulumi.yaml: line 3, column 1: invalid YAML: did not find expected ',' or ']'"),
    ("plan-project-nodejs", ["plan", "--project-dir", "{root}/nodejs"],
     2, "error: Pulumi.yaml: runtime: expected 'python' (the lake is a Python program), got string 'nodejs'"),
    ("plan-project-dotnet", ["plan", "--project-dir", "{root}/dotnet"],
     2, "error: Pulumi.yaml: runtime.name: expected 'python' (the lake is a Python program), got "
        "string 'dotnet'"),
    ("plan-project-no-name", ["plan", "--project-dir", "{root}/no-name"],
     2, "error: Pulumi.yaml: name: required key is missing"),
    ("plan-stack-file-malformed", ["plan", "--stack", "broken", "--project-dir", "{project}"],
     2, "error: Pulumi.broken.yaml: line 3, column 14: invalid YAML: mapping values are not allowed "
        "in this context"),
    ("plan-stack-file-duplicate", ["plan", "--stack", "twice", "--project-dir", "{project}"],
     2, "error: Pulumi.twice.yaml: aws:region: key written twice (lines 2 and 4)"),
    ("plan-no-program", ["plan", "--project-dir", "{project}"],
     2, "error: no __main__.py in {project}: --project-dir must name the folder of the Pulumi program"),
    ("config-missing", ["plan", "--config-file", "{files}/missing.yaml"],
     2, "error: missing.yaml: file not found in {root}/files"),
    ("config-folder", ["plan", "--config-file", "{files}/a-folder"],
     2, "error: a-folder: cannot be read: not a file ({root}/files/a-folder)"),
    ("config-malformed", ["plan", "--config-file", "{files}/malformed.yaml"],
     2, "error: malformed.yaml: line 3, column 1: invalid YAML: did not find expected ',' or ']'"),
    ("config-duplicate", ["plan", "--config-file", "{files}/duplicate.yaml"],
     2, "error: duplicate.yaml: datalake:name: key written twice (lines 3 and 4)"),
    ("config-alias-bomb", ["plan", "--config-file", "{files}/bomb.yaml"],
     2, "error: bomb.yaml: line 7, column 16: more than 10000 values once aliases are expanded; "
        "refused (a stack config has a few hundred)"),
    ("config-deep", ["plan", "--config-file", "{files}/deep.yaml"],
     2, "error: deep.yaml: line 2, column 117: nested more than 100 levels deep; refused"),
    ("config-near-miss-namespace", ["plan", "--config-file", "{files}/near-miss.yaml"],
     2, "error: near-miss.yaml: datalaek:zones: unknown namespace 'datalaek', which the lake would "
        "ignore (did you mean 'datalake:zones'?)"),
    ("config-python-tag", ["plan", "--config-file", "{files}/python-tag.yaml"],
     2, "error: python-tag.yaml: line 4, column 18: invalid YAML: could not determine a constructor "
        "for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    ("config-float-tag", ["plan", "--config-file", "{files}/float-tag.yaml"],
     2, "error: float-tag.yaml: line 4, column 23: invalid YAML: cannot read \"abc\" as !!float"),
    ("config-impossible-date", ["plan", "--config-file", "{files}/bad-date.yaml"],
     2, "error: bad-date.yaml: line 3, column 18: invalid YAML: cannot read \"2020-13-45\" as "
        "!!timestamp (month must be in 1..12)"),
    ("config-huge-integer", ["plan", "--config-file", "{files}/huge-int.yaml"],
     2, "error: huge-int.yaml: line 3, column 18: invalid YAML: cannot read "
        "\"9999999999999999999999999999999999999999...\" as !!int (5000 characters: too many digits)"),
    ("config-control-character", ["plan", "--config-file", "{files}/control.yaml"],
     2, "error: control.yaml: invalid YAML: character #x0001 at offset 51: control characters are not allowed"),
    ("config-trailing-newline-value", ["plan", "--config-file", "{files}/trailing-newline.yaml"],
     2, "error: trailing-newline.yaml: datalake:name: expected lowercase letters, digits and "
        "hyphens, starting and ending with a letter or digit, got string 'mlteam\\n'"),
    ("config-trailing-newline-key", ["plan", "--config-file", "{files}/key-newline.yaml"],
     2, "error: key-newline.yaml: datalake:\"zones\\n\": unknown key 'zones\\n' (did you mean 'zones'?)"),
    ("config-arabic-digits-account", ["plan", "--config-file", "{files}/arabic-digits.yaml"],
     2, "error: arabic-digits.yaml: aws:allowedAccountIds[0]: expected a 12-digit account id, got "
        "string '١٢٣٤٥٦٧٨٩٠١٢'"),
    ("config-secret", ["plan", "--config-file", "{files}/secret.yaml"],
     2, "error: secret.yaml: datalake:deployer: is encrypted (secure), which only a Pulumi run can "
        "read; the lake's settings are not secret: set it without --secret"),
    ("config-no-region", ["plan", "--config-file", "{files}/no-region.yaml"],
     2, "error: no-region.yaml: aws:region: is not set; the plan needs the region the stack deploys to"),
    ("config-top-list", ["plan", "--config-file", "{files}/top-list.yaml"],
     2, "error: top-list.yaml: expected a mapping at the top of the file, got a list"),
    ("config-latin1", ["plan", "--config-file", "{files}/latin1.yaml"],
     2, "error: latin1.yaml: cannot be read: not UTF-8 text (invalid continuation byte at byte 28)"),
    ("config-two-documents", ["plan", "--config-file", "{files}/two-documents.yaml"],
     2, "error: two-documents.yaml: line 4, column 1: invalid YAML: but found another document"),
    ("config-name-too-long", ["plan", "--config-file", "y" * 300],
     2, "error: " + "y" * 80 + "...: File name too long"),
    ("account-short", ["plan", "--account-id", "12345"],
     2, "lake plan: error: argument --account-id: '12345' is not a 12-digit AWS account id"),
    ("account-arabic-digits", ["plan", "--account-id", "١٢٣٤٥٦٧٨٩٠١٢"],
     2, "lake plan: error: argument --account-id: '١٢٣٤٥٦٧٨٩٠١٢' is not a 12-digit AWS account id"),
    ("account-fullwidth-digits", ["plan", "--account-id", "１２３４５６７８９０１２"],
     2, "lake plan: error: argument --account-id: '１２３４５６７８９０１２' is not a 12-digit AWS account id"),
    ("account-with-dashes", ["plan", "--account-id", "1234-5678-9012"],
     2, "lake plan: error: argument --account-id: '1234-5678-9012' is not a 12-digit AWS account id"),
    ("account-newline", ["plan", "--account-id", "123456789012\n"],
     2, "lake plan: error: argument --account-id: '123456789012\\n' is not a 12-digit AWS account id"),
    ("account-not-allowed", ["plan", "--account-id", "210987654321", "--project-dir", "{project}"],
     2, "error: Pulumi.dev.yaml: aws:allowedAccountIds: does not include the plan's account "
        "210987654321 (123456789012); the AWS provider would refuse to deploy there"),
    ("output-missing-folder", ["plan", "--output", "{files}/no/such/plan.txt"],
     2, "error: --output {root}/files/no/such/plan.txt: folder {root}/files/no/such does not exist"),
    ("output-is-folder", ["plan", "--output", "{files}/a-folder"],
     2, "error: --output {root}/files/a-folder: is a folder"),
    ("output-file-as-parent", ["plan", "--output", "{files}/a-file/plan.txt"],
     2, "error: --output {root}/files/a-file/plan.txt: {root}/files/a-file is not a folder"),
    ("format-unknown", ["plan", "--format", "yaml"],
     2, "lake plan: error: argument --format: invalid choice: 'yaml' (choose from 'text', 'json', "
        "'markdown', 'sarif', 'terraform-plan')"),
    ("format-terraform-without-plan", ["plan", "--format", "terraform"],
     2, "lake plan: error: argument --format: invalid choice: 'terraform' (choose from 'text', 'json', "
        "'markdown', 'sarif', 'terraform-plan')"),
    ("matrix-unknown", ["plan", "--matrix", "partial"],
     2, "lake plan: error: argument --matrix: invalid choice: 'partial' (choose from 'summary', "
        "'full', 'none')"),
    ("no-audit-markdown", ["plan", "--no-audit", "--format", "markdown"],
     2, "lake: error: --no-audit cannot be combined with --format markdown, which reports findings"),
    ("no-audit-sarif", ["plan", "--no-audit", "--format", "sarif"],
     2, "lake: error: --no-audit cannot be combined with --format sarif, which reports findings"),
    # --- lake access ---------------------------------------------------------------------
    ("access-nothing", ["access"],
     2, "lake access: error: the following arguments are required: --principal, --action, --resource"),
    ("access-no-resource", ["access", "--principal", "administrator", "--action", "s3:GetObject"],
     2, "lake access: error: the following arguments are required: --resource"),
    ("access-misspelt-action", ask("administrator", "s3:GetObjekt", "arn:aws:s3:::mlteam-dev-raw/x"),
     2, "error: --action s3:GetObjekt: not an S3 or KMS action (did you mean s3:GetObject?)"),
    ("access-wildcard-action", ask("administrator", "s3:Get*", "arn:aws:s3:::mlteam-dev-raw/x"),
     2, "error: --action s3:Get*: a wildcard stands for many actions, not one request"),
    ("access-iam-action", ask("administrator", "iam:PassRole", "arn:aws:s3:::mlteam-dev-raw/x"),
     2, "error: --action iam:PassRole: not an S3 or KMS action"),
    ("access-action-on-bucket", ask("administrator", "s3:GetObject", "arn:aws:s3:::mlteam-dev-raw"),
     2, "error: --action s3:GetObject: acts on an object, not on a bucket (arn:aws:s3:::mlteam-dev-raw)"),
    ("access-unknown-principal", ["access", "--principal", "Admin", *ACCESS[2:]],
     2, "error: --principal Admin: neither an IAM ARN nor one of administrator, deployer, reader, "
        "external, anonymous"),
    ("access-wildcard-principal", ["access", "--principal", "arn:aws:iam::123456789012:role/*", *ACCESS[2:]],
     2, "error: --principal arn:aws:iam::123456789012:role/*: a wildcard stands for many principals, "
        "not the one making a request"),
    ("access-session-principal",
     ["access", "--principal", "arn:aws:sts::123456789012:assumed-role/etl/me", *ACCESS[2:]],
     2, "error: --principal arn:aws:sts::123456789012:assumed-role/etl/me: a role session; policies "
        "see the role that was assumed"),
    ("access-arabic-account-principal", ["access", "--principal", "arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/etl", *ACCESS[2:]],
     2, "error: --principal arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/etl: the account id ١٢٣٤٥٦٧٨٩٠١٢ is not "
        "12 digits (0-9)"),
    ("access-resource-not-arn", ["access", *ACCESS[:4], "--resource", "mlteam-dev-raw/x"],
     2, "error: --resource mlteam-dev-raw/x: not an ARN"),
    ("access-resource-wildcard", ["access", *ACCESS[:4], "--resource", "arn:aws:s3:::mlteam-dev-raw/*"],
     2, "error: --resource arn:aws:s3:::mlteam-dev-raw/*: a wildcard stands for many resources, not "
        "the one a request names"),
    ("access-resource-empty-key", ["access", *ACCESS[:4], "--resource", "arn:aws:s3:::mlteam-dev-raw/"],
     2, "error: --resource arn:aws:s3:::mlteam-dev-raw/: the object key after mlteam-dev-raw/ is empty"),
    ("access-resource-bad-bucket", ["access", *ACCESS[:4], "--resource", "arn:aws:s3:::Raw_Bucket/x"],
     2, "error: --resource arn:aws:s3:::Raw_Bucket/x: Raw_Bucket is not a bucket name (3 to 63 of "
        "a-z 0-9 . -)"),
    ("access-resource-alias",
     ask("administrator", "kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:alias/mlteam-dev"),
     2, "error: --resource arn:aws:kms:us-east-1:123456789012:alias/mlteam-dev: an alias; key "
        "policies are asked about the key itself"),
    ("access-resource-other-stack", ["access", *ACCESS[:4], "--resource", "arn:aws:s3:::mlteam-prod-raw/x",
                                     "--project-dir", "{repo}"],
     2, "error: --resource arn:aws:s3:::mlteam-prod-raw/x: not a bucket, object or key of this stack "
        "(did you mean mlteam-dev-raw?)"),
    ("access-context-unknown-key", ["access", *ACCESS, "--context", "aws:SecureTransprt=false"],
     2, "error: --context aws:SecureTransprt=false: unknown condition key (did you mean aws:SecureTransport?)"),
    ("access-context-no-equals", ["access", *ACCESS, "--context", "aws:SecureTransport"],
     2, "error: --context aws:SecureTransport: expected KEY=VALUE"),
    ("access-context-not-bool", ["access", *ACCESS, "--context", "aws:SecureTransport=maybe"],
     2, "error: --context aws:SecureTransport=maybe: aws:SecureTransport is true or false"),
    ("access-context-equals-dashes", ["access", *ACCESS, "--context=--"],
     2, "lake: error: argument --context: expected one argument"),
    ("access-context-ip-range", ["access", *ACCESS, "--context", "aws:SourceIp=10.0.0.0/8"],
     2, "error: --context aws:SourceIp=10.0.0.0/8: aws:SourceIp is one IP address (a request comes "
        "from one; ranges belong in policies)"),
    ("access-context-twice", ["access", *ACCESS, "--context", "aws:SecureTransport=true",
                              "--context", "aws:SecureTransport=false"],
     2, "error: --context aws:SecureTransport=false: aws:SecureTransport is given twice, and a "
        "request holds one value of it"),
    ("access-context-tag-without-name", ["access", *ACCESS, "--context", "aws:PrincipalTag/=ml"],
     2, "error: --context aws:PrincipalTag/=ml: aws:PrincipalTag/${TagKey} needs its TagKey after "
        "aws:PrincipalTag/"),
    ("access-policy-missing", ["access", *ACCESS, "--identity-policy", "{files}/missing.json"],
     2, "error: --identity-policy {root}/files/missing.json: no such file"),
    ("access-policy-folder", ["access", *ACCESS, "--identity-policy", "{files}/a-folder"],
     2, "error: --identity-policy {root}/files/a-folder: a directory, not a file"),
    ("access-policy-list", ["access", *ACCESS, "--identity-policy", "{files}/policy-list.json"],
     2, "error: --identity-policy {root}/files/policy-list.json: policy: expected a policy document "
        "(an object), got an empty list"),
    ("access-policy-invalid", ["access", *ACCESS, "--identity-policy", "{files}/policy-invalid.json"],
     2, "error: --identity-policy {root}/files/policy-invalid.json: not JSON: Expecting value (line "
        "1, column 41)"),
    ("access-policy-deep", ["access", *ACCESS, "--identity-policy", "{files}/policy-deep.json"],
     2, "error: --identity-policy {root}/files/policy-deep.json: nested deeper than 32 levels at "
        "line 1, column 33"),
    ("access-policy-huge", ["access", *ACCESS, "--identity-policy", "{files}/policy-huge.json"],
     2, "error: --identity-policy {root}/files/policy-huge.json: larger than 1 MiB, far beyond any "
        "policy IAM stores"),
    ("access-policy-over-quota", ["access", *ACCESS, "--identity-policy", "{files}/policy-long.json"],
     2, "error: --identity-policy {root}/files/policy-long.json: 11,133 characters without "
        "whitespace, more than IAM's 10,240 for any identity policy"),
    ("access-policy-duplicate-key", ["access", *ACCESS, "--identity-policy", "{files}/policy-duplicate.json"],
     2, "error: --identity-policy {root}/files/policy-duplicate.json: the key 'Version' appears "
        "twice in one object: which one counts is ambiguous"),
    ("access-policy-nan", ["access", *ACCESS, "--identity-policy", "{files}/policy-nan.json"],
     2, "error: --identity-policy {root}/files/policy-nan.json: NaN is not JSON"),
    ("access-policy-huge-number", ["access", *ACCESS, "--identity-policy", "{files}/policy-bigint.json"],
     2, "error: --identity-policy {root}/files/policy-bigint.json: not JSON Python reads: Exceeds "
        "the limit (4300 digits) for integer string conversion: value has 5001 digits"),
    ("access-policy-typographic-quote", ["access", *ACCESS, "--identity-policy", "{files}/policy-quote.json"],
     2, "error: --identity-policy {root}/files/policy-quote.json: character U+201C at line 1, column "
        "13: IAM policies hold only tab, line breaks and U+0020 to U+00FF"),
    ("access-policy-no-statement", ["access", *ACCESS, "--identity-policy", "{files}/policy-no-statement.json"],
     2, "error: --identity-policy {root}/files/policy-no-statement.json: policy: needs Statement"),
    ("access-denied-anonymous",
     ask("anonymous", "s3:GetObject", "arn:aws:s3:::mlteam-dev-raw/images/a.png", "--project-dir", "{repo}"),
     1, None),
    ("access-denied-without-tls",
     ["access", *ACCESS, "--context", "aws:SecureTransport=false", "--project-dir", "{repo}"],
     1, None),
    ("access-denied-reader-writes",
     ask("reader", "s3:PutObject", "arn:aws:s3:::mlteam-dev-curated/x", "--project-dir", "{repo}"),
     1, None),
    ("access-unknown-stack", ["access", *ACCESS, "--stack", "staging", "--project-dir", "{project}"],
     2, "error: no stack 'staging' in {project}: Pulumi.staging.yaml not found; stacks here: broken, "
        "dev, prod, twice"),
    # --- lake audit ----------------------------------------------------------------------
    ("audit-no-selection", ["audit"],
     2, "error: choose the buckets: --stack-outputs FILE, --bucket NAME, --tag KEY=VALUE or --prefix PREFIX"),
    ("audit-no-selection-region", ["audit", "--region", "us-east-1"],
     2, "error: choose the buckets: --stack-outputs FILE, --bucket NAME, --tag KEY=VALUE or --prefix PREFIX"),
    ("audit-bucket-uppercase", ["audit", "--bucket", "Raw"],
     2, "error: --bucket Raw: not a valid S3 bucket name: 'R' is not allowed (lowercase letters, "
        "digits, dots and hyphens only)"),
    ("audit-bucket-too-short", ["audit", "--bucket", "ab"],
     2, "error: --bucket ab: not a valid S3 bucket name: 2 characters, not 3 to 63"),
    ("audit-bucket-ip", ["audit", "--bucket", "192.168.1.1"],
     2, "error: --bucket 192.168.1.1: not a valid S3 bucket name: formatted as an IP address"),
    ("audit-bucket-reserved-suffix", ["audit", "--bucket", "raw-s3alias"],
     2, "error: --bucket raw-s3alias: not a valid S3 bucket name: the suffix -s3alias is reserved by S3"),
    ("audit-tag-no-equals", ["audit", "--tag", "lake"],
     2, "error: --tag lake: expected KEY=VALUE, e.g. lake=mlteam"),
    ("audit-tag-empty-value", ["audit", "--tag", "lake="],
     2, "error: --tag lake=: expected KEY=VALUE, e.g. lake=mlteam"),
    ("audit-prefix-uppercase", ["audit", "--prefix", "MLteam"],
     2, "error: --prefix MLteam: no S3 bucket name starts like this"),
    ("audit-plan-missing", ["audit", *BUCKET, "--against-plan", "{files}/missing.json"],
     2, "error: --against-plan {root}/files/missing.json: no such file"),
    ("audit-plan-not-json", ["audit", *BUCKET, "--against-plan", "{files}/plan-not-json.json"],
     2, "error: --against-plan {root}/files/plan-not-json.json: not a readable JSON file of a plan "
        "document (Expecting value: line 1 column 1 (char 0))"),
    ("audit-plan-wrong-version", ["audit", *BUCKET, "--against-plan", "{files}/plan-v2.json"],
     2, "error: --against-plan {root}/files/plan-v2.json: plan formatVersion 2; this lake reads "
        "formatVersion 1"),
    ("audit-plan-is-a-report", ["audit", *BUCKET, "--against-plan", "{files}/plan-audit-report.json"],
     2, "error: --against-plan {root}/files/plan-audit-report.json: a `lake audit` report, not a "
        "plan document"),
    ("audit-plan-list", ["audit", *BUCKET, "--against-plan", "{files}/plan-list.json"],
     2, "error: --against-plan {root}/files/plan-list.json: a JSON array, not a plan document"),
    ("audit-plan-unreadable-model", ["audit", *BUCKET, "--against-plan", "{files}/plan-no-settings.json"],
     2, "error: --against-plan {root}/files/plan-no-settings.json: not a plan document lake can read "
        "(no 'settings')"),
    ("audit-plan-folder", ["audit", *BUCKET, "--against-plan", "{files}/a-folder"],
     2, "error: --against-plan {root}/files/a-folder: a directory, not a file of a plan document"),
    ("audit-concurrency-zero", ["audit", *BUCKET, "--concurrency", "0"],
     2, "error: --concurrency 0: give 1 to 256 requests in flight"),
    ("audit-concurrency-huge", ["audit", *BUCKET, "--concurrency", "100000"],
     2, "error: --concurrency 100000: give 1 to 256 requests in flight"),
    ("audit-concurrency-word", ["audit", *BUCKET, "--concurrency", "many"],
     2, "error: --concurrency many: not a whole number"),
    ("audit-concurrency-arabic", ["audit", *BUCKET, "--concurrency", "١٦"],
     2, "error: --concurrency ١٦: not a whole number"),
    ("audit-region-bad", ["audit", "--bucket", "mlteam-dev-raw", "--region", "mars-north-9x"],
     2, "error: --region mars-north-9x: not an AWS region name"),
    ("audit-region-uppercase", ["audit", "--bucket", "mlteam-dev-raw", "--region", "US-EAST-1"],
     2, "error: --region US-EAST-1: not an AWS region name"),
    ("audit-profile-nosuch", ["audit", "--bucket", "mlteam-dev-raw", "--profile", "nosuch"],
     2, "error: --profile nosuch: no such profile in {aws_config} or {aws_config}"),
    ("audit-profile-carriage-return", ["audit", "--bucket", "mlteam-dev-raw", "--profile", "prod\r"],
     2, "error: --profile 'prod\\r': no such profile in {aws_config} or {aws_config}"),
    ("audit-endpoint-not-url", ["audit", *BUCKET, "--endpoint-url", "localhost:9000"],
     2, "error: --endpoint-url localhost:9000: expected http:// or https:// and a host name"),
    ("audit-endpoint-plain-http", ["audit", *BUCKET, "--endpoint-url", "http://s3.example.com"],
     2, "error: --endpoint-url http://s3.example.com: plain http to s3.example.com, which the lake refuses"),
    ("audit-endpoint-credentials", ["audit", *BUCKET, "--endpoint-url", "https://me:secret@127.0.0.1:9000"],
     2, "error: --endpoint-url https://me:secret@127.0.0.1:9000: credentials in the URL are not used "
        "and would be logged"),
    ("audit-endpoint-bad-port", ["audit", *BUCKET, "--endpoint-url", "https://127.0.0.1:99999"],
     2, "error: --endpoint-url https://127.0.0.1:99999: not a URL (Port out of range 0-65535)"),
    ("audit-format-unknown", ["audit", *BUCKET, "--format", "html"],
     2, "lake audit: error: argument --format: invalid choice: 'html' (choose from 'text', 'json', "
        "'markdown', 'sarif')"),
    ("audit-output-missing-folder", ["audit", *BUCKET, "--output", "{files}/no/such/report.txt"],
     2, "error: --output {root}/files/no/such/report.txt: folder {root}/files/no/such does not exist"),
    ("audit-outputs-list", ["audit", "--stack-outputs", "{files}/outputs-list.json"],
     2, "error: --stack-outputs {root}/files/outputs-list.json: a JSON array, not stack outputs"),
    ("audit-unreachable-account", ["audit", *BUCKET],
     2, "error: cannot reach the AWS account: Could not connect to the endpoint URL: \"{endpoint}/\""),
    # --- lake data -----------------------------------------------------------------------
    ("data-no-verb", ["data"],
     2, "lake data: error: the following arguments are required: verb"),
    ("data-unknown-verb", ["data", "copy"],
     2, "lake data: error: argument verb: invalid choice: 'copy' (choose from 'ls', 'cat', 'head', "
        "'put', 'sync', 'presign', 'versions', 'restore', 'rm')"),
    ("data-ls-no-bucket", ["data", "ls"],
     2, "error: choose the bucket: --stack-outputs FILE --zone ZONE, or --bucket NAME"),
    ("data-ls-zone-without-outputs", ["data", "ls", "--zone", "raw"],
     2, "error: --zone needs --stack-outputs (a zone is looked up in the stack outputs)"),
    ("data-ls-outputs-without-zone", ["data", "ls", "--stack-outputs", "{files}/outputs.json"],
     2, "error: --stack-outputs needs --zone (e.g. --zone raw)"),
    ("data-ls-outputs-and-bucket", ["data", "ls", *OUT, "--bucket", "mlteam-dev-raw"],
     2, "error: choose one: --stack-outputs with --zone, or --bucket"),
    ("data-ls-zone-not-in-outputs",
     ["data", "ls", "--stack-outputs", "{files}/outputs.json", "--zone", "curated", "--region", "us-east-1"],
     2, "error: zone 'curated' is not in the stack outputs' zoneBuckets (zones: raw)"),
    ("data-ls-outputs-missing", ["data", "ls", "--stack-outputs", "{files}/missing.json", "--zone", "raw"],
     2, "error: --stack-outputs {root}/files/missing.json: no such file"),
    ("data-ls-outputs-malformed", ["data", "ls", "--stack-outputs", "{files}/outputs-malformed.json", "--zone", "raw"],
     2, "error: --stack-outputs {root}/files/outputs-malformed.json: not a readable JSON file of "
        "stack outputs (Expecting value: line 1 column 17 (char 16))"),
    ("data-ls-outputs-deep", ["data", "ls", "--stack-outputs", "{files}/outputs-deep.json", "--zone", "raw"],
     2, "error: --stack-outputs {root}/files/outputs-deep.json: nested deeper than 64 levels, not "
        "stack outputs"),
    ("data-ls-outputs-no-zones", ["data", "ls", "--stack-outputs", "{files}/outputs-no-zones.json", "--zone", "raw"],
     2, "error: --stack-outputs {root}/files/outputs-no-zones.json: no 'zoneBuckets' output; "
        "expected `pulumi stack output --json` of this program"),
    ("data-ls-outputs-bad-bucket",
     ["data", "ls", "--stack-outputs", "{files}/outputs-bad-bucket.json", "--zone", "raw"],
     2, "error: --stack-outputs {root}/files/outputs-bad-bucket.json: zoneBuckets.raw is not a valid "
        "S3 bucket name (Raw_Bucket)"),
    ("data-ls-outputs-bad-key", ["data", "ls", "--stack-outputs", "{files}/outputs-bad-key.json", "--zone", "raw"],
     2, "error: --stack-outputs {root}/files/outputs-bad-key.json: keyArn is not a full KMS key ARN"),
    ("data-ls-bad-bucket", ["data", "ls", "--bucket", "my_bucket"],
     2, "error: --bucket my_bucket: not a valid S3 bucket name: '_' is not allowed (lowercase "
        "letters, digits, dots and hyphens only)"),
    ("data-ls-prefix-too-long", ["data", "ls", *BUCKET, "é" * 513],
     2, "error: PREFIX " + "é" * 80 + "...: 1026 bytes of UTF-8; S3 keys are at most 1024"),
    ("data-ls-ca-bundle-garbage", ["data", "ls", *BUCKET, "--ca-bundle", "{files}/garbage.pem"],
     2, Prefix("error: --ca-bundle {files}/garbage.pem: no PEM certificate in it (")),
    ("data-ls-ca-bundle-missing", ["data", "ls", *BUCKET, "--ca-bundle", "{files}/missing.pem"],
     2, "error: --ca-bundle {root}/files/missing.pem: no such file"),
    ("data-ls-ca-bundle-folder", ["data", "ls", *BUCKET, "--ca-bundle", "{files}/a-folder"],
     2, "error: --ca-bundle {root}/files/a-folder: not a file"),
    ("data-ls-key-arn-alias", ["data", "ls", *BUCKET, "--key-arn", "alias/mlteam-dev"],
     2, "error: --key-arn alias/mlteam-dev: not a full KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)"),
    ("data-ls-concurrency-zero", ["data", "ls", *BUCKET, "--concurrency", "0"],
     2, "error: --concurrency 0: give 1 to 256 requests in flight"),
    ("data-ls-unreachable", ["data", "ls", *BUCKET],
     1, "error: ListObjectsV2 s3://mlteam-dev-raw/: Could not connect to the endpoint URL: "
        "\"{endpoint}/mlteam-dev-raw?list-type=2&prefix=&max-keys=1000&encoding-type=url\""),
    ("data-cat-no-key", ["data", "cat", *BUCKET],
     2, "lake data cat: error: the following arguments are required: KEY"),
    ("data-cat-empty-key", ["data", "cat", *BUCKET, ""],
     2, "error: KEY is empty: name an object"),
    ("data-cat-key-too-long", ["data", "cat", *BUCKET, "k" * 1025],
     2, "error: KEY " + "k" * 80 + "...: 1025 bytes of UTF-8; S3 keys are at most 1024"),
    ("data-cat-bad-format", ["data", "cat", *BUCKET, "a.csv", "--as", "xml"],
     2, "lake data cat: error: argument --as: invalid choice: 'xml' (choose from 'bytes', 'text', "
        "'json', 'csv')"),
    ("data-head-no-key", ["data", "head", *BUCKET],
     2, "lake data head: error: the following arguments are required: key"),
    ("data-head-bad-version", ["data", "head", *BUCKET, "a.csv", "--version-id", "has space"],
     2, "error: --version-id 'has space': not an S3 version id"),
    ("data-put-no-path", ["data", "put", *BUCKET],
     2, "lake data put: error: the following arguments are required: path"),
    ("data-put-missing-path", ["data", "put", *BUCKET, "{files}/missing.csv"],
     2, "error: PATH {root}/files/missing.csv: no such file or directory"),
    ("data-put-device", ["data", "put", *BUCKET, "/dev/null"],
     2, "error: PATH /dev/null: not a regular file or a directory"),
    ("data-put-part-size-small", ["data", "put", *BUCKET, "{files}/a-file", "x", "--part-size", "4"],
     2, "error: --part-size 4: S3 takes parts of 5 MiB to 5120 MiB (5 GiB)"),
    ("data-put-part-size-huge", ["data", "put", *BUCKET, "{files}/a-file", "x", "--part-size", "5121"],
     2, "error: --part-size 5121: S3 takes parts of 5 MiB to 5120 MiB (5 GiB)"),
    ("data-put-threshold-zero", ["data", "put", *BUCKET, "{files}/a-file", "x", "--multipart-threshold", "0"],
     2, "error: --multipart-threshold 0: give 1 to 5120 MiB"),
    ("data-put-metadata-no-equals", ["data", "put", *BUCKET, "{files}/a-file", "x", "--metadata", "source"],
     2, "error: --metadata source: expected NAME=VALUE, e.g. source=bccd"),
    ("data-put-bad-checksum", ["data", "put", *BUCKET, "{files}/a-file", "x", "--checksum", "MD5"],
     2, "lake data put: error: argument --checksum: invalid choice: 'MD5' (choose from 'CRC32', 'SHA256')"),
    ("data-put-unreachable", ["data", "put", *BUCKET, "{files}/a-file", "x"],
     1, "error: PutObject s3://mlteam-dev-raw/x: Could not connect to the endpoint URL: "
        "\"{endpoint}/mlteam-dev-raw/x\""),
    ("data-sync-no-directory", ["data", "sync", *BUCKET, "images/"],
     2, "lake data sync: error: the following arguments are required: directory"),
    ("data-sync-into-file", ["data", "sync", *BUCKET, "images/", "{files}/a-file"],
     2, "error: DIRECTORY {root}/files/a-file: exists and is not a directory"),
    ("data-presign-expires-8d", ["data", "presign", *BUCKET, "a.csv", "--expires", "8d"],
     2, "error: --expires 8d: 691200 s; presigned URLs last from 1 s to 7 days (604800 s)"),
    ("data-presign-expires-0s", ["data", "presign", *BUCKET, "a.csv", "--expires", "0s"],
     2, "error: --expires 0s: 0 s; presigned URLs last from 1 s to 7 days (604800 s)"),
    ("data-presign-expires-word", ["data", "presign", *BUCKET, "a.csv", "--expires", "tomorrow"],
     2, "error: --expires tomorrow: give seconds or a number with s, m, h or d, e.g. 3600, 12h, 7d"),
    ("data-versions-no-key", ["data", "versions", *BUCKET],
     2, "lake data versions: error: the following arguments are required: key"),
    ("data-presign-no-key", ["data", "presign", *BUCKET],
     2, "lake data presign: error: the following arguments are required: key"),
    ("data-restore-no-key", ["data", "restore", *BUCKET],
     2, "lake data restore: error: the following arguments are required: key"),
    ("data-sync-nothing", ["data", "sync"],
     2, "lake data sync: error: the following arguments are required: prefix, directory"),
    ("data-ls-profile-nosuch", ["data", "ls", "--bucket", "mlteam-dev-raw", "--profile", "nosuch"],
     2, "error: --profile nosuch: no such profile in {aws_config} or {aws_config}"),
    ("data-restore-bad-version", ["data", "restore", *BUCKET, "a.csv", "--version-id", ""],
     2, "error: --version-id '': not an S3 version id"),
    ("data-rm-no-key", ["data", "rm", *BUCKET],
     2, "lake data rm: error: the following arguments are required: key"),
    ("data-rm-unreachable", ["data", "rm", *BUCKET, "a.csv"],
     1, "error: HeadObject s3://mlteam-dev-raw/a.csv: Could not connect to the endpoint URL: "
        "\"{endpoint}/mlteam-dev-raw/a.csv\""),
    # --- lake demo: only what is refused before a server starts --------------------------
    ("demo-workdir-is-file", ["demo", "--workdir", "{files}/a-file"],
     2, "error: --workdir {root}/files/a-file: is a file; --workdir names a folder (created if missing)"),
    ("demo-workdir-under-file", ["demo", "--workdir", "{files}/a-file/work"],
     2, "error: --workdir {root}/files/a-file/work: {root}/files/a-file is not a folder"),
    ("demo-images-zero", ["demo", "--images", "0"],
     2, "lake demo: error: argument --images: '0' is not a number from 1 to 1000"),
    ("demo-images-1001", ["demo", "--images", "1001"],
     2, "lake demo: error: argument --images: '1001' is not a number from 1 to 1000"),
    ("demo-images-arabic", ["demo", "--images", "١٢"],
     2, "lake demo: error: argument --images: '١٢' is not a number from 1 to 1000"),
    ("demo-broken-project", ["demo", "--project-dir", "{root}/bad-project"],
     2, "error: Pulumi.yaml: line 3, column 1: invalid YAML: did not find expected ',' or ']'"),
    # --- lake sandbox: only what is refused before a server starts -----------------------
    ("sandbox-workdir-is-file", ["sandbox", "--workdir", "{files}/a-file"],
     2, "error: --workdir {root}/files/a-file: is a file; --workdir names a folder (created if missing)"),
    ("sandbox-port-out-of-range", ["sandbox", "--port", "70000"],
     2, "error: --port 70000: not a port number"),
    ("sandbox-port-equals-dashes", ["sandbox", "--port=--"],
     2, "lake: error: argument --port: expected one argument"),
    ("sandbox-port-word", ["sandbox", "--port", "http"],
     2, "error: --port http: not a port number"),
    ("sandbox-port-taken", ["sandbox", "--port", "{taken_port}"],
     2, "error: --port {taken_port}: 127.0.0.1:{taken_port} is already in use"),
    ("sandbox-unknown-stack", ["sandbox", "--stack", "staging", "--project-dir", "{project}"],
     2, "error: no stack 'staging' in {project}: Pulumi.staging.yaml not found; stacks here: broken, "
        "dev, prod, twice"),
    ("sandbox-bad-stack-name", ["sandbox", "--stack", "a/b/c/d"],
     2, "error: invalid stack 'a/b/c/d': expected STACK, ORG/STACK or ORG/PROJECT/STACK"),
    ("sandbox-broken-stack-file", ["sandbox", "--stack", "broken", "--project-dir", "{project}"],
     2, "error: Pulumi.broken.yaml: line 3, column 14: invalid YAML: mapping values are not allowed "
        "in this context"),
]


# --- running a row ------------------------------------------------------------------------------------

PLACEHOLDERS = ("files", "project", "root", "repo", "endpoint", "taken_port", "aws_config")


def filled(text: str, place: dict[str, str]) -> str:
    for name in PLACEHOLDERS:
        text = text.replace("{" + name + "}", place[name])
    return text


@pytest.fixture
def place(bad: dict[str, str], taken_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An offline process (tests/fuzz/support.py) in the project copy, crash files (if any) in
    tmp_path, the Pulumi program remembered between rows; the values of the placeholders."""
    endpoint = offline(monkeypatch, tmp_path)
    monkeypatch.chdir(bad["project"])
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    memoize_programs(monkeypatch)
    return {**bad, "endpoint": endpoint, "taken_port": str(taken_port), "aws_config": str(tmp_path / "aws-empty")}


def check(row_id: str, code: int, err: str, expected_code: int, expected: str | None, place: dict[str, str]) -> None:
    """The row's exit code and error line, and nothing on stderr but error, hint and usage lines."""
    assert "Traceback" not in err
    assert stray_lines(err) == [], f"{row_id}: stray stderr lines:\n{err}"
    lines = err.splitlines()
    if expected is None:
        assert (code, err) == (expected_code, ""), row_id
        return
    line = filled(expected, place)
    if expected.startswith("lake"):  # argparse: `usage: ...` first, then its error line
        assert lines[0].startswith("usage: lake"), f"{row_id}: {err}"
        assert (code, error_line(err)) == (expected_code, line), row_id
    elif isinstance(expected, Prefix):
        assert code == expected_code and lines[0].startswith(line), f"{row_id}: {err}"
    else:
        assert (code, lines[0]) == (expected_code, line), row_id


RESULTS: dict[str, tuple[list[str], int, str]] = {}  # row id -> (argv, exit code, stderr), for the summary


def run_row(row_id: str, argv: list[str], place: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    words = [filled(word, place) for word in argv]
    code, _, err = run_lake(capsys, words)
    RESULTS[row_id] = (words, code, err)
    return code, err


@pytest.mark.parametrize(("row_id", "argv", "code", "line"), [pytest.param(*row, id=row[0]) for row in ROWS])
def test_bad_invocation(row_id, argv, code, line, place, capsys):
    got, err = run_row(row_id, argv, place, capsys)
    check(row_id, got, err, code, line, place)


def test_the_table_covers_every_command_with_over_a_hundred_rows():
    assert len(ROWS) >= 100 and len({row[0] for row in ROWS}) == len(ROWS)
    counts = {command: sum(1 for row in ROWS if row[1][:1] == [command])
              for command in ("plan", "access", "audit", "data", "demo", "sandbox")}
    assert all(counts.values()), counts
    verbs = {row[1][1] for row in ROWS if row[1][:1] == ["data"] and len(row[1]) > 1}
    assert {"ls", "cat", "head", "put", "sync", "presign", "versions", "restore", "rm"} <= verbs


def test_no_traceback_in_the_stderr_of_the_whole_table(place, capsys, tmp_path):
    """The issue's check: `grep -rn Traceback` over the output of the bad-invocation table finds
    nothing. Rows already run by test_bad_invocation are not run again."""
    for row_id, argv, _, _ in ROWS:
        if row_id not in RESULTS:
            run_row(row_id, argv, place, capsys)
    report = tmp_path / "bad-invocations.txt"
    report.write_text("".join(f"$ lake {' '.join(words)!s:.300}\n{err}[exit {code}]\n\n"
                              for words, code, err in (RESULTS[row[0]] for row in ROWS)), encoding="utf-8")
    combined = report.read_text(encoding="utf-8")
    assert "Traceback" not in combined, f"a traceback in {report}"
    assert combined.count("[exit ") == len(ROWS)


# --- the same, as a real process --------------------------------------------------------------------------

# Rows whose error is found before any request (a process cannot be kept offline by monkeypatch;
# its AWS variables point at a closed port all the same): argparse, config files, inputs.
PROCESS_ROWS = ["unknown-command", "plan-stack-file-malformed", "config-impossible-date", "config-name-too-long",
                "account-arabic-digits", "access-policy-huge-number", "audit-plan-unreadable-model",
                "data-put-part-size-small", "demo-images-zero", "sandbox-port-out-of-range"]


@pytest.mark.parametrize("row_id", PROCESS_ROWS)
def test_bad_invocation_as_a_process(row_id: str, bad: dict[str, str], tmp_path: Path):
    from tests.fuzz.support import closed_port

    _, argv, code, line = next(row for row in ROWS if row[0] == row_id)
    place = {**bad, "endpoint": "", "taken_port": "", "aws_config": ""}
    environment = {**offline_environ(tmp_path, closed_port()), "TMPDIR": str(tmp_path), "COLUMNS": "120"}
    done = subprocess.run([str(LAKE), *(filled(word, place) for word in argv)], cwd=bad["project"], env=environment,
                          capture_output=True, text=True, timeout=PROCESS_TIMEOUT)
    assert done.stdout == ""
    check(row_id, done.returncode, done.stderr, code, line, place)
    assert not list(tmp_path.glob("lake-crash-*")), "a crash file was written"
