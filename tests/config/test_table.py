"""The README's configuration table is generated from the schema: every key, once, with its default."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lake.config import config_table_markdown

REPO = Path(__file__).resolve().parents[2]


def _rows() -> dict[str, list[str]]:
    lines = config_table_markdown().splitlines()
    assert lines[:2] == ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"]
    cells = [line.strip("| ").split(" | ") for line in lines[2:]]
    assert all(len(row) == 4 for row in cells)
    return {row[0].strip("`"): row[1:] for row in cells}


def test_every_key_has_one_row_and_the_lifecycle_is_listed_once():
    assert list(_rows()) == [
        "datalake:name", "datalake:production", "datalake:requireSseHeader", "datalake:administrators",
        "datalake:deployer", "datalake:tags", "datalake:key", "datalake:key.deletionWindowDays", "datalake:logs",
        "datalake:logs.lifecycle", "datalake:zones", "datalake:zones[].name", "datalake:zones[].lifecycle",
        "datalake:datasets", "datalake:datasets[].name", "datalake:datasets[].zone", "datalake:datasets[].prefix",
        "datalake:datasets[].schedule", "datalake:datasets[].eventMode", "datalake:athena",
        "datalake:athena.bytesScannedCutoffPerQuery", "datalake:athena.resultsExpirationDays", "datalake:network",
        "datalake:network.vpcId", "datalake:network.routeTableIds", "datalake:network.cidr",
        "datalake:network.availabilityZones", "datalake:network.allowedBuckets", "datalake:perimeter",
        "datalake:trustedAccounts", "datalake:consumers", "datalake:consumers[].name", "datalake:consumers[].service",
        "datalake:consumers[].principal", "datalake:consumers[].attach", "datalake:consumers[].requireEndpoint",
        "datalake:consumers[].grants", "datalake:consumers[].grants[].zone", "datalake:consumers[].grants[].access",
        "datalake:consumers[].grants[].prefixes",
        "<lifecycle>.transitions", "<lifecycle>.transitions[].days", "<lifecycle>.transitions[].storageClass",
        "<lifecycle>.expirationDays", "<lifecycle>.noncurrentVersions", "<lifecycle>.noncurrentVersions.transitions",
        "<lifecycle>.noncurrentVersions.transitions[].days",
        "<lifecycle>.noncurrentVersions.transitions[].storageClass",
        "<lifecycle>.noncurrentVersions.expirationDays", "<lifecycle>.noncurrentVersions.newerNoncurrentVersions",
        "<lifecycle>.abortIncompleteMultipartUploadDays", "<lifecycle>.expiredObjectDeleteMarker",
        "<lifecycle>.minimumObjectSize", "<lifecycle>.prefix",
    ]


def test_types_and_defaults_are_rendered():
    rows = _rows()
    assert rows["datalake:name"][:2] == ["string", "*required*"]
    assert rows["datalake:key.deletionWindowDays"][:2] == ["integer, 7 to 30", "`30`"]
    assert rows["datalake:administrators"][:2] == ["list of strings", "`[]`"]
    assert rows["datalake:tags"][:2] == ["mapping of strings", "`{}`"]
    assert rows["datalake:zones[].lifecycle"][:2] == ["lifecycle (see `<lifecycle>.*`)", "`{}`"]
    assert rows["<lifecycle>.expirationDays"][:2] == ["integer, at least 1", "*unset*"]
    assert rows["<lifecycle>.transitions[].storageClass"][0] == (
        "one of `STANDARD_IA`, `GLACIER_IR`, `GLACIER`, `DEEP_ARCHIVE`"
    )
    assert rows["datalake:zones"][1] == '`[{"name": "raw"}, {"name": "processed"}, {"name": "curated"}]`'
    assert rows["datalake:datasets"][:2] == ["list of mappings", "`[]`"]
    assert rows["datalake:datasets[].zone"][:2] == ["string", "*required*"]
    assert rows["datalake:datasets[].schedule"][:2] == ["string", "*unset*"]
    assert rows["datalake:athena.bytesScannedCutoffPerQuery"][:2] == ["integer, at least 10485760", "`10737418240`"]
    assert rows["datalake:athena.resultsExpirationDays"][:2] == ["integer, 1 to 3650", "`30`"]
    assert rows["datalake:network"][:2] == ["mapping", "`{}`"]
    assert rows["datalake:network.cidr"][:2] == ["string", '`"10.42.0.0/16"`']
    assert rows["datalake:network.availabilityZones"][:2] == ["list of strings", "*unset*"]
    assert rows["datalake:perimeter"][:2] == ["boolean", "*unset*"]
    assert rows["datalake:consumers[].service"][:2] == [
        "one of `sagemaker`, `glue`, `ec2`, `lambda`, `ecs-tasks`, `batch`, `emr-serverless`", "*unset*"
    ]
    assert rows["datalake:consumers[].grants"][:2] == ["list of mappings", "*required*"]
    assert rows["datalake:consumers[].grants[].access"][:2] == [
        "one of `read`, `write`, `delete`, `query`", "*required*"
    ]
    assert rows["datalake:consumers[].grants[].prefixes"][:2] == ["list of strings", "*unset*"]
    assert rows["datalake:consumers[].requireEndpoint"][:2] == ["boolean", "*unset*"]


def test_docs_module_prints_the_table():
    printed = subprocess.run(
        [sys.executable, "-m", "lake.config.docs"], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert (printed.stdout, printed.stderr) == (config_table_markdown(), "")


def test_readme_table_is_current():
    """Stale docs fail here; refresh with `python -m lake.config.docs --update README.md`."""
    from lake.config.docs import with_table

    readme = (REPO / "README.md").read_text()
    assert "<!-- config-table:start -->" in readme
    assert with_table(readme) == readme
