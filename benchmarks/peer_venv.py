"""Peer tools live in their own virtualenvs under `benchmarks/.bench-venvs/` (gitignored), never in
the repository's: they pin their own botocore and friends, which must not replace ours."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

VENVS = Path(__file__).resolve().parent / ".bench-venvs"


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def ensure_tool(name: str, package: str, version: str, executable: str, note: str = "once") -> Path:
    """``executable`` of ``package==version`` in ``VENVS/name``, installed there first if needed."""
    venv = VENVS / name
    found = venv / "bin" / executable
    if found.exists() and (site_packages(venv) / f"{package}-{version}.dist-info").is_dir():
        return found
    print(f"Installing {package} {version} into {venv} ({note})...", flush=True)
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, f"{package}=={version}"], check=True)
    return found
