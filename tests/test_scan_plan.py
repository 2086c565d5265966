"""scripts/scan_plan.py without checkov: the weakened copies edit what they claim (in every view of
the Terraform plan document checkov reads), the report renders and replaces its section, every
failure recorded in docs/assurance.md is classified there, and bad usage exits 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.scan_plan_documents import tiny_document
from tests.support import REPO

sys.path.insert(0, str(REPO / "scripts"))
import plan_weakenings as weak  # noqa: E402
import scan_plan  # noqa: E402

RAW = "aws_s3_bucket.raw"


def values_of(document: dict, address: str) -> list[dict]:
    """The resource's planned values and its resource_changes `after`: the two views of its values."""
    planned = [r["values"] for r in weak.planned(document) if r["address"] == address]
    after = [c["change"]["after"] for c in document["resource_changes"] if c["address"] == address]
    return planned + after


def expressions_of(document: dict, address: str) -> dict:
    return weak.configuration_of(document, address)["expressions"]


def addresses(document: dict) -> set[str]:
    return {r["address"] for r in weak.planned(document)}


def weaken(name: str) -> tuple[dict, tuple]:
    weakening = next(w for w in weak.WEAKENINGS if w.name == name)
    return weak.weakened(tiny_document(), weakening)


# Each weakening does what its name says, in values, resource_changes and configuration alike.

@pytest.mark.parametrize(("name", "removed", "check"), [
    ("bucket-without-encryption", "aws_s3_bucket_server_side_encryption_configuration.raw", "CKV_AWS_145"),
    ("bucket-without-logging", "aws_s3_bucket_logging.raw", "CKV_AWS_18"),
    ("bucket-without-lifecycle", "aws_s3_bucket_lifecycle_configuration.raw", "CKV2_AWS_61"),
])
def test_a_removed_split_setting_leaves_every_view(name, removed, check):
    document, expected = weaken(name)
    assert expected == ((check, RAW),)
    assert addresses(tiny_document()) - addresses(document) == {removed}
    assert removed not in {c["address"] for c in document["resource_changes"]}
    assert removed not in {r["address"] for r in weak.configured(document)}


def test_sse_s3_replaces_the_lake_key_in_values_and_configuration():
    document, expected = weaken("bucket-sse-s3")
    address = "aws_s3_bucket_server_side_encryption_configuration.raw"
    assert expected == (("CKV_AWS_145", RAW),)
    for values in values_of(document, address):
        assert values["rule"][0]["apply_server_side_encryption_by_default"] == [{"sse_algorithm": "AES256"}]
    assert "rule" not in expressions_of(document, address)  # the tiny document's rule is all constants


def test_versioning_suspended():
    document, expected = weaken("versioning-suspended")
    assert expected == (("CKV_AWS_21", RAW),)
    assert [v["versioning_configuration"] for v in values_of(document, "aws_s3_bucket_versioning.raw")] == [
        [{"status": "Suspended"}], [{"status": "Suspended"}]]


def test_public_access_block_off_names_its_four_checks_and_the_bucket_join():
    document, expected = weaken("public-access-block-off")
    block = "aws_s3_bucket_public_access_block.raw"
    assert expected == (("CKV_AWS_53", block), ("CKV_AWS_54", block), ("CKV_AWS_55", block), ("CKV_AWS_56", block),
                        ("CKV2_AWS_6", RAW))
    for values in values_of(document, block):
        assert [values[flag] for flag in weak.BLOCK_PUBLIC_ACCESS] == [False] * 4


@pytest.mark.parametrize(("name", "address", "check", "principal"), [
    ("bucket-policy-allows-anyone", "aws_s3_bucket_policy.raw", "CKV_AWS_70", "*"),
    ("key-policy-allows-anyone", "aws_kms_key.lake", "CKV_AWS_33", {"AWS": "*"}),
])
def test_a_policy_opened_to_anyone_keeps_its_statements_and_adds_one(name, address, check, principal):
    document, expected = weaken(name)
    assert expected == ((check, address),)
    for before, after in zip(values_of(tiny_document(), address), values_of(document, address)):
        statements = json.loads(after["policy"])["Statement"]
        assert statements[:-1] == json.loads(before["policy"])["Statement"]
        assert (statements[-1]["Effect"], statements[-1]["Principal"]) == ("Allow", principal)


