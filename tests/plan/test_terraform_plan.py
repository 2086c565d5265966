"""`lake plan --format terraform-plan`: the plan as `terraform show -json` writes it (lake/plan/terraform.py)."""

import json
import re
import shutil

import pytest
import yaml

from lake.cli import main
from lake.plan import terraform_names
from lake.plan.terraform import resource_addresses, terraform_plan
from tests.support import REPO

ADDRESS = re.compile(r"aws_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*")
ZONES = ["raw", "processed", "curated", "query-results", "logs"]
SPLIT = {  # the split S3 resources of a zone bucket: Terraform type -> logical name suffix
    "aws_s3_bucket_versioning": "versioning",
    "aws_s3_bucket_server_side_encryption_configuration": "encryption",
    "aws_s3_bucket_public_access_block": "public-access-block",
    "aws_s3_bucket_policy": "policy",
    "aws_s3_bucket_lifecycle_configuration": "lifecycle",
    "aws_s3_bucket_ownership_controls": "ownership",
    "aws_s3_bucket_logging": "logging",
}
INSECURE_PROGRAM = '''
import pulumi_aws as aws

bucket = aws.s3.Bucket("raw-bucket", bucket="insecure-dev-raw", tags={"lake": "insecure", "zone": "raw"})
aws.s3.BucketVersioning("raw-versioning", bucket=bucket.id, versioning_configuration={"status": "Suspended"})
'''


@pytest.fixture(scope="module")
def dev(dev_document):
    return terraform_plan(dev_document)


@pytest.fixture(scope="module")
def insecure_project(tmp_path_factory):
    """A program that declares a lake bucket with suspended versioning: S3.14, mandatory, fails."""
    folder = tmp_path_factory.mktemp("insecure")
    shutil.copy(REPO / "Pulumi.yaml", folder / "Pulumi.yaml")
    (folder / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": {"aws:region": "us-east-1",
                                                                        "datalake:name": "insecure"}}))
    (folder / "__main__.py").write_text(INSECURE_PROGRAM)
    return folder


def by_address(entries: list[dict]) -> dict[str, dict]:
    return {entry["address"]: entry for entry in entries}


def configuration(plan: dict, address: str) -> dict:
    return by_address(plan["configuration"]["root_module"]["resources"])[address]


def values(plan: dict, address: str) -> dict:
    return by_address(plan["planned_values"]["root_module"]["resources"])[address]["values"]


