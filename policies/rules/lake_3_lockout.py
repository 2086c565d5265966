"""LAKE.3: a network perimeter in a bucket or key policy cannot lock the administrators out.

A Deny keyed on where a request comes from (a VPC endpoint, a VPC, an IP range) also applies to
the people who deploy and repair the lake, who usually work from outside that network. Unless it
exempts them and leaves the policy-management actions alone, nobody can fix the policy any more:
for a bucket only the account root can then delete it; for a KMS key, only AWS Support can help.
"""

from __future__ import annotations

from ..iam import (
    NETWORK_KEYS,
    Statement,
    account_of,
    as_list,
    conditions,
    covers_action,
    is_negated,
    resource_matches,
)
from ..model import Lake, contains_unknown, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, not_applicable, passed, per_bucket, per_key, unknown
from ._policy_reading import Named, combine, named_statements, names

RULE_ID = "LAKE.3"
BUCKET_POLICY_ACTIONS = ("s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy")
KEY_POLICY_ACTIONS = ("kms:PutKeyPolicy", "kms:GetKeyPolicy")
PRINCIPAL_ARN = "aws:principalarn"
NO_PERIMETER = (
    "no bucket or key policy has a Deny keyed on aws:SourceVpce, aws:SourceVpc, aws:SourceIp or aws:VpcSourceIp"
)


def network_keys(statement: Statement) -> list[str]:
    """The network condition keys a statement tests, as written."""
    blocks = (statement.get("Condition") or {}).values()
    return [key for block in blocks if isinstance(block, dict) for key in block if key.lower() in NETWORK_KEYS]


def network_denies(named: list[Named]) -> list[Named]:
    return [(name, s) for name, s in named if s.get("Effect") == "Deny" and network_keys(s)]


def _condition_exempts(operator: str, pattern: object, administrator: str) -> bool:
    """Does a negated condition on aws:PrincipalArn with this value leave ``administrator`` out?"""
    if not isinstance(pattern, str):
        return False
    base = operator.split(":")[-1].removesuffix("IfExists")
    if base == "StringNotEquals":
        return pattern == administrator
    if base == "StringNotEqualsIgnoreCase":
        return pattern.lower() == administrator.lower()
    # StringNotLike, ArnNotLike and ArnNotEquals all take * and ? wildcards, case-sensitively.
    return base in ("StringNotLike", "ArnNotLike", "ArnNotEquals") and resource_matches(pattern, administrator)


def _not_principals(statement: Statement) -> list[object]:
    not_principal = statement.get("NotPrincipal")
    return as_list(not_principal.get("AWS")) if isinstance(not_principal, dict) else as_list(not_principal)


def _exemption_gap(statement: Statement, administrator: str) -> str | None:
    """Why the statement still applies to ``administrator``; None when it is exempt.

    NotPrincipal must name the administrator's account too: AWS may evaluate the account before
    the role or user, and a NotPrincipal naming only the role still denies the account.
    """
    if any(
        key == PRINCIPAL_ARN and is_negated(op) and any(_condition_exempts(op, v, administrator) for v in values)
        for op, key, values in conditions(statement)
    ):
        return None
    named = _not_principals(statement)
    if administrator not in named:
        return f"does not exempt {administrator}"
    account = account_of(administrator)
    partition = administrator.split(":")[1] if administrator.startswith("arn:") else "aws"
    root = f"arn:{partition}:iam::{account}:root"
    if account and (account in named or root in named):
        return None
    return f"names {administrator} in NotPrincipal without its account {root}"


def _undecidable(statement: Statement) -> bool:
    """The parts this rule reads hold a value unknown before deployment (network values may)."""
    blocks = (statement.get("Condition") or {}).values()
    principal_arns = [values for _, key, values in conditions(statement) if key == PRINCIPAL_ARN]
    return any(not isinstance(block, dict) for block in blocks) or contains_unknown(
        [statement.get(k) for k in ("Action", "NotAction", "NotPrincipal")] + principal_arns
    )


def judge_statement(name: str, statement: Statement, admins: tuple[str, ...], actions: tuple[str, ...]) -> Verdict:
    where = f"statement {name} ({', '.join(network_keys(statement))})"
    if _undecidable(statement):
        return unknown(f"the actions or exemptions of {where} cannot be known before deployment")
    faults = [gap for admin in admins if (gap := _exemption_gap(statement, admin))]
    if not admins:
        faults.append("exempts nobody: the stack names no administrator")
    if denied := [a for a in actions if covers_action(statement, a)]:
        faults.append(f"denies {', '.join(denied)}")
    return failed(f"{where} {' and '.join(faults)}") if faults else passed(f"{where} is safe")


def judge_policy(policy: object, admins: tuple[str, ...], actions: tuple[str, ...]) -> Verdict:
    named = named_statements(policy)
    if is_unknown(named):
        return unknown("the policy cannot be known before deployment")
    denies = network_denies(named)
    return combine(
        (judge_statement(name, statement, admins, actions) for name, statement in denies),
        f"every network-keyed Deny ({names(denies)}) exempts every administrator and does not deny "
        f"{', '.join(actions)}",
    )


def _judged(policy: object) -> bool:
    """The policy is unknown, or has a network-keyed Deny: this rule has something to say."""
    named = named_statements(policy)
    return is_unknown(named) or bool(network_denies(named))


def check(model: Lake) -> list[Finding]:
    admins = model.administrators
    buckets = [b for b in model.buckets if _judged(b.policy)]
    keys = [k for k in model.keys if _judged(k.policy)]
    if not buckets and not keys:
        return not_applicable(RULE_ID, NO_PERIMETER)
    findings = []
    if buckets:
        findings += per_bucket(RULE_ID, buckets, lambda b: judge_policy(b.policy, admins, BUCKET_POLICY_ACTIONS))
    if keys:
        findings += per_key(RULE_ID, keys, lambda k: judge_policy(k.policy, admins, KEY_POLICY_ACTIONS))
    return findings


RULE = Rule(
    id=RULE_ID,
    title="Network-perimeter denies cannot lock the administrators out",
    severity=Severity.CRITICAL,
    rationale="A Deny keyed on aws:SourceVpce, aws:SourceVpc, aws:SourceIp or aws:VpcSourceIp also stops the "
    "deployer and the administrators, who work from outside the lake's network: if it covers the "
    "policy-management actions nobody can correct the policy, and a locked bucket needs the account root "
    "while a locked KMS key needs AWS Support.",
    remediation="In each network-keyed Deny, exempt every principal of `datalake:administrators` with "
    "`ArnNotLike` on `aws:PrincipalArn` (preferred over NotPrincipal, which must also name the account and "
    "always denies principals with a permissions boundary), and exclude s3:PutBucketPolicy, "
    "s3:GetBucketPolicy, s3:DeleteBucketPolicy (kms:PutKeyPolicy, kms:GetKeyPolicy for the key) with "
    "NotAction or a narrower Action list.",
    reference="https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-vpc-endpoint.html",
    check=check,
    scope="bucket policies and key policies with a network-keyed Deny",
)
