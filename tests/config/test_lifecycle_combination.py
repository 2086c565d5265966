"""Config time: the rules the program writes for a lifecycle, judged together as S3 applies them.

``components.lifecycle`` writes one rule per concern (tiering, noncurrent versions, multipart
uploads, delete markers), so a valid configuration cannot make its rules preempt each other: what
a configuration can get wrong lies inside one rule and is refused by the schedule checks
(test_semantic_checks.py), once. The combination check guards the rule set itself, with S3.13's
judgement (``policies.lifecycle_schedule``).
"""

from __future__ import annotations

from components.lifecycle import lifecycle_rules
from components.settings import LifecycleSettings, Transition
from lake.config.lifecycle import combination_problems
from tests.config.helpers import error_lines, lake, transitions, zone

P = "Pulumi.dev.yaml: datalake:"
Z0 = "datalake:zones[0].lifecycle"
TIER_IMAGES = LifecycleSettings(prefix="images/",
                                transitions=(Transition(30, "STANDARD_IA"), Transition(90, "GLACIER")))
EXPIRE_EVERYTHING = {"id": "expire-everything", "status": "Enabled", "filter": {}, "expiration": {"days": 60}}


def test_rules_that_preempt_each_other_are_an_error_at_the_lifecycle_path():
    problems = combination_problems(Z0, [*lifecycle_rules(TIER_IMAGES), EXPIRE_EVERYTHING])
    assert [(str(p), p.severity) for p in problems] == [(
        f"{Z0}: rule tier-current-objects never moves objects under images/ to GLACIER at day 90: rule "
        "expire-everything expires every one of them at day 60", "error",
    )]


def test_noncurrent_rules_are_judged_together_too():
    drop_early = {"id": "drop-early", "status": "Enabled", "filter": {},
                  "noncurrent_version_expiration": {"noncurrent_days": 10}}
    problems = combination_problems(Z0, [*lifecycle_rules(LifecycleSettings()), drop_early])
    assert [str(p) for p in problems] == [
        f"{Z0}: rule expire-noncurrent-versions never moves noncurrent versions of objects to STANDARD_IA at day 30: "
        "rule drop-early expires every one of them at day 10",
        f"{Z0}: rule expire-noncurrent-versions never expires noncurrent versions of objects at day 90: rule "
        "drop-early expires every one of them at day 10",
    ]


def test_disabled_rules_take_no_part():
    disabled = {**EXPIRE_EVERYTHING, "status": "Disabled"}
    assert combination_problems(Z0, [*lifecycle_rules(TIER_IMAGES), disabled]) == []


def test_the_rules_of_every_default_lifecycle_and_of_a_prefixed_tiering_agree():
    for settings in (LifecycleSettings(), TIER_IMAGES, LifecycleSettings(expiration_days=400, prefix="raw/")):
        assert combination_problems(Z0, lifecycle_rules(settings)) == []


def test_expiration_before_a_transition_is_reported_once_by_the_rule_s3_refuses():
    values = lake(zones=[zone(prefix="images/", transitions=transitions((30, "STANDARD_IA"), (120, "GLACIER")),
                              expirationDays=60)])
    assert error_lines(values) == [
        f"{P}zones[0].lifecycle.expirationDays: expiration at day 60 must come after the last transition, to GLACIER "
        "at day 120",
    ]


def test_noncurrent_expiration_before_its_transitions_is_reported_once_by_the_rule_s3_refuses():
    values = lake(zones=[zone(noncurrentVersions={"transitions": transitions((30, "STANDARD_IA"), (90, "GLACIER")),
                                                  "expirationDays": 60})])
    assert error_lines(values) == [
        f"{P}zones[0].lifecycle.noncurrentVersions.expirationDays: expiration at day 60 must come after the last "
        "transition, to GLACIER at day 90",
    ]
