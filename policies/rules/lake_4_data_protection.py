"""LAKE.4: a production stack cannot delete its data by accident.

Pulumi's ``protect`` makes any plan that would delete the resource fail; ``retain_on_delete``
leaves it in the account when it is removed from the program or the stack is destroyed; and
``force_destroy`` False makes AWS refuse to delete a bucket that still holds objects. The policy
pack sees ``protect`` but not ``retain_on_delete``: a source that cannot tell gives ``None``,
reported as unknown rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Bucket, Key, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Status, Verdict, failed, not_applicable, per_bucket, per_key, unknown
from ._policy_reading import combine

RULE_ID = "LAKE.4"


def _options(resource: Bucket | Key) -> Iterator[Verdict]:
    for option in ("protect", "retain_on_delete"):
        value = getattr(resource, option)
        if value is None:
            yield unknown(f"this source cannot tell {option}")
        elif value is not True:
            yield failed(f"{option} is {value}, must be True")


def judge_bucket(bucket: Bucket) -> Verdict:
    verdicts = list(_options(bucket))
    if is_unknown(bucket.force_destroy):
        verdicts.append(unknown("force_destroy cannot be known before deployment"))
    elif bucket.force_destroy:
        verdicts.append(failed("force_destroy is True, must be False"))
    return combine(verdicts, "protect and retain_on_delete are True, force_destroy is False")


def judge_key(key: Key) -> Verdict:
    return combine(_options(key), "protect and retain_on_delete are True")


def check(model: Lake) -> list[Finding]:
    if model.production is None:
        return [Finding(RULE_ID, Status.UNKNOWN, "lake", "the stack does not say whether it is production")]
    if not model.production:
        return not_applicable(RULE_ID, "the stack is not production")
    buckets = [b for b in model.buckets if b.is_data_bucket or b.is_logs_bucket]
    keys = model.lake_keys
    if not buckets and not keys:
        return not_applicable(RULE_ID, "the stack declares no zone bucket, logs bucket or lake key")
    findings = []
    if buckets:
        findings += per_bucket(RULE_ID, buckets, judge_bucket)
    if keys:
        findings += per_key(RULE_ID, keys, judge_key)
    return findings


RULE = Rule(
    id=RULE_ID,
    title="Production buckets and the lake key are protected from deletion",
    severity=Severity.HIGH,
    rationale="A mistaken `pulumi destroy`, a renamed resource (delete and replace) or a removed zone would "
    "otherwise delete the buckets with every object version in them, or schedule the lake key for deletion, "
    "which makes every object encrypted under it unreadable once the waiting period ends.",
    remediation="Set `datalake:production: true` in the stack config: DataLake then gives every bucket, the "
    "logs bucket and the lake key (and their child resources) `protect=True` and `retain_on_delete=True` "
    "(components/resource_options.py); SecureBucket keeps `force_destroy=False`.",
    reference="https://www.pulumi.com/docs/iac/concepts/resources/options/protect/",
    check=check,
    scope="zone buckets, the logs bucket and the lake key of production stacks",
)
