"""The official SARIF 2.1.0 JSON schema, from PyPI.

The sdist of `sarif-om` (Microsoft's SARIF object model, generated from the OASIS schema) ships
the schema `sarif-2.1.0-rtm.4.json`, the version SchemaStore publishes for SARIF 2.1.0. The test
downloads that pinned sdist once (pytest's cache) instead of vendoring a copy of the schema, in
pip's hash-checking mode like every other install of the project: a file whose hash differs fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

SARIF_OM = "sarif-om==1.0.4 --hash=sha256:cd5f416b3083e00d402a92e449a7ff67af46f11241073eea0461802a3b5aef98"
MEMBER = "sarif_om-1.0.4/sarif-2.1.0-rtm.4.json"


def load_sarif_schema(cache_dir: Path) -> dict:
    schema = cache_dir / "sarif-2.1.0-rtm.4.json"
    if not schema.exists():
        lock = cache_dir / "sarif-om.txt"
        lock.write_text(SARIF_OM + "\n")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             "--require-hashes", "--disable-pip-version-check", "--dest", str(cache_dir), "-r", str(lock)],
            check=True, capture_output=True,
        )
        with tarfile.open(next(cache_dir.glob("sarif_om-*.tar.gz"))) as archive:
            schema.write_bytes(archive.extractfile(MEMBER).read())
    return json.loads(schema.read_text())
