"""The policy pack as the Pulumi engine runs it: a subprocess started as the Python language host starts it,
driven over gRPC with the SDK's analyzer protocol, fed the recorded dev and prod stacks as AnalyzeStack requests
(tests/policies/analyzer_engine.py plays the engine; docs/assurance.md says how close that is to
`pulumi preview --policy-pack policies`)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from importlib.metadata import version
from typing import Any

import pytest

from lake.config.sources import read_stack_values
from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from policies.adapters.plan import lake_from_plan
from policies.pack import PACK_NAME
from policies.registry import all_rules
from policies.rule import Status
from tests.policies.analyzer_engine import (
    ENGINE_ADDRESS,
    PACK_DIR,
    PolicyPackProcess,
    Violation,
    first_preview,
    stack_identity,
)
from tests.support import REPO

STACKS = ("dev", "prod")
RAW_BUCKET = "urn:pulumi:dev::datalake::datalake:storage:SecureBucket$aws:s3/bucket:Bucket::raw-bucket"
LAKE_KEY = "urn:pulumi:dev::datalake::datalake:storage:LakeKey$aws:kms/key:Key::lake-key-key"
ENDPOINT = "urn:pulumi:dev::datalake::datalake:network:LakeNetwork$aws:ec2/vpcEndpoint:VpcEndpoint::network-s3-endpoint"


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return {stack: plan_document(plan_stack(REPO, stack)) for stack in STACKS}


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    """One pack process per stack, as the engine starts one per `pulumi preview`; always ended."""
    with ExitStack() as processes:
        started = {}
        for stack in STACKS:
            project, values = read_stack_values(REPO, stack)
            process = PolicyPackProcess(stack_identity(project, stack, values), tmp_path_factory.mktemp(stack))
            started[stack] = processes.enter_context(process)
            # What `--policy-pack-config policies/config.<stack>.json` sends: the principals outside the
            # account that the stack config trusts (README, "Policy as code").
            pack_config = REPO / "policies" / f"config.{stack}.json"
            if pack_config.exists():
                started[stack].configure_file(pack_config)
        yield started


def expected(slug: str, finding: str, urn: str, enforcement: str) -> Violation:
    """A violation as pulumi-policy reports it: the policy's description (`<id>: <title>`, from the registry),
    then our `resource: message` line."""
    rule = next(r for r in all_rules() if r.slug == slug)
    return Violation(slug, f"{rule.id}: {rule.title}\n{finding}", urn, enforcement)


def edited(document: dict[str, Any], name: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """A copy of the plan with ``change(inputs)`` applied to the resource named ``name``."""
    broken = copy.deepcopy(document)
    change(next(r for r in broken["resources"] if r["name"] == name)["inputs"])
    return broken


def policy_change(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    """Edits a resource's `policy` input, a JSON string as the provider receives it."""
    def edit(inputs: dict[str, Any]) -> None:
        policy = json.loads(inputs["policy"])
        change(policy)
        inputs["policy"] = json.dumps(policy)
    return edit


def without_tls_deny(policy: dict[str, Any]) -> None:
    policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != "DenyInsecureTransport"]


