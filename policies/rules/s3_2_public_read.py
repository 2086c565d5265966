"""S3.2: nobody outside the lake's callers can read a bucket, by policy or by ACL.

S3.3 (public write) judges the same two channels with other actions and ACLs, through
``public_access`` below.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..iam import covers_action, is_public_allow
from ..model import Bucket, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Status, Verdict, failed, per_bucket, unknown
from ._policy_reading import combine, grant_undecided, named_statements, undecided_verdict
from .s3_12_acls_disabled import ACLS_DISABLED

RULE_ID = "S3.2"
READ_ACTIONS = (
    "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketAcl",
    "s3:GetObjectAcl",
)
PUBLIC_READ_ACLS = ("public-read", "public-read-write", "authenticated-read")


def public_access(bucket: Bucket, access: str, actions: tuple[str, ...], public_acls: tuple[str, ...]) -> Verdict:
    """Fails on every public grant of ``actions`` in the policy and on a public canned ACL."""
    verdicts = [*_policy_grants(bucket.policy, actions), *_acl_grants(bucket, public_acls)]
    return combine(verdicts, f"neither the bucket policy nor an ACL grants public {access} access")


def _policy_grants(policy: object, actions: tuple[str, ...]) -> Iterator[Verdict]:
    named = named_statements(policy)
    if is_unknown(named):
        yield unknown("the bucket policy cannot be known before deployment")
        return
    for name, statement in named:
        if grant_undecided(statement):
            yield undecided_verdict([(name, statement)])
        elif is_public_allow(statement) and (granted := [a for a in actions if covers_action(statement, a)]):
            yield failed(f"statement {name} allows {', '.join(granted)} to anyone "
                         "(any principal, no condition restricting the callers)")


def _acl_grants(bucket: Bucket, public_acls: tuple[str, ...]) -> Iterator[Verdict]:
    if bucket.ownership == ACLS_DISABLED:
        return
    if is_unknown(bucket.acl):
        yield unknown("the bucket ACL cannot be known before deployment")
    elif bucket.acl in public_acls and is_unknown(bucket.ownership):
        yield unknown(f"the bucket ACL is {bucket.acl}, and whether ACLs are disabled cannot be known before "
                      "deployment")
    elif bucket.acl in public_acls:
        yield failed(f"the bucket ACL is {bucket.acl} and ACLs are enabled (object ownership "
                     f"{bucket.ownership or 'not configured'}, not {ACLS_DISABLED})")


def judge(bucket: Bucket) -> Verdict:
    verdict = public_access(bucket, "read", READ_ACTIONS, PUBLIC_READ_ACLS)
    # S3's own analysis (GetBucketPolicyStatus, read live only) as a second opinion: it knows
    # condition keys and principals this reading may not. A failure found here already says more.
    if bucket.policy_public is True and verdict[0] is not Status.FAIL:
        return failed("S3 itself reports the bucket policy as public (GetBucketPolicyStatus IsPublic)")
    return verdict


def check(model: Lake) -> list[Finding]:
    return per_bucket(RULE_ID, model.buckets, judge)


RULE = Rule(
    id=RULE_ID,
    title="S3 buckets prohibit public read access",
    severity=Severity.CRITICAL,
    rationale="A bucket policy that allows anyone to get or list objects, or a public canned ACL, publishes "
    "the lake's data to the internet: the most common cause of S3 data leaks.",
    remediation="SecureBucket's policy grants nothing to anyone; remove the public Allow statement named in the "
    "finding (or pin its callers with a condition such as aws:SourceArn, aws:SourceAccount or "
    "aws:PrincipalOrgID), and keep ownership controls at BucketOwnerEnforced so that no ACL applies.",
    reference="https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-2",
    check=check,
    scope="every bucket",
)
