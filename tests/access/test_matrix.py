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
ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:PutBucketPolicy")


def rows(allowed: set[str], outside: str | None = None, athena: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """A principal's rows: ``allowed`` actions succeed through the endpoint (and via Athena);
    from outside the endpoint they get ``outside`` when the perimeter refuses them; ``athena``
    actions succeed only via Athena (a query consumer's reads, ``aws:CalledVia``)."""
    table = {}
    for action in ACTIONS:
        base = "allow" if action in allowed else "no grant"
        via_athena = "allow" if action in athena else base
        baseline = [base, outside if outside and base == "allow" else base, via_athena, D_TLS, D_OLD]
        table[action] = baseline + ([base, *UPLOAD_DENIES] if action == "s3:PutObject" else [])
    return table


EVERYTHING = set(ACTIONS)
READ = {"s3:GetObject", "s3:ListBucket"}
DEV_RAW = {
    "lake administrator": rows(EVERYTHING),
    "deployer": rows(EVERYTHING),
    "data reader": rows(READ),
    "crawler mlteam-dev-annotations": rows(READ),
    "crawler mlteam-dev-images": rows(READ),
    "another account": rows(set()),
    "anonymous": rows(set()),
}
# Crawler rows appear on the buckets they crawl (raw); their reach elsewhere is crawler_reach.
DEV_OTHER = {k: v for k, v in DEV_RAW.items() if not k.startswith("crawler")}
# Consumer rows appear on the buckets they have grants on (Pulumi.dev.yaml), after the data reader: training
# reads curated and writes processed; the analysts read curated only through Athena, and use the query
# results under results/ (the cells' objects and listing are under their prefix; LAKE.16 proves the rest).
TRAINING, ANALYSTS = "consumer training", "consumer analysts"
DEV_CONSUMERS = {
    "mlteam-dev-curated": {TRAINING: rows(READ), ANALYSTS: rows(set(), athena=frozenset(READ))},
    "mlteam-dev-processed": {TRAINING: rows({"s3:PutObject"})},
    "mlteam-dev-query-results": {ANALYSTS: rows({"s3:GetObject", "s3:PutObject", "s3:ListBucket"})},
    "mlteam-dev-raw": {},
}


def dev_matrix(bucket: str) -> dict[str, dict[str, list[str]]]:
    """The pinned table of a dev zone bucket, its rows in the matrix's order."""
    base = DEV_RAW if bucket == "mlteam-dev-raw" else DEV_OTHER
    first = ["lake administrator", "deployer", "data reader"]
    return {**{k: base[k] for k in first}, **DEV_CONSUMERS[bucket], **{k: v for k, v in base.items() if k not in first}}


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
        "via endpoint", "outside endpoint", "via Athena", "no TLS", "TLS 1.0", "SSE-KMS, lake key",
        "SSE-KMS, other key", "SSE-KMS, no key id", "SSE-S3 (AES256)",
    ]


@pytest.mark.parametrize("bucket", ["mlteam-dev-curated", "mlteam-dev-processed", "mlteam-dev-query-results",
                                    "mlteam-dev-raw"])
def test_intended_matrix(matrices, bucket):
    matrix = next(m for m in matrices if m.bucket == bucket)
    assert list(table(matrix).items()) == list(dev_matrix(bucket).items())


def test_the_analysts_use_the_query_results_under_results_only(matrices):
    """Their matrix cells ask under results/; elsewhere in the results bucket they have no grant."""
    from policies.access.matrix import decide
    from policies.evaluator.request import Request

    model = lake_from_plan(plan_document(plan_stack(REPO, "dev")))
    results = next(m for m in matrices if m.bucket == "mlteam-dev-query-results")
    analysts = next(a for a in results.actors if a.label == ANALYSTS)
    bucket = model.bucket_named("mlteam-dev-query-results")
    context = {"aws:SecureTransport": "true", "s3:TlsVersion": 1.3}
    decisions = [
        decide(model, bucket, analysts, Request(analysts.principal, action, resource, context), "us-east-1").decision
        for action, resource in (("s3:GetObject", f"{bucket.arn}/results/q.csv"),
                                 ("s3:GetObject", f"{bucket.arn}/q.csv"),
                                 ("s3:PutObject", f"{bucket.arn}/other/q.csv"))
    ]
    assert decisions == ["allow", "implicit_deny", "implicit_deny"]


def test_intended_perimeter_in_production():
    """Outside the endpoint only the administrators, the deployer, the crawlers and AWS services
    acting for a caller (Athena) get through; policy management is never refused by it."""
    model = lake_from_plan(plan_document(plan_stack(REPO, "prod")))
    raw = next(m for m in access_matrix(model) if m.bucket == "mlteam-prod-raw")
    perimeter = "DENY DenyOutsideLakeEndpoint"
    # Production is in strict mode: an upload without an SSE header is refused everywhere.
    assert label(raw.cell("data reader", "s3:PutObject", "outside endpoint")) == (
        "DENY DenyMissingEncryptionHeader,DenyOutsideLakeEndpoint")
    assert label(raw.cell("lake administrator", "s3:PutObject", "SSE-KMS, lake key")) == "allow"
    for action in (a for a in ACTIONS if a != "s3:PutObject"):
        # Every action but policy management is refused outside the endpoint, granted or not.
        assert label(raw.cell("data reader", action, "outside endpoint")) == (
            "no grant" if action == "s3:PutBucketPolicy" else perimeter)
        assert label(raw.cell("data reader", action, "via Athena")) == ("allow" if action in READ else "no grant")
        assert label(raw.cell("lake administrator", action, "outside endpoint")) == "allow"
    assert label(raw.cell("crawler mlteam-prod-images", "s3:GetObject", "outside endpoint")) == "allow"
    assert raw.cell("crawler mlteam-prod-features", "s3:GetObject", "via endpoint") is None  # crawls curated


def test_denies_name_their_statement_and_grants_name_theirs(matrices):
    raw = next(m for m in matrices if m.bucket == "mlteam-dev-raw")
    denied = raw.cell("anonymous", "s3:GetObject", "no TLS").decision
    assert [(r.policy, r.sid) for r in denied.deciding] == [("bucket policy of mlteam-dev-raw", "DenyInsecureTransport")]
    read = raw.cell("data reader", "s3:GetObject", "via endpoint").decision
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


def test_crawlers_reach_only_the_bucket_they_crawl():
    from policies.access.matrix import crawler_reach

    model = lake_from_plan(plan_document(plan_stack(REPO, "prod")))
    assert crawler_reach(model) == {
        "crawler mlteam-prod-annotations": ["mlteam-prod-raw"],
        "crawler mlteam-prod-features": ["mlteam-prod-curated"],
        "crawler mlteam-prod-images": ["mlteam-prod-raw"],
    }
    processed = next(m for m in access_matrix(model) if m.bucket == "mlteam-prod-processed")
    assert not [a.label for a in processed.actors if a.label.startswith("crawler")]
