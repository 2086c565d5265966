"""The two-way proof of LAKE.16 (policies/access/consumers.py): which requests it declares, how it
treats external consumers, query grants and the endpoint, and when it cannot be made."""

from dataclasses import replace

import pytest

from lake.plan.render import plan_document
from policies.access.consumers import probes, prove, undecidable
from policies.adapters.plan import lake_from_plan
from policies.model import UNKNOWN
from tests.access.consumer_models import PARTNER, analysts, arn, consumer_lake, partner, training
from tests.consumer_stack import consumers_plan
from tests.policies.builders import endpoint


def declared(model, consumer) -> list[tuple[str, str]]:
    """The requests the proof must see allowed, proven so (nothing missing)."""
    assert prove(model, consumer).missing == []
    return [(p.action, p.where) for p in probes(model, consumer) if p.expected]


def test_a_reader_and_writer_declares_its_places_only():
    assert declared(consumer_lake(training()), training()) == [
        ("s3:GetObject", "ml-dev-curated/*"),
        ("s3:ListBucket (no s3:prefix)", "ml-dev-curated/*"),
        ("s3:ListBucket", "ml-dev-curated/*"),
        ("s3:GetBucketLocation", "ml-dev-curated"),
        ("s3:GetObject through Athena", "ml-dev-curated/*"),
        ("s3:ListBucket (no s3:prefix) through Athena", "ml-dev-curated/*"),
        ("s3:ListBucket through Athena", "ml-dev-curated/*"),
        ("s3:GetBucketLocation through Athena", "ml-dev-curated"),
        ("s3:PutObject", "ml-dev-processed/features/"),
        ("s3:AbortMultipartUpload", "ml-dev-processed/features/"),
        ("s3:ListMultipartUploadParts", "ml-dev-processed/features/"),
        ("s3:GetBucketLocation", "ml-dev-processed"),
        ("s3:PutObject through Athena", "ml-dev-processed/features/"),
        ("s3:AbortMultipartUpload through Athena", "ml-dev-processed/features/"),
        ("s3:ListMultipartUploadParts through Athena", "ml-dev-processed/features/"),
        ("s3:GetBucketLocation through Athena", "ml-dev-processed"),
        ("kms:Decrypt through S3", "key lake-key-key"),
        ("kms:GenerateDataKey through S3", "key lake-key-key"),
    ]


def test_a_query_grant_reads_its_zone_through_athena_only_and_its_results_from_anywhere():
    rows = declared(consumer_lake(analysts()), analysts())
    assert [r for r in rows if r[1].startswith("ml-dev-curated")] == [
        ("s3:GetObject through Athena", "ml-dev-curated/*"),
        ("s3:ListBucket (no s3:prefix) through Athena", "ml-dev-curated/*"),
        ("s3:ListBucket through Athena", "ml-dev-curated/*"),
        ("s3:GetBucketLocation through Athena", "ml-dev-curated"),
    ]
    assert ("s3:PutObject without the endpoint", "ml-dev-query-results/results/") in rows
    assert ("s3:PutObject through Athena", "ml-dev-query-results/results/") in rows
    assert [r for r in rows if not r[0].startswith("s3:")] == [
        ("kms:Decrypt through S3", "key lake-key-key"),
        ("kms:GenerateDataKey through S3", "key lake-key-key"),
        ("kms:Decrypt through Glue", "key lake-key-key"),
        ("athena:StartQueryExecution", "workgroup ml-dev"),
        ("glue:GetTable", "database ml_dev_curated"),
    ]


def test_an_external_consumer_is_held_by_the_lake_s_policies_alone():
    """Its own account may allow it everything: a bucket statement naming the whole bucket is excess."""
    model = consumer_lake(partner())
    curated = model.bucket_named("ml-dev-curated")
    wide = {"Sid": "Wide", "Effect": "Allow", "Principal": {"AWS": PARTNER}, "Action": "s3:DeleteObject",
            "Resource": arn("ml-dev-curated/*")}
    model = replace(model, buckets=tuple(
        replace(b, policy={**b.policy, "Statement": [*b.policy["Statement"], wide]}) if b is curated else b
        for b in model.buckets))
    proof = prove(model, partner())
    assert (proof.missing, [(p.action, p.where) for p in proof.excess]) == ([], [
        ("s3:DeleteObject", "ml-dev-curated/features/"),
        ("s3:DeleteObject", "ml-dev-curated/* outside features/"),
        ("s3:DeleteObject through Athena", "ml-dev-curated/features/"),
        ("s3:DeleteObject through Athena", "ml-dev-curated/* outside features/"),
    ])


@pytest.mark.parametrize(("change", "reason"), [
    (lambda m: replace(m, endpoints=(endpoint(endpoint_id=UNKNOWN),)),
     "the id of the lake's endpoint cannot be known before deployment"),
    (lambda m: replace(m, buckets=tuple(b for b in m.buckets if b.name != "ml-dev-curated")),
     "the bucket of consumer analysts's grant on zone curated is not known"),
    (lambda m: replace(m, buckets=tuple(replace(b, arn=UNKNOWN) for b in m.buckets)),
     "the ARN or policy of bucket ml-dev-curated cannot be known before deployment"),
    (lambda m: replace(m, region=UNKNOWN), "the lake's account or region cannot be known before deployment"),
])
def test_undecidable(change, reason):
    assert undecidable(change(consumer_lake(analysts())), analysts()) == reason


def test_undecidable_database_and_endpoint_requirement():
    unknown_database = replace(analysts(), grants=(replace(analysts().grants[0], database=UNKNOWN),))
    assert undecidable(consumer_lake(), unknown_database) == \
        "the database of zone curated cannot be known before deployment"
    assert undecidable(consumer_lake(), replace(analysts(), require_endpoint=UNKNOWN)) == \
        "whether consumer analysts must use the lake's endpoint cannot be known"


def test_every_consumer_of_the_consumers_stack_gets_exactly_its_declared_access(tmp_path):
    """One consumer of each kind and shape, as the program builds and the plan adapter reads them."""
    model = lake_from_plan(plan_document(consumers_plan(tmp_path)))
    proofs = {c.name: prove(model, c) for c in model.consumers if undecidable(model, c) is None}
    assert sorted(proofs) == ["analysts", "auditors", "batch", "notebook", "partner", "training"]
    assert {name: (p.missing, p.excess) for name, p in proofs.items()} == dict.fromkeys(proofs, ([], []))
