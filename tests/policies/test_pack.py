"""The policy pack's validators, run offline with hand-built arguments (the pack's entry point,
policies/__main__.py, is never imported: it would start the analyzer server)."""

import pytest
from pulumi_policy import EnforcementLevel
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from policies.pack import stack_policies
from policies.registry import all_rules
from tests.policies.stack_args import stack_args
from tests.support import REPO


class NotApplicable(Exception):
    pass


def run(policy, args):
    """Violations reported by one stack policy: [(message, urn)], or NotApplicable."""
    violations = []
    try:
        policy.validate(args, lambda message, urn=None: violations.append((message, urn)))
    except Exception as error:  # pulumi_policy's not-applicable signal is a private exception class
        if type(error).__name__ == "_NotApplicableError":
            raise NotApplicable(error.reason) from None
        raise
    return violations


@pytest.fixture(scope="module")
def document():
    return plan_document(plan_stack(REPO, "dev"))


def by_name():
    return {p.name: p for p in stack_policies()}


def test_one_policy_per_rule_with_enforcement_from_severity():
    policies = by_name()
    assert list(policies) == [r.slug for r in all_rules()]
    for rule in all_rules():
        policy = policies[rule.slug]
        expected = EnforcementLevel.MANDATORY if rule.severity.mandatory else EnforcementLevel.ADVISORY
        assert policy.enforcement_level == expected
        assert policy.description == f"{rule.id}: {rule.title}"
        assert (policy.url, policy.remediation_steps) == (rule.reference, rule.remediation)


def test_compliant_stack_reports_no_violation(document):
    args = stack_args(document)
    for policy in stack_policies():
        try:
            assert run(policy, args) == [], policy.name
        except NotApplicable:
            pass


def test_suspended_versioning_is_reported_on_the_bucket(document):
    def suspend(resource, props):
        if resource["name"] == "raw-versioning":
            props["versioningConfiguration"]["status"] = "Suspended"

    violations = run(by_name()["s3-14"], stack_args(document, suspend))
    raw_bucket = next(r["urn"] for r in document["resources"] if r["name"] == "raw-bucket")
    assert violations == [("mlteam-dev-raw: versioning is Suspended; it must be Enabled", raw_bucket)]


def test_unknown_values_report_nothing(document):
    def unknown_status(resource, props):
        if resource["type"] == "aws:s3/bucketVersioning:BucketVersioning":
            props["versioningConfiguration"] = UNKNOWN_STRING_VALUE

    assert run(by_name()["s3-14"], stack_args(document, unknown_status)) == []


def test_not_applicable_when_the_stack_has_nothing_to_check(document):
    empty = stack_args({"resources": []})
    with pytest.raises(NotApplicable, match="the stack declares no bucket this rule applies to"):
        run(by_name()["s3-14"], empty)
