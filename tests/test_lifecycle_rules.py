"""Lifecycle rules built from LifecycleSettings."""

from components.lifecycle import lifecycle_rules
from components.settings import LifecycleSettings, NoncurrentVersions, Transition, default_logs_lifecycle


def test_default_rules():
    assert lifecycle_rules(LifecycleSettings()) == [
        {
            "id": "tier-current-objects",
            "status": "Enabled",
            "filter": {},
            "transitions": [
                {"days": 30, "storage_class": "STANDARD_IA"},
                {"days": 90, "storage_class": "GLACIER_IR"},
            ],
        },
        {
            "id": "expire-noncurrent-versions",
            "status": "Enabled",
            "filter": {},
            "noncurrent_version_expiration": {"noncurrent_days": 90},
            "noncurrent_version_transitions": [{"noncurrent_days": 30, "storage_class": "STANDARD_IA"}],
        },
        {
            "id": "abort-incomplete-multipart-uploads",
            "status": "Enabled",
            "filter": {},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
        },
        {
            "id": "remove-expired-delete-markers",
            "status": "Enabled",
            "filter": {},
            "expiration": {"expired_object_delete_marker": True},
        },
    ]


def test_prefix_expiration_and_newer_versions():
    settings = LifecycleSettings(
        transitions=(Transition(30, "STANDARD_IA"), Transition(120, "DEEP_ARCHIVE")),
        expiration_days=400,
        noncurrent=NoncurrentVersions(transitions=(), expiration_days=30, newer_noncurrent_versions=2),
        abort_incomplete_multipart_upload_days=3,
        expired_object_delete_marker=False,
        prefix="images/",
    )
    rules = lifecycle_rules(settings)
    assert [r["id"] for r in rules] == [
        "tier-current-objects",
        "expire-noncurrent-versions",
        "abort-incomplete-multipart-uploads",
    ]
    assert rules[0]["filter"] == {"prefix": "images/"}
    assert rules[0]["expiration"] == {"days": 400}
    assert rules[1] == {
        "id": "expire-noncurrent-versions",
        "status": "Enabled",
        "filter": {},
        "noncurrent_version_expiration": {"noncurrent_days": 30, "newer_noncurrent_versions": 2},
    }
    assert rules[2]["abort_incomplete_multipart_upload"] == {"days_after_initiation": 3}


def test_logs_retention_has_no_tiering_but_expires():
    rules = lifecycle_rules(default_logs_lifecycle())
    assert rules[0] == {"id": "tier-current-objects", "status": "Enabled", "filter": {}, "expiration": {"days": 365}}
    assert all("transitions" not in r for r in rules)


def test_no_rule_combines_delete_marker_cleanup_with_days():
    for rule in lifecycle_rules(LifecycleSettings(expiration_days=500)):
        expiration = rule.get("expiration", {})
        assert not ("expired_object_delete_marker" in expiration and "days" in expiration)
