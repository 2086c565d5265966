"""What a rule is, and what it says about each resource it looks at."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from .model import Bucket, Key, Lake


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    # The value exists but cannot be known yet (during a preview); never counted as pass or fail.
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def mandatory(self) -> bool:
        """Critical and high failures block: `lake plan` exits 1, the policy pack is mandatory."""
        return self in (Severity.CRITICAL, Severity.HIGH)

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


@dataclass(frozen=True)
class Finding:
    rule_id: str
    status: Status
    # What the finding is about: a bucket or key name, or "lake" for the stack as a whole.
    resource: str
    message: str
    # URN (plan, preview) or ARN (live) of the resource, for reports and the policy pack.
    ref: str | None = None
    # Where a live audit of several accounts found it (`lake audit --accounts`); None otherwise.
    account: str | None = None
    region: str | None = None

    @property
    def where(self) -> str:
        """The resource, after its account and region when the audit spans several."""
        return self.resource if self.account is None else f"{self.account}/{self.region} {self.resource}"


# A verdict about one resource: its status and the sentence that explains it.
Verdict = tuple[Status, str]


def passed(message: str) -> Verdict:
    return Status.PASS, message


def failed(message: str) -> Verdict:
    return Status.FAIL, message


def unknown(message: str) -> Verdict:
    return Status.UNKNOWN, message


@dataclass(frozen=True)
class Rule:
    id: str  # Security Hub / CIS id where one fits (S3.5, KMS.4), LAKE.n otherwise
    title: str
    severity: Severity
    rationale: str  # why it matters
    remediation: str  # what to change, in this project's terms
    reference: str  # link to the control's documentation
    check: Callable[[Lake], list[Finding]]
    scope: str  # what it looks at: "zone and logs buckets", "lake key", ...

    @property
    def slug(self) -> str:
        """Policy name in the pack: lowercase, no dots (S3.5 -> s3-5)."""
        return self.id.lower().replace(".", "-").replace("/", "-")


def not_applicable(rule_id: str, reason: str) -> list[Finding]:
    return [Finding(rule_id, Status.NOT_APPLICABLE, "lake", reason)]


def per_resource(rule_id: str, resources: Iterable[Bucket | Key], judge, none_reason: str) -> list[Finding]:
    """One finding per resource; a single not-applicable finding when there is none."""
    findings = [_finding(rule_id, r.name, r.ref, judge(r)) for r in resources]
    return findings or not_applicable(rule_id, none_reason)


def per_bucket(
    rule_id: str,
    buckets: Iterable[Bucket],
    judge: Callable[[Bucket], Verdict],
    none_reason: str = "the stack declares no bucket this rule applies to",
) -> list[Finding]:
    return per_resource(rule_id, buckets, judge, none_reason)


def per_key(
    rule_id: str, keys: Iterable[Key], judge: Callable[[Key], Verdict], none_reason: str = "the stack declares no KMS key"
) -> list[Finding]:
    return per_resource(rule_id, keys, judge, none_reason)


def _finding(rule_id: str, resource: str, ref: str, verdict: Verdict) -> Finding:
    status, message = verdict
    return Finding(rule_id, status, resource, message, ref)
