"""Regenerate every hashed lock of the project: `python3 scripts/lock.py`.

uv.lock is one universal resolution of pyproject.toml (runtime, test extra, dependency groups);
requirements.txt, requirements/*.txt and policies/requirements.txt are exported from it, so they
pin the same versions wherever they overlap. The tools (uv) and the benchmark peers (awscli, s3fs,
prowler) pin their own botocore, so each is resolved on its own from its ``.in`` file.

Versions already locked are kept when pyproject.toml still allows them (uv prefers them);
``--upgrade`` resolves the newest allowed, ``--upgrade-package NAME`` just that package.
``--check`` only reports which locks are stale (exit 1). uv runs from its own virtualenv
(.venv-tools), installed from requirements/tools.txt with hashes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import locking  # noqa: E402  (the scripts' own module, beside this file)

TOOLS_VENV = locking.REPO / ".venv-tools"
TOOLS = locking.lock_named("requirements/tools.txt")
# Installers that run the exports: pip needs wheels for every platform and Python we support.
PYTHON_FLOOR = "{}.{}".format(*locking.requires_python())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/lock.py", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list stale locks and exit 1 if any")
    parser.add_argument("--upgrade", action="store_true", help="resolve the newest versions allowed")
    parser.add_argument("--upgrade-package", action="append", default=[], metavar="NAME")
    parser.add_argument("--uv", help="a uv executable to use instead of the locked one")
    args = parser.parse_args(argv)
    if args.check:
        stale = [lock.name for lock in locking.LOCKS if lock.is_stale()]
        for name in stale:
            print(f"error: {name} is stale against its inputs; hint: run python3 scripts/lock.py", file=sys.stderr)
        return 1 if stale else 0
    uv = args.uv or ensure_uv()
    upgrade = ["--upgrade"] if args.upgrade else [f"--upgrade-package={name}" for name in args.upgrade_package]
    run([uv, "lock", *upgrade])
    for lock in locking.PROJECT_LOCKS:
        write(lock, run([uv, "export", "--frozen", "--format", "requirements-txt", "--no-emit-project",
                         "--no-header", *lock.export]))
    for lock in locking.SEPARATE_LOCKS:
        write(lock, compile_separately(uv, lock, upgrade))
    print(f"locked: uv.lock and {len(locking.LOCKS)} requirement files")
    return 0


def compile_separately(uv: str, lock: locking.Lock, upgrade: list[str]) -> str:
    """A universal hashed resolution of ``lock.source``, keeping the versions ``lock`` pins.

    uv keeps the versions of the file named by --output-file (and then prints nothing), so the
    resolution is written to a scratch copy of the current lock and read back from there."""
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / lock.path.name
        if lock.path.is_file():
            shutil.copyfile(lock.path, output)
        run([uv, "pip", "compile", str(lock.source), "--universal", "--generate-hashes", "--no-header",
             f"--python-version={PYTHON_FLOOR}", "--no-annotate", f"--output-file={output}", *upgrade, "--quiet"])
        body = output.read_text(encoding="utf-8")
    if "--hash=" not in body:
        raise SystemExit(f"error: {lock.name}: uv produced no pinned requirement")
    return body


def write(lock: locking.Lock, body: str) -> None:
    header = locking.HEADER.format(digest=lock.inputs_digest())
    lock.path.parent.mkdir(parents=True, exist_ok=True)
    temporary = lock.path.with_name(lock.path.name + ".tmp")
    temporary.write_text(f"{header}\n# {lock.purpose}\n{body}", encoding="utf-8")
    os.replace(temporary, lock.path)


def ensure_uv() -> str:
    """uv from requirements/tools.txt, installed with hashes into .venv-tools when missing or stale."""
    uv = TOOLS_VENV / "bin" / "uv"
    marker = TOOLS_VENV / "installed-from.sha256"
    wanted = locking.sha256(TOOLS.path.read_bytes())
    if uv.exists() and marker.is_file() and marker.read_text().strip() == wanted:
        return str(uv)
    venv.create(TOOLS_VENV, with_pip=True, clear=True)
    run([str(TOOLS_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--require-hashes",
         "--only-binary", ":all:", "-r", str(TOOLS.path)])
    marker.write_text(wanted + "\n")
    return str(uv)


def run(command: list[str]) -> str:
    done = subprocess.run(command, cwd=locking.REPO, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"error: {' '.join(command[:3])} failed (exit {done.returncode})")
    return done.stdout


if __name__ == "__main__":
    sys.exit(main())
