"""The consumers' proof skips asking the evaluator about undeclared requests to buckets nothing
could open to the consumer: skipping must never change what LAKE.16 finds."""

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


@pytest.mark.parametrize("case", ["dev", "prod", *CASES], ids=["dev", "prod", *(m.id for m in CASES)])
def test_skipping_closed_buckets_changes_no_finding(case, monkeypatch):
    model = lake_from_plan(recorded_plan(case) if isinstance(case, str) else mutated(case))
    filtered = _findings(model)
    assert filtered, "the lake has consumers"
    monkeypatch.setattr(consumers, "_may_allow", lambda setting, bucket: True)
    assert filtered == _findings(model)


def test_a_bucket_open_to_the_consumer_is_still_asked(monkeypatch):
    """The filter is not vacuous: on the dev lake it closes the buckets no grant names, not the others."""
    model = lake_from_plan(recorded_plan("dev"))
    training = next(c for c in model.consumers if c.name == "training")
    setting = consumers._setting(model, training)
    open_ = sorted(b.name for b in model.buckets if consumers._may_allow(setting, b))
    assert open_ == ["mlteam-dev-curated", "mlteam-dev-processed"]
