"""The effective schedule: what S3 does to each object class when several lifecycle rules apply.

Precedence as https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-conflicts.html states it.
"""

from policies.lifecycle_schedule import Action, Preempted, Track, conflicts, object_classes
from policies.model import UNKNOWN, Lifecycle, LifecycleRule, Transition


def rule(rule_id, prefix="", transitions=(), expiration_days=None, enabled=True, **actions):
    return LifecycleRule(rule_id, enabled, prefix=prefix, transitions=tuple(Transition(d, c) for d, c in transitions),
                         expiration_days=expiration_days, **actions)


def classes(*rules, versioned=True):
    return object_classes(Lifecycle(rules), versioned)


def by_prefix(*rules, versioned=True):
    return {c.prefix: c for c in classes(*rules, versioned=versioned)}


def messages(*rules, versioned=True):
    return [c.message for c in conflicts(classes(*rules, versioned=versioned))]


EXPIRE_ALL = rule("expire-all", expiration_days=60)
TIER_IMAGES = rule("tier-images", "images/", [(30, "STANDARD_IA"), (90, "GLACIER")])


def test_nested_prefixes_make_one_class_each_covered_by_every_rule_whose_prefix_starts_it():
    found = by_prefix(EXPIRE_ALL, TIER_IMAGES, rule("recent", "images/2024/", [(45, "GLACIER")]), rule("tmp", "tmp/"))
    assert {p: c.rules for p, c in found.items()} == {
        "": ("expire-all",),
        "tmp/": ("expire-all", "tmp"),
        "images/": ("expire-all", "tier-images"),
        "images/2024/": ("expire-all", "tier-images", "recent"),
    }
    assert found["images/2024/"].current.transitions == (
        Action("tier-images", 30, "STANDARD_IA", "images/"), Action("recent", 45, "GLACIER", "images/2024/"))


def test_objects_under_no_rules_prefix_form_a_class_without_any_action():
    [outside, images] = classes(TIER_IMAGES)
    assert (outside.prefix, outside.rules, outside.current, outside.abort_multipart) == (None, (), Track(), None)
    assert (outside.subject, images.subject) == ("objects under no rule's prefix", "objects under images/")


def test_disabled_rules_are_ignored():
    assert by_prefix(rule("off", expiration_days=1, enabled=False), TIER_IMAGES).keys() == {None, "images/"}


def test_shorter_expiration_wins_and_preempts_the_moves_after_it():
    images = by_prefix(EXPIRE_ALL, replace_days(TIER_IMAGES, 400))["images/"].current
    assert images.expiration == Action("expire-all", 60)
    assert images.transitions == (Action("tier-images", 30, "STANDARD_IA", "images/"),)
    assert images.preempted == (
        Preempted(Action("tier-images", 90, "GLACIER", "images/"), Action("expire-all", 60)),
        Preempted(Action("tier-images", 400, prefix="images/"), Action("expire-all", 60)),
    )


def replace_days(base, expiration_days):
    return LifecycleRule(base.id, True, base.prefix, base.transitions, expiration_days)


def test_colder_move_wins_on_the_same_day_and_warmer_moves_never_happen():
    track = classes(rule("ia", transitions=[(90, "STANDARD_IA")]), rule("glacier", transitions=[(90, "GLACIER")]),
                    rule("ir", transitions=[(120, "GLACIER_IR")]))[0].current
    assert track.transitions == (Action("glacier", 90, "GLACIER"),)
    assert track.preempted == (Preempted(Action("ia", 90, "STANDARD_IA"), Action("glacier", 90, "GLACIER")),
                               Preempted(Action("ir", 120, "GLACIER_IR"), Action("glacier", 90, "GLACIER")))


def test_the_same_move_in_two_rules_happens_once_and_preempts_neither():
    track = classes(rule("a", transitions=[(30, "STANDARD_IA")]), rule("b", transitions=[(30, "STANDARD_IA")]))[0]
    assert (track.current.transitions, track.current.preempted) == ((Action("a", 30, "STANDARD_IA"),), ())


def test_same_day_expiration_deletes_unversioned_objects_but_only_marks_versioned_ones():
    rules = (rule("move", transitions=[(90, "GLACIER")]), rule("expire", expiration_days=90))
    assert classes(*rules, versioned=False)[0].current.preempted == (
        Preempted(Action("move", 90, "GLACIER"), Action("expire", 90)),)
    # Transition takes precedence over the creation of a delete marker.
    assert classes(*rules, versioned=True)[0].current.transitions == (Action("move", 90, "GLACIER"),)
    assert classes(*rules, versioned=UNKNOWN) is UNKNOWN


