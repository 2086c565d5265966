"""Fuzz: random command lines to `lake`, run in-process, end in an exit code of the contract
(README "Exit codes") and never in an internal error (3), a traceback, or a stray stderr line.

The option names are read from the real parser (every subcommand and `lake data` verb of
``build_parser()``), so an option added tomorrow is fuzzed tomorrow, with values of every kind:
meaningful ones for the options this file knows (stacks, ARNs, buckets, files of every broken
kind), and for every option random text (empty, huge, newlines, non-ASCII digits, '-'), numbers
and paths that are missing, folders, files used as folders.

Nothing leaves the machine (tests/fuzz/support.py ``offline``: no AWS, no network, no user
configuration). Two things are stood in for, everything else is real:

- the Pulumi program run by `lake plan` and `lake access` (``run_program``) is remembered for the
  session: reading and validating the stack config, the account checks, the rules, the access
  matrix, the rendering and the exit codes all run each time;
- `lake demo` and `lake sandbox` do not start moto: past their checks (workdir, port, moto's
  protocols, the stack's plan), a stand-in returns at once where the server would start.
"""

from __future__ import annotations

import argparse
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from lake.cli import build_parser
from tests.fuzz.support import (
    EXIT_CODES,
    error_line,
    fuzz_settings,
    memoize_programs,
    offline,
    run_lake,
    stray_lines,
)
from tests.support import REPO

# --- the command line, as the parser declares it -------------------------------------------------


@dataclass(frozen=True)
class Option:
    strings: tuple[str, ...]
    dest: str
    takes_value: bool
    choices: tuple[str, ...] = ()


@dataclass
class Command:
    words: tuple[str, ...]  # ("data", "put")
    options: list[Option] = field(default_factory=list)
    positionals: list[tuple[str, Any]] = field(default_factory=list)  # (dest, nargs)


def commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> list[Command]:
    """Every runnable command of ``parser``: its options and positionals (subcommands walked)."""
    found, command, nested = [], Command(words), False
    for action in parser._actions:  # noqa: SLF001 - argparse lists its actions nowhere else
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            nested = True
            for name, sub in action.choices.items():
                found += commands(sub, (*words, name))
        elif isinstance(action, argparse._HelpAction):  # noqa: SLF001 - drawn now and then, not as often as the rest
            continue
        elif action.option_strings:
            choices = tuple(str(c) for c in action.choices) if action.choices is not None else ()
            command.options.append(Option(tuple(action.option_strings), action.dest, action.nargs != 0, choices))
        else:
            command.positionals.append((action.dest, action.nargs))
    return found if nested else [command]


COMMANDS = commands(build_parser())
ALL_OPTIONS = sorted({s for c in COMMANDS for o in c.options for s in o.strings})
# How often each command is drawn: `lake data`'s nine verbs share one parser of common options,
# so each gets less. (plan and access cost the most: the rules and the access matrix, a fraction
# of a second with the program remembered; the others stop at a closed port or a stand-in.)
WEIGHTS = {"plan": 6, "access": 6, "audit": 5, "demo": 3, "sandbox": 3, "data": 2}


def test_the_parser_walk_finds_every_command():
    names = {" ".join(c.words) for c in COMMANDS}
    assert {"plan", "access", "audit", "demo", "sandbox", "data ls", "data put", "data sync"} <= names
    assert "--stack" in ALL_OPTIONS and "--identity-policy" in ALL_OPTIONS and "--expires" in ALL_OPTIONS


# --- values ---------------------------------------------------------------------------------------