def test_the_tls_deny_removed_names_no_check_and_says_why():
    document, expected = weaken("bucket-policy-without-tls-deny")
    assert expected == ()
    for values in values_of(document, "aws_s3_bucket_policy.raw"):
        assert json.loads(values["policy"])["Statement"] == []
    weakening = next(w for w in weak.WEAKENINGS if w.name == "bucket-policy-without-tls-deny")
    assert "CKV_AWS_379" in weakening.blind_spot


def test_key_rotation_off():
    document, expected = weaken("key-without-rotation")
    assert expected == (("CKV_AWS_7", "aws_kms_key.lake"),)
    assert [v["enable_key_rotation"] for v in values_of(document, "aws_kms_key.lake")] == [False, False]


def test_the_crawler_loses_its_security_configuration_reference_too():
    """checkov would read the configuration's reference in place of the missing value (_add_references)."""
    document, expected = weaken("crawler-without-security-configuration")
    assert expected == (("CKV_AWS_195", "aws_glue_crawler.images"),)
    assert all("security_configuration" not in v for v in values_of(document, "aws_glue_crawler.images"))
    assert "security_configuration" not in expressions_of(document, "aws_glue_crawler.images")


def test_the_queue_loses_its_key_in_values_and_configuration():
    document, expected = weaken("queue-unencrypted")
    assert expected == (("CKV_AWS_27", "aws_sqs_queue.events"),)
    for values in values_of(document, "aws_sqs_queue.events"):
        assert "kms_master_key_id" not in values and values["sqs_managed_sse_enabled"] is False
    assert expressions_of(document, "aws_sqs_queue.events") == {}


def test_glue_catalog_and_athena_encryption_off():
    document, expected = weaken("glue-security-configuration-unencrypted")
    assert expected == (("CKV_AWS_99", "aws_glue_security_configuration.lake"),)
    values = values_of(document, "aws_glue_security_configuration.lake")[0]
    assert values["encryption_configuration"][0]["s3_encryption"][0]["s3_encryption_mode"] == "DISABLED"
    document, expected = weaken("catalog-unencrypted")
    assert expected == (("CKV_AWS_94", "aws_glue_data_catalog_encryption_settings.lake"),)
    values = values_of(document, "aws_glue_data_catalog_encryption_settings.lake")[0]
    at_rest = values["data_catalog_encryption_settings"][0]["encryption_at_rest"][0]
    assert at_rest["catalog_encryption_mode"] == "DISABLED"
    document, expected = weaken("workgroup-unencrypted")
    assert expected == (("CKV_AWS_159", "aws_athena_workgroup.lake"), ("CKV_AWS_82", "aws_athena_workgroup.lake"))
    configuration = values_of(document, "aws_athena_workgroup.lake")[0]["configuration"][0]
    assert configuration["enforce_workgroup_configuration"] is False
    assert configuration["result_configuration"] == [{"output_location": "s3://lake-results/"}]


def test_weakening_a_copy_leaves_the_document_untouched():
    document = tiny_document()
    for weakening in weak.WEAKENINGS:
        weak.weakened(document, weakening)
    assert document == tiny_document()


def test_every_weakening_names_resources_of_the_document_and_a_unique_name():
    names = [w.name for w in weak.WEAKENINGS]
    assert len(names) == len(set(names)) == 15
    for weakening in weak.WEAKENINGS:
        document, expected = weak.weakened(tiny_document(), weakening)
        assert {address for _, address in expected} <= addresses(document), weakening.name
        assert bool(expected) != bool(weakening.blind_spot), weakening.name


def test_a_split_setting_belongs_to_the_bucket_its_bucket_argument_names():
    """The raw bucket's logging refers to the logs bucket too (target_bucket), which sorts first."""
    bucket, setting = weak.bucket_with(tiny_document(), "aws_s3_bucket_logging")
    assert (bucket, setting["address"]) == (RAW, "aws_s3_bucket_logging.raw")


def test_a_weakening_says_what_the_document_lacks():
    document = tiny_document()
    weak.remove(document, "aws_glue_crawler.images")
    with pytest.raises(weak.WeakeningError, match="^the document has no aws_glue_crawler$"):
        weak.crawler_without_security_configuration(document)
    weak.remove(document, "aws_s3_bucket_versioning.raw")
    with pytest.raises(weak.WeakeningError) as refused:
        weak.versioning_suspended(document)
    assert str(refused.value) == "no aws_s3_bucket has an aws_s3_bucket_versioning referring to it"


