"""KMS.3: no KMS key of the stack is scheduled for deletion."""

from __future__ import annotations

from ..model import Key, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_key, unknown

RULE_ID = "KMS.3"


def judge(key: Key) -> Verdict:
    if is_unknown(key.pending_deletion):
        return unknown("whether the key is pending deletion cannot be known before deployment")
    if key.pending_deletion:
        return failed("the key is pending deletion")
    return passed("the key is not pending deletion")


def check(model: Lake) -> list[Finding]:
    return per_key(RULE_ID, model.keys, judge)


RULE = Rule(
    id=RULE_ID,
    title="KMS keys are not pending deletion",
    severity=Severity.CRITICAL,
    rationale="Once the waiting period ends a deleted key is gone for good, and with it every object "
    "encrypted under it: the lake's data becomes unreadable, with no recovery, even for AWS.",
    remediation="Cancel the deletion during the waiting period (`aws kms cancel-key-deletion --key-id <id>`, "
    "then `aws kms enable-key`); keep `key.deletionWindowDays` at 30 so the window is as long as possible, "
    "and set `datalake:production: true` so that `pulumi destroy` cannot schedule it (LAKE.4).",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-3",
    check=check,
    scope="every KMS key",
)
