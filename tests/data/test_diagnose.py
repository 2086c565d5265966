"""The AccessDenied diagnosis: the lake's own bucket policy, replayed with what the client sent."""

from __future__ import annotations

import json

import pytest

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.perimeter import Perimeter
from lake.data.diagnose import RULE_HINTS, Attempt, denying_rules, explain, likely_causes, policy_principal

BUCKET = "mlteam-dev-raw"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
OTHER_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/99999999-2222-3333-4444-555555555555"
USER = "arn:aws:iam::123456789012:user/analyst"
ADMIN = "arn:aws:iam::123456789012:role/LakeAdmin"
SSE = {"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN}


def policy(strict: bool = False, perimeter: bool = False) -> str:
    fence = Perimeter(("vpce-0123456789abcdef0",), (ADMIN,)) if perimeter else None
    return json.dumps(secure_bucket_policy(f"arn:aws:s3:::{BUCKET}", KEY_ARN, strict, perimeter=fence))


def put(headers: dict[str, str] | None = None, secure: bool = True) -> Attempt:
    return Attempt("PutObject", "s3:PutObject", BUCKET, "images/a.png", secure, headers if headers is not None else SSE)


def get(secure: bool = True) -> Attempt:
    return Attempt("GetObject", "s3:GetObject", BUCKET, "images/a.png", secure)


@pytest.mark.parametrize(("attempt", "strict", "expected"), [
    (get(secure=False), False, ("DenyInsecureTransport",)),
    (put(secure=False), False, ("DenyInsecureTransport",)),
    (put({**SSE, "x-amz-server-side-encryption-aws-kms-key-id": OTHER_KEY_ARN}), False, ("DenyOtherKmsKey",)),
    (put({"x-amz-server-side-encryption": "aws:kms"}), False, ("DenyKmsHeaderWithoutKey",)),
    (put({"x-amz-server-side-encryption": "AES256"}), False, ("DenyNonKmsEncryptionHeader",)),
    (put({"x-amz-server-side-encryption-customer-algorithm": "AES256"}), False, ("DenySseC",)),
    (put({}), True, ("DenyMissingEncryptionHeader",)),
], ids=["get-http", "put-http", "other-key", "kms-without-key", "aes256", "sse-c", "strict-no-header"])
def test_each_lake_rule_is_named_when_it_denies(attempt: Attempt, strict: bool, expected: tuple[str, ...]) -> None:
    assert denying_rules(attempt, policy(strict), USER) == expected


@pytest.mark.parametrize("attempt", [get(), put(), put({})], ids=["get", "put-lake-key", "put-no-header-not-strict"])
def test_requests_the_lake_allows_are_not_blamed_on_a_rule(attempt: Attempt) -> None:
    assert denying_rules(attempt, policy(), USER) == ()


def test_outside_the_endpoint_is_named_for_a_principal_that_is_not_exempt() -> None:
    assert denying_rules(get(), policy(perimeter=True), USER) == ("DenyOutsideLakeEndpoint",)
    assert denying_rules(get(), policy(perimeter=True), ADMIN) == ()


def test_every_deny_statement_of_the_strictest_policy_has_a_hint_and_every_hint_a_statement() -> None:
    sids = {s["Sid"] for s in json.loads(policy(strict=True, perimeter=True))["Statement"] if s["Effect"] == "Deny"}
    assert sids == set(RULE_HINTS)


def test_explain_puts_the_rule_and_what_to_do_in_the_error() -> None:
    error = explain(put({**SSE, "x-amz-server-side-encryption-aws-kms-key-id": OTHER_KEY_ARN}), "Access Denied",
                    policy(), USER)
    assert error.rules == ("DenyOtherKmsKey",)
    assert str(error) == (f"PutObject s3://{BUCKET}/images/a.png: access denied (Access Denied)\n"
                          f"hint: {RULE_HINTS['DenyOtherKmsKey']}")


def test_a_denial_no_statement_explains_points_at_iam_and_the_key() -> None:
    error = explain(get(), "Access Denied", policy(), USER)
    assert error.rules == ()
    assert error.hint is not None and "s3:GetObject" in error.hint and "kms:Decrypt" in error.hint


def test_an_unreadable_policy_gives_the_likely_causes_the_client_can_see() -> None:
    error = explain(put({}, secure=False), "Access Denied", None, USER)
    assert error.rules == ()
    assert error.hint == "the bucket policy could not be read to find the rule; likely causes: " + "; ".join(
        likely_causes(put({}, secure=False)))
    assert likely_causes(put({}, secure=False))[:2] == [RULE_HINTS["DenyInsecureTransport"],
                                                       RULE_HINTS["DenyMissingEncryptionHeader"]]
    assert RULE_HINTS["DenyInsecureTransport"] not in likely_causes(get())


@pytest.mark.parametrize(("caller", "principal"), [
    ("arn:aws:sts::123456789012:assumed-role/DataScientist/alice", "arn:aws:iam::123456789012:role/DataScientist"),
    (USER, USER),
    (None, None),
])
def test_an_assumed_role_session_is_judged_as_its_role(caller: str | None, principal: str | None) -> None:
    assert policy_principal(caller) == principal
