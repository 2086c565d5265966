"""`lake sandbox` as a user runs it: a real process, the environment lines it prints, `lake data`
and `lake audit` run under them with no endpoint or CA option, then Ctrl-C; bad inputs refused
(exit 2) before anything starts; and a stack that names an existing network (prod) served too."""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lake.cli import main
from tests.support import REPO

LAKE = [sys.executable, "-m", "lake.cli"]
READY_TIMEOUT = 120  # seconds: a bound on a loaded 2-core machine, never reached normally (about 8 s)
COMMAND_TIMEOUT = 120
READY_LAST_LINE = "Ctrl-C stops the sandbox"


def clean_environment() -> dict[str, str]:
    """This machine's environment without any AWS setting (it may set AWS_CA_BUNDLE, a profile...)."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return environment


class Sandbox:
    """`lake sandbox` in a child process, its standard output read line by line as it comes."""

    def __init__(self, *argv: str) -> None:
        self.process = subprocess.Popen([*LAKE, "sandbox", "--project-dir", str(REPO), *argv], cwd=REPO,
                                        env=clean_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put("")  # end of output

    def ready_text(self) -> str:
        """Everything printed up to the ready block's last line (bounded wait)."""
        deadline, text = time.monotonic() + READY_TIMEOUT, ""
        while not text.splitlines()[-1:] or not text.splitlines()[-1].startswith(READY_LAST_LINE):
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"not ready within {READY_TIMEOUT} s: {text!r}") from None
            if not line:
                raise AssertionError(f"ended before ready ({self.process.wait()}): {text!r} "
                                     f"{self.process.stderr.read()!r}")
            text += line
        return text

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str]:
        self.process.send_signal(signum)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError("the sandbox did not stop within 30 s") from None
        return self.process.returncode, self.process.stderr.read()

    def kill(self) -> None:
        """SIGTERM (it stops its server and removes its folder), SIGKILL only if that does not end it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def environment_of(text: str) -> dict[str, str]:
    """A shell's environment after pasting the printed `export` and `unset` lines."""
    environment = clean_environment()
    for line in text.splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            environment[name] = shlex.split(value)[0]
        elif line.startswith("unset "):
            environment.pop(line.split()[1], None)
    return environment


def printed_command(text: str, verb: str) -> list[str]:
    """The example command line for ``verb`` (`data`, `audit`), as printed, split as a shell would."""
    line = next(line for line in text.splitlines() if re.match(rf"\S*lake(\.cli)? {verb} ", line))
    return shlex.split(line)


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.fixture
def sandbox():
    started: list[Sandbox] = []

    def start(*argv: str) -> Sandbox:
        started.append(Sandbox(*argv))
        return started[-1]

    yield start
    for each in started:  # a failed test never leaves a server behind
        each.kill()


