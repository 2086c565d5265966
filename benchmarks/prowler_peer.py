"""Prowler, the peer tool `benchmarks/audit_speed.py` measures `lake audit` against.

Prowler lives in its own virtualenv (`benchmarks/.bench-venvs/prowler`, created on first use, about
five minutes and 2.3 GB), never in the repository's. Which prowler check stands for which
Security Hub control is read from prowler's own mapping: its AWS Foundational Security Best
Practices compliance file.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import peer_venv

VERSION = peer_venv.pinned_version("prowler")  # benchmarks/peers/prowler.in
VENV = peer_venv.VENVS / "prowler"
FSBP_MAPPING = "prowler/compliance/aws/aws_foundational_security_best_practices_aws.json"
OUTPUT_NAME = "prowler"


def site_packages() -> Path:
    return peer_venv.site_packages(VENV)


def ensure_installed() -> Path:
    """The prowler executable, installing prowler from its lock into its virtualenv if needed."""
    return peer_venv.ensure_tool("prowler", "prowler", "once; several minutes")


def checks_for(controls: tuple[str, ...]) -> dict[str, str]:
    """Prowler check -> the Security Hub control it implements, for each of ``controls``."""
    requirements = json.loads((site_packages() / FSBP_MAPPING).read_text())["Requirements"]
    mapped = {r["Id"]: r["Checks"] for r in requirements if r["Id"] in controls}
    unmapped = [c for c in controls if len(mapped.get(c, [])) != 1]
    if unmapped:
        raise RuntimeError(f"prowler {VERSION} maps no single check to {', '.join(unmapped)}: {mapped}")
    return {checks[0]: control for control, checks in mapped.items()}


def command(executable: Path, region: str, output_dir: Path) -> list[str]:
    """`prowler aws --service s3` as a user would run it on one region, writing JSON (OCSF) only.

    The endpoint, credentials and region come from the environment (``AWS_ENDPOINT_URL``, which
    botocore honours for every client and prowler for STS); ``-z``: exit 0 despite failed checks.
    """
    return [
        str(executable), "aws", "--service", "s3", "--region", region, "--no-banner", "-z",
        "--output-formats", "json-ocsf", "--output-directory", str(output_dir), "--output-filename", OUTPUT_NAME,
    ]


def verdicts(output_dir: Path, checks: dict[str, str]) -> dict[tuple[str, str], str]:
    """(bucket, control) -> PASS, FAIL or MANUAL, from prowler's OCSF findings of ``checks``."""
    findings = json.loads((output_dir / f"{OUTPUT_NAME}.ocsf.json").read_text())
    return {
        (resource["name"], checks[finding["metadata"]["event_code"]]): finding["status_code"]
        for finding in findings
        if finding["metadata"]["event_code"] in checks
        for resource in finding["resources"]
    }
