"""S3.6: no other account may change a bucket's policy, ACLs or default encryption."""

from __future__ import annotations

from collections.abc import Iterator

from ..iam import Statement, account_of, covers_action, is_anyone, principals, restricts_callers
from ..model import Bucket, Lake, Maybe, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, per_bucket, unknown
from ._policy_reading import combine, grant_undecided, named_statements, undecided_verdict

RULE_ID = "S3.6"
PROTECTED_ACTIONS = (
    "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration",
    "s3:PutObjectAcl",
)


def judge(bucket: Bucket, account_id: Maybe[str]) -> Verdict:
    named = named_statements(bucket.policy)
    if is_unknown(named):
        return unknown("the bucket policy cannot be known before deployment")
    verdicts = [v for name, statement in named for v in _grants(name, statement, account_id)]
    return combine(verdicts, "no statement allows another account to change the bucket's policy, ACLs or encryption")


def _grants(name: str, statement: Statement, account_id: Maybe[str]) -> Iterator[Verdict]:
    if grant_undecided(statement):
        yield undecided_verdict([(name, statement)])
        return
    actions = [a for a in PROTECTED_ACTIONS if covers_action(statement, a)]
    if statement.get("Effect") != "Allow" or not actions:
        return
    granted = ", ".join(actions)
    if is_anyone(statement) and not restricts_callers(statement):
        yield failed(f"statement {name} allows {granted} to any account (any principal, no condition restricting "
                     "the callers)")
        return
    # Service principals have no account; "*" behind a caller-restricting condition counts as pinned.
    accounts = sorted({a for a in map(account_of, principals(statement)) if a is not None})
    if not accounts:
        return
    if account_id is None or is_unknown(account_id):
        yield unknown(f"statement {name} allows {granted} to account {', '.join(accounts)}, and the lake's "
                      "account id is not known")
        return
    others = [a for a in accounts if a != account_id]
    if others:
        yield failed(f"statement {name} allows {granted} to account {', '.join(others)}, not the lake's "
                     f"account {account_id}")


def check(model: Lake) -> list[Finding]:
    return per_bucket(RULE_ID, model.buckets, lambda bucket: judge(bucket, model.account_id))


RULE = Rule(
    id=RULE_ID,
    title="S3 bucket policies do not let other accounts change policies, ACLs or encryption",
    severity=Severity.HIGH,
    rationale="An account that can rewrite the bucket policy or ACLs, or the default encryption, can grant "
    "itself everything or lock the lake's owners out; such control must stay within the lake's account.",
    remediation="SecureBucket's policy grants nothing to other accounts; remove the Allow named in the finding, "
    "or limit it to data actions (s3:GetObject, s3:PutObject) and keep policy, ACL and encryption changes to "
    "principals of the lake's account.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-6",
    check=check,
    scope="every bucket",
)