# checkov's output, the proofs and the report.

def checkov_output(failed: list[tuple[str, str]], passed: int = 3, read: int = 2) -> str:
    records = [{"check_id": check, "check_name": f"title of {check}", "resource": resource}
               for check, resource in failed]
    return json.dumps({"check_type": "terraform_plan", "results": {"failed_checks": records, "passed_checks": []},
                       "summary": {"passed": passed, "failed": len(failed), "resource_count": read}})


def test_parse_checkov_reads_the_summary_and_each_failure_once():
    output = checkov_output([("CKV_AWS_7", "aws_kms_key.lake"), ("CKV_AWS_7", "aws_kms_key.lake")])
    scan = scan_plan.parse_checkov("dev", 2, output)
    assert (scan.name, scan.resources, scan.read, scan.passed) == ("dev", 2, 2, 3)
    assert scan.failures == [scan_plan.Failure("CKV_AWS_7", "title of CKV_AWS_7", "aws_kms_key.lake")]
    as_list = json.dumps([{"check_type": "secrets"}, json.loads(output)])
    assert scan_plan.parse_checkov("dev", 2, as_list).failures == scan.failures


def test_parse_checkov_without_json_is_an_internal_error():
    with pytest.raises(scan_plan.InternalError) as failed:
        scan_plan.parse_checkov("dev", 2, "Traceback ...")
    assert str(failed.value) == "checkov printed no JSON for dev: Expecting value: line 1 column 1 (char 0)"


def test_checkov_reading_an_empty_report_reads_no_resource():
    scan = scan_plan.parse_checkov("dev", 5, json.dumps({"passed": 0, "failed": 0}))
    assert (scan.read, scan.passed, scan.failures) == (0, 0, [])


def scan(name: str, failed: list[tuple[str, str]]) -> scan_plan.Scan:
    return scan_plan.parse_checkov(name, 2, checkov_output(failed))


KEY_ROTATION = next(w for w in weak.WEAKENINGS if w.name == "key-without-rotation")
TLS = next(w for w in weak.WEAKENINGS if w.name == "bucket-policy-without-tls-deny")


def test_a_check_failing_before_the_weakening_proves_nothing():
    baseline = scan("dev", [("CKV_AWS_7", "aws_kms_key.lake")])
    weakened = scan("key", [("CKV_AWS_7", "aws_kms_key.lake"), ("CKV_AWS_33", "aws_kms_key.lake")])
    proof = scan_plan.prove(KEY_ROTATION, (("CKV_AWS_7", "aws_kms_key.lake"),), baseline, weakened)
    assert (proof.raised, proof.missing, proof.also) == ((), (("CKV_AWS_7", "aws_kms_key.lake"),),
                                                         (("CKV_AWS_33", "aws_kms_key.lake"),))
    assert scan_plan.proof_line(proof) == ("key-without-rotation: MISSING CKV_AWS_7 on aws_kms_key.lake (expected "
                                           "CKV_AWS_7 on aws_kms_key.lake); also CKV_AWS_33 on aws_kms_key.lake")
    assert scan_plan.proofs_failed([proof]) == [proof]


def test_the_report_renders_plans_failures_and_proofs():
    dev = scan("dev", [("CKV_AWS_144", "aws_s3_bucket.raw")])
    prod = scan("prod", [("CKV_AWS_144", "aws_s3_bucket.raw")])
    raised = scan_plan.prove(KEY_ROTATION, (("CKV_AWS_7", "aws_kms_key.lake"),), dev,
                             scan("key", [("CKV_AWS_7", "aws_kms_key.lake")]))
    blind = scan_plan.prove(TLS, (), dev, dev)
    lacking = scan_plan.Proof(KEY_ROTATION, (), (), (), (), error="the document has no aws_kms_key")
    assert scan_plan.render([dev, prod], [raised, blind, lacking], "3.3.30", "dev").splitlines() == [
        scan_plan.START,
        "Generated by `.venv/bin/python scripts/scan_plan.py --write`; do not edit between these markers.",
        "",
        "checkov 3.3.30, `checkov -f <plan> --framework terraform_plan -o json --skip-download`, on "
        "`lake plan --format terraform-plan` of each stack.",
        "",
        "| Plan | Resources checkov read / in the document | Passed | Failed |",
        "|---|---:|---:|---:|",
        "| dev | 2 / 2 | 3 | 1 |",
        "| prod | 2 / 2 | 3 | 1 |",
        "",
        "| Check | checkov's title | Resources failing |",
        "|---|---|---|",
        "| CKV_AWS_144 | title of CKV_AWS_144 | dev, prod: `aws_s3_bucket.raw` |",
        "",
        "Weakened copies of the dev plan: 1 of the 2 that name checks raised all of them (a check counts only "
        "if it did not fail on the unweakened plan); 1 checkov cannot see.",
        "",
        "| Copy | What was weakened | Must fail | Result |",
        "|---|---|---|---|",
        "| `key-without-rotation` | the lake key's rotation off | CKV_AWS_7 | raised |",
        f"| `bucket-policy-without-tls-deny` | a bucket policy's aws:SecureTransport deny removed | none (blind spot) "
        f"| nothing raised: {TLS.blind_spot} |",
        "| `key-without-rotation` | the lake key's rotation off | none (blind spot) | not applied: the document has "
        "no aws_kms_key |",
        scan_plan.END,
    ]