# Files of every broken kind, written once per module by the ``files`` fixture.
BROKEN_FILES = {
    "empty.txt": b"",
    "garbage.bin": bytes(range(256)),
    "malformed.yaml": b"config:\n  datalake:name: [unclosed\n",
    "duplicate.yaml": b"config:\n  aws:region: us-east-1\n  datalake:name: a\n  datalake:name: b\n",
    "badtag.yaml": b"config:\n  datalake:name: !!python/object:os.system x\n",
    "badfloat.yaml": b"config:\n  aws:region: us-east-1\n  datalake:name: !!float abc\n",
    "deep.yaml": b"config:\n  datalake:zones: " + b"[" * 500 + b"]" * 500 + b"\n",
    "digits.yaml": "config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: [\"١٢٣٤٥٦٧٨٩٠١٢\"]\n"
                   "  datalake:name: mlteam\n".encode(),
    "list.json": b"[]",
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "notjson.json": b"{nope",
    "bigint.json": b'{"a": 1' + b"0" * 5000 + b"}",
    "policy.json": b'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
                   b'"Resource": "arn:aws:s3:::mlteam-dev-raw/*"}]}',
    "plan-v2.json": b'{"formatVersion": 2, "resources": [], "environment": {}}',
    "plan-keys.json": b'{"formatVersion": 1, "resources": [], "environment": {}}',
    "outputs.json": b'{"zoneBuckets": {"raw": {"name": "mlteam-dev-raw"}}, '
                    b'"keyArn": "arn:aws:kms:us-east-1:123456789012:key/abc"}',
    "outputs-bad.json": b'{"zoneBuckets": {"raw": {"name": "Not_A_Bucket"}}}',
    "ca.pem": b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
}


def path_values(files: Path) -> list[str]:
    """Paths in the test's folders only: an --output or a sync DIRECTORY drawn from them may be
    written to (a copy of Pulumi.dev.yaml, never the project's own)."""
    good = [str(files / "dev.yaml"), str(files / "prod.yaml")]
    broken = [str(files / name) for name in BROKEN_FILES]
    odd = [str(files / "missing.json"), str(files / "no" / "such" / "folder" / "x"), str(files),
           str(files / "empty.txt" / "child"), "", ".", "-", "/dev/null", "x" * 300, "é" * 200,
           str(files / ("y" * 256))]
    return good + broken + odd


