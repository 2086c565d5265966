"""`lake plan` end to end: outputs, the JSON document's schema, and bad input -> exit 2."""

import json
import shutil

import jsonschema
import pytest
import yaml

from lake.cli import main
from lake.plan.mocks import DEFAULT_ACCOUNT_ID, MockEnvironment
from lake.plan.render import output_value
from lake.plan.runner import PlanError, run_program, runtime_config
from tests.support import REPO

PLAN_SCHEMA = json.loads((REPO / "docs" / "plan-format.schema.json").read_text())
GOOD = {"aws:region": "us-east-1", "datalake:name": "mlteam"}


def run(capsys, *argv):
    code = main(["plan", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def project_with(tmp_path, config):
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def test_text_plan_of_dev(capsys):
    code, out, err = run(capsys, "--project-dir", str(REPO))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == (
        "Offline plan of datalake/dev (account 123456789012, region us-east-1: mock values, nothing is deployed)"
    )
    assert any(line.startswith(" +   └─ datalake:storage:DataLake") and line.endswith("mlteam") for line in lines)
    assert any("aws:s3:BucketPolicy" in line and line.endswith("raw-policy") for line in lines)
    assert "    keyAlias: \"alias/mlteam-dev\"" in lines
    assert "    + 85 to create" in lines  # 6 of them the consumers': component, role, 2 policies, 2 attachments
    assert "No mandatory rule fails." in lines
    # An exported policy document is named by its statements; the JSON plan carries it whole.
    assert ("            identityPolicy: policy document of 5 statements (LocateBuckets, ListZones, ReadObjects, "
            "WriteObjects,") in lines
    assert "                UseKeyThroughS3; whole in --format json)" in lines


@pytest.mark.parametrize("value", ['{"Statement": "x"}', "{not json", '{"Statement": [1]}', "plain", 3, None])
def test_an_output_that_is_not_a_policy_document_is_shown_as_json(value):
    assert output_value(value) == json.dumps(value)


def test_text_plan_marks_protected_resources(capsys):
    code, out, _ = run(capsys, "--project-dir", str(REPO), "--stack", "prod", "--account-id", "210987654321")
    assert code == 0
    bucket_line = next(line for line in out.splitlines() if line.endswith("raw-bucket [protect, retain on delete]"))
    assert "aws:s3:Bucket" in bucket_line


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_json_plan_matches_documented_schema_and_is_byte_stable(capsys, stack):
    code, first, _ = run(capsys, "--project-dir", str(REPO), "--stack", stack, "--format", "json")
    assert code == 0
    document = json.loads(first)
    jsonschema.validate(document, PLAN_SCHEMA)
    assert document["summary"]["resourceCount"] == len(document["resources"])
    _, second, _ = run(capsys, "--project-dir", str(REPO), "--stack", stack, "--format", "json")
    assert first == second


def test_json_plan_to_file(capsys, tmp_path):
    target = tmp_path / "plan.json"
    code, out, _ = run(capsys, "--project-dir", str(REPO), "--format", "json", "--output", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["stack"] == "dev"


def test_config_file_replaces_stack_file(capsys, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump({"config": {**GOOD, "datalake:zones": [{"name": "only"}]}}))
    code, out, _ = run(capsys, "--project-dir", str(REPO), "--config-file", str(other), "--format", "json")
    assert code == 0
    assert list(json.loads(out)["outputs"]["zoneBuckets"]) == ["only"]


BAD_CONFIGS = [
    pytest.param({"aws:region": "us-east-1"}, ["datalake:name: required key is missing"], id="no-name"),
    pytest.param({"datalake:name": "mlteam"}, [
        "aws:region: is not set; the plan needs the region the stack deploys to"], id="no-region"),
    pytest.param({**GOOD, "aws:region": "us-east1"}, [
        "aws:region: expected an AWS region such as 'us-east-1' or 'eu-west-3', got string 'us-east1'"], id="bad-region"),
    pytest.param({**GOOD, "datalake:zonez": []}, [
        "datalake:zonez: unknown key 'zonez' (did you mean 'zones'?)"], id="typo-key"),
    pytest.param({**GOOD, "datalake:production": "yes"}, [
        "datalake:production: expected a boolean (true or false), got string 'yes'"], id="bool-as-string"),
    pytest.param({**GOOD, "datalake:production": True}, [
        "datalake:administrators: must list at least one IAM ARN when production is true: the production key "
        "and buckets are protected, so someone must be named to administer them"], id="production-without-admins"),
    pytest.param({**GOOD, "datalake:administrators": ["arn:aws:iam::12345:role/Admin"]}, [
        "datalake:administrators[0]: expected an IAM ARN of an account root, a role or a user, e.g. "
        "'arn:aws:iam::123456789012:role/LakeAdmin', got string 'arn:aws:iam::12345:role/Admin'"], id="bad-admin-arn"),
    pytest.param({**GOOD, "datalake:key": {"deletionWindowDays": 3}}, [
        "datalake:key.deletionWindowDays: expected an integer from 7 to 30, got 3"], id="deletion-window"),
    pytest.param({**GOOD, "datalake:zones": []}, [
        "datalake:zones: expected at least 1 item, got an empty list"], id="no-zones"),
    pytest.param({**GOOD, "datalake:zones": [{"name": "raw"}, {"name": "raw"}]}, [
        "datalake:zones[1].name: zone 'raw' is already declared at zones[0]"], id="duplicate-zone"),
    pytest.param({**GOOD, "datalake:zones": [{"name": "logs"}]}, [
        "datalake:zones[0].name: 'logs' is reserved for the access-log bucket 'mlteam-dev-logs'"], id="reserved-zone"),
    pytest.param({**GOOD, "datalake:name": "a" * 60}, [
        f"datalake:name: bucket name '{'a' * 60}-dev-logs' is 69 characters long; S3 allows 3 to 63"],
        id="bucket-name-too-long"),
    pytest.param({**GOOD, "datalake:zones": [{"name": "raw", "lifecycle": {
        "transitions": [{"days": 10, "storageClass": "STANDARD_IA"}]}}]}, [
        "datalake:zones[0].lifecycle.transitions[0].days: S3 moves objects to STANDARD_IA only after 30 days; "
        "got day 10"], id="ia-too-early"),
    pytest.param({**GOOD, "datalake:zones": [{"name": "raw", "lifecycle": {"transitions": [
        {"days": 30, "storageClass": "STANDARD_IA"}, {"days": 45, "storageClass": "GLACIER"}]}}]}, [
        "datalake:zones[0].lifecycle.transitions[1].days: day 45 is only 15 days after the previous transition "
        "(day 30); the lake requires at least 30 (S3 itself does after STANDARD_IA)"], id="transition-gap"),
    pytest.param({**GOOD, "datalake:zones": [{"name": "raw", "lifecycle": {"transitions": [
        {"days": 90, "storageClass": "GLACIER"}, {"days": 180, "storageClass": "GLACIER_IR"}]}}]}, [
        "datalake:zones[0].lifecycle.transitions[1].storageClass: GLACIER_IR is not colder than the previous "
        "transition's GLACIER; classes must get colder in the order STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE"],
        id="warmer-class"),
    pytest.param({**GOOD, "datalake:zones": [{"name": "raw", "lifecycle": {"transitions": [
        {"days": 30, "storageClass": "GLACIER-IR"}]}}]}, [
        "datalake:zones[0].lifecycle.transitions[0].storageClass: expected one of 'STANDARD_IA', 'GLACIER_IR', "
        "'GLACIER', 'DEEP_ARCHIVE', got string 'GLACIER-IR' (did you mean 'GLACIER_IR'?)"], id="storage-class"),
    pytest.param({**GOOD, "datalake:zones": [{"name": "raw", "lifecycle": {"expirationDays": 60}}]}, [
        "datalake:zones[0].lifecycle.expirationDays: expiration at day 60 must come after the last transition, "
        "to GLACIER_IR at day 90 (a default transition)"], id="expire-before-transition"),
    pytest.param({**GOOD, "datalake:logs": {"lifecycle": {"transitions": []}}}, [
        "datalake:logs.lifecycle.expirationDays: required key is missing: without a retention, access logs are "
        "kept and billed forever"], id="logs-without-retention"),
]


@pytest.mark.parametrize(("config", "expected"), BAD_CONFIGS)
def test_bad_config_exits_2_with_one_line_per_problem_and_runs_nothing(capsys, tmp_path, config, expected):
    code, out, err = run(capsys, "--project-dir", str(project_with(tmp_path, config)))
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert all(line.startswith("error: Pulumi.dev.yaml: ") for line in lines), err
    assert "Traceback" not in err
    assert lines == [f"error: Pulumi.dev.yaml: {line}" for line in expected]


def test_missing_stack_file(capsys):
    code, out, err = run(capsys, "--project-dir", str(REPO), "--stack", "dve")
    assert code == 2 and out == ""
    assert err == f"error: no stack 'dve' in {REPO}: Pulumi.dve.yaml not found; stacks here: dev, prod (did you mean 'dev'?)\n"


def test_broken_yaml_names_file_and_line(capsys, tmp_path):
    shutil.copy(REPO / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  datalake:name: [unclosed\n")
    code, _, err = run(capsys, "--project-dir", str(tmp_path))
    assert code == 2
    assert err.startswith("error: Pulumi.dev.yaml: line ")


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--account-id", "12"])
    assert exited.value.code == 2
    assert "'12' is not a 12-digit AWS account id" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--format", "yaml"])
    assert exited.value.code == 2


def test_program_itself_refuses_bad_config_before_declaring_anything():
    """Under `pulumi up` the program validates again: RunError, and no resource registered."""
    env = MockEnvironment(DEFAULT_ACCOUNT_ID, "us-east-1")
    config = runtime_config({**GOOD, "datalake:zones": [{"name": "raw"}, {"name": "raw"}]})
    with pytest.raises(PlanError, match=r"datalake:zones\[1\]\.name: zone 'raw' is already declared"):
        run_program(REPO / "__main__.py", "datalake", "dev", config, env)


def test_program_reads_structured_config_from_runtime_strings():
    env = MockEnvironment(DEFAULT_ACCOUNT_ID, "eu-west-1")
    config = runtime_config({**GOOD, "datalake:production": True,
                             "datalake:administrators": ["arn:aws:iam::123456789012:role/A"]})
    assert config["datalake:production"] == "true"
    recording = run_program(REPO / "__main__.py", "datalake", "dev", config, env)
    unprotected = {r.type for r in recording.resources if r.custom and not r.protect}
    # The network holds no data and stays replaceable; everything else is protected.
    assert unprotected <= {"aws:ec2/vpc:Vpc", "aws:ec2/flowLog:FlowLog", "aws:ec2/subnet:Subnet",
                           "aws:ec2/routeTable:RouteTable",
                           "aws:ec2/routeTableAssociation:RouteTableAssociation",
                           "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/vpcEndpoint:VpcEndpoint"}
    assert any(r.protect for r in recording.resources if r.type == "aws:s3/bucket:Bucket")


def test_plan_uses_the_stacks_allowed_account(capsys):
    code, out, _ = run(capsys, "--project-dir", str(REPO), "--stack", "prod", "--format", "json")
    assert code == 0
    assert json.loads(out)["environment"]["accountId"] == "210987654321"


def test_plan_refuses_an_account_the_stack_does_not_allow(capsys):
    code, out, err = run(capsys, "--project-dir", str(REPO), "--stack", "prod", "--account-id", "123456789012")
    assert (code, out) == (2, "")
    assert err == (
        "error: Pulumi.prod.yaml: aws:allowedAccountIds: does not include the plan's account 123456789012 "
        "(210987654321); the AWS provider would refuse to deploy there\n"
    )


def test_malformed_allowed_accounts(capsys, tmp_path):
    config = {**GOOD, "aws:allowedAccountIds": ["12345", 210987654321]}
    code, _, err = run(capsys, "--project-dir", str(project_with(tmp_path, config)))
    assert code == 2
    assert err.splitlines() == [
        "error: Pulumi.dev.yaml: aws:allowedAccountIds[0]: expected a 12-digit account id, got string '12345'",
        "error: Pulumi.dev.yaml: aws:allowedAccountIds[1]: expected a 12-digit account id, got integer 210987654321",
    ]


def test_administrator_of_another_account_is_a_warning_in_the_plan(capsys, tmp_path):
    config = {**GOOD, "aws:allowedAccountIds": ["123456789012"],
              "datalake:administrators": ["arn:aws:iam::999999999999:role/Admin"]}
    config_file = project_with(tmp_path, config) / "Pulumi.dev.yaml"
    code, out, _ = run(capsys, "--project-dir", str(REPO), "--config-file", str(config_file), "--format", "json")
    assert code == 0
    assert json.loads(out)["warnings"] == [
        "datalake:administrators[0]: belongs to account 999999999999, which is not in aws:allowedAccountIds "
        "(123456789012); the key policy will name a principal of another account"
    ]


def test_project_without_program(capsys, tmp_path):
    code, out, err = run(capsys, "--project-dir", str(project_with(tmp_path, GOOD)))
    assert (code, out) == (2, "")
    assert err == f"error: no __main__.py in {tmp_path}: --project-dir must name the folder of the Pulumi program\n"