def test_plans_failing_on_different_resources_get_an_entry_each():
    dev = scan("dev", [("CKV_AWS_144", "aws_s3_bucket.raw"), ("CKV_AWS_144", "aws_s3_bucket.logs")])
    prod = scan("prod", [("CKV_AWS_144", "aws_s3_bucket.raw")])
    assert scan_plan.failure_rows([dev, prod])[2] == (
        "| CKV_AWS_144 | title of CKV_AWS_144 | dev: `aws_s3_bucket.logs`, `aws_s3_bucket.raw`; prod: "
        "`aws_s3_bucket.raw` |")


def test_the_report_replaces_its_section_and_keeps_the_rest(tmp_path):
    path = tmp_path / "assurance.md"
    path.write_text(f"# Assurance\n\nbefore\n{scan_plan.START}\nold\n{scan_plan.END}\nafter\n")
    scan_plan.write_report(f"{scan_plan.START}\nnew\n{scan_plan.END}\n", path)
    assert path.read_text() == f"# Assurance\n\nbefore\n{scan_plan.START}\nnew\n{scan_plan.END}\nafter\n"
    path.write_text("# Assurance\n")
    scan_plan.write_report(f"{scan_plan.START}\nnew\n{scan_plan.END}\n", path)
    assert path.read_text() == f"# Assurance\n\n{scan_plan.START}\nnew\n{scan_plan.END}\n"


def test_a_failure_named_only_inside_the_report_is_unclassified():
    dev = scan("dev", [("CKV_AWS_144", "aws_s3_bucket.raw"), ("CKV2_AWS_62", "aws_s3_bucket.raw")])
    text = f"{scan_plan.START}\nCKV_AWS_144 CKV2_AWS_62\n{scan_plan.END}\n| CKV2_AWS_62 | waiver |\nCKV_AWS_1444\n"
    assert scan_plan.unclassified([dev], text) == ["CKV_AWS_144"]


def test_every_failure_recorded_in_docs_assurance_is_classified_there():
    """The recorded report (scan_plan.py --write) lists failing checks; the hand-written verdicts name each."""
    text = scan_plan.ASSURANCE_MD.read_text()
    report = text[text.index(scan_plan.START):text.index(scan_plan.END)]
    table = report[report.index("| Check | checkov's title |"):report.index("Weakened copies")]
    recorded = [line.split(" | ")[0].lstrip("| ") for line in table.splitlines()[2:] if line]
    assert recorded == ["CKV2_AWS_62", "CKV_AWS_144", "CKV_AWS_145"]
    failures = [scan_plan.Failure(check, "", "") for check in recorded]
    assert scan_plan.unclassified([scan_plan.Scan("dev", 1, 1, 0, failures)], text) == []


