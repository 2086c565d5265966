"""`lake audit --stack-outputs` without a plan: the consumers' config (kind, principal, grants,
requireEndpoint, service, attach, an external consumer's identity policy) comes from the stack
output ``consumers`` (policies/adapters/live/exported.py), so LAKE.16, LAKE.10 and LAKE.14 judge
them fully; a malformed entry is refused before the first request, with its key path."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from lake.audit import run_audit
from lake.cli import main
from lake.data.consumers import Grant, consumers_of
from lake.errors import InputError
from lake.inputs import audited_stack_outputs, stack_outputs
from lake.plan.render import plan_document
from lake.sandbox.apply import substitute
from lake.sandbox.server import client
from policies.adapters.live import Selection, Target
from policies.adapters.live.exported import exported_consumers
from policies.adapters.live.selection import SelectionError
from policies.iam import as_list
from policies.model import UNKNOWN, ConsumerGrant
from policies.rule import Status
from tests.consumer_stack import consumers_plan
from tests.live.support import ACCOUNT, REGION, TRAINING_ROLE, audit, deploy, session

ANALYSTS_POLICY = "mlteam-dev-consumer-analysts"
TRAINING_POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{TRAINING_ROLE}"


def deployed_outputs(document: dict[str, Any], url: str) -> dict[str, Any]:
    """The plan applied to moto, and its outputs as the deployed stack gives them: the plan's mock ids
    (the key's ARN in keyArn and in the identity policies) replaced by the live ones."""
    applied = deploy(document, url)
    return substitute(document["outputs"], applied.substitutions)


def open_findings(findings: list[Any]) -> dict[tuple[str, str], str]:
    return {(f.rule_id, f.resource): f.message for f in findings if f.status in (Status.FAIL, Status.UNKNOWN)}


def consumer_verdicts(findings: list[Any]) -> dict[tuple[str, str], tuple[str, str]]:
    return {(f.rule_id, f.resource): (f.status.value, f.message) for f in findings
            if f.rule_id == "LAKE.16" or f.resource == TRAINING_ROLE and f.rule_id in ("LAKE.10", "LAKE.14")}


def test_the_outputs_give_the_consumers_config_and_every_consumer_rule_passes(document, url):
    audited = audit(url, Selection(outputs=deployed_outputs(document, url)))
    lake = audited.read.lake
    assert [(c.name, c.kind, c.grants, c.require_endpoint, c.service, c.attach, c.attached)
            for c in lake.consumers] == [
        ("analysts", "principal", (ConsumerGrant("curated", "mlteam-dev-curated", "query", (), "mlteam_dev_curated"),),
         False, None, True, True),
        ("training", "service", (ConsumerGrant("curated", "mlteam-dev-curated", "read"),
                                 ConsumerGrant("processed", "mlteam-dev-processed", "write")),
         False, "sagemaker.amazonaws.com", True, True)]
    assert consumer_verdicts(audited.findings) == {
        ("LAKE.16", "analysts"): ("pass", "consumer analysts gets exactly its declared access (154 requests proven)"),
        ("LAKE.16", "training"): ("pass", "consumer training gets exactly its declared access (140 requests proven)"),
        ("LAKE.10", TRAINING_ROLE): ("pass", "the role reaches no more of the lake than its purpose (consumer "
                                     "training: read s3://mlteam-dev-curated/*, write s3://mlteam-dev-processed/*)"),
        ("LAKE.14", TRAINING_ROLE): ("pass", "only sagemaker.amazonaws.com may assume the role, for the lake's "
                                     "account (aws:SourceAccount)"),
    }
    assert open_findings(audited.findings) == {}
    # The crawlers' two roles and training's; the analysts' principal is named by the outputs: no
    # GetRole to find what their policy is attached to.
    assert audited.read.calls["GetRole"] == 3


def _add_delete_object_version(url: str) -> None:
    """A console edit: s3:DeleteObjectVersion added to the reads of training's policy."""
    iam = client("iam", url)
    version = iam.get_policy(PolicyArn=TRAINING_POLICY_ARN)["Policy"]["DefaultVersionId"]
    policy = iam.get_policy_version(PolicyArn=TRAINING_POLICY_ARN, VersionId=version)["PolicyVersion"]["Document"]
    reads = next(s for s in policy["Statement"] if s["Sid"] == "ReadObjects")
    reads["Action"] = [*as_list(reads["Action"]), "s3:DeleteObjectVersion"]
    iam.create_policy_version(PolicyArn=TRAINING_POLICY_ARN, PolicyDocument=json.dumps(policy), SetAsDefault=True)


def test_a_console_edit_of_the_training_policy_fails_lake_16_and_lake_10(document, url):
    outputs = deployed_outputs(document, url)
    _add_delete_object_version(url)
    audited = audit(url, Selection(outputs=outputs))
    assert open_findings(audited.findings) == {
        ("LAKE.16", "training"): "consumer training gets access it does not declare (s3:DeleteObjectVersion on "
                                 "mlteam-dev-curated/*)",
        ("LAKE.10", TRAINING_ROLE): f"role {TRAINING_ROLE} reaches beyond its purpose (consumer training: read "
                                    "s3://mlteam-dev-curated/*, write s3://mlteam-dev-processed/*): "
                                    "s3:DeleteObjectVersion on mlteam-dev-curated/*",
    }


def test_a_detached_analysts_policy_fails_lake_16_by_the_exported_attach(document, url):
    outputs = deployed_outputs(document, url)
    client("iam", url).detach_role_policy(RoleName="Analyst", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/"
                                          f"{ANALYSTS_POLICY}")
    audited = audit(url, Selection(outputs=outputs))
    assert open_findings(audited.findings) == {
        ("LAKE.16", "analysts"): f"consumer analysts is denied all its declared access: its policy {ANALYSTS_POLICY} "
                                 f"is not attached to arn:aws:iam::{ACCOUNT}:role/Analyst, which its config asks for "
                                 "(attach: true)"}


def test_a_consumer_policy_without_the_lake_tag_is_found_through_the_outputs(document, url):
    outputs = deployed_outputs(document, url)
    client("iam", url).untag_policy(PolicyArn=TRAINING_POLICY_ARN, TagKeys=["lake"])
    assert open_findings(audit(url, Selection(outputs=outputs)).findings) == {
        ("LAKE.11", TRAINING_ROLE): "consumer policy found through the stack outputs, but it lacks the tag "
                                    "lake=mlteam: tag-based tools (cost allocation, ABAC, tag-scoped audits) miss it"}


def test_an_export_without_service_and_attach_takes_the_service_from_the_trust_policy(document, url):
    """Outputs of a stack deployed before ``service`` and ``attach`` were exported."""
    outputs = deployed_outputs(document, url)
    del outputs["consumers"]["training"]["service"], outputs["consumers"]["analysts"]["attach"]
    audited = audit(url, Selection(outputs=outputs))
    assert [(c.name, c.service, c.attach) for c in audited.read.lake.consumers] == [
        ("analysts", None, None), ("training", "sagemaker.amazonaws.com", True)]
    assert open_findings(audited.findings) == {}


@pytest.fixture(scope="module")
def consumers_document(tmp_path_factory) -> dict[str, Any]:
    return plan_document(consumers_plan(tmp_path_factory.mktemp("consumers")))


def test_every_kind_of_consumer_is_judged_from_the_outputs(consumers_document, url):
    """Service (ec2 with its instance profile), principals (attached or not), and an external
    consumer, whose exported identity policy stands for the one its account attaches; its role is
    named by the config, so the bucket and key policies granting it are no LAKE.12 finding."""
    outputs = deployed_outputs(consumers_document, url)
    audited = run_audit(Target(region=REGION, endpoint_url=url, session=session()), Selection(outputs=outputs))
    lake = audited.read.lake
    assert [(c.name, c.kind, c.attach) for c in lake.consumers] == [
        ("analysts", "principal", True), ("auditors", "principal", False), ("batch", "service", True),
        ("notebook", "principal", True), ("partner", "external", False), ("training", "service", True)]
    assert [(f.resource, f.status.value) for f in audited.findings if f.rule_id == "LAKE.16"] == [
        (c.name, "pass") for c in lake.consumers]
    assert lake.trusted_principals == ("arn:aws:iam::345678901234:role/Research",)
    assert open_findings(audited.findings) == {}


# --- the outputs read without AWS -------------------------------------------------------------------


def test_a_query_grant_on_a_bucket_not_named_by_the_lake_has_an_unknown_database(document):
    outputs = copy.deepcopy(document["outputs"])
    outputs["zoneBuckets"]["curated"] = {"name": "hand-picked"}
    analysts = next(c for c in exported_consumers(outputs) if c.name == "analysts")
    assert analysts.grants == (ConsumerGrant("curated", "hand-picked", "query", (), UNKNOWN),)


def test_hyphens_in_the_lake_or_stack_name_give_the_same_database_wherever_they_split(document):
    outputs = copy.deepcopy(document["outputs"])
    outputs["zoneBuckets"]["curated"] = {"name": "ml-team-dev-eu-curated"}
    analysts = next(c for c in exported_consumers(outputs) if c.name == "analysts")
    assert analysts.grants[0].database == "ml_team_dev_eu_curated"


def test_outputs_without_consumers_export_none(document):
    assert exported_consumers({k: v for k, v in document["outputs"].items() if k != "consumers"}) == ()


def test_the_data_clients_reader_takes_the_outputs_with_the_new_fields(document):
    assert [(c.name, c.principal_arn, c.grants) for c in consumers_of(document["outputs"])] == [
        ("analysts", f"arn:aws:iam::{ACCOUNT}:role/Analyst", (Grant("curated", "query"),)),
        ("training", f"arn:aws:iam::{ACCOUNT}:role/{TRAINING_ROLE}",
         (Grant("curated", "read"), Grant("processed", "write")))]


# --- malformed consumers: one error line, exit 2, before any request -------------------------------


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def edit(consumers: dict[str, Any]) -> None:
        *parents, last = path
        target = consumers
        for key in parents:
            target = target[key]
        target[last] = value
    return edit


def _rename(consumers: dict[str, Any]) -> None:
    consumers["Training"] = consumers.pop("training")


def _drop_kind(consumers: dict[str, Any]) -> None:
    del consumers["training"]["kind"]


SERVICES = "sagemaker, glue, ec2, lambda, ecs-tasks, batch, emr-serverless"
MALFORMED = [
    (_rename, 'consumers: "Training" is not a consumer name (lowercase letters, digits, hyphens)'),
    (_set(("analysts",), ["principal"]), 'consumers.analysts: ["principal"] is not an object'),
    (_drop_kind, "consumers.training: no 'kind' (service, principal or external)"),
    (_set(("training", "kind"), "admin"), 'consumers.training.kind: "admin" is not service, principal or external'),
    (_set(("analysts", "principalArn"), "Analyst"),
     'consumers.analysts.principalArn: "Analyst" is not the ARN of an IAM role or user'),
    (_set(("training", "identityPolicy"), "{"),
     'consumers.training.identityPolicy: "{" is not a policy document as a JSON string'),
    (_set(("training", "identityPolicy"), "[]"),
     'consumers.training.identityPolicy: "[]" is not a policy document as a JSON string'),
    (_set(("training", "grants"), {"zone": "curated"}),
     'consumers.training.grants: {"zone": "curated"} is not a list of grants'),
    (_set(("training", "grants", 1), "write"), 'consumers.training.grants[1]: "write" is not an object'),
    (_set(("training", "grants", 0, "zone"), "gold"),
     'consumers.training.grants[0].zone: "gold" is not a zone of zoneBuckets: "raw", "processed", "curated"'),
    (_set(("training", "grants", 0, "zone"), ["curated"]),
     'consumers.training.grants[0].zone: ["curated"] is not a zone of zoneBuckets: "raw", "processed", "curated"'),
    (_set(("analysts", "grants", 0, "access"), "admin"),
     'consumers.analysts.grants[0].access: "admin" is not one of read, write, delete, query'),
    (_set(("training", "grants", 1, "prefixes"), "features/"),
     'consumers.training.grants[1].prefixes: "features/" is not a list of key prefixes'),
    (_set(("training", "requireEndpoint"), "false"), 'consumers.training.requireEndpoint: "false" is not true or false'),
    (_set(("training", "service"), "sagemaker.amazonaws.com"),
     f'consumers.training.service: "sagemaker.amazonaws.com" is not one of {SERVICES}'),
    (_set(("analysts", "attach"), "yes"), 'consumers.analysts.attach: "yes" is not true or false'),
]


@pytest.mark.parametrize(("edit", "problem"), MALFORMED, ids=[m[1].split(":")[0] for m in MALFORMED])
def test_a_malformed_consumer_entry_is_one_error_line_and_exit_2(capsys, document, tmp_path, edit, problem):
    outputs = copy.deepcopy(document["outputs"])
    edit(outputs["consumers"])
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    # Refused before any request: the endpoint answers nothing.
    code = main(["audit", "--endpoint-url", "http://127.0.0.1:9", "--region", REGION, "--stack-outputs", str(path)])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err) == (
        2, "", f"error: --stack-outputs {path}: {problem}\nhint: write it with: pulumi stack output --json > "
               "outputs.json\n")


