"""The exact rule set, in registry order, and that the compliant lake passes all of it."""

from policies.evaluate import evaluate
from policies.registry import all_rules
from policies.rule import Status
from tests.policies.builders import crawler_inline_policies, lake, lake_key, logs_bucket, zone_bucket

RULE_SET = [
    ("S3.1", "medium"),
    ("S3.2", "critical"),
    ("S3.3", "critical"),
    ("S3.5", "high"),
    ("S3.6", "high"),
    ("S3.8", "high"),
    ("S3.9", "medium"),
    ("S3.12", "medium"),
    ("S3.13", "medium"),
    ("S3.14", "high"),
    ("S3.17", "high"),
    ("KMS.1", "medium"),
    ("KMS.2", "medium"),
    ("KMS.3", "critical"),
    ("KMS.4", "medium"),
    ("KMS.5", "critical"),
    ("EC2.6", "medium"),
    ("LAKE.1", "high"),
    ("LAKE.2", "high"),
    ("LAKE.3", "critical"),
    ("LAKE.4", "high"),
    ("LAKE.5", "high"),
    ("LAKE.6", "high"),
    ("LAKE.7", "high"),
    ("LAKE.8", "high"),
    ("LAKE.9", "high"),
    ("LAKE.10", "high"),
    ("LAKE.11", "high"),
    ("LAKE.12", "critical"),
    ("LAKE.13", "high"),
    ("LAKE.14", "critical"),
    ("LAKE.15", "critical"),
    ("LAKE.16", "high"),
]
KEPT = {"protect": True, "retain_on_delete": True}


def failures(model) -> list[tuple[str, str, str]]:
    return [(f.rule_id, f.resource, f.message) for f in evaluate(model) if f.status is Status.FAIL]


def test_the_rule_set_is_pinned():
    assert [(r.id, r.severity.value) for r in all_rules()] == RULE_SET


def test_the_compliant_lake_fails_no_rule():
    assert failures(lake(iam_policies=crawler_inline_policies())) == []


def test_the_compliant_production_lake_fails_no_rule():
    model = lake(
        production=True,
        buckets=(zone_bucket("raw", **KEPT), logs_bucket(**KEPT)),
        keys=(lake_key(**KEPT),),
        iam_policies=crawler_inline_policies(),
        perimeter=True,
    )
    assert failures(model) == []
