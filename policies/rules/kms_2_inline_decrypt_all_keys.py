"""KMS.2: inline IAM policies do not allow decryption with every KMS key (KMS.1's judgement)."""

from __future__ import annotations

from ..model import Lake
from ..rule import Finding, Rule, Severity
from .kms_1_iam_decrypt_all_keys import check_policies

RULE_ID = "KMS.2"


def check(model: Lake) -> list[Finding]:
    return check_policies(model, RULE_ID, "inline", "the stack declares no inline IAM policy")


RULE = Rule(
    id=RULE_ID,
    title="Inline IAM policies do not allow decryption with every KMS key",
    severity=Severity.MEDIUM,
    rationale="An inline policy is part of its role, so a grant of kms:Decrypt or kms:ReEncryptFrom on "
    "Resource \"*\" gives that role every key of the account whose key policy delegates to IAM, the lake "
    "key included, and is reviewed less often than a managed policy.",
    remediation="In the role's inline policy (`iam.RolePolicy`), list the keys the role needs, for the lake "
    "the lake key's ARN (`LakeKey.arn`), instead of \"*\", `arn:aws:kms:*:*:key/*` or a NotResource; "
    "wildcard actions such as `kms:*` count as kms:Decrypt.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-2",
    check=check,
    scope="inline IAM policies",
)
