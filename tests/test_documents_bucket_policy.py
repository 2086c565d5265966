"""The secure bucket policy, statement by statement, and what must never be in it."""

import pytest

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.statements import policy_document
from policies.evaluator.evaluate import evaluate
from policies.evaluator.request import Decision, Policy, Principal, Request
from tests.support import statement

BUCKET = "arn:aws:s3:::mlteam-dev-raw"
KEY_ID = "1111-2222"
KEY = f"arn:aws:kms:us-east-1:123456789012:key/{KEY_ID}"
BOTH = [BUCKET, f"{BUCKET}/*"]


def kms_policy(strict: bool = False) -> dict:
    return secure_bucket_policy(BUCKET, KEY, require_sse_header=strict)


def test_document_version_and_sids():
    doc = kms_policy()
    assert doc["Version"] == "2012-10-17"
    assert [s["Sid"] for s in doc["Statement"]] == [
        "DenyInsecureTransport",
        "DenyOutdatedTls",
        "DenyNonKmsEncryptionHeader",
        "DenyOtherKmsKey",
        "DenyKmsHeaderWithoutKey",
        "DenySseC",
    ]


def test_deny_insecure_transport_covers_bucket_and_objects():
    assert statement(kms_policy(), "DenyInsecureTransport") == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": BOTH,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_deny_tls_older_than_1_2():
    assert statement(kms_policy(), "DenyOutdatedTls") == {
        "Sid": "DenyOutdatedTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": BOTH,
        "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
    }


def test_deny_sse_header_other_than_kms_only_when_header_present():
    assert statement(kms_policy(), "DenyNonKmsEncryptionHeader") == {
        "Sid": "DenyNonKmsEncryptionHeader",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{BUCKET}/*",
        "Condition": {
            "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
            "Null": {"s3:x-amz-server-side-encryption": "false"},
        },
    }


def test_deny_other_kms_key_only_when_key_named():
    assert statement(kms_policy(), "DenyOtherKmsKey") == {
        "Sid": "DenyOtherKmsKey",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{BUCKET}/*",
        "Condition": {
            "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": KEY},
            "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"},
        },
    }


def upload(key_header: str) -> Decision:
    """The bucket policy's decision on an SSE-KMS upload over TLS 1.3 naming ``key_header``."""
    context = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3", "s3:x-amz-server-side-encryption": "aws:kms",
               "s3:x-amz-server-side-encryption-aws-kms-key-id": key_header}
    writer = Principal.iam("arn:aws:iam::123456789012:role/LakeWriter")
    request = Request(writer, "s3:PutObject", f"{BUCKET}/events/part-0.parquet", context)
    return evaluate(request, (), Policy("bucket policy", kms_policy()), "123456789012")


def test_an_upload_naming_the_lake_key_arn_is_not_denied():
    # No explicit deny: the bucket policy allows nothing, so the caller's identity policy decides.
    assert upload(KEY).decision == "implicit_deny"


@pytest.mark.parametrize(
    "key_header",
    [
        "arn:aws:kms:us-east-1:123456789012:key/9999-2222",  # another key
        KEY_ID,  # the lake key itself, by bare id: not the ARN the policy names, so refused (fail closed)
        "alias/mlteam-dev-lake",  # an alias, even one naming the lake key
        "arn:aws:kms:us-east-1:123456789012:alias/mlteam-dev-lake",
        KEY.upper(),  # StringNotEquals is case-sensitive
    ],
)
def test_an_upload_naming_anything_but_the_lake_key_arn_is_denied(key_header):
    decision = upload(key_header)
    assert (decision.decision, [r.sid for r in decision.deciding]) == ("explicit_deny", ["DenyOtherKmsKey"])


def test_deny_kms_header_without_key_so_aws_managed_key_is_never_used():
    assert statement(kms_policy(), "DenyKmsHeaderWithoutKey") == {
        "Sid": "DenyKmsHeaderWithoutKey",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{BUCKET}/*",
        "Condition": {
            "StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
            "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "true"},
        },
    }


def test_deny_sse_c():
    assert statement(kms_policy(), "DenySseC") == {
        "Sid": "DenySseC",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{BUCKET}/*",
        "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}},
    }


def test_header_less_uploads_allowed_by_default_denied_in_strict_mode():
    sids = [s["Sid"] for s in kms_policy()["Statement"]]
    assert "DenyMissingEncryptionHeader" not in sids
    assert statement(kms_policy(strict=True), "DenyMissingEncryptionHeader") == {
        "Sid": "DenyMissingEncryptionHeader",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"{BUCKET}/*",
        "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}},
    }


def test_sse_s3_bucket_gets_transport_rules_only_plus_extras():
    extra = {"Sid": "Extra", "Effect": "Allow", "Principal": {"Service": "x"}, "Action": "s3:PutObject"}
    doc = secure_bucket_policy(BUCKET, None, require_sse_header=True, extra_statements=(extra,))
    assert [s["Sid"] for s in doc["Statement"]] == ["DenyInsecureTransport", "DenyOutdatedTls", "Extra"]


@pytest.mark.parametrize("strict", [False, True])
def test_no_allow_at_all_and_every_deny_is_conditioned(strict):
    for s in kms_policy(strict)["Statement"]:
        assert s["Effect"] == "Deny", s["Sid"]
        assert s["Condition"], s["Sid"]


def test_statements_need_unique_sids():
    with pytest.raises(ValueError, match="unique Sid"):
        policy_document([{"Sid": "A"}, {"Sid": "A"}])
    with pytest.raises(ValueError, match="unique Sid"):
        policy_document([{"Effect": "Deny"}])