DOMAIN: dict[str, list[str]] = {
    "stack": ["dev", "prod", "nosuch", "acme/dev", "acme/datalake/dev", "acme/other/dev", "a/b/c/d", "dev\n",
              "-dev", "ｄｅｖ", "dev.", "x" * 101],
    "account_id": ["123456789012", "210987654321", "000000000000", "12345678901", "١٢٣٤٥٦٧٨٩٠١٢", "1234567890123"],
    "principal": ["administrator", "deployer", "reader", "external", "anonymous", "admin",
                  "arn:aws:iam::123456789012:role/LakeAdmin", "arn:aws:iam::123456789012:role/etl",
                  "arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:root", "arn:aws:iam::*:role/x",
                  "arn:aws:sts::123456789012:assumed-role/etl/session", "arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/x",
                  "arn:aws:iam:us-east-1:123456789012:role/x", "arn:aws:s3:::bucket"],
    "action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "kms:Decrypt",
               "kms:GenerateDataKey", "S3:getobject", "s3:GetObjekt", "s3:*", "s3:Get*", "*", "iam:PassRole",
               "s3:CreateBucket"],
    "resource": ["arn:aws:s3:::mlteam-dev-raw", "arn:aws:s3:::mlteam-dev-raw/images/a.png",
                 "arn:aws:s3:::mlteam-dev-raw/", "arn:aws:s3:::mlteam-prod-raw/x", "arn:aws:s3:::*",
                 "arn:aws:s3:::Bad_Bucket/x", "arn:aws:kms:us-east-1:123456789012:key/abc",
                 "arn:aws:kms:us-east-1:123456789012:alias/mlteam-dev", "arn:aws:iam::123456789012:role/x",
                 "arn:aws:s3:us-east-1:123456789012:mlteam-dev-raw", "mlteam-dev-raw"],
    "context": ["aws:SecureTransport=false", "aws:SecureTransport=true", "aws:SecureTransport=maybe",
                "aws:SourceIp=203.0.113.7", "aws:SourceIp=10.0.0.0/8", "s3:TlsVersion=1.2", "s3:TlsVersion=x",
                "aws:CurrentTime=2026-01-31T12:00:00Z", "aws:CurrentTime=yesterday", "aws:TagKeys=a",
                "aws:PrincipalTag/team=ml", "aws:PrincipalTag/=x", "aws:Nope=1", "noequals", "=x",
                "aws:PrincipalArn=arn:aws:iam::123456789012:role/x", "aws:PrincipalArn=bob",
                "s3:x-amz-server-side-encryption=aws:kms"],
    "bucket": ["mlteam-dev-raw", "abc", "ab", "Bad_Bucket", "a" * 64, "192.168.1.1", "xn--abc", "abc-s3alias",
               "a..b", "-abc", "bücket"],
    "zone": ["raw", "processed", "curated", "nosuch", "", "Raw"],
    "tag": ["lake=mlteam", "lake=", "=x", "noequals", "k" * 129 + "=v", "lake=mlteam=x"],
    # `lake audit --prefix` (bucket names) and the PREFIX of `lake data ls` and `sync` (keys)
    "prefix": ["mlteam", "MLTEAM", "", "-x", "a" * 64, "ml_team", "images/", "a" * 1100, "é" * 600],
    "region": ["us-east-1", "eu-west-1", "mars-north-9", "US-EAST-1", "us-east", "us-east-1 ", ""],
    "profile": ["default", "nosuch", "", "dev prod"],
    "endpoint_url": ["http://127.0.0.1:9", "https://localhost:1", "http://[::1]:9", "http://example.com",
                     "https://s3.eu-west-1.amazonaws.com", "ftp://127.0.0.1", "https://user:pw@127.0.0.1:9",
                     "https://127.0.0.1:99999", "https://127.0.0.1:9/?q=1", "127.0.0.1:9", "https://"],
    "concurrency": ["1", "16", "256", "0", "257", "-1", "1e3", "١٦", "99999999999999999999999", " 4"],
    "key_arn": ["arn:aws:kms:us-east-1:123456789012:key/abc", "alias/mlteam-dev", "abc",
                "arn:aws:kms:us-east-1:123456789012:alias/x"],
    "version_id": ["abc", "", "a b", "null", "é", "x" * 2000],
    "expires": ["1", "1s", "0s", "3600", "12h", "7d", "8d", "604800", "604801", "-1", "1y", "", "١h"],
    "metadata": ["source=bccd", "noequals", "=x", "k=", "é=é", "k" * 3000 + "=v"],
    "part_size": ["5", "4", "5120", "5121", "0", "x"],
    "multipart_threshold": ["1", "0", "5120", "5121", "x"],
    "port": ["0", "70000", "-1", "x", "١", "80", " 0"],
    "images": ["1", "12", "0", "1001", "x", "١٢"],
    "key": ["images/a.png", "", "a" * 1025, "é" * 600, "\udcff"],
}
PATH_DESTS = {"config_file", "identity_policy", "output", "project_dir", "workdir", "stack_outputs", "against_plan",
              "ca_bundle", "path", "directory"}
# Random text: any character but NUL (which no shell can pass in an argument), and no leading
# '/' or '..': a random path must stay inside the test's folder (where the command runs).
text = st.text(st.characters(exclude_characters="\x00"), max_size=30).map(lambda t: t.lstrip("/").replace("..", "_"))
odd_text = st.sampled_from(["", "-", "--", " ", "\n", "a\nb", "١٢٣", "０", "x" * 100_000, "é" * 5000, "\t", "=", "-1",
                            "9" * 400, "--stack"])


