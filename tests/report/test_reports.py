"""`lake plan` reports: exit codes, text, markdown and SARIF (validated against the official schema)."""

import json
import re
import shutil

import jsonschema
import pytest
import yaml

from lake.cli import main
from policies.registry import all_rules
from lake.terminal import WIDTH
from tests.report.sarif_schema import load_sarif_schema
from tests.support import REPO

INSECURE_PROGRAM = '''
import pulumi_aws as aws

bucket = aws.s3.Bucket("raw-bucket", bucket="insecure-dev-raw", tags={"lake": "insecure", "zone": "raw"})
aws.s3.BucketVersioning("raw-versioning", bucket=bucket.id, versioning_configuration={"status": "Suspended"})
'''


@pytest.fixture(scope="module")
def insecure_project(tmp_path_factory):
    """A program that declares a lake bucket with none of the protections."""
    folder = tmp_path_factory.mktemp("insecure")
    shutil.copy(REPO / "Pulumi.yaml", folder / "Pulumi.yaml")
    (folder / "Pulumi.dev.yaml").write_text(
        yaml.safe_dump({"config": {"aws:region": "us-east-1", "datalake:name": "insecure"}})
    )
    (folder / "__main__.py").write_text(INSECURE_PROGRAM)
    return folder


@pytest.fixture(scope="module")
def sarif_schema(request):
    return load_sarif_schema(request.config.cache.mkdir("sarif-schema"))


def plan(capsys, *argv):
    code = main(["plan", *argv])
    return code, capsys.readouterr().out


def test_mandatory_failure_exits_1_and_is_listed(capsys, insecure_project):
    code, out = plan(capsys, "--project-dir", str(insecure_project))
    assert code == 1
    assert "  FAIL    S3.14   S3 buckets have versioning enabled" in out
    assert "          insecure-dev-raw: versioning is Suspended; it must be Enabled" in out
    verdict = next(line for line in out.splitlines() if line.startswith("Mandatory rules failing: "))
    assert "S3.14" in verdict


def test_text_findings_say_what_they_count_and_list_passing_rules_compactly(capsys, insecure_project):
    _, out = plan(capsys, "--project-dir", str(insecure_project))
    lines = out.splitlines()
    counts = next(line for line in lines if line.startswith("Policy findings: "))
    assert counts.startswith(f"Policy findings: {len(all_rules())} rules: ") and " fail, " in counts and "; " in counts
    assert " checks: " in counts and " failed" in counts
    passing = [line for line in lines if line.startswith("  PASS    ")]
    assert passing and all(", " in line or line.count(".") == 1 for line in passing)  # ids, no titles
    assert "  PASS    S3.14" not in out


def test_every_failing_finding_is_in_the_text_in_full(capsys, insecure_project):
    """Wrapped to the width, never cut: joined back, each failing finding reads as in the JSON plan."""
    _, text = plan(capsys, "--project-dir", str(insecure_project))
    _, document = plan(capsys, "--project-dir", str(insecure_project), "--format", "json")
    unwrapped = re.sub(r"\n {12}", " ", text)
    failing = [f for f in json.loads(document)["findings"] if f["status"] in ("fail", "unknown")]
    assert len(failing) >= 8
    for finding in failing:
        assert f"\n          {finding['resource']}: {finding['message']}\n" in unwrapped
    assert max(len(line) for line in text.splitlines()) <= WIDTH