def test_noncurrent_versions_are_deleted_permanently_so_their_expiration_wins_the_day():
    track = classes(rule("move", noncurrent_transitions=(Transition(30, "GLACIER"),)),
                    rule("expire", noncurrent_expiration_days=30))[0].noncurrent
    assert (track.transitions, track.expiration) == ((), Action("expire", 30))


def test_earliest_abort_of_incomplete_uploads_applies():
    found = by_prefix(rule("all", abort_incomplete_multipart_upload_days=7),
                      rule("tmp", "tmp/", abort_incomplete_multipart_upload_days=1))
    assert (found[""].abort_multipart, found["tmp/"].abort_multipart) == (Action("all", 7), Action("tmp", 1))


def test_unknown_values_of_rules_that_may_apply_make_the_schedule_unknown():
    assert classes(rule("a", expiration_days=UNKNOWN)) is UNKNOWN
    assert classes(rule("a", prefix=UNKNOWN, expiration_days=30)) is UNKNOWN
    assert classes(rule("a", expiration_days=30, enabled=UNKNOWN)) is UNKNOWN
    assert object_classes(UNKNOWN, True) is UNKNOWN
    assert classes(rule("a", expiration_days=UNKNOWN, enabled=False), EXPIRE_ALL)[0].current.expiration == (
        Action("expire-all", 60))


def test_conflicts_name_the_dead_actions_once_on_the_rules_own_class():
    deeper = rule("deeper", "images/2024/", abort_incomplete_multipart_upload_days=7)
    assert messages(EXPIRE_ALL, TIER_IMAGES, deeper) == [
        "rule tier-images never moves objects under images/ to GLACIER at day 90: rule expire-all expires every one "
        "of them at day 60",
    ]


def test_conflicts_name_moves_preempted_by_a_colder_class():
    assert messages(rule("archive", transitions=[(60, "DEEP_ARCHIVE")]), TIER_IMAGES) == [
        "rule tier-images never moves objects under images/ to GLACIER at day 90: they are in DEEP_ARCHIVE from "
        "day 60 (rule archive)",
    ]


def test_conflicts_name_billing_traps_between_rules():
    assert messages(rule("ia", transitions=[(30, "STANDARD_IA")]), rule("cold", "raw/", [(40, "GLACIER")]),
                    rule("short", "raw/", expiration_days=100)) == [
        "objects under raw/ move to GLACIER at day 40 (rule cold), 10 days after STANDARD_IA at day 30 (rule ia); "
        "STANDARD_IA bills at least 30 days",
        "objects under raw/ expire at day 100 (rule short), before day 130 (GLACIER from day 40, rule cold, bills at "
        "least 90 days)",
    ]


def test_a_narrower_rule_that_preempts_only_some_objects_of_a_rule_is_no_conflict():
    assert messages(rule("keep", noncurrent_transitions=(Transition(30, "STANDARD_IA"),)),
                    rule("drop", "tmp/", noncurrent_expiration_days=10)) == []


def test_noncurrent_conflicts_say_so():
    assert messages(rule("keep", "images/", noncurrent_transitions=(Transition(30, "STANDARD_IA"),)),
                    rule("drop", noncurrent_expiration_days=10)) == [
        "rule keep never moves noncurrent versions of objects under images/ to STANDARD_IA at day 30: rule drop "
        "expires every one of them at day 10",
    ]


def test_a_tag_filtered_rule_never_preempts_the_rules_for_every_object():
    # Expiring tagged scratch objects at day 1 is a choice about those objects only.
    scratch = rule("expire-scratch", expiration_days=1, filtered=True)
    assert messages(TIER_IMAGES, scratch) == []
    assert [(c.prefix, c.rules, c.narrowed_by) for c in classes(TIER_IMAGES, scratch)] == [
        (None, (), None), ("images/", ("tier-images",), None), ("", ("expire-scratch",), "expire-scratch")]


def test_a_filtered_rule_whose_own_action_never_happens_is_a_conflict_named_by_its_filter():
    late_glacier = rule("archive-tagged", "images/", [(120, "GLACIER")], filtered=True)
    assert messages(EXPIRE_ALL, late_glacier) == [
        "rule archive-tagged never moves objects under images/ matching rule archive-tagged's filter to GLACIER at "
        "day 120: rule expire-all expires every one of them at day 60"]


def test_an_unknown_filter_makes_the_schedule_unknown():
    assert classes(EXPIRE_ALL, rule("maybe-tagged", expiration_days=5, filtered=UNKNOWN)) is UNKNOWN
