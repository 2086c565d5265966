"""KMS.1: customer managed IAM policies do not allow decryption with every KMS key.

The judgement is written once here and reused by KMS.2 (inline policies). Like Security Hub,
only the Action and Resource elements count: a Condition does not turn "every key" into a
scoped grant, because conditions are easily loosened later and Security Hub ignores them too.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ..iam import Statement, action_matches, as_list, resource_matches
from ..model import IamPolicy, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, not_applicable, passed, unknown
from ._policy_reading import combine, named_statements

RULE_ID = "KMS.1"
DECRYPT_ACTIONS = ("kms:Decrypt", "kms:ReEncryptFrom")


def any_key_arn(model: Lake) -> str:
    """A key of the lake's account and region that no policy names on purpose.

    A Resource pattern that covers it covers every key the account's roles can use: "*", but
    also ``arn:aws:kms:*:*:key/*`` or ``arn:aws:kms:<region>:<account>:key/*`` (keys of other
    accounts need their own key policy's consent anyway). Parts unknown before deployment are
    replaced by values no pattern names: only a wildcard in that part then matches.
    """
    def known(value: object, stand_in: str) -> str:
        return value if isinstance(value, str) else stand_in

    partition, region = known(model.partition, "aws"), known(model.region, "zz-nowhere-1")
    return f"arn:{partition}:kms:{region}:{known(model.account_id, '000000000000')}:key/any-key"


def covers(statement: Statement, element: str, value: str, matches: Callable[[str, str], bool]) -> bool | None:
    """Whether ``element`` ("Action" or "Resource", or its ``Not`` form) covers ``value``.

    None when the answer hangs on a pattern that is unknown before deployment (a key ARN during
    a preview); a known pattern that settles it wins over unknown ones.
    """
    negated = f"Not{element}" in statement
    patterns = as_list(statement.get(f"Not{element}" if negated else element))
    known = [p for p in patterns if isinstance(p, str)]
    if any(matches(p, value) for p in known):
        return not negated
    return None if len(known) < len(patterns) else negated


def _every_key(statement: Statement, any_key: str) -> str:
    """How the statement reaches every key, quoting the element at fault."""
    if "NotResource" in statement:
        excluded = [p for p in as_list(statement["NotResource"]) if isinstance(p, str)]
        return f"every KMS key but NotResource {json.dumps(excluded)}"
    pattern = next(p for p in as_list(statement.get("Resource")) if isinstance(p, str) and resource_matches(p, any_key))
    return f'every KMS key (Resource "{pattern}")'


def _all_of(*answers: bool | None) -> bool | None:
    """Three-valued AND: False if any answer is False, True if all are True, else None (unknown)."""
    if any(answer is False for answer in answers):
        return False
    return True if all(answers) else None


def judge_statement(name: str, statement: Statement, any_key: str) -> Verdict:
    effect = statement.get("Effect")
    actions = {a: covers(statement, "Action", a, action_matches) for a in DECRYPT_ACTIONS}
    some_action = True if any(actions.values()) else None if None in actions.values() else False
    answer = _all_of(
        None if is_unknown(effect) else effect == "Allow",
        some_action,
        covers(statement, "Resource", any_key, resource_matches),
    )
    if answer:
        allowed = [a for a, covered in actions.items() if covered]
        return failed(f"statement {name} allows {' and '.join(allowed)} on {_every_key(statement, any_key)}")
    if answer is None:
        return unknown(f"whether statement {name} allows kms:Decrypt or kms:ReEncryptFrom on every KMS key "
                       "cannot be known before deployment")
    return passed(f"statement {name} does not allow decryption with every KMS key")


def judge(policy: IamPolicy, any_key: str) -> Verdict:
    named = named_statements(policy.document)
    if is_unknown(named):
        return unknown("the policy document cannot be known before deployment")
    return combine(
        (judge_statement(name, statement, any_key) for name, statement in named),
        "no statement allows kms:Decrypt or kms:ReEncryptFrom on every KMS key",
    )


def check_policies(model: Lake, rule_id: str, kind: str, none_reason: str) -> list[Finding]:
    """One finding per IAM policy of ``kind`` ("managed" or "inline"); not applicable without one."""
    any_key = any_key_arn(model)
    findings = []
    for policy in (p for p in model.iam_policies if p.kind == kind):
        status, message = judge(policy, any_key)
        findings.append(Finding(rule_id, status, policy.name, message, policy.ref))
    return findings or not_applicable(rule_id, none_reason)


def check(model: Lake) -> list[Finding]:
    return check_policies(model, RULE_ID, "managed", "the stack declares no customer managed IAM policy")


RULE = Rule(
    id=RULE_ID,
    title="Customer managed IAM policies do not allow decryption with every KMS key",
    severity=Severity.MEDIUM,
    rationale="kms:Decrypt or kms:ReEncryptFrom on Resource \"*\" lets every role the policy is attached to "
    "read data encrypted under any key of the account whose key policy delegates to IAM (the lake key does, "
    "through its EnableIamPolicies statement), not only the lake's: least privilege is lost at the key.",
    remediation="List the keys the role needs in the statement's Resource, for the lake the lake key's ARN "
    "(`LakeKey.arn`), instead of \"*\", `arn:aws:kms:*:*:key/*` or a NotResource; wildcard actions such as "
    "`kms:*` count as kms:Decrypt.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-1",
    check=check,
    scope="customer managed IAM policies",
)