def test_text_plan_of_dev_summarises_the_access_matrix(capsys):
    code, out = plan(capsys, "--project-dir", str(REPO))
    assert code == 0
    lines = out.splitlines()
    # The dev consumers make LAKE.16 and KMS.1 (their customer managed policies) applicable, and add a role
    # each to LAKE.10 and LAKE.14 (the training role): 4 checks more.
    assert "Policy findings: 33 rules: 29 pass, 4 not applicable; 107 checks: 101 passed, 6 not applicable" in lines
    assert "  PASS    S3.2, S3.3, KMS.3, KMS.5, LAKE.12, LAKE.14, LAKE.15" in lines
    assert "  N/A     LAKE.4  lake: the stack is not production" in lines
    assert "    data reader, crawler mlteam-dev-annotations, crawler mlteam-dev-images: GetObject, ListBucket" in lines
    assert "    another account, anonymous: none" in lines
    # The analysts read curated only through Athena: nothing with the intended request, and the gain said.
    curated = lines[lines.index("  mlteam-dev-curated"):lines.index("  mlteam-dev-processed")]
    assert curated == [
        "  mlteam-dev-curated",
        "    lake administrator, deployer: GetObject, PutObject, ListBucket, DeleteObject, PutBucketPolicy",
        "    data reader, consumer training: GetObject, ListBucket",
        "    consumer analysts, another account, anonymous: none",
        "    via Athena: consumer analysts gains GetObject, ListBucket",
    ]
    assert any(line.startswith("  Every zone bucket denies to everyone: no TLS (DenyInsecureTransport); ")
               for line in lines)
    assert "Access matrix of" not in out  # the full matrix is one option away


def test_zone_buckets_alike_are_summarised_once(capsys, tmp_path):
    """Without its consumers, the dev lake's curated, processed and query-results buckets decide alike."""
    config = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    del config["config"]["datalake:consumers"]
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump(config))
    _, out = plan(capsys, "--project-dir", str(REPO), "--config-file", str(tmp_path / "Pulumi.dev.yaml"))
    assert "  mlteam-dev-curated, mlteam-dev-processed, mlteam-dev-query-results" in out.splitlines()


def test_text_plan_of_prod_names_the_perimeter_denial(capsys):
    _, out = plan(capsys, "--project-dir", str(REPO), "--stack", "prod")
    lines = out.splitlines()
    assert "    outside endpoint: data reader loses GetObject, ListBucket (DenyOutsideLakeEndpoint)" in lines
    # The training role's direct reads need the endpoint (the perimeter is on): Athena's requests do not
    # come through it. The partner is exempt from the perimeter: it loses nothing outside the endpoint.
    assert "    via Athena: consumer training loses GetObject, ListBucket" in lines
    assert not any("partner-research loses" in line for line in lines)


@pytest.mark.parametrize("stack", ["dev", "prod"])
@pytest.mark.parametrize("matrix", ["summary", "full"])
def test_text_plan_fits_a_120_column_terminal(capsys, stack, matrix):
    code, out = plan(capsys, "--project-dir", str(REPO), "--stack", stack, "--matrix", matrix)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= WIDTH
    if matrix == "full":
        assert "Access matrix of" in out and "  Denied by: 1 DenyInsecureTransport; " in out


@pytest.mark.parametrize("option", [("--matrix", "none"), ("--no-matrix",)])
def test_without_the_matrix(capsys, option):
    _, out = plan(capsys, "--project-dir", str(REPO), *option)
    assert "No mandatory rule fails." in out and "Access summary" not in out and "Access matrix" not in out


def test_json_carries_the_full_matrix_whatever_the_text_shows(capsys):
    _, out = plan(capsys, "--project-dir", str(REPO), "--format", "json")
    document = json.loads(out)
    assert {m["bucket"] for m in document["accessMatrix"]} == {
        "mlteam-dev-curated", "mlteam-dev-processed", "mlteam-dev-query-results", "mlteam-dev-raw"}
    _, out = plan(capsys, "--project-dir", str(REPO), "--format", "json", "--matrix", "none")
    assert "accessMatrix" not in json.loads(out)


def test_no_audit_records_only(capsys, insecure_project):
    code, out = plan(capsys, "--project-dir", str(insecure_project), "--no-audit")
    assert code == 0
    assert "Policy findings" not in out


