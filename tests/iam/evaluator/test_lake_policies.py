"""The lake's own bucket and key policies, decided: each deny fires for the request it exists for,
and the requests the lake serves go through."""

from __future__ import annotations

import pytest

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.key_policy import lake_key_policy
from policies.evaluator.evaluate import evaluate
from policies.evaluator.request import Decision, Policy, Principal, Request, StatementRef

from .support import ACCOUNT, OTHER_ACCOUNT, allow, policy, ref, role

REGION = "us-east-1"
BUCKET = "arn:aws:s3:::ml-dev-raw"
OBJECT = f"{BUCKET}/events/2024/01/part-0.parquet"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
OTHER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/99999999-2222-3333-4444-555555555555"
ADMIN = role("LakeAdmin")
READER = role("LakeReader")
OUTSIDER = role("LakeReader", OTHER_ACCOUNT)
LAKE_ACCESS = policy(
    "identity policy LakeAccess",
    allow(["s3:GetObject", "s3:PutObject", "s3:ListBucket"], [BUCKET, f"{BUCKET}/*"], Sid="Objects"),
    allow(["kms:Decrypt", "kms:GenerateDataKey"], KEY, Sid="Key"),
)
TLS = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
SSE = "s3:x-amz-server-side-encryption"
SSE_KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id"


def bucket_policy(strict: bool = False) -> Policy:
    return Policy("bucket policy of ml-dev-raw", secure_bucket_policy(BUCKET, KEY, require_sse_header=strict))


def key_policy() -> Policy:
    return Policy("key policy of the lake key", lake_key_policy("aws", ACCOUNT, REGION, [ADMIN.arn]))


def s3(action: str, context: dict, principal: Principal = READER, strict: bool = False,
       resource: str = OBJECT) -> Decision:
    return evaluate(Request(principal, action, resource, context), [LAKE_ACCESS], bucket_policy(strict), ACCOUNT)


def kms(action: str, context: dict, principal: Principal = READER, identity=(LAKE_ACCESS,)) -> Decision:
    return evaluate(Request(principal, action, KEY, context), identity, key_policy(), ACCOUNT, "kms")


def denied_by(decision: Decision) -> tuple[str, ...]:
    assert decision.decision == "explicit_deny", decision
    return tuple(r.sid for r in decision.deciding)


# --- The bucket policy

@pytest.mark.parametrize("principal", [READER, OUTSIDER, Principal.anonymous()])
def test_requests_without_tls_are_denied_to_everyone(principal):
    assert denied_by(s3("s3:GetObject", {"aws:SecureTransport": "false"}, principal)) == ("DenyInsecureTransport",)


@pytest.mark.parametrize(("version", "denied"), [("1.0", True), (1.1, True), ("1.2", False), ("1.3", False)])
def test_outdated_tls_is_denied(version, denied):
    decision = s3("s3:GetObject", {**TLS, "s3:TlsVersion": version})
    assert (denied_by(decision) if denied else decision.decision) == (("DenyOutdatedTls",) if denied else "allow")


@pytest.mark.parametrize(
    ("headers", "statement"),
    [
        ({SSE: "AES256"}, "DenyNonKmsEncryptionHeader"),
        ({SSE: "aws:kms", SSE_KEY: OTHER_KEY}, "DenyOtherKmsKey"),
        ({SSE: "aws:kms"}, "DenyKmsHeaderWithoutKey"),
        ({"s3:x-amz-server-side-encryption-customer-algorithm": "AES256"}, "DenySseC"),
    ],
)
def test_uploads_that_would_escape_the_lake_key_are_denied(headers, statement):
    assert denied_by(s3("s3:PutObject", {**TLS, **headers})) == (statement,)


@pytest.mark.parametrize("headers", [{}, {SSE: "aws:kms", SSE_KEY: KEY}])
def test_uploads_with_the_lake_key_or_default_encryption_are_allowed(headers):
    assert s3("s3:PutObject", {**TLS, **headers}) == Decision(
        "allow", (ref(LAKE_ACCESS, 0),), "allowed by Objects of identity policy LakeAccess")


def test_strict_mode_denies_uploads_without_an_sse_header():
    assert denied_by(s3("s3:PutObject", TLS, strict=True)) == ("DenyMissingEncryptionHeader",)
    assert s3("s3:PutObject", {**TLS, SSE: "aws:kms", SSE_KEY: KEY}, strict=True).decision == "allow"


def test_bucket_level_listing_over_tls_is_allowed():
    assert s3("s3:ListBucket", {**TLS, "s3:prefix": "events/"}, resource=BUCKET).decision == "allow"


def test_the_bucket_policy_grants_nothing_to_other_accounts_or_anonymous_callers():
    assert s3("s3:GetObject", TLS, OUTSIDER).reason == (
        f"cross-account: the bucket policy grants nothing to account {OTHER_ACCOUNT}")
    assert s3("s3:GetObject", TLS, Principal.anonymous()).reason == (
        "the bucket policy allows s3:GetObject to no anonymous caller")


# --- The key policy

VIA_S3 = {"kms:ViaService": f"s3.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}


def test_decrypt_through_s3_is_allowed_by_iam_through_the_root_statement():
    assert kms("kms:Decrypt", VIA_S3) == Decision(
        "allow", (ref(LAKE_ACCESS, 1), StatementRef(key_policy().name, "EnableIamPolicies", 0)),
        "allowed by Key of identity policy LakeAccess, EnableIamPolicies of key policy of the lake key")


@pytest.mark.parametrize(
    "context",
    [{"kms:CallerAccount": ACCOUNT}, {**VIA_S3, "kms:ViaService": "s3.eu-west-1.amazonaws.com"},
     {**VIA_S3, "kms:ViaService": f"dynamodb.{REGION}.amazonaws.com"}],
    ids=["direct", "other-region", "other-service"],
)
def test_decrypt_outside_s3_in_the_lake_region_is_denied(context):
    assert denied_by(kms("kms:Decrypt", context)) == ("DenyUseOutsideS3",)


def test_decrypt_from_another_account_is_denied_even_through_s3():
    from_outside = {**VIA_S3, "kms:CallerAccount": OTHER_ACCOUNT}
    assert denied_by(kms("kms:Decrypt", from_outside, OUTSIDER)) == ("DenyUseByOtherAccounts",)


def test_decrypt_without_an_identity_policy_is_implicitly_denied():
    assert kms("kms:Decrypt", VIA_S3, identity=()) == Decision(
        "implicit_deny", (), f"no identity policy allows kms:Decrypt; the key policy's grant to account {ACCOUNT} "
                             "only delegates to IAM policies")


def test_administrators_manage_the_key_but_cannot_use_it_directly():
    administration = StatementRef(key_policy().name, "AllowKeyAdministration", 1)
    assert kms("kms:ScheduleKeyDeletion", {}, ADMIN, identity=()).deciding == (administration,)
    assert kms("kms:Decrypt", VIA_S3, ADMIN, identity=()).decision == "implicit_deny"
    assert denied_by(kms("kms:Decrypt", {"kms:CallerAccount": ACCOUNT}, ADMIN)) == ("DenyUseOutsideS3",)


def test_aws_services_are_left_to_statements_written_for_them():
    # The denies exempt aws:PrincipalIsAWSService, which the evaluator fills in; no statement names the service.
    decision = kms("kms:GenerateDataKey", {}, Principal.aws_service("logging.s3.amazonaws.com"), identity=())
    assert decision == Decision("implicit_deny", (), "the key policy does not allow kms:GenerateDataKey to the service "
                                                     "logging.s3.amazonaws.com")
