"""The pack's policy config: the principals outside the account that the stack config trusts, which a
preview does not carry (`--policy-pack-config policies/config.<stack>.json`); and LAKE.16 in a preview."""

import json

import jsonschema
import pytest
from pulumi_policy import StackValidationArgs

from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from policies.adapters.pack import lake_from_stack
from policies.adapters.plan import lake_from_plan
from policies.pack import TRUSTED_PRINCIPALS, TRUSTED_SCHEMA, stack_policies
from policies.rule import Status
from policies.rules import lake_16_consumers
from tests.policies.stack_args import stack_args
from tests.policies.test_pack import run
from tests.support import REPO

PARTNER = "arn:aws:iam::345678901234:role/ResearchReader"
CURATED = "urn:pulumi:prod::datalake::datalake:storage:SecureBucket$aws:s3/bucket:Bucket::curated-bucket"


@pytest.fixture(scope="module")
def documents():
    return {stack: plan_document(plan_stack(REPO, stack)) for stack in ("dev", "prod")}


def _lake_12():
    return next(p for p in stack_policies() if p.name == "lake-12")


def _foreign(document) -> list[str]:
    model = lake_from_plan(document)
    return [p for p in model.trusted_principals if p.split(":")[4] != model.account_id]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_stacks_pack_config_names_exactly_the_principals_its_config_trusts_outside_the_account(documents, stack):
    path = REPO / "policies" / f"config.{stack}.json"
    foreign = _foreign(documents[stack])
    if not foreign:
        assert not path.exists()
        return
    assert json.loads(path.read_text()) == {"lake-12": {TRUSTED_PRINCIPALS: foreign}}


def test_the_config_file_follows_the_policys_schema():
    config = json.loads((REPO / "policies" / "config.prod.json").read_text())["lake-12"]
    schema = {"type": "object", "properties": TRUSTED_SCHEMA.properties}
    jsonschema.validate(config, schema)
    for bad in (["partner"], ["34567890123"], ["arn:aws:s3:::bucket"], [PARTNER, PARTNER], PARTNER):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({TRUSTED_PRINCIPALS: bad}, schema)


def test_without_the_config_a_preview_reports_the_partner_as_foreign(documents):
    violations = run(_lake_12(), stack_args(documents["prod"]))
    assert [urn for _, urn in violations] == [CURATED]
    assert violations[0][0].startswith(
        "mlteam-prod-curated: statement ConsumerPartnerResearchLocate allows s3:GetBucketLocation to "
        f"{PARTNER}, outside the lake's account 210987654321;")


def test_with_the_config_the_partner_is_trusted(documents):
    args = stack_args(documents["prod"])
    assert run(_lake_12(), StackValidationArgs(args.resources, {TRUSTED_PRINCIPALS: [PARTNER]})) == []


def test_another_trusted_principal_does_not_trust_the_partner(documents):
    args = stack_args(documents["prod"])
    other = "arn:aws:iam::345678901234:role/Other"
    assert [urn for _, urn in run(_lake_12(), StackValidationArgs(args.resources, {TRUSTED_PRINCIPALS: [other]}))] \
        == [CURATED]


def test_lake_16_in_a_preview_is_unknown_per_consumer_never_not_applicable(documents):
    findings = lake_16_consumers.check(lake_from_stack(stack_args(documents["dev"])))
    why = ("the grants it declares are in the stack config, which this source does not carry (`lake plan` and "
           "`lake audit --against-plan` or `--stack-outputs` prove them)")
    assert [(f.status, f.resource, f.message) for f in findings] == [
        (Status.UNKNOWN, "consumer-analysts", f"consumer analysts: {why}"),
        (Status.UNKNOWN, "mlteam-dev-consumer-training", f"consumer training: {why}"),
    ]


def test_lake_16_in_the_plan_proves_every_consumer(documents):
    findings = lake_16_consumers.check(lake_from_plan(documents["dev"]))
    assert [(f.status, f.resource) for f in findings] == [(Status.PASS, "training"), (Status.PASS, "analysts")]
