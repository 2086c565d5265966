"""The reach rule skips the buckets a role cannot touch (no identity Allow on them, no bucket-policy
Allow that may name it): skipping must never change what the rule finds."""

from __future__ import annotations

import pytest

from policies.access import reach
from policies.access.actors import Actor
from policies.adapters.plan import lake_from_plan
from policies.evaluator.request import Policy, Principal
from policies.registry import rule
from tests.policies.builders import zone_bucket
from tests.mutations.plan_corpus import CONTROLS, MUTATIONS
from tests.mutations.run import mutated, recorded_plan

# Every edit of roles, bucket policies and the key policy in the corpus, and the unmutated lakes.
CASES = [m for m in (*MUTATIONS, *CONTROLS)
         if any(word in m.id for word in ("crawler", "trust", "public", "foreign", "key", "inline", "managed"))]


def _findings(model):
    return [(f.resource, f.status, f.message) for f in rule("LAKE.10").check(model)]


@pytest.mark.parametrize("case", [None, *CASES], ids=["unmutated", *(m.id for m in CASES)])
def test_skipping_untouchable_buckets_changes_no_finding(case, monkeypatch):
    model = lake_from_plan(mutated(case) if case else recorded_plan("dev"))
    filtered = _findings(model)
    monkeypatch.setattr(reach, "reachable", lambda actor, buckets: list(buckets))
    assert filtered == _findings(model)


def test_service_only_and_non_s3_grants_do_not_make_a_bucket_reachable():
    log_delivery = {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
                    "Resource": "*"}
    glue_anywhere = {"Effect": "Allow", "Action": "glue:GetTable", "Resource": "*"}
    assert not reach.may_name_a_role(log_delivery)
    assert not reach._names_s3(glue_anywhere)
    assert reach.may_name_a_role({"Effect": "Allow", "Principal": "*"})
    assert reach._names_s3({"Effect": "Allow", "Action": "s*:Get*", "Resource": "*"})


def _role(*statements):
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return Actor("role", Principal.iam("arn:aws:iam::123456789012:role/r"), (Policy("p", document),), "as declared")


def _allow(**fields):
    return {"Effect": "Allow", "Action": "s3:GetObject", **fields}


BUCKETS = (zone_bucket("raw"), zone_bucket("raw-zone"), zone_bucket("curated"))


@pytest.mark.parametrize(("statement", "names"), [
    (_allow(Resource="arn:aws:s3:::ml-dev-raw*/x/*"), ["ml-dev-raw", "ml-dev-raw-zone"]),
    (_allow(Resource=["arn:aws:s3:::ml-dev-curated/*"]), ["ml-dev-curated"]),
    (_allow(Resource="arn:aws:s3:::ml-dev-raw"), ["ml-dev-raw"]),
    (_allow(NotResource="arn:aws:s3:::ml-dev-raw/*"), ["ml-dev-raw", "ml-dev-raw-zone", "ml-dev-curated"]),
    (_allow(Resource=[{"Ref": "x"}]), ["ml-dev-raw", "ml-dev-raw-zone", "ml-dev-curated"]),
    (_allow(Resource="*", Action="glue:*"), []),
    (_allow(Resource="*", Effect="Deny"), []),
    (_allow(), []),
], ids=["bucket-part", "objects", "bucket", "not-resource", "not-a-string", "not-s3", "deny", "no-resource"])
def test_reachable_buckets_are_those_an_identity_allow_of_s3_covers(statement, names):
    assert [b.name for b in reach.reachable(_role(statement), BUCKETS)] == names


def test_a_bucket_policy_allow_that_may_name_a_role_makes_a_bucket_reachable_to_every_role():
    to_roles = zone_bucket("curated", policy={"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}}]})
    to_log_delivery = zone_bucket("raw", policy={"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject"}]})
    assert [b.name for b in reach.reachable(_role(), (to_log_delivery, BUCKETS[1], to_roles))] == ["ml-dev-curated"]