def test_the_verdict_lists_every_problem(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(scan_plan, "ASSURANCE_MD", tmp_path / "assurance.md")
    (tmp_path / "assurance.md").write_text("| CKV_AWS_144 | waiver |\n")
    dev = scan_plan.parse_checkov("dev", 3, checkov_output([("CKV_AWS_144", "a"), ("CKV_AWS_18", "b")]))
    lacking = scan_plan.Proof(KEY_ROTATION, (), (), (), (), error="the document has no aws_kms_key")
    assert scan_plan.verdict([dev], [lacking]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: key-without-rotation did not raise what it names",
        "error: dev: checkov read 2 of 3 resources",
        "error: CKV_AWS_18 fails on an unweakened plan and docs/assurance.md does not classify it",
    ]
    (tmp_path / "assurance.md").write_text("| CKV_AWS_144 | waiver |\n| CKV_AWS_18 | limitation |\n")
    assert scan_plan.verdict([scan_plan.parse_checkov("dev", 2, checkov_output([("CKV_AWS_18", "b")]))], []) == 0


# Running lake and checkov, through stand-ins.

def stand_in(path: Path, script: str) -> Path:
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


def test_lake_refusing_its_input_is_a_usage_error(tmp_path, monkeypatch):
    lake = stand_in(tmp_path / "lake", "echo 'error: unknown stack qa' >&2; exit 2")
    monkeypatch.setattr(scan_plan, "lake_executable", lambda: lake)
    with pytest.raises(scan_plan.UsageError, match="^error: unknown stack qa$"):
        scan_plan.plan_document("qa", tmp_path / "qa.json")
    stand_in(lake, "echo boom >&2; exit 3")
    with pytest.raises(scan_plan.InternalError, match="^lake plan --stack qa exited 3: boom$"):
        scan_plan.plan_document("qa", tmp_path / "qa.json")


def test_checkov_crashing_is_an_internal_error(tmp_path):
    document = tmp_path / "dev.json"
    document.write_text(json.dumps(tiny_document()))
    checkov = stand_in(tmp_path / "checkov", "echo 'Traceback: KeyError' >&2; exit 2")
    with pytest.raises(scan_plan.InternalError) as failed:
        scan_plan.run_checkov(checkov, document, "dev")
    assert str(failed.value) == f"checkov exited 2 on {document}: Traceback: KeyError"
    stand_in(checkov, f"echo '{checkov_output([('CKV_AWS_7', 'aws_kms_key.lake')], read=14)}'; exit 1")
    found = scan_plan.run_checkov(checkov, document, "dev")
    assert (found.resources, found.read, found.failed()) == (14, 14, {("CKV_AWS_7", "aws_kms_key.lake")})


# Usage errors: exit 2 before anything is installed or planned.

@pytest.fixture
def nothing_runs(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("nothing may run on bad usage")
    monkeypatch.setattr(scan_plan.peer_venv, "ensure_tool", refuse)
    monkeypatch.setattr(scan_plan, "plan_document", refuse)


def test_stacks_and_documents_do_not_go_together(tmp_path, capsys, nothing_runs):
    document = tmp_path / "plan.json"
    document.write_text("{}")
    assert scan_plan.main(["--stack", "dev", "--document", str(document)]) == 2
    assert capsys.readouterr().err == ("error: --stack and --document do not go together: scan the stacks' plans "
                                       "or the given files\n")


@pytest.mark.parametrize("option", ["--venv", "--workdir"])
def test_a_folder_option_naming_a_file_is_refused(tmp_path, capsys, nothing_runs, option):
    target = tmp_path / "a-file"
    target.write_text("")
    assert scan_plan.main([option, str(target)]) == 2
    assert capsys.readouterr().err == f"error: {option} {target}: is a file, not a folder\n"


def test_a_missing_document_is_refused(tmp_path, capsys, nothing_runs):
    assert scan_plan.main(["--document", str(tmp_path / "none.json")]) == 2
    assert capsys.readouterr().err == f"error: --document {tmp_path / 'none.json'}: no such file\n"


def test_a_document_that_is_no_plan_is_refused(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"resources": []}')
    with pytest.raises(scan_plan.UsageError) as refused:
        scan_plan.load(path)
    assert str(refused.value) == f"{path}: not a Terraform plan JSON document (KeyError: 'planned_values')"


def test_an_internal_error_exits_3(monkeypatch, capsys):
    def crash(args, workdir):
        raise scan_plan.InternalError("checkov exited 2 on dev.json: Traceback")
    monkeypatch.setattr(scan_plan, "run", crash)
    assert scan_plan.main([]) == 3
    assert capsys.readouterr().err == "error: checkov exited 2 on dev.json: Traceback\n"


def test_an_unknown_option_exits_2(capsys):
    with pytest.raises(SystemExit) as exited:
        scan_plan.main(["--stacks", "dev"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --stacks dev" in capsys.readouterr().err