def test_consumers_that_are_no_object_are_refused(capsys, document, tmp_path):
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({**document["outputs"], "consumers": []}))
    code = main(["audit", "--endpoint-url", "http://127.0.0.1:9", "--region", REGION, "--stack-outputs", str(path)])
    assert (code, capsys.readouterr().err.splitlines()[0]) == (
        2, f"error: --stack-outputs {path}: consumers: [] is not an object of consumers by name")


def test_lake_data_still_takes_outputs_whose_consumers_the_audit_refuses(document, tmp_path):
    """`lake data` reads the consumers for hints only (lake/data/consumers.py leaves a bad entry out)."""
    outputs = copy.deepcopy(document["outputs"])
    outputs["consumers"]["training"]["kind"] = "admin"
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    assert stack_outputs(str(path)).document == outputs
    with pytest.raises(InputError, match=r'consumers\.training\.kind: "admin" is not service'):
        audited_stack_outputs(str(path))


def test_the_audit_given_malformed_outputs_directly_raises_a_selection_error(document, url):
    outputs = copy.deepcopy(document["outputs"])
    outputs["consumers"]["training"]["grants"][0]["access"] = "admin"
    with pytest.raises(SelectionError) as refused:
        run_audit(Target(region=REGION, endpoint_url=url, session=session()), Selection(outputs=outputs))
    assert str(refused.value) == 'consumers.training.grants[0].access: "admin" is not one of read, write, delete, query'
