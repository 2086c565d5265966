"""S3.1: account-level Block Public Access has all four settings on, where the stack manages it,
and always in a live audit (the account has it or not, whoever manages it)."""

from __future__ import annotations

from ..model import Lake, PublicAccessBlock, is_unknown
from ..rule import Finding, Rule, Severity, Status, Verdict, failed, not_applicable, unknown
from ._policy_reading import combine

RULE_ID = "S3.1"


def judge(block: PublicAccessBlock) -> Verdict:
    verdicts = []
    for name, value in block.flags().items():
        if is_unknown(value):
            verdicts.append(unknown(f"{name} cannot be known before deployment"))
        elif value is not True:
            verdicts.append(failed(f"{name} is {'not set' if value is None else str(value).lower()}, must be true"))
    return combine(verdicts, "all four settings are true")


def check(model: Lake) -> list[Finding]:
    block = model.account_public_access_block
    if block is None and model.source == "live":
        return [Finding(RULE_ID, Status.FAIL, "lake", "the account has no account-level Block Public Access "
                        "configuration; all four settings must be true")]
    if block is None:
        return not_applicable(RULE_ID, "the stack does not manage account-level Block Public Access")
    status, message = (
        unknown("the account-level Block Public Access settings cannot be known before deployment")
        if is_unknown(block)
        else judge(block)
    )
    return [Finding(RULE_ID, status, "lake", message)]


RULE = Rule(
    id=RULE_ID,
    title="Account-level S3 Block Public Access is fully enabled",
    severity=Severity.MEDIUM,
    rationale="S3 applies the most restrictive of the account-level and bucket-level settings, so with all four "
    "on for the account a bucket created outside the lake, or one whose own settings are loosened later, still "
    "cannot be made public by an ACL or a policy.",
    remediation="Where the stack declares `s3.AccountPublicAccessBlock`, set block_public_acls, "
    "block_public_policy, ignore_public_acls and restrict_public_buckets to True; stacks that leave the "
    "account settings to an organization baseline do not declare it.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-1",
    check=check,
    scope="account-level Block Public Access, where the stack manages it",
)
