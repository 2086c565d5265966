"""The sandbox's protocol check (lake/sandbox/compat.py): the installed moto answers every service
the sandbox uses as the installed botocore calls it, and a newer botocore model is one error line
and one hint, from the function and from `lake demo`, before anything starts.

The newer model is real: tests/fixtures/botocore-1.44.18/athena/2017-05-18/service-2.json is
botocore 1.44.18's Athena model, decompressed from botocore-1.44.18-py3-none-any.whl
(botocore/data/athena/2017-05-18/service-2.json.gz; sha256 of the JSON 2aad7a8a7975e4cecb478c01
62259e3ebe4987f1e622acf2a455466aaa5f803f). It speaks rest-json (``GET /workgroups``...), which
moto 5.2.5 answers with 404. The folder is laid out as a botocore data path: AWS_DATA_PATH
points the installed botocore at it, as a user's newer botocore would.
"""

from __future__ import annotations

import json
import os
import re
import sys
from importlib import metadata
from pathlib import Path

import botocore
import pytest

from lake.cli import main
from lake.sandbox import compat
from lake.sandbox.apply import CREATORS
from lake.sandbox.compat import SANDBOX_SERVICES, SandboxProtocolError, check_sandbox_protocols
from tests.support import REPO

NEWER_MODELS = REPO / "tests" / "fixtures" / "botocore-1.44.18"
HINT = "install the locked versions: python3 scripts/install.py --test"
# A client of a service, in the code the sandbox serves: client("kms", ...), clients("s3"), .client("sts")
CLIENT_CALL = re.compile(r"\bclients?\(\s*\"([a-z0-9-]+)\"")


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of remembered passes per test: none is read from, or written to, the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "lake" / compat.CACHE_FILE


def test_the_installed_moto_answers_every_service_the_sandbox_uses(monkeypatch: pytest.MonkeyPatch,
                                                                  own_cache: Path) -> None:
    # The user's AWS settings are set aside for the probes, and left as they were.
    user = {"AWS_PROFILE": "no-such-profile", "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "mine"}
    for name, value in user.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    before = dict(os.environ)
    check_sandbox_protocols(remember=False)
    assert dict(os.environ) == before and not own_cache.exists()


def test_the_probed_services_are_the_services_the_code_calls() -> None:
    used = {t.split(":")[1].split("/")[0] for t in CREATORS}  # aws:s3/bucket:Bucket -> s3
    for path in [*(REPO / "lake").rglob("*.py"), *(REPO / "policies" / "adapters" / "live").rglob("*.py")]:
        used |= set(CLIENT_CALL.findall(path.read_text()))
    assert used == set(SANDBOX_SERVICES)


def test_a_newer_botocore_speaking_rest_json_to_athena_is_one_line_naming_both_versions(
        monkeypatch: pytest.MonkeyPatch) -> None:
    model = json.loads((NEWER_MODELS / "athena" / "2017-05-18" / "service-2.json").read_text())
    assert model["metadata"]["protocols"] == ["rest-json"]  # the fixture is the newer model
    monkeypatch.setenv("AWS_DATA_PATH", str(NEWER_MODELS))
    with pytest.raises(SandboxProtocolError) as caught:
        check_sandbox_protocols()
    assert str(caught.value) == (f"the sandbox cannot serve athena: botocore {botocore.__version__} speaks rest-json "
                                 f"for it, which moto {metadata.version('moto')} does not answer (HTTP 404)")
    assert caught.value.hint == HINT


def test_a_pass_is_remembered_until_what_decides_it_changes(monkeypatch: pytest.MonkeyPatch, own_cache: Path) -> None:
    probes: list[object] = []
    monkeypatch.setattr(compat, "probe_sandbox_protocols", probes.append)
    check_sandbox_protocols()
    check_sandbox_protocols()
    assert len(probes) == 1 and own_cache.is_file()
    monkeypatch.setenv("AWS_DATA_PATH", str(NEWER_MODELS))  # another model: asked again
    check_sandbox_protocols()
    check_sandbox_protocols(remember=False)
    assert len(probes) == 3


def test_a_failure_is_never_remembered(monkeypatch: pytest.MonkeyPatch, own_cache: Path) -> None:
    def gap(services: object) -> None:
        raise SandboxProtocolError("athena", "rest-json", "1.44.18", "5.2.5", "HTTP 404")

    monkeypatch.setattr(compat, "probe_sandbox_protocols", gap)
    for _ in range(2):
        with pytest.raises(SandboxProtocolError):
            check_sandbox_protocols()
    assert not own_cache.exists()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What `lake demo` started: the plan, a server (recorded, and refused)."""
    import lake.sandbox.local
    import lake.sandbox.server

    calls: list[str] = []

    def refuse(what: str):
        def record(*args: object, **kwargs: object) -> None:
            calls.append(what)
            raise RuntimeError(f"{what} started")
        return record

    monkeypatch.setattr(lake.sandbox.local, "stack_plan", refuse("plan"))
    monkeypatch.setattr(lake.sandbox.server.MotoServer, "__enter__", refuse("server"))
    return calls


def test_the_demo_says_what_is_wrong_and_starts_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                       started: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    def gap() -> None:
        raise SandboxProtocolError("athena", "rest-json", "1.44.18", "5.2.5", "HTTP 404")

    monkeypatch.setattr(compat, "check_sandbox_protocols", gap)
    assert main(["demo", "--project-dir", str(REPO), "--workdir", str(tmp_path / "demo")]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "error: the sandbox cannot serve athena: botocore 1.44.18 speaks rest-json for it, "
                              "which moto 5.2.5 does not answer (HTTP 404)\n"
                              f"hint: {HINT}\n")
    assert started == [] and not (tmp_path / "demo").exists()


def test_the_demo_stops_on_the_newer_model_itself(monkeypatch: pytest.MonkeyPatch, started: list[str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AWS_DATA_PATH", str(NEWER_MODELS))
    assert main(["demo", "--project-dir", str(REPO)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in err] == ["error", "hint"] and "Traceback" not in "".join(err)
    assert err[0].startswith("error: the sandbox cannot serve athena: ") and started == []


def test_without_moto_the_demo_names_the_test_extra(monkeypatch: pytest.MonkeyPatch, started: list[str],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)  # as if moto were not installed
    assert main(["demo", "--project-dir", str(REPO)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: moto is not installed: `lake demo` needs the test extra") and err.count("\n") == 1
    assert started == []
