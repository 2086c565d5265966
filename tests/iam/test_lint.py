"""parliament over every generated policy: nothing left but what a documented exception covers,
no exception without a finding to cover, and bad policies reported."""

from functools import cache

import pytest

from policies.lint import EXCEPTIONS, LintFinding, exception_for, lint_policy, parliament_findings
from tests.iam.generated import generated_policies

# Real findings, reported with their fix and not excepted: (issue, Sid). Remove an entry once the
# builder is fixed; test_no_pending_finding_remains then passes, and its xfail marker must go.
PENDING: set[tuple[str, str]] = set()
BUCKET = "arn:aws:s3:::example-data"


@cache
def findings() -> dict[str, list[LintFinding]]:
    """Every generated policy's findings before exceptions; parliament runs once per policy."""
    return {p.name: parliament_findings(p.document) for p in generated_policies()}


def is_pending(finding: LintFinding) -> bool:
    return (finding.issue, finding.sid) in PENDING


def left_after_exceptions(pending: bool) -> dict[str, list[str]]:
    kinds = {p.name: p.kind for p in generated_policies()}
    left = {
        name: [str(f) for f in found if exception_for(f, kinds[name]) is None and is_pending(f) == pending]
        for name, found in findings().items()
    }
    return {name: found for name, found in left.items() if found}


def statement(**fields) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Sid": "Tested", **fields}]}


def test_generated_policies_have_no_finding_left():
    assert left_after_exceptions(pending=False) == {}


def test_no_pending_finding_remains():
    assert left_after_exceptions(pending=True) == {}


def test_every_exception_is_still_needed():
    kinds = {p.name: p.kind for p in generated_policies()}
    used = {exception_for(f, kinds[name]) for name, found in findings().items() for f in found}
    assert [(e.kind, e.issue) for e in EXCEPTIONS if e not in used] == []


def test_every_exception_says_why_and_cites_aws():
    for exception in EXCEPTIONS:
        assert len(exception.why) > 80
        assert exception.reference.startswith(("https://docs.aws.amazon.com/", "https://repost.aws/"))


def test_an_unknown_action_is_reported():
    policy = statement(Effect="Allow", Action="s3:GetObjects", Resource=f"{BUCKET}/*")
    assert [str(f) for f in lint_policy(policy, "identity")] == [
        "Statement[0] (Tested): UNKNOWN_ACTION (LOW): Unknown action s3:GetObjects"
    ]


def test_an_action_on_the_wrong_resource_is_reported():
    policy = statement(Effect="Allow", Action="s3:GetObject", Resource=BUCKET)
    assert [(f.issue, f.statement) for f in lint_policy(policy, "identity")] == [("RESOURCE_MISMATCH", 0)]


def test_key_exceptions_hold_for_resource_policies_only():
    """Resource "*" on KMS actions is "this key" in a key policy, but every key in an identity policy."""
    document = statement(Effect="Allow", Action="kms:Decrypt", Resource="*")
    assert [f.issue for f in lint_policy(document, "identity")] == ["RESOURCE_STAR"]
    assert lint_policy({**document, "Statement": [{**document["Statement"][0], "Principal": "*"}]}, "resource") == []


def test_the_tls_exception_covers_decimal_versions_only():
    condition = {"NumericLessThan": {"s3:TlsVersion": "TLSv1.2"}}
    policy = statement(Effect="Deny", Principal="*", Action="s3:ListBucket", Resource=BUCKET, Condition=condition)
    assert [f.detail for f in lint_policy(policy, "resource")] == [
        "Type mismatch: s3:TlsVersion requires a value of type Numeric but given ['TLSv1.2']"
    ]


def test_a_json_number_in_a_condition_does_not_crash_parliament():
    condition = {"NumericLessThan": {"s3:max-keys": 10}}
    policy = statement(Effect="Deny", Action="s3:ListBucket", Resource=BUCKET, Condition=condition)
    assert lint_policy(policy, "identity") == []


def test_a_parliament_crash_is_a_critical_finding():
    """A document off the grammar (an object as a condition value) makes parliament raise."""
    condition = {"StringEquals": {"aws:SourceAccount": {"not": "a value"}}}
    policy = statement(Effect="Allow", Action="s3:ListBucket", Resource=BUCKET, Condition=condition)
    assert [(f.issue, f.severity) for f in lint_policy(policy, "identity")] == [("EXCEPTION", "CRITICAL")]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown policy kind 'key'"):
        lint_policy(statement(Effect="Allow", Action="s3:ListBucket", Resource=BUCKET), "key")
