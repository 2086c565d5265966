"""Properties of the evaluator over small random policies (a tiny alphabet of actions, resources,
principals and conditions, so that statements often match and often clash)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.evaluator.evaluate import evaluate
from policies.evaluator.request import Decision, Policy, Principal, Request

from .support import ACCOUNT, OTHER_ACCOUNT, role

KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k"
TARGETS = [("s3:GetObject", "arn:aws:s3:::b/k"), ("s3:PutObject", "arn:aws:s3:::b/k"),
           ("s3:ListBucket", "arn:aws:s3:::b"), ("kms:Decrypt", KEY)]
# Same-account roles twice: they are the callers most often allowed, and allows are what a property can lose.
PRINCIPALS = [role("A"), role("A"), role("B", OTHER_ACCOUNT), Principal.anonymous(),
              Principal.aws_service("logging.s3.amazonaws.com")]
PRINCIPAL_ELEMENTS = ["*", {"AWS": "*"}, {"AWS": ACCOUNT}, {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                      {"AWS": role("A").arn}, {"AWS": [role("B", OTHER_ACCOUNT).arn, ACCOUNT]},
                      {"Service": "logging.s3.amazonaws.com"}]
CONDITIONS = [
    {"Bool": {"aws:SecureTransport": "false"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
    {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}},
    {"Null": {"s3:prefix": "true"}},
    {"StringLikeIfExists": {"s3:prefix": "p/*"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}},
    {"Unknown": {"aws:PrincipalAccount": ACCOUNT}},
]
CONTEXTS = st.fixed_dictionaries(
    {"aws:SecureTransport": st.sampled_from(["true", "false"])},
    optional={"s3:prefix": st.sampled_from(["p/x", "q/"]), "aws:TagKeys": st.lists(st.sampled_from("abc"), max_size=2)},
)


def _one_or_list(values: list) -> st.SearchStrategy:
    return st.sampled_from(values) | st.lists(st.sampled_from(values), min_size=1, max_size=2)


def _element(names: list[str], values: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """``{name: value}`` for one of ``names`` (``Action`` or ``NotAction``, ...)."""
    return st.builds(lambda name, value: {name: value}, st.sampled_from(names), values)


def statements(effect: st.SearchStrategy[str], resource_based: bool) -> st.SearchStrategy[dict]:
    """One statement; each Sid unique, so decisions compare whatever the statements' order."""
    actions = _one_or_list(["s3:GetObject", "s3:PutObject", "s3:Get*", "s3:*", "*", "kms:Decrypt", "kms:*"])
    resources = _one_or_list(["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k", "arn:aws:s3:::b", KEY])
    parts = [
        st.builds(lambda sid, e: {"Sid": sid, "Effect": e}, st.uuids().map(str), effect),
        _element(["Action", "Action", "NotAction"], actions),
        _element(["Resource", "Resource", "NotResource"], resources),
        st.just({}) | _element(["Condition"], st.sampled_from(CONDITIONS)),
    ]
    if resource_based:
        parts.append(_element(["Principal", "Principal", "NotPrincipal"], st.sampled_from(PRINCIPAL_ELEMENTS)))
    return st.tuples(*parts).map(lambda dicts: {k: v for d in dicts for k, v in d.items()})


def policies(name: str, resource_based: bool) -> st.SearchStrategy[Policy]:
    """Allows outnumber denies two to one, so that allows are common enough to lose."""
    body = st.lists(statements(st.sampled_from(["Allow", "Allow", "Deny"]), resource_based), min_size=1, max_size=4)
    return body.map(lambda statements_: Policy(name, {"Statement": statements_}))


def edited(policy: Policy, change) -> Policy:
    return Policy(policy.name, {"Statement": change(list(policy.document["Statement"]))})


@dataclass(frozen=True)
class Case:
    request: Request
    identity: tuple[Policy, ...]
    resource: Policy | None
    service: str
    restrict_public_buckets: bool

    def decide(self) -> Decision:
        return evaluate(self.request, self.identity, self.resource, ACCOUNT, self.service, self.restrict_public_buckets)

    def edit(self, change) -> Case:
        """Apply ``change`` to the statement list of every policy."""
        resource = edited(self.resource, change) if self.resource else None
        return replace(self, identity=tuple(edited(p, change) for p in self.identity), resource=resource)


