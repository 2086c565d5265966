"""`lake demo` runs end to end: a real moto process behind the gate, the dev plan, every step."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lake.cli import main
from tests.support import REPO


def test_the_demo_runs_every_step_as_expected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--project-dir", str(REPO), "--workdir", str(tmp_path), "--images", "3"]) == 0
    out, err = capsys.readouterr()
    assert out.rstrip().endswith("demo finished: every step behaved as expected")
    for expected in ("downloaded 3 (", "skipped 3 identical", "downloaded 2 (",  # sync, resync, repair
                     "(fetched the URL without credentials: HTTP 200",
                     "undeleted: its delete marker is removed",
                     "read_many: 3 annotations read concurrently"):
        assert expected in out
    assert "error: --expires 8d: 691200 s; presigned URLs last from 1 s to 7 days" in err  # the refused 8-day URL
    assert "hint: the upload named a KMS key that is not the lake key (DenyOtherKmsKey)" in err
    assert (tmp_path / "stack-outputs.json").is_file() and (tmp_path / "dataset" / "labels.csv").is_file()


def test_a_broken_stack_is_a_usage_error_before_any_server_starts(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--project-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert not list(tmp_path.iterdir())  # nothing written either


def test_without_the_test_extra_the_demo_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "lake.sandbox.server", None)  # as if moto's stack were missing
    assert main(["demo", "--project-dir", str(REPO)]) == 2
    assert capsys.readouterr().err == ("error: lake.sandbox.server is not installed: `lake demo` needs the test "
                                       "extra: python3 scripts/install.py --test\n")
