"""Consumer documents: each access level's statements pinned, every document well formed and lint
clean, and evaluator proofs both ways against the lake's real bucket and key policies."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import pytest

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.consumer_access import (
    LakeTarget,
    consumer_bucket_statements,
    consumer_identity_policy,
    external_key_grants,
    service_trust_policy,
    sid_word,
)
from components.documents.key_policy import lake_key_policy
from components.documents.perimeter import Perimeter
from components.settings import GrantSettings
from policies.evaluator.evaluate import evaluate
from policies.evaluator.request import Policy, Principal, Request
from policies.grammar import validate_policy
from policies.lint import lint_policy

REGION = "us-east-1"
ACCOUNT = "123456789012"
PARTNER_ACCOUNT = "345678901234"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1111-2222"
RAW, PROCESSED, CURATED = (f"arn:aws:s3:::ml-dev-{zone}" for zone in ("raw", "processed", "curated"))
RESULTS = "arn:aws:s3:::ml-dev-query-results"
OTHER_BUCKET = "arn:aws:s3:::someone-elses-bucket"
ENDPOINT = "vpce-0123456789abcdef0"
GLUE = f"arn:aws:glue:{REGION}:{ACCOUNT}"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/LakeAdmin"
TRAINER = Principal.iam(f"arn:aws:iam::{ACCOUNT}:role/ml-dev-consumer-training")
PARTNER = Principal.iam(f"arn:aws:iam::{PARTNER_ACCOUNT}:role/Research")
LAKE = LakeTarget(
    partition="aws", region=REGION, account_id=ACCOUNT, key_arn=KEY,
    zone_buckets={"raw": RAW, "processed": PROCESSED, "curated": CURATED},
    databases={"raw": "ml_dev_raw", "processed": "ml_dev_processed", "curated": "ml_dev_curated"},
    workgroup="ml-dev", results_bucket_arn=RESULTS, results_prefix="results/", endpoint_id=ENDPOINT,
)
VIA_S3 = {"StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": f"s3.{REGION}.amazonaws.com"}}
THROUGH_ATHENA = {"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}
AT_ENDPOINT = {"StringEquals": {"aws:SourceVpce": ENDPOINT}}
WRITE = ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject"]


def grant(zone: str, access: str, *prefixes: str) -> GrantSettings:
    return GrantSettings(zone, access, tuple(prefixes))


def identity(grants: Sequence[GrantSettings], caller: str = ACCOUNT, endpoint: bool = False) -> dict:
    return consumer_identity_policy(grants, LAKE, caller_account=caller, require_endpoint=endpoint)


def allow(sid: str, action, resource, condition: dict | None = None) -> dict:
    statement = {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource}
    return {**statement, "Condition": condition} if condition else statement


def key_use(actions, caller: str = ACCOUNT) -> dict:
    condition = {"StringEquals": {**VIA_S3["StringEquals"], "kms:CallerAccount": caller}}
    return allow("UseKeyThroughS3", actions, KEY, condition)


# --- Statements, pinned


def test_read_of_a_whole_zone_locates_lists_gets_and_decrypts():
    assert identity([grant("curated", "read")])["Statement"] == [
        allow("LocateBuckets", "s3:GetBucketLocation", CURATED),
        allow("ListZones", "s3:ListBucket", CURATED),
        allow("ReadObjects", "s3:GetObject", f"{CURATED}/*"),
        key_use("kms:Decrypt"),
    ]


def test_read_of_prefixes_lists_and_gets_under_them_only():
    assert identity([grant("processed", "read", "labels/", "features/")])["Statement"] == [
        allow("LocateBuckets", "s3:GetBucketLocation", PROCESSED),
        allow("ListProcessedPrefixes", "s3:ListBucket", PROCESSED,
              {"StringLike": {"s3:prefix": ["features/*", "labels/*"]}}),
        allow("ReadObjects", "s3:GetObject", [f"{PROCESSED}/features/*", f"{PROCESSED}/labels/*"]),
        key_use("kms:Decrypt"),
    ]


def test_write_puts_objects_in_parts_and_generates_data_keys():
    assert identity([grant("processed", "write", "features/")])["Statement"] == [
        allow("LocateBuckets", "s3:GetBucketLocation", PROCESSED),
        allow("WriteObjects", WRITE, f"{PROCESSED}/features/*"),
        key_use(["kms:Decrypt", "kms:GenerateDataKey"]),
    ]


def test_delete_deletes_current_objects_only_and_needs_no_key():
    assert identity([grant("raw", "delete", "tmp/")])["Statement"] == [
        allow("DeleteObjects", "s3:DeleteObject", f"{RAW}/tmp/*"),
    ]


def test_query_uses_the_workgroup_the_catalog_athena_and_the_results():
    assert identity([grant("curated", "query")])["Statement"] == [
        allow("QueryWorkgroup", ["athena:GetQueryExecution", "athena:GetQueryResults", "athena:GetWorkGroup",
                                 "athena:StartQueryExecution", "athena:StopQueryExecution"],
              f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/ml-dev"),
        allow("ReadCatalog", ["glue:BatchGetPartition", "glue:GetDatabase", "glue:GetPartition",
                              "glue:GetPartitions", "glue:GetTable", "glue:GetTables"],
              [f"{GLUE}:catalog", f"{GLUE}:database/ml_dev_curated", f"{GLUE}:table/ml_dev_curated/*"]),
        allow("AthenaLocateBuckets", "s3:GetBucketLocation", CURATED, THROUGH_ATHENA),
        allow("AthenaListZones", "s3:ListBucket", CURATED, THROUGH_ATHENA),
        allow("AthenaReadObjects", "s3:GetObject", f"{CURATED}/*", THROUGH_ATHENA),
        allow("LocateQueryResults", "s3:GetBucketLocation", RESULTS),
        allow("ListQueryResults", "s3:ListBucket", RESULTS, {"StringLike": {"s3:prefix": ["results/*"]}}),
        allow("UseQueryResults", ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts",
                                  "s3:PutObject"], f"{RESULTS}/results/*"),
        key_use(["kms:Decrypt", "kms:GenerateDataKey"]),
        allow("DecryptCatalogThroughGlue", "kms:Decrypt", KEY, {"StringEquals": {
            "kms:CallerAccount": ACCOUNT, "kms:ViaService": f"glue.{REGION}.amazonaws.com"}}),
    ]


def test_query_of_prefixes_lists_them_through_athena_per_zone():
    statements = identity([grant("curated", "query", "features/"), grant("raw", "query")])["Statement"]
    assert [s for s in statements if s["Sid"].startswith("Athena")] == [
        allow("AthenaLocateBuckets", "s3:GetBucketLocation", [CURATED, RAW], THROUGH_ATHENA),
        allow("AthenaListZones", "s3:ListBucket", RAW, THROUGH_ATHENA),
        allow("AthenaListCuratedPrefixes", "s3:ListBucket", CURATED,
              {**THROUGH_ATHENA, "StringLike": {"s3:prefix": ["features/*"]}}),
        allow("AthenaReadObjects", "s3:GetObject", [f"{CURATED}/features/*", f"{RAW}/*"], THROUGH_ATHENA),
    ]


def test_grants_on_several_zones_merge_where_the_conditions_agree():
    grants = [grant("curated", "read"), grant("raw", "read"), grant("processed", "read", "features/"),
              grant("processed", "write", "features/"), grant("raw", "write")]
    assert [(s["Sid"], s["Resource"]) for s in identity(grants)["Statement"]] == [
        ("LocateBuckets", [CURATED, PROCESSED, RAW]),
        ("ListZones", [CURATED, RAW]),
        ("ListProcessedPrefixes", PROCESSED),
        ("ReadObjects", [f"{CURATED}/*", f"{PROCESSED}/features/*", f"{RAW}/*"]),
        ("WriteObjects", [f"{PROCESSED}/features/*", f"{RAW}/*"]),
        ("UseKeyThroughS3", KEY),
    ]


def test_a_whole_zone_grant_covers_a_prefixed_one_on_the_same_zone():
    assert identity([grant("curated", "read", "a/"), grant("curated", "read")]) == identity([grant("curated", "read")])


def test_require_endpoint_conditions_the_direct_s3_statements_only():
    grants = [grant("processed", "read", "features/"), grant("raw", "delete"), grant("curated", "query")]
    plain, fenced = identity(grants)["Statement"], identity(grants, endpoint=True)["Statement"]
    direct = {"LocateBuckets", "ListProcessedPrefixes", "ReadObjects", "DeleteObjects"}
    for before, after in zip(plain, fenced, strict=True):
        expected = {"StringEquals": {}, **before.get("Condition", {})} if before["Sid"] in direct else None
        if expected is None:
            assert after == before, before["Sid"]
        else:
            expected["StringEquals"] = {**expected["StringEquals"], "aws:SourceVpce": ENDPOINT}
            assert after == {**before, "Condition": expected}, before["Sid"]


def test_the_key_is_used_in_the_consumers_own_account():
    statements = identity([grant("curated", "read")], caller=PARTNER_ACCOUNT)["Statement"]
    assert statements[-1] == key_use("kms:Decrypt", PARTNER_ACCOUNT)


def test_service_roles_are_assumed_by_their_service_for_the_lake_account_only():
    assert service_trust_policy("sagemaker.amazonaws.com", ACCOUNT) == {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowServiceToAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }],
    }


def test_bucket_statements_copy_the_identity_statements_for_that_bucket_to_the_role():
    statements = consumer_bucket_statements(
        "partner", PARTNER.arn, PROCESSED,
        [grant("processed", "read", "features/"), grant("processed", "write", "features/"),
         grant("processed", "delete", "features/")],
    )
    role = {"AWS": PARTNER.arn}
    assert statements == [
        {"Sid": "ConsumerPartnerLocate", "Effect": "Allow", "Principal": role, "Action": "s3:GetBucketLocation",
         "Resource": PROCESSED},
        {"Sid": "ConsumerPartnerList", "Effect": "Allow", "Principal": role, "Action": "s3:ListBucket",
         "Resource": PROCESSED, "Condition": {"StringLike": {"s3:prefix": ["features/*"]}}},
        {"Sid": "ConsumerPartnerRead", "Effect": "Allow", "Principal": role, "Action": "s3:GetObject",
         "Resource": f"{PROCESSED}/features/*"},
        {"Sid": "ConsumerPartnerWrite", "Effect": "Allow", "Principal": role, "Action": WRITE,
         "Resource": f"{PROCESSED}/features/*"},
        {"Sid": "ConsumerPartnerDelete", "Effect": "Allow", "Principal": role, "Action": "s3:DeleteObject",
         "Resource": f"{PROCESSED}/features/*"},
    ]


def test_a_whole_zone_read_lists_the_bucket_without_condition():
    assert consumer_bucket_statements("bi-analysts", PARTNER.arn, CURATED, [grant("curated", "read")])[1] == {
        "Sid": "ConsumerBiAnalystsList", "Effect": "Allow", "Principal": {"AWS": PARTNER.arn},
        "Action": "s3:ListBucket", "Resource": CURATED,
    }


def test_external_key_grants_split_decrypting_and_data_key_roles():
    roles = {
        "arn:aws:iam::345678901234:role/W": [grant("raw", "write")],
        "arn:aws:iam::345678901234:role/R": [grant("raw", "read"), grant("curated", "delete")],
        "arn:aws:iam::345678901234:role/D": [grant("raw", "delete")],
    }
    assert external_key_grants(roles) == (
        ("arn:aws:iam::345678901234:role/R", "arn:aws:iam::345678901234:role/W"),
        ("arn:aws:iam::345678901234:role/W",),
    )


# --- Names in Sids


@pytest.mark.parametrize(("name", "word"), [
    ("curated", "Curated"), ("bi-analysts", "BiAnalysts"), ("tier2", "Tier2"), ("2024-data", "2024Data"),
    ("tier-2", "xtierD2"), ("raw_data", "xrawUdata"), ("a--b", "xaDDb"), ("a-", "xaD"),
])
def test_names_become_camel_case_or_a_spelled_out_word(name, word):
    assert sid_word(name) == word


def test_no_two_names_give_the_same_word():
    """Every name of up to 4 characters over an alphabet holding each kind of character (letters
    that CamelCase capitalises, digits, both separators, and the letters d, u and x that spell
    the others): distinct words, letters and digits only."""
    names = [
        "".join(chars) for n in range(1, 5) for chars in itertools.product("adux1-_", repeat=n)
        if chars[0] not in "-_"
    ]
    words = [sid_word(name) for name in names]
    assert len(set(words)) == len(names)
    assert all(word.isascii() and word.isalnum() for word in words)


def test_consumer_sids_are_unique_across_consumers_whose_names_look_alike():
    statements = [
        s for consumer in ("a-b", "ab", "a-b-list", "a-1", "a1")
        for s in consumer_bucket_statements(consumer, PARTNER.arn, RAW, [grant("raw", "read"), grant("raw", "write")])
    ]
    sids = [s["Sid"] for s in statements]
    assert len(sids) == len(set(sids)) == 20


# --- Refusals


@pytest.mark.parametrize(("call", "message"), [
    (lambda: identity([grant("gold", "read")]), "grant on zone 'gold': the lake has no such zone"),
    (lambda: identity([grant("raw", "admin")]),
     "grant on zone 'raw': access 'admin' is not one of ['read', 'write', 'delete', 'query']"),
    (lambda: consumer_identity_policy([grant("raw", "read")], replace(LAKE, endpoint_id=None),
                                      caller_account=ACCOUNT, require_endpoint=True),
     "require_endpoint needs the lake's endpoint id"),
    (lambda: consumer_bucket_statements("p", PARTNER.arn, RAW, [grant("raw", "query")]),
     "grant on zone 'raw': access 'query' is not one of ['read', 'write', 'delete']"),
    (lambda: consumer_bucket_statements("p", PARTNER.arn, RAW, [grant("raw", "read"), grant("curated", "read")]),
     "grants of one bucket are on one zone, got ['curated', 'raw']"),
    (lambda: sid_word("Raw"), "a zone or consumer name holds a-z, 0-9, '-' and '_' only, got 'Raw'"),
])
def test_refusals(call, message):
    with pytest.raises(ValueError) as raised:
        call()
    assert str(raised.value) == message


# --- Well formed and lint clean

EVERY_LEVEL = [grant("curated", "read"), grant("processed", "read", "features/", "labels/"),
               grant("processed", "write", "features/"), grant("raw", "delete", "tmp/"), grant("curated", "query")]
EXTERNAL = [grant("processed", "read", "features/"), grant("processed", "write", "features/"),
            grant("processed", "delete", "features/")]


def zone_bucket_policy(bucket: str, extra: Sequence[dict] = (), perimeter: bool = False) -> dict:
    fence = Perimeter((ENDPOINT,), (ADMIN,)) if perimeter else None
    return secure_bucket_policy(bucket, KEY, extra_statements=tuple(extra), perimeter=fence)


def lake_key(decrypt: tuple[str, ...] = (), data_key: tuple[str, ...] = (), accounts: tuple[str, ...] = ()) -> dict:
    return lake_key_policy("aws", ACCOUNT, REGION, [ADMIN], via_services=("glue",), consumer_decrypt_arns=decrypt,
                           consumer_data_key_arns=data_key, consumer_accounts=accounts)


DOCUMENTS = {
    "identity, every level": (identity(EVERY_LEVEL), "identity"),
    "identity, every level, endpoint": (identity(EVERY_LEVEL, endpoint=True), "identity"),
    "identity, external": (identity(EXTERNAL, caller=PARTNER_ACCOUNT), "identity"),
    "trust": (service_trust_policy("ecs-tasks.amazonaws.com", ACCOUNT), "generic"),
    "bucket, external": (zone_bucket_policy(PROCESSED, consumer_bucket_statements("partner", PARTNER.arn, PROCESSED,
                                                                                   EXTERNAL)), "resource"),
    "key, external": (lake_key((PARTNER.arn,), (PARTNER.arn,), (PARTNER_ACCOUNT,)), "resource"),
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_documents_follow_the_grammar_and_pass_parliament(name):
    document, kind = DOCUMENTS[name]
    assert validate_policy(document, kind) == []
    assert lint_policy(document, kind) == []


def consumer_statements(name: str) -> list[dict]:
    """What a document grants consumers: all of an identity policy, the consumer statements of the
    bucket and key policies."""
    statements = DOCUMENTS[name][0]["Statement"]
    return statements if name.startswith("identity") else [s for s in statements if "Consumer" in s["Sid"]]


@pytest.mark.parametrize("name", [n for n in DOCUMENTS if n != "trust"])
def test_no_version_deletion_policy_change_grant_or_wildcard_action(name):
    actions = [a for s in consumer_statements(name) for a in ([s["Action"]] if isinstance(s["Action"], str)
                                                               else s["Action"])]
    forbidden = ("s3:DeleteObjectVersion", "kms:CreateGrant", "kms:PutKeyPolicy")
    assert actions
    assert [a for a in actions if a in forbidden or "Policy" in a or "*" in a or a.startswith("s3:PutBucket")
            or a.startswith("s3:DeleteBucket")] == []


# --- Evaluator proofs, both ways, against the lake's own bucket and key policies

TLS = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
VIA_ATHENA = {"aws:CalledVia": ["athena.amazonaws.com"], "aws:ViaAWSService": "true"}
INSIDE, OUTSIDE = "features/2024/part-0.parquet", "labels/2024/part-0.parquet"
# How S3 authorises the calls of a multipart upload.
MULTIPART = {"CreateMultipartUpload": "s3:PutObject", "UploadPart": "s3:PutObject",
             "CompleteMultipartUpload": "s3:PutObject", "AbortMultipartUpload": "s3:AbortMultipartUpload",
             "ListParts": "s3:ListMultipartUploadParts"}


def through_s3(caller: str = ACCOUNT) -> dict:
    return {"kms:ViaService": f"s3.{REGION}.amazonaws.com", "kms:CallerAccount": caller}


# A check: (label, "s3" or "kms", action, resource, context, expected to be allowed).
Check = tuple[str, str, str, str, dict, bool]


def s3_check(label: str, action: str, resource: str, allowed: bool, **context) -> Check:
    return (label, "s3", action, resource, {**TLS, **context}, allowed)


def kms_check(label: str, action: str, allowed: bool, **context) -> Check:
    return (label, "kms", action, KEY, context, allowed)


def read_checks(bucket: str, caller: str = ACCOUNT, **where) -> list[Check]:
    """A read of features/ only in ``bucket``: what it allows, and the neighbours it must not."""
    return [
        s3_check("locate", "s3:GetBucketLocation", bucket, True, **where),
        s3_check("list the prefix", "s3:ListBucket", bucket, True, **where, **{"s3:prefix": "features/"}),
        s3_check("list under the prefix", "s3:ListBucket", bucket, True, **where, **{"s3:prefix": "features/2024/"}),
        s3_check("get under the prefix", "s3:GetObject", f"{bucket}/{INSIDE}", True, **where),
        kms_check("decrypt through s3", "kms:Decrypt", True, **through_s3(caller)),
        s3_check("list the whole bucket", "s3:ListBucket", bucket, False, **where),
        s3_check("list another prefix", "s3:ListBucket", bucket, False, **where, **{"s3:prefix": "labels/"}),
        s3_check("get another prefix", "s3:GetObject", f"{bucket}/{OUTSIDE}", False, **where),
        s3_check("get an old version", "s3:GetObjectVersion", f"{bucket}/{INSIDE}", False, **where),
        s3_check("get from another bucket", "s3:GetObject", f"{OTHER_BUCKET}/{INSIDE}", False, **where),
        s3_check("put", "s3:PutObject", f"{bucket}/{INSIDE}", False, **where),
        s3_check("delete", "s3:DeleteObject", f"{bucket}/{INSIDE}", False, **where),
        s3_check("change the bucket policy", "s3:PutBucketPolicy", bucket, False, **where),
        kms_check("decrypt directly", "kms:Decrypt", False, **{"kms:CallerAccount": caller}),
        kms_check("generate a data key", "kms:GenerateDataKey", False, **through_s3(caller)),
        kms_check("create a grant", "kms:CreateGrant", False, **through_s3(caller)),
    ]


def write_checks(bucket: str, caller: str = ACCOUNT) -> list[Check]:
    return [
        *(s3_check(call, action, f"{bucket}/{INSIDE}", True) for call, action in MULTIPART.items()),
        s3_check("locate", "s3:GetBucketLocation", bucket, True),
        kms_check("generate a data key through s3", "kms:GenerateDataKey", True, **through_s3(caller)),
        kms_check("decrypt through s3 (multipart)", "kms:Decrypt", True, **through_s3(caller)),
        s3_check("put under another prefix", "s3:PutObject", f"{bucket}/{OUTSIDE}", False),
        s3_check("put in another bucket", "s3:PutObject", f"{OTHER_BUCKET}/{INSIDE}", False),
        s3_check("get", "s3:GetObject", f"{bucket}/{INSIDE}", False),
        s3_check("delete", "s3:DeleteObject", f"{bucket}/{INSIDE}", False),
        kms_check("generate a data key directly", "kms:GenerateDataKey", False, **{"kms:CallerAccount": caller}),
    ]


def delete_checks(bucket: str) -> list[Check]:
    return [
        s3_check("delete under the prefix", "s3:DeleteObject", f"{bucket}/{INSIDE}", True),
        s3_check("delete under another prefix", "s3:DeleteObject", f"{bucket}/{OUTSIDE}", False),
        s3_check("delete a version", "s3:DeleteObjectVersion", f"{bucket}/{INSIDE}", False),
        s3_check("get", "s3:GetObject", f"{bucket}/{INSIDE}", False),
        s3_check("change the lifecycle", "s3:PutLifecycleConfiguration", bucket, False),
    ]


def query_checks() -> list[Check]:
    return [
        s3_check("read the zone through athena", "s3:GetObject", f"{CURATED}/{INSIDE}", True, **VIA_ATHENA),
        s3_check("list the zone through athena", "s3:ListBucket", CURATED, True, **VIA_ATHENA),
        s3_check("locate the zone through athena", "s3:GetBucketLocation", CURATED, True, **VIA_ATHENA),
        s3_check("write results", "s3:PutObject", f"{RESULTS}/results/q-1.csv", True),
        s3_check("read results", "s3:GetObject", f"{RESULTS}/results/q-1.csv", True),
        s3_check("list results", "s3:ListBucket", RESULTS, True, **{"s3:prefix": "results/"}),
        kms_check("decrypt through s3", "kms:Decrypt", True, **through_s3()),
        kms_check("generate a data key through s3", "kms:GenerateDataKey", True, **through_s3()),
        kms_check("decrypt the catalog through glue", "kms:Decrypt", True,
                  **{"kms:ViaService": f"glue.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}),
        s3_check("read the zone directly", "s3:GetObject", f"{CURATED}/{INSIDE}", False),
        s3_check("list the zone directly", "s3:ListBucket", CURATED, False),
        s3_check("read another zone through athena", "s3:GetObject", f"{RAW}/{INSIDE}", False, **VIA_ATHENA),
        s3_check("write outside the results prefix", "s3:PutObject", f"{RESULTS}/other/q-1.csv", False),
        kms_check("decrypt directly", "kms:Decrypt", False, **{"kms:CallerAccount": ACCOUNT}),
    ]


def failures(checks: list[Check], identity_doc: dict, principal: Principal = TRAINER,
             buckets: dict[str, dict] | None = None, key: dict | None = None) -> list[str]:
    """The checks whose decision is not the expected one. ``buckets``: bucket ARN -> its policy
    (default: the lake's bucket policy, no consumer statement)."""
    policies = [Policy("consumer identity policy", identity_doc)]
    wrong = []
    for label, service, action, resource, context, expected in checks:
        bucket = resource.split("/")[0]
        document = (buckets or {}).get(bucket) or zone_bucket_policy(bucket)
        resource_policy = Policy("key policy", key or lake_key()) if service == "kms" else Policy(bucket, document)
        decision = evaluate(Request(principal, action, resource, context), policies, resource_policy, ACCOUNT,
                            service)
        if decision.allowed != expected:
            wrong.append(f"{label}: {decision.decision} ({decision.reason})")
    return wrong


def test_a_prefixed_read_allows_exactly_the_prefix():
    assert failures(read_checks(PROCESSED), identity([grant("processed", "read", "features/")])) == []


def test_a_whole_zone_read_lists_the_bucket():
    checks = [s3_check("list the whole bucket", "s3:ListBucket", CURATED, True),
              s3_check("get anything", "s3:GetObject", f"{CURATED}/{OUTSIDE}", True)]
    assert failures(checks, identity([grant("curated", "read")])) == []


def test_a_prefixed_write_allows_multipart_uploads_under_the_prefix_only():
    assert failures(write_checks(PROCESSED), identity([grant("processed", "write", "features/")])) == []


def test_a_prefixed_delete_leaves_delete_markers_only():
    assert failures(delete_checks(RAW), identity([grant("raw", "delete", "features/")])) == []


def test_query_reads_the_zone_only_through_athena():
    assert failures(query_checks(), identity([grant("curated", "query")])) == []


def test_require_endpoint_allows_direct_requests_through_the_lake_endpoint_only():
    """With the perimeter on, the bucket policy denies outside the endpoint too; the identity
    policy alone does as well."""
    doc = identity([grant("processed", "read", "features/")], endpoint=True)
    fenced = {PROCESSED: zone_bucket_policy(PROCESSED, perimeter=True)}
    get = ("s3:GetObject", f"{PROCESSED}/{INSIDE}")
    assert failures([s3_check("through the endpoint", *get, True, **{"aws:SourceVpce": ENDPOINT})], doc,
                    buckets=fenced) == []
    for buckets in (None, fenced):
        assert failures([s3_check("outside the endpoint", *get, False),
                         s3_check("another endpoint", *get, False, **{"aws:SourceVpce": "vpce-0ther"})],
                        doc, buckets=buckets) == []


READ_FEATURES, WRITE_FEATURES = grant("processed", "read", "features/"), grant("processed", "write", "features/")


def external(grants: Sequence[GrantSettings], key_statements: bool = True, bucket_statements: bool = True) -> dict:
    """The partner's exported identity policy, and the lake's policies, for its grants."""
    extra = consumer_bucket_statements("partner", PARTNER.arn, PROCESSED, grants) if bucket_statements else []
    decrypt, data_key = external_key_grants({PARTNER.arn: grants}) if key_statements else ((), ())
    return {"identity_doc": identity(grants, caller=PARTNER_ACCOUNT), "principal": PARTNER,
            "buckets": {PROCESSED: zone_bucket_policy(PROCESSED, extra)},
            "key": lake_key(decrypt, data_key, (PARTNER_ACCOUNT,))}


@pytest.mark.parametrize(("access", "checks"), [
    (READ_FEATURES, read_checks(PROCESSED, PARTNER_ACCOUNT)),
    (WRITE_FEATURES, write_checks(PROCESSED, PARTNER_ACCOUNT)),
], ids=["read", "write"])
def test_an_external_consumer_gets_its_grants_through_the_bucket_and_key_policies(access, checks):
    assert failures(checks, **external([access])) == []


def test_an_external_consumer_needs_the_key_policy_too():
    assert failures(read_checks(PROCESSED, PARTNER_ACCOUNT), **external([READ_FEATURES], key_statements=False)) == [
        "decrypt through s3: implicit_deny (cross-account: the key policy grants nothing to account "
        f"{PARTNER_ACCOUNT})",
    ]


def test_an_external_consumer_needs_the_bucket_policy_too():
    wrong = failures(read_checks(PROCESSED, PARTNER_ACCOUNT), **external([READ_FEATURES], bucket_statements=False))
    assert [w.split(":")[0] for w in wrong] == ["locate", "list the prefix", "list under the prefix",
                                                "get under the prefix"]


def test_the_other_accounts_deny_holds_for_accounts_not_admitted():
    request = Request(PARTNER, "kms:Decrypt", KEY, through_s3(PARTNER_ACCOUNT))
    decision = evaluate(request, [Policy("identity", identity([READ_FEATURES], caller=PARTNER_ACCOUNT))],
                        Policy("key policy", lake_key((PARTNER.arn,))), ACCOUNT, "kms")
    assert (decision.decision, [r.sid for r in decision.deciding]) == ("explicit_deny", ["DenyUseByOtherAccounts"])


def test_a_write_grant_without_its_kms_statement_fails_the_proof():
    doc = identity([grant("processed", "write", "features/")])
    broken = {**doc, "Statement": [s for s in doc["Statement"] if s["Sid"] != "UseKeyThroughS3"]}
    assert [w.split(":")[0] for w in failures(write_checks(PROCESSED), broken)] == [
        "generate a data key through s3", "decrypt through s3 (multipart)"]


def test_a_prefix_grant_on_the_whole_bucket_fails_the_proof():
    doc = identity([grant("processed", "read", "features/")])
    widened = [{**s, "Resource": f"{PROCESSED}/*"} if s["Sid"] == "ReadObjects" else s for s in doc["Statement"]]
    assert [w.split(":")[0] for w in failures(read_checks(PROCESSED), {**doc, "Statement": widened})] == [
        "get another prefix"]