@pytest.mark.parametrize("fmt", ["markdown", "sarif"])
def test_finding_formats_refuse_no_audit(capsys, fmt):
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--format", fmt, "--no-audit"])
    assert exited.value.code == 2
    assert f"--no-audit cannot be combined with --format {fmt}, which reports findings" in capsys.readouterr().err


def test_json_carries_findings_and_audit(capsys, insecure_project):
    code, out = plan(capsys, "--project-dir", str(insecure_project), "--format", "json")
    document = json.loads(out)
    jsonschema.validate(document, json.loads((REPO / "docs" / "plan-format.schema.json").read_text()))
    assert code == 1
    versioning = [f for f in document["findings"] if f["ruleId"] == "S3.14"]
    assert versioning == [{
        "ruleId": "S3.14", "title": "S3 buckets have versioning enabled", "severity": "high", "mandatory": True,
        "status": "fail", "resource": "insecure-dev-raw",
        "ref": "urn:pulumi:dev::datalake::aws:s3/bucket:Bucket::raw-bucket",
        "message": "versioning is Suspended; it must be Enabled",
    }]
    assert "S3.14" in document["audit"]["blockingRules"]
    assert document["audit"]["findings"]["fail"] == len([f for f in document["findings"] if f["status"] == "fail"])


def test_dev_stack_passes_every_mandatory_rule(capsys):
    code, out = plan(capsys, "--project-dir", str(REPO), "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert document["audit"]["blockingRules"] == []
    assert [f for f in document["findings"] if f["status"] == "fail"] == []


def test_markdown_comment(capsys, insecure_project):
    _, out = plan(capsys, "--project-dir", str(insecure_project), "--format", "markdown")
    lines = out.splitlines()
    assert lines[0] == "### Data lake plan `datalake/dev`"
    assert "| `aws:s3/bucket:Bucket` | 1 |" in lines
    assert any(line.startswith("#### Policy findings: ❌ ") and "S3.14" in line for line in lines)
    assert (
        "| ❌ | high | S3.14 S3 buckets have versioning enabled | `insecure-dev-raw` "
        "| versioning is Suspended; it must be Enabled |"
    ) in lines


def test_markdown_of_compliant_stack(capsys):
    _, out = plan(capsys, "--project-dir", str(REPO), "--format", "markdown")
    assert "#### Policy findings: ✅ no mandatory rule fails" in out.splitlines()
    assert "#### Access matrix" in out.splitlines()  # the full matrix, as before
    assert "| lake administrator | `s3:PutObject` | allow | allow | allow | DENY DenyInsecureTransport |" in out


def test_sarif_validates_against_the_official_schema(capsys, insecure_project, sarif_schema):
    _, out = plan(capsys, "--project-dir", str(insecure_project), "--format", "sarif")
    log = json.loads(out)
    jsonschema.validators.validator_for(sarif_schema)(sarif_schema).validate(log)
    run = log["runs"][0]
    versioning = [r for r in run["results"] if r["ruleId"] == "S3.14"]
    assert len(versioning) == 1
    result = versioning[0]
    assert result["level"] == "error"
    assert result["message"]["text"] == "insecure-dev-raw: versioning is Suspended; it must be Enabled"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "Pulumi.dev.yaml"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "S3.14"
    assert all(r["level"] in ("error", "warning", "note") for r in run["results"])


def test_sarif_of_compliant_stack_has_rules_and_no_result(capsys, sarif_schema):
    _, out = plan(capsys, "--project-dir", str(REPO), "--format", "sarif")
    log = json.loads(out)
    jsonschema.validators.validator_for(sarif_schema)(sarif_schema).validate(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"]


def test_schema_rejects_a_broken_log(sarif_schema):
    """The schema really checks: a wrong level is refused."""
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lake"}},
                                            "results": [{"message": {"text": "x"}, "level": "fatal"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validators.validator_for(sarif_schema)(sarif_schema).validate(broken)
