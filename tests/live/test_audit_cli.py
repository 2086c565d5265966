"""`lake audit` end to end against a real moto server process: reports, drift, exit codes, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from lake.cli import main
from lake.plan.render import render_json
from lake.sandbox.server import MotoServer, client, sandbox_environment
from lake.terminal import WIDTH
from tests.live.support import deploy
from tests.report.sarif_schema import load_sarif_schema

RAW = "mlteam-dev-raw"



@pytest.fixture(scope="module")
def plan_file(document, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "dev-plan.json"
    path.write_text(render_json(document))
    return path


@pytest.fixture(scope="module")
def server(document) -> Iterator[str]:
    with MotoServer() as moto:
        yield moto.endpoint_url


@pytest.fixture(scope="module")
def deployed(document, server) -> str:
    deploy(document, server)
    return server


@pytest.fixture
def lake(deployed, monkeypatch) -> str:
    """The dev lake on the moto server (a test that edits it undoes the edit); the CLI signs with
    the sandbox's fake credentials."""
    for name, value in sandbox_environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return deployed


def audit(capsys, endpoint_url: str, *argv: str) -> tuple[int, str, str]:
    code = main(["audit", "--endpoint-url", endpoint_url, "--region", "us-east-1", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_compliant_lake_exits_0_with_the_rules_and_the_cost_in_text(capsys, lake):
    code, out, _ = audit(capsys, lake, "--tag", "lake=mlteam")
    assert code == 0
    assert out.startswith("Live audit of account 123456789012, region us-east-1: 5 buckets, 1 key, 1 endpoint, "
                          "2 crawlers, 1 workgroup, 2 queues\nRead with 89 API calls (17.8 per bucket), 89 HTTP")
    assert "Policy findings: 33 rules: " in out and "No mandatory rule fails." in out
    # Without the plan the consumers' grants cannot be known: unknown, which fails no mandatory rule.
    assert "  UNKNOWN LAKE.16 Consumers get exactly their declared access\n" in out
    assert max(len(line) for line in out.splitlines()) <= WIDTH  # fits a 120-column terminal


def test_json_report_with_drift_against_the_plan(capsys, lake, plan_file):
    code, out, _ = audit(capsys, lake, "--tag", "lake=mlteam", "--format", "json", "--against-plan", str(plan_file))
    report = json.loads(out)
    assert code == 0
    assert (report["source"], report["account"], report["region"]) == ("live", "123456789012", "us-east-1")
    assert report["resources"]["buckets"] == ["mlteam-dev-curated", "mlteam-dev-logs", "mlteam-dev-processed",
                                              "mlteam-dev-query-results", RAW]
    assert report["audit"]["blockingRules"] == [] and report["unverified"] == []
    # Against the plan the analysts' principal is the plan's: no GetRole for it, nor for a role of its name.
    assert report["calls"]["total"] == 87 and report["calls"]["perBucket"] == 17.4
    # moto keeps no BlockedEncryptionTypes, nor a flow log's prefix and DestinationOptions: that is the
    # whole drift of a faithful deployment.
    assert {(d["resource"], d["setting"]) for d in report["drift"]} == {
        (name, "encryption.blocked_encryption_types") for name in report["resources"]["buckets"]} | {
        ("network-flow-log", setting) for setting in (
            "destination", "file_format", "hive_compatible_partitions", "per_hour_partition")}


def test_a_console_edit_exits_1_and_shows_as_drift(capsys, lake, plan_file):
    s3 = client("s3", lake)
    s3.put_bucket_versioning(Bucket=RAW, VersioningConfiguration={"Status": "Suspended"})
    try:
        code, out, _ = audit(capsys, lake, "--tag", "lake=mlteam", "--against-plan", str(plan_file))
    finally:
        s3.put_bucket_versioning(Bucket=RAW, VersioningConfiguration={"Status": "Enabled"})
    assert code == 1
    assert "  FAIL    S3.14   S3 buckets have versioning enabled\n          mlteam-dev-raw: versioning is Suspended" in out
    assert f'  bucket {RAW}: versioning planned "Enabled", live "Suspended"' in out
    assert "Mandatory rules failing: S3.14" in out
    assert max(len(line) for line in out.splitlines()) <= WIDTH


def test_drift_alone_exits_1_only_with_fail_on_drift(capsys, lake, plan_file):
    args = ("--tag", "lake=mlteam", "--against-plan", str(plan_file))
    assert audit(capsys, lake, *args)[0] == 0
    assert audit(capsys, lake, *args, "--fail-on-drift")[0] == 1  # moto's dropped BlockedEncryptionTypes


def test_markdown_and_sarif(capsys, lake, request):
    s3 = client("s3", lake)
    policy = s3.get_bucket_policy(Bucket=RAW)["Policy"]
    s3.delete_bucket_policy(Bucket=RAW)
    try:
        code, out, _ = audit(capsys, lake, "--tag", "lake=mlteam", "--format", "markdown")
        sarif_code, sarif_out, _ = audit(capsys, lake, "--tag", "lake=mlteam", "--format", "sarif")
    finally:
        s3.put_bucket_policy(Bucket=RAW, Policy=policy)
    assert code == sarif_code == 1
    assert out.startswith("### Data lake live audit\n\nLive audit of account 123456789012")
    assert "| ❌ | high | S3.5 S3 bucket policies require requests to use TLS | `mlteam-dev-raw` |" in out
    sarif = json.loads(sarif_out)
    jsonschema.validate(sarif, load_sarif_schema(request.config.cache.mkdir("sarif-schema")))
    run = sarif["runs"][0]
    assert run["automationDetails"]["id"] == "lake-audit/123456789012/us-east-1/"
    assert {(r["ruleId"], r["level"]) for r in run["results"]} == {
        ("S3.5", "error"), ("LAKE.1", "error"), ("LAKE.2", "error"),
        # The consumers' grants, unknown without the plan (tests/live/support.py, GRANTS_UNKNOWN).
        ("LAKE.10", "note"), ("LAKE.14", "note"), ("LAKE.16", "note")}


@pytest.mark.parametrize(("argv", "message"), [
    ((), "error: choose the buckets: --stack-outputs FILE, --bucket NAME, --tag KEY=VALUE or --prefix PREFIX\n"),
    (("--tag", "lake"), "error: --tag lake: expected KEY=VALUE, e.g. lake=mlteam\n"),
    (("--tag", "lake=nobody"), "error: no bucket matched the selection in account 123456789012, region us-east-1\n"),
])
def test_usage_errors_exit_2_with_one_line(capsys, lake, argv, message):
    code, out, err = audit(capsys, lake, *argv)
    assert (code, out, err) == (2, "", message)


def test_unreadable_inputs_exit_2(capsys, lake, tmp_path):
    outputs = tmp_path / "outputs.json"
    outputs.write_text('{"keyArn": "x"}')
    code, _, err = audit(capsys, lake, "--stack-outputs", str(outputs))
    assert (code, err) == (2, f"error: --stack-outputs {outputs}: no 'zoneBuckets' output; expected `pulumi stack "
                              "output --json` of this program\nhint: write it with: pulumi stack output --json > "
                              "outputs.json\n")
    not_a_plan = tmp_path / "plan.json"
    not_a_plan.write_text("[]")
    code, _, err = audit(capsys, lake, "--tag", "lake=mlteam", "--against-plan", str(not_a_plan))
    assert (code, err) == (2, f"error: --against-plan {not_a_plan}: a JSON array, not a plan document\n"
                              "hint: write one with: lake plan --format json --output plan.json\n")


def test_an_unreachable_endpoint_exits_2(capsys, lake):
    code, out, err = audit(capsys, "http://127.0.0.1:9", "--tag", "lake=mlteam")
    assert (code, out) == (2, "")
    assert err.startswith('error: cannot reach the AWS account: Could not connect to the endpoint URL: '
                          '"http://127.0.0.1:9/"')


def test_stack_outputs_file(capsys, lake, document, tmp_path):
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({k: v for k, v in document["outputs"].items() if k != "keyArn"}))
    code, out, _ = audit(capsys, lake, "--stack-outputs", str(outputs), "--format", "json")
    assert code == 0 and len(json.loads(out)["resources"]["buckets"]) == 5


def test_an_unknown_profile_exits_2(capsys, lake, monkeypatch):
    monkeypatch.delenv("AWS_CONFIG_FILE", raising=False)
    monkeypatch.delenv("AWS_SHARED_CREDENTIALS_FILE", raising=False)
    code, out, err = audit(capsys, lake, "--tag", "lake=mlteam", "--profile", "no-such-profile")
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == ("error: --profile no-such-profile: no such profile in ~/.aws/config or "
                                   "~/.aws/credentials")
