"""KMS.5: no key policy lets anyone use or manage the key."""

from __future__ import annotations

from ..iam import Statement, is_public_allow
from ..model import Key, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_key, unknown
from ._policy_reading import combine, grant_undecided, named_statements, undecided_verdict

RULE_ID = "KMS.5"


def _judge_statement(name: str, statement: Statement) -> Verdict:
    if statement.get("Effect") == "Deny":
        return passed(f"statement {name} is a Deny")
    if grant_undecided(statement):
        return undecided_verdict([(name, statement)])
    if not is_public_allow(statement):
        return passed(f"statement {name} is not public")
    who = "every principal but its NotPrincipal" if "NotPrincipal" in statement else "any principal"
    return failed(f"statement {name} allows {who}, with no condition restricting the callers")


def judge(key: Key) -> Verdict:
    if key.policy is None:
        return failed("no key policy declared")
    named = named_statements(key.policy)
    if is_unknown(named):
        return unknown("the key policy cannot be known before deployment")
    return combine(
        (_judge_statement(name, statement) for name, statement in named),
        "no statement allows any principal without a condition restricting the callers",
    )


def check(model: Lake) -> list[Finding]:
    return per_key(RULE_ID, model.keys, judge)


RULE = Rule(
    id=RULE_ID,
    title="KMS key policies do not allow public access",
    severity=Severity.CRITICAL,
    rationale="An Allow to \"*\" without a condition pinning the callers (aws:PrincipalAccount, "
    "kms:CallerAccount, aws:SourceVpce...) lets any AWS account use or manage the key, and so decrypt "
    "whatever the lake stored under it. Deny statements to \"*\", like the lake key's DenyUseOutsideS3 and "
    "DenyUseByOtherAccounts, only take permissions away and are fine.",
    remediation="Build the key policy with `components/documents/key_policy.py`: name the account root, the "
    "administrators and services explicitly, or add a condition on the caller's account or organization "
    "to any statement that must name \"*\".",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-5",
    check=check,
    scope="every KMS key",
)