def plan_cli(capsys, *argv):
    code = main(["plan", "--format", "terraform-plan", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_document_has_the_plan_representations_keys(dev, dev_document):
    assert list(dev) == ["format_version", "terraform_version", "planned_values", "resource_changes",
                         "configuration", "applyable", "complete", "errored"]
    assert (dev["format_version"], dev["applyable"], dev["complete"], dev["errored"]) == ("1.2", True, True, False)
    assert re.fullmatch(r"1\.\d+\.\d+", dev["terraform_version"])
    assert dev["configuration"]["provider_config"] == {"aws": {
        "name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
        "expressions": {"region": {"constant_value": "us-east-1"},
                        "allowed_account_ids": {"constant_value": ["123456789012"]}},
    }}
    custom = [r for r in dev_document["resources"] if r["custom"]]
    assert len(dev["resource_changes"]) == len(custom) == 72


@pytest.mark.parametrize("stack", ["dev", "prod", "consumers"])
def test_every_change_is_planned_and_configured_under_one_unique_valid_address(stack_documents, stack):
    plan = terraform_plan(stack_documents[stack])
    changes = [c["address"] for c in plan["resource_changes"]]
    planned = [r["address"] for r in plan["planned_values"]["root_module"]["resources"]]
    configured = [r["address"] for r in plan["configuration"]["root_module"]["resources"]]
    assert changes == planned == configured == sorted(set(changes))
    assert all(ADDRESS.fullmatch(address) for address in changes)
    for entry in plan["planned_values"]["root_module"]["resources"]:
        assert entry["address"] == f"{entry['type']}.{entry['name']}"
        assert (entry["mode"], entry["provider_name"]) == ("managed", "registry.terraform.io/hashicorp/aws")
        assert entry["sensitive_values"] == {} and entry["schema_version"] == 0
    assert "child_modules" not in plan["planned_values"]["root_module"]


def test_each_resource_is_created_with_its_planned_values_all_known(dev):
    planned = {r["address"]: r["values"] for r in dev["planned_values"]["root_module"]["resources"]}
    for change in dev["resource_changes"]:
        assert change["change"] == {"actions": ["create"], "before": None, "after": planned[change["address"]],
                                    "after_unknown": {}, "before_sensitive": False, "after_sensitive": {}}


# The logs bucket does not log into itself: the test below asserts its logging's absence.
SPLIT_RESOURCES = [(z, k) for z in ZONES for k in SPLIT if (z, k) != ("logs", "aws_s3_bucket_logging")]


@pytest.mark.parametrize("zone, kind", SPLIT_RESOURCES)
def test_each_split_s3_resource_references_its_bucket(dev, zone, kind):
    expressions = configuration(dev, f"{kind}.{zone}-{SPLIT[kind]}")["expressions"]
    assert expressions["bucket"] == {"references": [f"aws_s3_bucket.{zone}-bucket.id", f"aws_s3_bucket.{zone}-bucket"]}


def test_the_logs_bucket_has_no_logging_and_the_others_log_into_it(dev):
    logging = [r for r in dev["configuration"]["root_module"]["resources"] if r["type"] == "aws_s3_bucket_logging"]
    assert sorted(r["name"] for r in logging) == ["curated-logging", "processed-logging", "query-results-logging",
                                                  "raw-logging"]
    assert {json.dumps(r["expressions"]["target_bucket"]) for r in logging} == {
        json.dumps({"references": ["aws_s3_bucket.logs-bucket.id", "aws_s3_bucket.logs-bucket"]})}


def test_the_bucket_policy_references_the_bucket_and_the_lake_key(dev):
    policy = configuration(dev, "aws_s3_bucket_policy.raw-policy")
    assert policy["expressions"]["policy"] == {"references": [
        "aws_kms_key.lake-key-key.arn", "aws_kms_key.lake-key-key",
        "aws_s3_bucket.raw-bucket.arn", "aws_s3_bucket.raw-bucket",
    ]}
    assert policy["depends_on"] == ["aws_s3_bucket_ownership_controls.raw-ownership",
                                    "aws_s3_bucket_public_access_block.raw-public-access-block"]


def test_nested_blocks_reference_inside_and_keep_constants(dev):
    encryption = configuration(dev, "aws_s3_bucket_server_side_encryption_configuration.raw-encryption")
    assert encryption["expressions"]["rule"] == [{
        "apply_server_side_encryption_by_default": [{
            "kms_master_key_id": {"references": ["aws_kms_key.lake-key-key.arn", "aws_kms_key.lake-key-key"]},
            "sse_algorithm": {"constant_value": "aws:kms"},
        }],
        "blocked_encryption_types": {"constant_value": ["SSE-C"]},
        "bucket_key_enabled": {"constant_value": True},
    }]
    crawler = configuration(dev, "aws_glue_crawler.catalog-annotations")["expressions"]
    assert crawler["s3_target"][0]["dlq_event_queue_arn"] == {"references": [
        "aws_sqs_queue.catalog-annotations-dlq.arn", "aws_sqs_queue.catalog-annotations-dlq"]}  # not -events: a prefix
    assert crawler["security_configuration"] == {"references": [
        "aws_glue_security_configuration.catalog-crawlers.name", "aws_glue_security_configuration.catalog-crawlers"]}
    attachment = configuration(dev, "aws_iam_role_policy_attachment.consumer-training")["expressions"]
    assert attachment["policy_arn"] == {"references": ["aws_iam_policy.consumer-training.arn",
                                                       "aws_iam_policy.consumer-training"]}


def _references(expression) -> list[str]:
    if isinstance(expression, list):
        return [ref for block in expression for inner in block.values() for ref in _references(inner)]
    return expression.get("references", [])


@pytest.mark.parametrize("stack", ["dev", "prod", "consumers"])
def test_references_name_only_resources_the_input_depends_on(stack_documents, stack):
    document = stack_documents[stack]
    plan = terraform_plan(document)
    addresses = resource_addresses([r for r in document["resources"] if r["custom"]])
    checked = 0
    for resource in (r for r in document["resources"] if r["custom"]):
        depended = {addresses[u] for urns in resource["options"]["propertyDependencies"].values() for u in urns
                    if u in addresses}
        for expression in configuration(plan, addresses[resource["urn"]])["expressions"].values():
            for reference in _references(expression):
                checked += 1
                assert ".".join(reference.split(".")[:2]) in depended, (addresses[resource["urn"]], reference)
    assert checked > 100


def test_value_shapes_of_pinned_resources(dev):
    key_arn = values(dev, "aws_kms_key.lake-key-key")["arn"]
    encryption = values(dev, "aws_s3_bucket_server_side_encryption_configuration.raw-encryption")
    default = encryption["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert default == {"kms_master_key_id": key_arn, "sse_algorithm": "aws:kms"}
    rules = {r["id"]: r for r in values(dev, "aws_s3_bucket_lifecycle_configuration.raw-lifecycle")["rule"]}
    assert rules["tier-current-objects"]["transition"] == [{"days": 30, "storage_class": "STANDARD_IA"},
                                                           {"days": 90, "storage_class": "GLACIER_IR"}]
    assert rules["expire-noncurrent-versions"]["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
    bucket = values(dev, "aws_s3_bucket.raw-bucket")
    assert bucket["tags"]["cost-center"] == "ml-research" and bucket["tags"]["zone"] == "raw"
    assert (bucket["id"], bucket["arn"]) == ("mlteam-dev-raw", "arn:aws:s3:::mlteam-dev-raw")
    policy = json.loads(values(dev, "aws_s3_bucket_policy.raw-policy")["policy"])  # a JSON string, as Terraform has it
    assert policy["Version"] == "2012-10-17" and policy["Statement"]
    assert values(dev, "aws_s3_bucket_versioning.raw-versioning")["versioning_configuration"] == [{"status": "Enabled"}]


def test_addresses_are_terraform_identifiers_made_unique_in_urn_order():
    def resource(urn_tail: str, name: str) -> dict:
        return {"urn": f"urn:pulumi:dev::datalake::{urn_tail}::{name}", "type": "aws:s3/bucket:Bucket", "name": name}

    resources = [resource("a$aws:s3/bucket:Bucket", "a.b"), resource("b$aws:s3/bucket:Bucket", "a.b"),
                 resource("c$aws:s3/bucket:Bucket", "1st bucket"), resource("d$aws:s3/bucket:Bucket", "-x")]
    assert list(resource_addresses(resources).values()) == [
        "aws_s3_bucket.a_b", "aws_s3_bucket.a_b-2", "aws_s3_bucket._1st_bucket", "aws_s3_bucket._-x"]


def test_cli_writes_the_document_and_exits_as_the_audit_decides(capsys, tmp_path, dev_document):
    target = tmp_path / "plan.json"
    code, out, err = plan_cli(capsys, "--project-dir", str(REPO), "--output", str(target))
    assert (code, out, err) == (0, "", "")
    assert json.loads(target.read_text()) == terraform_plan(dev_document)


def test_cli_output_is_the_same_bytes_twice(capsys):
    first = plan_cli(capsys, "--project-dir", str(REPO), "--stack", "prod")
    second = plan_cli(capsys, "--project-dir", str(REPO), "--stack", "prod")
    assert first == second and first[0] == 0 and first[1].startswith('{\n  "format_version": "1.2",\n')


def test_a_failing_mandatory_rule_exits_1_and_no_audit_exits_0(capsys, insecure_project):
    code, out, _ = plan_cli(capsys, "--project-dir", str(insecure_project))
    assert code == 1
    versioning = configuration(json.loads(out), "aws_s3_bucket_versioning.raw-versioning")
    assert versioning["expressions"]["bucket"] == {"references": ["aws_s3_bucket.raw-bucket.id",
                                                                  "aws_s3_bucket.raw-bucket"]}
    code, unaudited, _ = plan_cli(capsys, "--project-dir", str(insecure_project), "--no-audit")
    assert (code, unaudited) == (0, out)


def test_help_names_the_format_and_says_the_audit_decides(capsys):
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "terraform-plan (the plan as `terraform show -json` writes it, for checkov and other scanners; " \
           "the audit still runs and decides the exit code)" in help_text


def test_a_misspelt_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--format", "terraform"])
    assert exited.value.code == 2
    assert ("argument --format: invalid choice: 'terraform' (choose from 'text', 'json', 'markdown', 'sarif', "
            "'terraform-plan')") in capsys.readouterr().err


def test_output_into_a_missing_folder_is_refused_before_the_plan(capsys, tmp_path):
    code, out, err = plan_cli(capsys, "--project-dir", str(REPO), "--output", str(tmp_path / "no" / "plan.json"))
    assert (code, out) == (2, "") and err.startswith("error: ")
    assert not (tmp_path / "no").exists()


def test_an_unmapped_type_is_an_internal_error_naming_it(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # the crash file goes to this test's folder
    monkeypatch.delitem(terraform_names.RESOURCE_TYPES, "aws:kms/key:Key")
    code, out, err = plan_cli(capsys, "--project-dir", str(REPO))
    assert (code, out) == (3, "")
    assert err.startswith(
        "error: internal error (a bug in lake): MappingError: no Terraform resource type is known for the Pulumi "
        "type 'aws:kms/key:Key': add it to RESOURCE_TYPES in lake/plan/terraform_names.py (its Terraform name is "
        "in pulumi-aws's bridge metadata); traceback in "
    )
    assert len(list(tmp_path.glob("lake-crash-*.txt"))) == 1