cases = st.builds(
    Case,
    st.builds(lambda principal, target, context: Request(principal, *target, context),
              st.sampled_from(PRINCIPALS), st.sampled_from(TARGETS), CONTEXTS),
    st.lists(st.integers(0, 9), unique=True, max_size=2).flatmap(
        lambda ids: st.tuples(*(policies(f"identity{i}", False) for i in ids))),
    st.tuples(policies("resource", True), st.sampled_from([True, True, False])).map(lambda p: p[0] if p[1] else None),
    st.sampled_from(["s3", "kms"]),
    st.booleans(),
)


def with_statement(case: Case, statement: dict, in_resource: bool) -> Case:
    if in_resource:
        resource = case.resource or Policy("resource", {"Statement": []})
        return replace(case, resource=edited(resource, lambda body: [*body, statement]))
    return replace(case, identity=(*case.identity, Policy("added", {"Statement": [statement]})))


def without(case: Case, effect: str) -> Case:
    return case.edit(lambda body: [s for s in body if s["Effect"] != effect])


def deciding_sids(decision: Decision) -> set[str | None]:
    return {r.sid for r in decision.deciding}


SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(cases, st.data(), st.booleans())
def test_adding_a_deny_never_allows_and_never_lifts_an_explicit_deny(case, data, in_resource):
    before = case.decide()
    after = with_statement(case, data.draw(statements(st.just("Deny"), in_resource)), in_resource).decide()
    assert not (after.allowed and not before.allowed)
    assert before.decision != "explicit_deny" or after.decision == "explicit_deny"


@SETTINGS
@given(cases, st.data(), st.booleans())
def test_adding_an_allow_never_denies(case, data, in_resource):
    # Under Block Public Access a public Allow in the bucket policy voids its cross-account grants
    # (test_evaluate shows it), so resource-policy additions are tried without it.
    case = replace(case, restrict_public_buckets=case.restrict_public_buckets and not in_resource)
    before = case.decide()
    after = with_statement(case, data.draw(statements(st.just("Allow"), in_resource)), in_resource).decide()
    assert not before.allowed or after.allowed


@SETTINGS
@given(cases)
def test_an_explicit_deny_names_deny_statements_and_goes_with_them(case):
    decision = case.decide()
    if decision.decision != "explicit_deny":
        return
    policies_ = {p.name: p for p in (*case.identity, case.resource) if p is not None}
    effects = {policies_[r.policy].document["Statement"][r.index]["Effect"] for r in decision.deciding}
    assert effects == {"Deny"}
    assert without(case, "Deny").decide().decision != "explicit_deny"
    for deny in decision.deciding:  # each one named denies on its own
        alone = case.edit(lambda body: [s for s in body if s["Effect"] == "Allow" or s["Sid"] == deny.sid])
        assert deciding_sids(alone.decide()) == {deny.sid}


@SETTINGS
@given(cases, st.randoms(use_true_random=False))
def test_the_case_of_the_action_name_does_not_matter(case, rnd):
    action = "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in case.request.action)
    before, after = case.decide(), replace(case, request=replace(case.request, action=action)).decide()
    assert (after.decision, after.deciding) == (before.decision, before.deciding)


@SETTINGS
@given(cases, st.randoms(use_true_random=False))
def test_the_order_of_statements_and_policies_does_not_matter(case, rnd: random.Random):
    reordered = case.edit(lambda body: rnd.sample(body, len(body)))
    reordered = replace(reordered, identity=tuple(rnd.sample(reordered.identity, len(reordered.identity))))
    before, after = case.decide(), reordered.decide()
    assert (after.decision, deciding_sids(after)) == (before.decision, deciding_sids(before))


@SETTINGS
@given(cases)
def test_without_allow_statements_nothing_is_allowed(case):
    assert not without(case, "Allow").decide().allowed
