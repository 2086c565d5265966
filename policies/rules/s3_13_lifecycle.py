"""S3.13: every bucket has a lifecycle that S3 would accept and that cleans up what piles up.

Beyond Security Hub's "an enabled rule exists", the checks the configuration validation also
applies (``lake/config/lifecycle.py``), here on what the stack really declares: STANDARD_IA no
earlier than day 30, transitions later and strictly colder, expirations after the last class's
minimum storage duration; and the clean-up nothing in S3 does by default (incomplete multipart
uploads, noncurrent versions).

Each rule is judged alone (what S3 refuses in one rule), then the rules together, as S3 applies
them to every object class (``policies/lifecycle_schedule.py``: overlapping prefixes, the shorter
expiration and the colder move win): an action another rule preempts is dead, and an expiration
or a move out of STANDARD_IA that comes too soon after another rule's move is billed anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import astuple

from components.settings import MIN_DAYS_BEFORE_IA, MIN_STORAGE_DAYS, STORAGE_CLASS_ORDER

from ..lifecycle_schedule import conflicts, object_classes
from ..model import UNKNOWN, Bucket, Lake, LifecycleRule, Maybe, Transition, contains_unknown, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_bucket, unknown

RULE_ID = "S3.13"
# Versioning states in which noncurrent versions exist (suspending keeps the old ones).
VERSIONED = ("Enabled", "Suspended")


def judge(bucket: Bucket) -> Verdict:
    lifecycle = bucket.lifecycle
    if is_unknown(lifecycle) or (lifecycle is not None and contains_unknown(astuple(lifecycle))):
        return unknown("the lifecycle configuration cannot be known before deployment")
    if lifecycle is None:
        return failed("no lifecycle configuration")
    enabled = [r for r in lifecycle.rules if r.enabled is True]
    if not enabled:
        return failed("the lifecycle has no enabled rule")
    problems = [p for r in enabled for p in _rule_problems(r)]
    classes = object_classes(lifecycle, _versioned(bucket.versioning))
    problems += [] if is_unknown(classes) else [c.message for c in conflicts(classes)]
    if not any(_whole_bucket(r) and r.abort_incomplete_multipart_upload_days is not None for r in enabled):
        problems.append("no enabled rule aborts incomplete multipart uploads for the whole bucket")
    expires_noncurrent = any(_whole_bucket(r) and r.noncurrent_expiration_days is not None for r in enabled)
    if not expires_noncurrent and bucket.versioning in VERSIONED:
        problems.append(f"versioning is {bucket.versioning} but no enabled rule expires noncurrent versions for "
                        "the whole bucket")
    if problems:
        return failed("; ".join(problems))
    if is_unknown(classes):
        return unknown("a transition and an expiration fall on the same day, and which wins depends on whether "
                       "versioning is on, which cannot be known before deployment")
    if not expires_noncurrent and is_unknown(bucket.versioning):
        return unknown("no enabled rule expires noncurrent versions, and whether versioning is on cannot be known "
                       "before deployment")
    cleanup = "incomplete multipart uploads aborted" + (", noncurrent versions expired" if expires_noncurrent else "")
    rules = f"{len(enabled)} enabled rule{'s' if len(enabled) > 1 else ''}"
    return passed(f"{rules}: transitions and expirations in order, {cleanup}")


def _versioned(versioning: Maybe[str]) -> Maybe[bool]:
    return UNKNOWN if is_unknown(versioning) else versioning in VERSIONED


def _whole_bucket(rule: LifecycleRule) -> bool:
    return rule.prefix in ("", None)


def _rule_problems(rule: LifecycleRule) -> Iterator[str]:
    """Current objects and noncurrent versions follow the same S3 rules, each on its own clock."""
    yield from _schedule_problems(f"rule {rule.id}: objects", rule.transitions, rule.expiration_days)
    yield from _schedule_problems(
        f"rule {rule.id}: noncurrent versions", rule.noncurrent_transitions, rule.noncurrent_expiration_days
    )


def _schedule_problems(subject: str, transitions: tuple[Transition, ...], expiration_days: int | None) -> Iterator[str]:
    previous = None
    for transition in transitions:
        days, storage_class = transition.days, transition.storage_class
        if storage_class not in STORAGE_CLASS_ORDER or not isinstance(days, int):
            # Nothing after it can be placed in the order.
            yield (f"{subject} move to {storage_class} at day {days}, which this rule cannot judge (day-based "
                   f"transitions to {', '.join(STORAGE_CLASS_ORDER)} only)")
            return
        if storage_class == "STANDARD_IA" and days < MIN_DAYS_BEFORE_IA:
            yield f"{subject} move to STANDARD_IA at day {days}; S3 requires day {MIN_DAYS_BEFORE_IA} or later"
        if previous is not None:
            yield from _order_problems(subject, previous, transition)
        previous = transition
    if previous is not None and expiration_days is not None:
        earliest = previous.days + MIN_STORAGE_DAYS[previous.storage_class]
        if expiration_days < earliest:
            yield (f"{subject} expire at day {expiration_days}, before day {earliest} ({previous.storage_class} "
                   f"from day {previous.days} bills at least {MIN_STORAGE_DAYS[previous.storage_class]} days)")


def _order_problems(subject: str, previous: Transition, transition: Transition) -> Iterator[str]:
    """Each move goes strictly colder and later; S3 keeps objects 30 days in STANDARD_IA first."""
    if STORAGE_CLASS_ORDER.index(transition.storage_class) <= STORAGE_CLASS_ORDER.index(previous.storage_class):
        yield f"{subject} move from {previous.storage_class} to {transition.storage_class}, which is not colder"
    gap = transition.days - previous.days
    if gap <= 0:
        yield (f"{subject} move to {transition.storage_class} at day {transition.days}, not after the move to "
               f"{previous.storage_class} at day {previous.days}")
    elif previous.storage_class == "STANDARD_IA" and gap < MIN_STORAGE_DAYS["STANDARD_IA"]:
        yield (f"{subject} move to {transition.storage_class} {gap} days after STANDARD_IA; S3 requires "
               f"{MIN_STORAGE_DAYS['STANDARD_IA']} days in STANDARD_IA first")


def check(model: Lake) -> list[Finding]:
    return per_bucket(RULE_ID, model.buckets, judge)


RULE = Rule(
    id=RULE_ID,
    title="S3 buckets have a sound lifecycle configuration",
    severity=Severity.MEDIUM,
    rationale="Without lifecycle rules cold data stays in the most expensive class, incomplete multipart "
    "uploads and noncurrent versions are billed forever, and a transition S3 rejects (IA before day 30, a "
    "warmer class) fails the deployment; expiring objects before a class's minimum storage duration is billed "
    "anyway. Where several rules cover the same objects S3 applies the shorter expiration and the colder move, "
    "so an action another rule preempts never happens.",
    remediation="Fix the bucket's lifecycle under `datalake:zones[].lifecycle` (or `datalake:logs.lifecycle`) in "
    "Pulumi.<stack>.yaml: transitions (STANDARD_IA from day 30, then colder classes later), `expirationDays` "
    "after the last class's minimum storage duration, `noncurrentVersions.expirationDays` and "
    "`abortIncompleteMultipartUploadDays`; SecureBucket turns them into whole-bucket clean-up rules.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-13",
    check=check,
    scope="every bucket",
)
