"""The consumers' proof skips asking the evaluator about undeclared requests to buckets nothing
could open to the consumer, and does not even build the requests to such a bucket that no grant
names (it counts them): skipping must never change what LAKE.16 finds, nor any proof."""

from __future__ import annotations

import pytest

from policies.access import consumers
from policies.adapters.plan import lake_from_plan
from policies.registry import rule
from tests.mutations.plan_corpus import CONTROLS, MUTATIONS
from tests.mutations.run import mutated, recorded_plan

# Every mutation LAKE.16 must catch or that edits what consumers reach, the controls, and the unmutated lakes.
CASES = [m for m in (*MUTATIONS, *CONTROLS)
         if "LAKE.16" in m.rules or any(word in m.id for word in ("consumer", "partner", "analysts", "public", "key"))]


def _findings(model):
    return [(f.resource, f.status, f.message) for f in rule("LAKE.16").check(model)]


def _proofs(model, prefilter):
    """Every decidable consumer's proof: a failing finding does not say how many requests were made."""
    decidable = [c for c in model.consumers if consumers.undecidable(model, c) is None]
    return {c.name: consumers.prove(model, c, prefilter) for c in decidable}


@pytest.mark.parametrize("case", ["dev", "prod", *CASES], ids=["dev", "prod", *(m.id for m in CASES)])
def test_skipping_closed_buckets_changes_no_finding(case, monkeypatch):
    model = lake_from_plan(recorded_plan(case) if isinstance(case, str) else mutated(case))
    filtered = _findings(model)
    assert filtered, "the lake has consumers"
    assert _proofs(model, prefilter=True) == _proofs(model, prefilter=False)
    monkeypatch.setattr(consumers, "_open", lambda setting: {b.name for b in setting.model.buckets})
    assert filtered == _findings(model)


def test_a_bucket_open_to_the_consumer_is_still_asked(monkeypatch):
    """The filter is not vacuous: on the dev lake it closes the buckets no grant names, not the others."""
    model = lake_from_plan(recorded_plan("dev"))
    training = next(c for c in model.consumers if c.name == "training")
    setting = consumers._setting(model, training)
    assert sorted(consumers._open(setting)) == ["mlteam-dev-curated", "mlteam-dev-processed"]


def test_the_requests_not_built_are_counted_as_those_built_on_every_bucket_no_grant_names():
    """``_unbuilt`` counts each skipped bucket as one: true for every consumer of the dev and prod
    lakes (with and without the lake's endpoint), in every bucket none of its grants names."""
    settings = [consumers._setting(model, c) for model in map(lake_from_plan, map(recorded_plan, ("dev", "prod")))
                for c in model.consumers if consumers.undecidable(model, c) is None]
    assert {s.endpoint is None for s in settings} == {True, False}
    counts = [{sum(1 for _ in consumers._on_bucket(s, b)) for b in s.model.buckets if b.name not in s.declared.buckets}
              for s in settings]
    # Direct: 6 object actions and 2 listings on the whole bucket, locating it, 7 administration
    # actions; the 9 but administration again through Athena; nothing again from outside the endpoint.
    assert counts == [{25}] * 4
