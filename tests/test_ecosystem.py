"""secure-datalake installs beside the tools ML teams already use, at their current releases.

pip resolves `secure-datalake s3fs pandas pyarrow dask[distributed]` from the package index (a
dry run: nothing is installed), with the project's published requirements taken from
pyproject.toml, and the versions it picks for those tools must be the ones it picks without us.
An exact boto3 pin once made pip fall back to s3fs 0.4.2 (2020) without a word.

Needs the package index, so it is marked `ecosystem` and runs as its own step of .ci/run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tests.support import REPO

pytestmark = pytest.mark.ecosystem
ECOSYSTEM = ("s3fs", "pandas", "pyarrow", "dask[distributed]")
WATCHED = ("s3fs", "pandas", "pyarrow", "dask", "distributed")
# A local version label that no index carries, so pip takes our metadata-only wheel.
LOCAL_VERSION = "+ecosystem.check"


def metadata_wheel(folder: Path) -> str:
    """A wheel carrying only secure-datalake's metadata (name, Python, runtime requirements), as
    the published package would; returns the requirement that selects it."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    version = project["version"] + LOCAL_VERSION
    dist = f"secure_datalake-{version}"
    metadata = "".join([
        "Metadata-Version: 2.1\n", f"Name: {project['name']}\n", f"Version: {version}\n",
        f"Requires-Python: {project['requires-python']}\n",
        *(f"Requires-Dist: {requirement}\n" for requirement in project["dependencies"]),
    ])
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / f"{dist}-py3-none-any.whl", "w") as archive:
        archive.writestr(f"{dist}.dist-info/METADATA", metadata)
        archive.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        archive.writestr(f"{dist}.dist-info/RECORD", "")
    return f"{project['name']}=={version}"


def resolve(requirements: list[str], find_links: Path | None = None) -> dict[str, str]:
    """{name: version} pip would install for ``requirements`` into an empty environment."""
    links = ["--find-links", str(find_links)] if find_links else []
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--no-input",
         "--disable-pip-version-check", "--report", "-", *links, *requirements],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"pip could not resolve {requirements}: {done.stderr.strip()[-2000:]}"
    report = json.loads(done.stdout)
    return {canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"] for item in report["install"]}


def test_current_ml_tools_resolve_beside_the_project_unchanged(tmp_path):
    ours = metadata_wheel(tmp_path / "wheels")
    with ThreadPoolExecutor(2) as pool:
        alone = pool.submit(resolve, list(ECOSYSTEM))
        together = pool.submit(resolve, [ours, *ECOSYSTEM], tmp_path / "wheels")
        alone, together = alone.result(), together.result()
    assert canonicalize_name("secure-datalake") in together
    held_back = {name: (together.get(name), alone[name]) for name in WATCHED if together.get(name) != alone[name]}
    assert not held_back, f"held back by secure-datalake's requirements (with us, alone): {held_back}"
    print(" ".join(f"{name}=={together[name]}" for name in (*WATCHED, "aiobotocore", "boto3", "botocore")))
