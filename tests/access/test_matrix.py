"""The intended access matrix of the dev stack, pinned: a change that opens (or closes) access
fails here, and the diff shows which principal, action and context changed."""

import pytest

from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from lake.report.access import label
from policies.access.matrix import access_matrix
from policies.adapters.plan import lake_from_plan
from tests.support import REPO

D_TLS, D_OLD = "DENY DenyInsecureTransport", "DENY DenyOutdatedTls"
UPLOAD_DENIES = ["DENY DenyOtherKmsKey", "DENY DenyKmsHeaderWithoutKey", "DENY DenyNonKmsEncryptionHeader"]


def full_access(put_allowed="allow"):
    """Rows of a principal whose identity allows everything (administrator, deployer)."""
    return {
        "s3:GetObject": ["allow", D_TLS, D_OLD],
        "s3:PutObject": ["allow", D_TLS, D_OLD, put_allowed, *UPLOAD_DENIES],
        "s3:ListBucket": ["allow", D_TLS, D_OLD],
        "s3:DeleteObject": ["allow", D_TLS, D_OLD],
        "s3:PutBucketPolicy": ["allow", D_TLS, D_OLD],
    }


def nothing_granted():
    return {
        "s3:GetObject": ["no grant", D_TLS, D_OLD],
        "s3:PutObject": ["no grant", D_TLS, D_OLD, "no grant", *UPLOAD_DENIES],
        "s3:ListBucket": ["no grant", D_TLS, D_OLD],
        "s3:DeleteObject": ["no grant", D_TLS, D_OLD],
        "s3:PutBucketPolicy": ["no grant", D_TLS, D_OLD],
    }


INTENDED = {
    "lake administrator": full_access(),
    "deployer": full_access(),
    "data reader": {**nothing_granted(), "s3:GetObject": ["allow", D_TLS, D_OLD], "s3:ListBucket": ["allow", D_TLS, D_OLD]},
    "another account": nothing_granted(),
    "anonymous": nothing_granted(),
}


@pytest.fixture(scope="module")
def matrices():
    return access_matrix(lake_from_plan(plan_document(plan_stack(REPO, "dev"))))


def table(matrix):
    rows = {}
    for cell in matrix.cells:
        rows.setdefault(cell.actor, {}).setdefault(cell.action, []).append(label(cell))
    return rows


def test_one_matrix_per_zone_bucket(matrices):
    assert [m.bucket for m in matrices] == [
        "mlteam-dev-curated", "mlteam-dev-processed", "mlteam-dev-query-results", "mlteam-dev-raw",
    ]
    assert [s.label for s in matrices[0].scenarios] == [
        "TLS 1.3", "no TLS", "TLS 1.0", "SSE-KMS, lake key", "SSE-KMS, other key", "SSE-KMS, no key id",
        "SSE-S3 (AES256)",
    ]


@pytest.mark.parametrize("zone", [0, 1, 2, 3])
def test_intended_matrix(matrices, zone):
    assert table(matrices[zone]) == INTENDED


def test_denies_name_their_statement_and_grants_name_theirs(matrices):
    raw = next(m for m in matrices if m.bucket == "mlteam-dev-raw")
    denied = raw.cell("anonymous", "s3:GetObject", "no TLS").decision
    assert [(r.policy, r.sid) for r in denied.deciding] == [("bucket policy of mlteam-dev-raw", "DenyInsecureTransport")]
    read = raw.cell("data reader", "s3:GetObject", "TLS 1.3").decision
    assert ("identity policy of data reader", "ReadLakeObjects") in [(r.policy, r.sid) for r in read.deciding]
    assert ("identity policy of data reader", "DecryptLakeObjects") in [(r.policy, r.sid) for r in read.deciding]


def test_nobody_outside_the_account_and_nothing_without_tls_is_allowed(matrices):
    for matrix in matrices:
        for cell in matrix.cells:
            if cell.actor in ("another account", "anonymous") or cell.scenario in ("no TLS", "TLS 1.0"):
                assert not cell.decision.allowed, cell


def test_reader_without_key_permission_is_refused_by_the_key(matrices):
    """The key is a second gate: S3 alone would allow this read."""
    from dataclasses import replace

    from policies.access.matrix import decide
    from policies.evaluator.request import Policy, Request

    model = lake_from_plan(plan_document(plan_stack(REPO, "dev")))
    reader = next(a for a in matrices[-1].actors if a.label == "data reader")
    document = reader.identity_policies[0].document
    without_kms = {**document, "Statement": [s for s in document["Statement"] if s["Sid"] != "DecryptLakeObjects"]}
    actor = replace(reader, identity_policies=(Policy("reader without kms", without_kms),))
    bucket = model.bucket_named("mlteam-dev-raw")
    request = Request(actor.principal, "s3:GetObject", f"{bucket.arn}/x", {"aws:SecureTransport": "true"})
    decision = decide(model, bucket, actor, request, "us-east-1")
    assert decision.decision == "implicit_deny"
    assert decision.reason.startswith("S3 allows it, but the lake key refuses: ")
