"""LAKE.11: a live audit could read every setting the rules judge, and every resource of the lake.

A denied or failing read leaves the setting UNKNOWN, which no rule passes; this rule makes each
such read a finding of its own, so an audit that could not see is never reported as clean. Two
gaps in what the audit can see are findings too: a lake resource found through what ties it to the
lake (its name, a policy naming the lake's buckets, its VPC) that lacks the lake's tag, which
tag-based tools miss; and, against a plan, a resource the plan declares that the account lacks.
"""

from __future__ import annotations

from ..model import Lake, Missing, Untagged, Unverified
from ..rule import Finding, Rule, Severity, Status, not_applicable

RULE_ID = "LAKE.11"


def _finding(entry: Unverified) -> Finding:
    message = f"could not verify {entry.setting}: {entry.operation} failed with {entry.error}"
    return Finding(RULE_ID, Status.FAIL, entry.resource, message, entry.ref or None)


def _untagged(entry: Untagged) -> Finding:
    message = (f"{entry.kind} found through {entry.found_by}, but it lacks the tag lake={entry.lake}: "
               "tag-based tools (cost allocation, ABAC, tag-scoped audits) miss it")
    return Finding(RULE_ID, Status.FAIL, entry.resource, message, entry.ref or None)


def _missing(entry: Missing) -> Finding:
    message = f"declared in the plan but not found in the account: {entry.kind} {entry.resource}"
    return Finding(RULE_ID, Status.FAIL, entry.resource, message)


def check(model: Lake) -> list[Finding]:
    if model.source != "live":
        return not_applicable(RULE_ID, f"a {model.source} reads nothing from AWS; only a live audit can be denied")
    findings = [*map(_finding, model.unverified), *map(_untagged, model.untagged), *map(_missing, model.missing)]
    return findings or [Finding(RULE_ID, Status.PASS, "lake", "every setting the rules judge was read")]


RULE = Rule(
    id=RULE_ID,
    title="The live audit read every setting it judges and found every lake resource, tagged",
    severity=Severity.HIGH,
    rationale="An audit that is denied GetBucketPolicy, or throttled until it gives up, knows nothing about "
    "that policy. Scanners that skip such errors report the bucket as compliant; this one reports the "
    "setting as unverified, and the rules that needed it as unknown, so a partial view never passes.",
    remediation="Give the auditing role read access to every setting (the AWS managed SecurityAudit policy "
    "covers them), or fix the failing call (the message names it), and run `lake audit` again. Put the tag "
    "lake=<name> back on an untagged resource (`pulumi up` does); recreate a resource the plan declares and the "
    "account lacks (`pulumi up`), or remove it from the stack.",
    reference="https://docs.aws.amazon.com/aws-managed-policy/latest/reference/SecurityAudit.html",
    check=check,
    scope="every setting a live audit reads, every lake resource it finds, every resource the plan declares",
)