def values(dest: str, files: Path) -> st.SearchStrategy[str]:
    known = DOMAIN.get("key" if dest == "keys" else dest, [])
    pools = [st.sampled_from(known)] * 3 if known else []
    if dest in PATH_DESTS or not known:
        pools += [st.sampled_from(path_values(files))] * 2
    return st.one_of(*pools, text, odd_text)


def seeds(words: tuple[str, ...], files: Path) -> list[list[str]]:
    """Arguments that make the command valid, for the random ones to start from: without them
    few command lines would get past "choose the bucket" or argparse's required options."""
    bucket = ["--bucket", "mlteam-dev-raw", "--region", "us-east-1"]
    outputs = ["--stack-outputs", str(files / "outputs.json"), "--zone", "raw", "--region", "us-east-1"]
    return {
        "access": [["--principal", "administrator", "--action", "s3:GetObject", "--resource",
                    "arn:aws:s3:::mlteam-dev-raw/images/a.png"],
                   ["--principal", "anonymous", "--action", "s3:ListBucket",
                    "--resource", "arn:aws:s3:::mlteam-dev-raw"]],
        "audit": [bucket, outputs[:2] + outputs[4:], ["--prefix", "mlteam", "--region", "eu-west-1"]],
        "data": [bucket, outputs],
    }.get(words[0], [[]])


@st.composite
def argvs(draw, files: Path) -> list[str]:
    weighted = [c for c in COMMANDS for _ in range(WEIGHTS.get(c.words[0], 4))]
    command = draw(st.sampled_from(weighted))
    chunks: list[list[str]] = []
    if draw(st.booleans()):
        chunks.append(draw(st.sampled_from(seeds(command.words, files))))
    count = draw(st.sampled_from([0, 0, 1, 1, 1, 2, 2, 3, 4, 6]))
    for option in draw(st.lists(st.sampled_from(command.options), min_size=count, max_size=count)):
        name = draw(st.sampled_from(option.strings))
        if not option.takes_value:
            chunks.append([name])
            continue
        pool = values(option.dest, files)
        value = draw(st.one_of(st.sampled_from(option.choices), pool) if option.choices else pool)
        form = draw(st.sampled_from(["separate"] * 6 + ["equals", "missing"]))
        chunks.append([name, value] if form == "separate" else [f"{name}={value}"] if form == "equals" else [name])
    for dest, nargs in command.positionals:
        count = draw(st.integers(0, 3 if nargs == "+" else 1)) if draw(st.integers(0, 9)) == 0 else 1
        chunks += [[draw(values(dest, files))] for _ in range(count)]
    if draw(st.integers(0, 9)) == 0:  # an option of another command, or one of nobody's
        chunks.append([draw(st.sampled_from(ALL_OPTIONS + ["--nosuch", "-x", "--", "--debug", "-h", "--help"]))])
    order = draw(st.permutations(range(len(chunks)))) if draw(st.integers(0, 3)) == 0 else range(len(chunks))
    head = [draw(st.sampled_from(["--debug", "-h", "nosuch", "--nosuch"]))] if draw(st.integers(0, 19)) == 0 else []
    return [*head, *command.words, *(word for index in order for word in chunks[index])]


# --- stand-ins for the servers ------------------------------------------------------------------------


def stand_in_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """`lake demo` and `lake sandbox` up to where moto would start: the stack's plan is made (a
    broken stack is exit 2, as for real), then the demo reports success and the sandbox's
    "server" stops at once (exit 1, its `error:` line)."""
    import lake.demo.walkthrough as walkthrough
    import lake.sandbox.local as local

    def main_demo(project_dir: Path, workdir: Path | None, images: int, run: Any) -> int:
        local.stack_plan(project_dir, "dev")
        return 0

    @contextmanager
    def local_lake(project_dir: Path, stack: str, workdir: Path, port: int = 0, stages: Any = None):
        document = local.stack_plan(project_dir, stack)
        outputs = Path(workdir) / local.STACK_OUTPUTS
        yield SimpleNamespace(
            stack=stack, endpoint_url="https://127.0.0.1:9", ca_bundle=Path(workdir) / local.CA_BUNDLE,
            outputs=outputs, region=document["environment"]["region"], zones=lambda: ["raw"],
            environment=lambda: {"AWS_ENDPOINT_URL": "https://127.0.0.1:9"},
            server=SimpleNamespace(process=SimpleNamespace(wait=lambda: 0)),
        )

    monkeypatch.setattr(walkthrough, "main_demo", main_demo)
    monkeypatch.setattr(local, "local_lake", local_lake)


