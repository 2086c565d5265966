"""KMS.4: automatic rotation is enabled on every KMS key of the stack."""

from __future__ import annotations

from ..model import Key, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_key, unknown

RULE_ID = "KMS.4"


def judge(key: Key) -> Verdict:
    rotation = key.rotation_enabled
    if is_unknown(rotation):
        return unknown("whether automatic key rotation is enabled cannot be known before deployment")
    if rotation is True:
        return passed("automatic key rotation is enabled")
    state = "not configured" if rotation is None else "disabled"
    return failed(f"automatic key rotation is {state}; it must be enabled")


def check(model: Lake) -> list[Finding]:
    return per_key(RULE_ID, model.keys, judge)


RULE = Rule(
    id=RULE_ID,
    title="KMS keys have automatic rotation enabled",
    severity=Severity.MEDIUM,
    rationale="Rotation creates new key material on a schedule and keeps the old material for decryption, "
    "so a compromised version protects less new data and cryptoperiod rules (NIST SP 800-57) are met with "
    "no change to clients.",
    remediation="LakeKey declares `enable_key_rotation=True` (yearly, `rotation_period_in_days=365`); restore "
    "it if it was removed, or run `aws kms enable-key-rotation --key-id <id>`.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-4",
    check=check,
    scope="every KMS key",
)