def test_data_and_audit_run_unchanged_under_the_printed_environment(sandbox, tmp_path: Path) -> None:
    started = time.monotonic()
    lake = sandbox()
    text = lake.ready_text()
    startup = time.monotonic() - started
    endpoint = re.search(r"^  endpoint: +(https://127\.0\.0\.1:(\d+))$", text, re.M)
    ca_bundle = Path(re.search(r"^  CA bundle: +(\S+)$", text, re.M)[1])
    outputs = Path(re.search(r"^  stack outputs: +(\S+)$", text, re.M)[1])
    assert text.startswith("sandbox ready: the dev stack (us-east-1) on moto behind the lake's policy gate, over TLS\n")
    assert endpoint and ca_bundle.parent == outputs.parent and ca_bundle.read_text().startswith("-----BEGIN CERT")
    assert json.loads(outputs.read_text())["zoneBuckets"]["raw"]["name"] == "mlteam-dev-raw"
    environment = environment_of(text)
    assert {name: environment[name] for name in ("AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", "AWS_DEFAULT_REGION")} == {
        "AWS_ENDPOINT_URL": endpoint[1], "AWS_CA_BUNDLE": str(ca_bundle), "AWS_DEFAULT_REGION": "us-east-1"}
    assert environment["AWS_ACCESS_KEY_ID"] == environment["AWS_SECRET_ACCESS_KEY"] == "testing"

    # A write through the gate (TLS, the lake key from the outputs), then the printed commands as printed.
    (tmp_path / "labels.csv").write_text("image,cell\n0,RBC\n")
    put = subprocess.run([*LAKE, "data", "put", str(tmp_path / "labels.csv"), "labels/labels.csv",
                          "--stack-outputs", str(outputs), "--zone", "raw"],
                         env=environment, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    assert put.returncode == 0, put.stderr
    ls = subprocess.run(printed_command(text, "data"), env=environment, capture_output=True, text=True,
                        timeout=COMMAND_TIMEOUT)
    assert (ls.returncode, ls.stderr) == (0, "1 object, 17 bytes\n") and "labels/labels.csv" in ls.stdout
    audit = subprocess.run(printed_command(text, "audit"), env=environment, capture_output=True, text=True,
                           timeout=COMMAND_TIMEOUT)
    # The dev lake as applied audits clean on the sandbox: no mandatory rule fails (S3.1, advisory,
    # fails: the account-level Block Public Access is the account's, not the stack's).
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert audit.stdout.startswith("Live audit of account 123456789012, region us-east-1: 5 buckets, 1 key, "
                                   "1 endpoint, 2 crawlers, 1 workgroup, 2 queues\n")
    assert "No mandatory rule fails." in audit.stdout and "LAKE.11" not in audit.stdout.split("PASS")[0]

    code, err = lake.stop(signal.SIGINT)
    assert (code, err) == (130, "interrupted\n")  # the contract's Ctrl-C, and nothing else: no traceback
    assert refused(int(endpoint[2]))  # the server is gone with it
    assert not outputs.parent.exists()  # and so is its temporary folder
    print(f"lake sandbox ready in {startup:.1f} s")


def test_a_kept_workdir_on_a_chosen_port_and_sigterm_stops_it_like_ctrl_c(sandbox, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workdir = tmp_path / "sandbox"
    lake = sandbox("--workdir", str(workdir), "--port", str(port))
    text = lake.ready_text()
    assert f"  endpoint:      https://127.0.0.1:{port}\n" in text
    assert f"export AWS_CA_BUNDLE={workdir / 'ca.pem'}\n" in text
    assert f"Ctrl-C stops the sandbox; {workdir} keeps the outputs and the CA bundle.\n" in text
    assert lake.stop(signal.SIGTERM) == (130, "interrupted\n")
    assert refused(port)
    assert sorted(p.name for p in workdir.iterdir()) == ["ca.pem", "stack-outputs.json"]


# --- refused before anything starts ---------------------------------------------------------------


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What `lake sandbox` started: the plan (counted, then run) and a server (recorded, and refused)."""
    import lake.sandbox.local
    import lake.sandbox.server

    calls: list[str] = []
    plan = lake.sandbox.local.stack_plan

    def planned(*args: object) -> object:
        calls.append("plan")
        return plan(*args)

    def serve(*args: object) -> None:
        calls.append("server")
        raise RuntimeError("server started")

    monkeypatch.setattr(lake.sandbox.local, "stack_plan", planned)
    monkeypatch.setattr(lake.sandbox.server.MotoServer, "__enter__", serve)
    return calls


def test_a_workdir_naming_a_file(tmp_path: Path, started: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    afile = tmp_path / "afile"
    afile.write_text("")
    assert main(["sandbox", "--project-dir", str(REPO), "--workdir", str(afile)]) == 2
    assert capsys.readouterr() == ("", f"error: --workdir {afile}: is a file; --workdir names a folder "
                                       "(created if missing)\n")
    assert started == []


def test_an_unknown_stack(tmp_path: Path, started: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--project-dir", str(REPO), "--stack", "nope", "--workdir", str(tmp_path / "w")]) == 2
    assert capsys.readouterr() == ("", f"error: no stack 'nope' in {REPO}: Pulumi.nope.yaml not found; "
                                       "stacks here: dev, prod\n")
    assert started == ["plan"] and not (tmp_path / "w").exists()


def test_a_broken_stack_config(tmp_path: Path, started: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text((REPO / "__main__.py").read_text())
    (tmp_path / "Pulumi.dev.yaml").write_text((REPO / "Pulumi.dev.yaml").read_text() + "  datalake:zonez: []\n")
    assert main(["sandbox", "--project-dir", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: Pulumi.dev.yaml: datalake:zonez: unknown key 'zonez'")
    assert started == ["plan"]


def test_a_port_in_use_is_named_in_one_line(started: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["sandbox", "--project-dir", str(REPO), "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines()[0] == f"error: --port {port}: 127.0.0.1:{port} is already in use"
    assert [line.split(":")[0] for line in err.splitlines()] == ["error", "hint"] and started == []


@pytest.mark.parametrize("port", ["65536", "-1", "http", "８０"])
def test_a_port_that_is_no_port(port: str, started: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--port", port]) == 2
    assert capsys.readouterr().err.startswith(f"error: --port {port}: not a port number\n") and started == []


# --- any stack ----------------------------------------------------------------------------------------


def test_a_stack_on_an_existing_network_gets_stand_ins_and_its_own_account(tmp_path: Path) -> None:
    """prod names an existing VPC and route tables, in account 210987654321: the sandbox creates
    stand-ins for them, and acts in that account, so the outputs' ARNs are the sandbox's own."""
    from lake.sandbox.local import local_lake
    from lake.sandbox.server import client

    with local_lake(REPO, "prod", tmp_path) as lake:
        outputs = json.loads(lake.outputs.read_text())
        assert (lake.region, lake.zones()) == ("eu-west-1", ["raw", "processed", "curated"])
        assert outputs["keyArn"].startswith("arn:aws:kms:eu-west-1:210987654321:key/")
        ec2 = client("ec2", lake.endpoint_url, lake.region, verify=lake.ca_bundle)
        (endpoint,) = ec2.describe_vpc_endpoints()["VpcEndpoints"]
        vpc = ec2.describe_vpcs(VpcIds=[endpoint["VpcId"]])["Vpcs"][0]
        assert {"Key": "Name", "Value": "sandbox stand-in for vpc-0a1b2c3d4e5f60718"} in vpc["Tags"]
        assert len(endpoint["RouteTableIds"]) == 2


# --- the environment lines are what the clients use ---------------------------------------------


def test_an_endpoint_from_the_environment_is_the_one_the_clients_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    """`lake data` judges TLS by the endpoint botocore really uses, and `lake audit` addresses S3
    Control on a server of AWS_ENDPOINT_URL as on one of --endpoint-url (no account host name)."""
    from lake.data.bucket import LakeBucket
    from lake.data.connection import Connection
    from policies.adapters.live.session import Clients, Target, custom_endpoint

    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}.items():
        monkeypatch.setenv(name, value)
    bucket = LakeBucket("mlteam-dev-raw", None, Connection(region="us-east-1"))
    assert bucket.s3.meta.endpoint_url == "http://127.0.0.1:9" and bucket.secure is False
    assert custom_endpoint(Clients(Target(region="us-east-1"))("s3control"))
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert LakeBucket("mlteam-dev-raw", None, Connection(region="us-east-1")).secure is True
    assert not custom_endpoint(Clients(Target(region="us-east-1"))("s3control"))
