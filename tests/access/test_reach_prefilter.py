"""The reach rule skips the buckets a role cannot touch (no identity Allow on them, no bucket-policy
Allow that may name it): skipping must never change what the rule finds."""

from __future__ import annotations

import pytest

from policies.access import reach
from policies.adapters.plan import lake_from_plan
from policies.registry import rule
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
    monkeypatch.setattr(reach, "may_reach", lambda actor, bucket: True)
    assert filtered == _findings(model)


def test_service_only_and_non_s3_grants_do_not_make_a_bucket_reachable():
    log_delivery = {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
                    "Resource": "*"}
    glue_anywhere = {"Effect": "Allow", "Action": "glue:GetTable", "Resource": "*"}
    assert not reach.may_name_a_role(log_delivery)
    assert not reach._names_s3(glue_anywhere)
    assert reach.may_name_a_role({"Effect": "Allow", "Principal": "*"})
    assert reach._names_s3({"Effect": "Allow", "Action": "s*:Get*", "Resource": "*"})
    assert reach._covers_bucket({"Resource": "arn:aws:s3:::raw*/x/*"}, "arn:aws:s3:::raw-zone")
    assert not reach._covers_bucket({"Resource": "arn:aws:s3:::curated/*"}, "arn:aws:s3:::raw")
