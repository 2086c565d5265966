"""KMS.3: every KMS key of the stack is enabled and not scheduled for deletion."""

from __future__ import annotations

from ..model import Key, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_key, unknown

RULE_ID = "KMS.3"


def judge(key: Key) -> Verdict:
    if is_unknown(key.pending_deletion):
        return unknown("whether the key is pending deletion cannot be known before deployment")
    if key.pending_deletion or key.state == "PendingDeletion":
        return failed("the key is pending deletion")
    if is_unknown(key.state):
        return unknown("the key's state cannot be known before deployment")
    if key.state == "Disabled":
        return failed("the key is disabled: nothing encrypted under it can be read")
    if key.state != "Enabled":
        return failed(f"the key is in state {key.state}: KMS uses only an Enabled key, so nothing encrypted "
                      "under it can be read")
    return passed("the key is enabled and not pending deletion")


def check(model: Lake) -> list[Finding]:
    return per_key(RULE_ID, model.keys, judge)


RULE = Rule(
    id=RULE_ID,
    title="KMS keys are enabled and not pending deletion",
    severity=Severity.CRITICAL,
    rationale="Once the waiting period ends a deleted key is gone for good, and with it every object "
    "encrypted under it: the lake's data becomes unreadable, with no recovery, even for AWS. A key in any "
    "other state than Enabled (Disabled, PendingImport, Unavailable...) cannot be used either: until it is "
    "enabled again, no reader can decrypt the lake and no writer can encrypt to it.",
    remediation="Cancel the deletion during the waiting period (`aws kms cancel-key-deletion --key-id <id>`, "
    "then `aws kms enable-key`); enable a disabled key (`aws kms enable-key --key-id <id>`: LakeKey "
    "declares it enabled, the provider's default); keep `key.deletionWindowDays` at 30 so the window is as "
    "long as possible, and set `datalake:production: true` so that `pulumi destroy` cannot schedule it (LAKE.4).",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-3",
    check=check,
    scope="every KMS key",
)