# --- the property -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("files")
    for name, data in BROKEN_FILES.items():
        (folder / name).write_bytes(data)
    shutil.copy(REPO / "Pulumi.dev.yaml", folder / "dev.yaml")
    shutil.copy(REPO / "Pulumi.prod.yaml", folder / "prod.yaml")
    return folder


@pytest.fixture(scope="module", autouse=True)
def project_untouched() -> Any:
    """Whatever the command lines drawn, the project's stack files and program are left as they
    were (the values never name them; this checks it)."""
    def snapshot() -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in sorted(REPO.glob("Pulumi*.yaml")) + [REPO / "__main__.py"]}

    before = snapshot()
    yield
    changed = [name for name, data in snapshot().items() if before.get(name, data) != data]
    assert not changed, f"the fuzzed commands wrote into the project: {changed}"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder: a copy of the project (its stack files; the program and components
    linked), so that the default --project-dir works and whatever a command writes stays here."""
    folder = tmp_path / "project"
    folder.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"):
        shutil.copy(REPO / name, folder / name)
    (folder / "__main__.py").symlink_to(REPO / "__main__.py")
    (folder / "components").symlink_to(REPO / "components")
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def isolated(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    offline(monkeypatch, tmp_path)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # crash files, if any, stay here
    memoize_programs(monkeypatch)
    stand_in_servers(monkeypatch)


def check_command_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    code, out, err = run_lake(capsys, argv)
    assert code in EXIT_CODES, f"exit code {code} is not in the contract"
    assert code != 3, f"internal error (a bug in lake):\n{err}"
    assert "Traceback" not in err and "Traceback" not in out
    if code != 0:
        assert stray_lines(err) == [], f"stderr lines that are not error:/hint:/usage lines:\n{err}"
        assert error_line(err) is not None or code == 1, f"exit {code} without an error line:\n{err}"
    return code


@pytest.mark.fuzz_slow
@fuzz_settings(examples=200, deadline_seconds=30)
@given(data=st.data())
def test_any_command_line_ends_in_a_contract_exit_code_and_clean_lines(isolated, files, capsys, data):
    argv = data.draw(argvs(files), label="argv")
    code = check_command_line(argv, capsys)
    # --hypothesis-show-statistics: how often each command ran and how far it got
    shown = "help" if {"-h", "--help"} & set(argv) else " ".join(w for w in argv[:2] if w.isidentifier())
    event(f"{shown}: exit {code}")


# What the fuzzing found (each was exit 3, or an error or hint split over two lines), kept.
FOUND = [
    ["plan", "--stack=--"],  # Python 3.11's argparse: the value [] (AttributeError: 'list'...)
    ["sandbox", "--port=--"],  # the same: TypeError in bind()
    ["plan", "--config-file", "x" * 300],  # OSError: File name too long
    ["data", "ls", "--stack-outputs", "é" * 200, "--zone", "raw"],  # the same, 400 bytes
    ["plan", "--account-id", "\n"],  # the error line split in two
    ["audit", "--profile", "\r", "--bucket", "mlteam-dev-raw"],  # the hint split in two
    ["demo", "--images", "١٢"],  # accepted as 12
]


@pytest.mark.parametrize("argv", FOUND, ids=range(len(FOUND)))
def test_what_the_fuzzing_found(isolated, capsys, argv):
    check_command_line(argv, capsys)
