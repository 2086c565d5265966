"""The AWS CLI, the peer tool `benchmarks/data_speed.py` measures the data client against.

AWS CLI v1 from PyPI, pinned, in its own virtualenv (`benchmarks/.bench-venvs/awscli`, created on
first use), never in the repository's: it pins its own botocore and s3transfer, which must not
replace the ones the lake uses. It runs as a user would run it, with its defaults kept
(``max_concurrent_requests`` 10, 8 MiB multipart threshold and chunks), but isolated from any real
profile: fake credentials, an empty credentials file, and a config file that only sets path-style
addressing (a server on 127.0.0.1 has no per-bucket host names).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from benchmarks import peer_venv

VERSION = peer_venv.pinned_version("awscli")  # benchmarks/peers/awscli.in
VENV = peer_venv.VENVS / "awscli"
CONFIG = "[default]\ns3 =\n  addressing_style = path\n"
# What the CLI uses unless configured otherwise (`aws configure set default.s3...`), stated in the report.
DEFAULTS = "max_concurrent_requests 10, multipart_threshold and multipart_chunksize 8 MiB"


def site_packages() -> Path:
    return peer_venv.site_packages(VENV)


def versions() -> str:
    """awscli and the botocore and s3transfer it bundles (awscli 1.4x vendors both in its package)."""
    package = site_packages() / "awscli"
    bundled = [_version_of(package / name / "__init__.py") for name in ("botocore", "s3transfer")]
    return f"awscli {VERSION} (bundling botocore {bundled[0]}, s3transfer {bundled[1]})"


def _version_of(init: Path) -> str:
    for line in init.read_text().splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("'\"")
    return "unknown"


def ensure_installed() -> Path:
    """The `aws` executable, installing awscli from its lock into its virtualenv if needed."""
    return peer_venv.ensure_tool("awscli", "aws", "once")


def environment(workdir: Path, region: str, ca_bundle: Path | None) -> dict[str, str]:
    """The CLI's environment: fake credentials, ``region``, the server's CA, no real profile.

    The config file is written into ``workdir``; every other AWS_ variable of the caller is dropped."""
    config = workdir / "aws-config"
    config.write_text(CONFIG)
    kept = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env = {
        **kept,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": region,
        "AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
    }
    if ca_bundle is not None:
        env["AWS_CA_BUNDLE"] = str(ca_bundle)
    return env


def run(executable: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`aws <args>`; a non-zero exit raises with the CLI's last lines of output."""
    done = subprocess.run([str(executable), *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise RuntimeError(f"`aws {' '.join(args[:3])} ...` exited with code {done.returncode}:\n{tail}")
    return done