def with_public_decrypt(policy: dict[str, Any]) -> None:
    policy["Statement"].append(
        {"Sid": "PublicDecrypt", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
    )


def rotation_off(inputs: dict[str, Any]) -> None:
    inputs["enableKeyRotation"] = False


def test_the_pack_starts_and_answers_as_the_engine_expects(packs):
    pack = packs["dev"]
    assert pack.command()[1:] == ["-u", "-m", "pulumi.policy", ENGINE_ADDRESS, str(PACK_DIR)]
    # pulumi-policy 1.21 does not implement Handshake: the engine (and the language host's proxy) accept that.
    assert pack.handshake_implemented is False
    assert pack.plugin_version == version("pulumi_policy")
    assert pack.info()[0] == PACK_NAME
    assert pack.stdout_lines == [] and pack.stderr_path.read_text() == ""


def test_the_policies_over_grpc_are_the_rule_registry(packs):
    _, policies = packs["dev"].info()
    assert [p.name for p in policies] == [r.slug for r in all_rules()]
    for rule, policy in zip(all_rules(), policies):
        level = "mandatory" if rule.severity.mandatory else "advisory"
        assert (policy.description, policy.enforcement, policy.severity) == (
            f"{rule.id}: {rule.title}", level, rule.severity.value
        ), rule.id
        assert (policy.stack_policy, policy.tags) == (True, (rule.id,)), rule.id
        assert (policy.url, policy.remediation_steps) == (rule.reference, rule.remediation), rule.id


@pytest.mark.parametrize("stack", STACKS)
def test_the_recorded_stack_has_no_violation_and_the_plans_not_applicable_rules(packs, documents, stack):
    """The whole stack over the wire, numbers as protobuf doubles (lifecycle day 30 arrives as 30.0): nothing
    violated, and the policies that do not apply are the rules `lake plan` finds not applicable, with its reasons
    (worded for a preview: the model's source is the one difference)."""
    analysis = packs[stack].analyze_stack(documents[stack])
    assert analysis.violations == []
    model = replace(lake_from_plan(documents[stack]), source="preview")
    not_applicable = {}
    for rule in all_rules():
        findings = rule.check(model)
        if all(f.status is Status.NOT_APPLICABLE for f in findings):
            not_applicable[rule.slug] = "; ".join(sorted({f.message for f in findings}))
    assert analysis.not_applicable == not_applicable


BROKEN = {
    "bucket policy without the TLS deny": (
        "raw-policy", policy_change(without_tls_deny),
        [expected("s3-5", "mlteam-dev-raw: no statement denies s3:* to anyone for requests without TLS (Bool "
                  "aws:SecureTransport false) on this bucket and its objects", RAW_BUCKET, "mandatory")],
    ),
    "key rotation off": (
        "lake-key-key", rotation_off,
        [expected("kms-4", "lake-key-key: automatic key rotation is disabled; it must be enabled", LAKE_KEY,
                  "advisory")],
    ),
    "public key policy statement": (
        "lake-key-key", policy_change(with_public_decrypt),
        [expected("kms-5", "lake-key-key: statement PublicDecrypt allows any principal, with no condition "
                  "restricting the callers", LAKE_KEY, "mandatory")],
    ),
    "endpoint with no policy": (
        "network-s3-endpoint", lambda inputs: inputs.pop("policy"),
        [expected("lake-5", "network-s3-endpoint: no endpoint policy declared: the default policy allows anyone "
                  "every action on every bucket", ENDPOINT, "mandatory")],
    ),
    "versioning suspended": (
        "raw-versioning", lambda inputs: inputs.update(versioningConfiguration={"status": "Suspended"}),
        [expected("s3-14", "mlteam-dev-raw: versioning is Suspended; it must be Enabled", RAW_BUCKET, "mandatory")],
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_stack_returns_exactly_its_violations(packs, documents, case):
    name, change, violations = BROKEN[case]
    assert packs["dev"].analyze_stack(edited(documents["dev"], name, change)).violations == violations


@pytest.mark.parametrize("stack", STACKS)
def test_a_first_preview_with_unknown_arns_reports_no_false_violation(packs, documents, stack):
    """Ids, ARNs and every input built from them (bucket policies, `bucket` references) unknown, as the engine
    sends them before anything exists: no violation, and no "can't run policy during preview" diagnostic."""
    assert packs[stack].analyze_stack(first_preview(documents[stack])).violations == []


def test_a_first_preview_still_judges_what_is_known(packs, documents):
    """A literal input stays known in a first preview: key rotation off is reported all the same."""
    preview = first_preview(edited(documents["dev"], "lake-key-key", rotation_off))
    assert packs["dev"].analyze_stack(preview).violations == [
        expected("kms-4", "lake-key-key: automatic key rotation is disabled; it must be enabled", LAKE_KEY,
                 "advisory")
    ]


def test_engine_side_config_sets_enforcement_levels(packs, documents):
    """`--policy-pack-config` reaches the pack through Configure: an advisory policy made mandatory, then off."""
    pack, broken = packs["dev"], edited(documents["dev"], "lake-key-key", rotation_off)
    finding = "lake-key-key: automatic key rotation is disabled; it must be enabled"
    try:
        pack.configure({"kms-4": "mandatory"})
        assert pack.analyze_stack(broken).violations == [expected("kms-4", finding, LAKE_KEY, "mandatory")]
        pack.configure({"kms-4": "disabled"})
        assert pack.analyze_stack(broken).violations == []
    finally:
        pack.configure({})  # back to the defaults, for the other tests of this module


def test_the_assurance_notes_name_the_versions_this_ran_with():
    notes = (REPO / "docs" / "assurance.md").read_text().split("## The policy pack as the engine runs it", 1)[1]
    for package in ("pulumi", "pulumi-policy", "grpcio", "protobuf"):
        assert f"{package} {version(package)}" in " ".join(notes.split()), package
