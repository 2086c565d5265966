"""Peer tools live in their own virtualenvs under `benchmarks/.bench-venvs/` (gitignored), never in
the repository's: they pin their own botocore and friends, which must not replace ours.

Each is installed from its hashed lock, `benchmarks/peers/<name>.txt` (generated from `<name>.in`
by `python3 scripts/lock.py`), with pip in hash-checking mode and wheels only, like the project.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

VENVS = Path(__file__).resolve().parent / ".bench-venvs"
PEERS = Path(__file__).resolve().parent / "peers"
# Peers whose locked tree has packages PyPI serves only as sdists (prowler: several alibabacloud-*
# SDK packages): those are still hash-checked, but built from source, so their build backend is the
# one unlocked install. Every other peer installs wheels only.
SDISTS_ALLOWED = {"prowler"}


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def pinned_version(name: str, peers: Path = PEERS) -> str:
    """The version ``<peers>/<name>.in`` (default ``benchmarks/peers/``) asks for (``name==X``)."""
    text = (peers / f"{name}.in").read_text()
    return re.search(rf"^{re.escape(name)}==(\S+)$", text, re.M).group(1)


def ensure_tool(name: str, executable: str, note: str = "once", *, peers: Path = PEERS,
                venv: Path | None = None) -> Path:
    """``executable`` of the peer ``name``, installed from its lock ``<peers>/<name>.txt`` into ``venv``
    (default ``VENVS/name``) if needed. Other scripts' tools (scripts/scan_plan.py's checkov) pass their
    own ``peers`` folder."""
    venv, lock = venv or VENVS / name, peers / f"{name}.txt"
    found, marker = venv / "bin" / executable, venv / "installed-from.sha256"
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    if found.exists() and marker.is_file() and marker.read_text().strip() == wanted:
        return found
    print(f"Installing {name} {pinned_version(name, peers)} from {lock.name} into {venv} ({note})...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    wheels_only = [] if name in SDISTS_ALLOWED else ["--only-binary", ":all:"]
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--require-hashes",
                    *wheels_only, "-r", str(lock)], check=True)
    marker.write_text(wanted + "\n")
    return found
