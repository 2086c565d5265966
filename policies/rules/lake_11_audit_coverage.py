"""LAKE.11: a live audit could read every setting the rules judge.

A denied or failing read leaves the setting UNKNOWN, which no rule passes; this rule makes each
such read a finding of its own, so an audit that could not see is never reported as clean.
"""

from __future__ import annotations

from ..model import Lake, Unverified
from ..rule import Finding, Rule, Severity, Status, not_applicable

RULE_ID = "LAKE.11"


def _finding(entry: Unverified) -> Finding:
    message = f"could not verify {entry.setting}: {entry.operation} failed with {entry.error}"
    return Finding(RULE_ID, Status.FAIL, entry.resource, message, entry.ref or None)


def check(model: Lake) -> list[Finding]:
    if model.source != "live":
        return not_applicable(RULE_ID, f"a {model.source} reads nothing from AWS; only a live audit can be denied")
    if not model.unverified:
        return [Finding(RULE_ID, Status.PASS, "lake", "every setting the rules judge was read")]
    return [_finding(entry) for entry in model.unverified]


RULE = Rule(
    id=RULE_ID,
    title="The live audit could read every setting it judges",
    severity=Severity.HIGH,
    rationale="An audit that is denied GetBucketPolicy, or throttled until it gives up, knows nothing about "
    "that policy. Scanners that skip such errors report the bucket as compliant; this one reports the "
    "setting as unverified, and the rules that needed it as unknown, so a partial view never passes.",
    remediation="Give the auditing role read access to every setting (the AWS managed SecurityAudit policy "
    "covers them), or fix the failing call (the message names it), and run `lake audit` again.",
    reference="https://docs.aws.amazon.com/aws-managed-policy/latest/reference/SecurityAudit.html",
    check=check,
    scope="every setting a live audit reads",
)
