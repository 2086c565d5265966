"""Ctrl-C during `lake data sync`: exit 130 with one line, promptly (queued downloads never start),
and nothing partial or temporary left in the destination: every file there is complete."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import pytest
from botocore.response import StreamingBody

from lake.cli import main
from lake.data.download import PARTIAL_SUFFIX
from lake.sandbox.server import sandbox_environment
from tests.data.support import RAW, DataLake

FILES = 40


def test_ctrl_c_during_sync_exits_130_and_leaves_only_whole_files(lake: DataLake, prefix: str, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in sandbox_environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    source = {f"img/{index:02d}.png": bytes([index]) * (2000 + index) for index in range(FILES)}
    for name, data in source.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_bytes(data)
    lake.client().upload(prefix, tmp_path / "src")
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"zoneBuckets": {"raw": {"name": RAW}}, "keyArn": lake.key_arn}))

    original, reads, lock = StreamingBody.read, [0], threading.Lock()

    def read_then_press_ctrl_c(self: StreamingBody, amt: int | None = None) -> bytes:
        with lock:
            reads[0] += 1
            third = reads[0] == 3
        if third:  # Ctrl-C while downloads are in flight: SIGINT to the main thread, as a terminal does
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
            time.sleep(0.2)  # this body is still being read when the main thread handles it
        return original(self, amt)

    monkeypatch.setattr(StreamingBody, "read", read_then_press_ctrl_c)
    target = tmp_path / "dst"
    code = main(["data", "sync", prefix, str(target), "--stack-outputs", str(outputs), "--zone", "raw",
                 "--endpoint-url", lake.https_url, "--ca-bundle", lake.ca_bundle, "--concurrency", "2"])
    out, err = capsys.readouterr()
    assert (code, err) == (130, "interrupted\n")
    assert "downloaded" not in out
    written = {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert not [name for name in written if name.endswith(PARTIAL_SUFFIX) or name.split("/")[-1].startswith(".")]
    assert all(data == source[name] for name, data in written.items())  # whole files only
    # Promptly: the downloads in flight finish, the queued ones (4 x --concurrency) never start.
    assert len(written) <= 6
