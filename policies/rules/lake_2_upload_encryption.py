"""LAKE.2: the bucket policy refuses uploads that would not be encrypted with the lake key.

Default encryption only applies to uploads that ask for nothing: a client may still send another
SSE header, another KMS key, ``aws:kms`` without a key (S3 then uses the AWS managed key
``aws/s3``) or its own key (SSE-C). Four Deny statements close these four doors; the check reads
their condition keys and operators as ``components/documents/bucket_policy.py`` generates them,
and also accepts the same deny without its ``Null`` guard, which only denies more.

The other-key deny must compare the key header with ``StringNotEquals``: the header holds what the
client sent (a key ARN, a bare key id or an alias) and IAM documents the ARN operators on ARNs only,
so an ``ArnNotEquals`` or ``ArnNotLike`` deny is undefined for a bare id. Such a deny does not count,
and the finding says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..iam import Statement, conditions, covers_resource
from ..model import Bucket, Lake, Maybe, contains_unknown, is_unknown
from ..rule import Finding, Rule, Severity, Status, Verdict, failed, passed, per_bucket, unknown
from ._policy_reading import Named, deny_undecided, denies_everyone, flag, named_statements, names, undecided_verdict

RULE_ID = "LAKE.2"
SSE = "s3:x-amz-server-side-encryption"
SSE_KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id"
SSE_C = "s3:x-amz-server-side-encryption-customer-algorithm"
KMS = "aws:kms"
UPLOAD = ("s3:PutObject",)

Condition = tuple[str, str, frozenset[Any]]


@dataclass(frozen=True)
class Protection:
    """A deny of uploads: its ``required`` conditions, plus an ``optional`` one that narrows it to
    requests carrying the header (without it the statement denies more, never less)."""

    label: str
    required: frozenset[Condition]
    optional: Condition | None = None
    names_the_key: bool = False  # the other-key deny, which an ARN operator does not give (module docstring)

    def given_by(self, statement: Statement) -> bool:
        """Never without required conditions: a deny with no condition is not this protection."""
        found, required = _conditions(statement), self.required
        narrowed = self.optional is not None and found == required | {self.optional}
        return bool(required) and (found == required or narrowed)


def _condition(operator: str, key: str, value: Any) -> Condition:
    return operator, key.lower(), frozenset({value})


def _conditions(statement: Statement) -> frozenset[Condition]:
    return frozenset(
        (op, key, frozenset(flag(v) if op == "Null" else v for v in values))
        for op, key, values in conditions(statement)
    )


def protections(key_arn: Maybe[str]) -> tuple[Protection, ...]:
    """The four denies; the second names ``key_arn``, and cannot be given without a key."""
    other_key = "(b) name a KMS key other than the lake key"
    return (
        Protection(f"(a) carry an SSE header other than {KMS}", frozenset({_condition("StringNotEquals", SSE, KMS)}),
                   _condition("Null", SSE, "false")),
        Protection(other_key, frozenset({_condition("StringNotEquals", SSE_KEY, key_arn)}),
                   _condition("Null", SSE_KEY, "false"), names_the_key=True)
        if key_arn else Protection(f"{other_key} (the stack declares none)", frozenset()),
        Protection("(c) use SSE-C, a customer-provided key", frozenset({_condition("Null", SSE_C, "false")})),
        Protection(f"(d) ask for {KMS} without naming a key, which S3 fills in with aws/s3",
                   frozenset({_condition("StringEquals", SSE, KMS)}), _condition("Null", SSE_KEY, "true")),
    )


def judge(bucket: Bucket, lake_key_arn: Maybe[str]) -> Verdict:
    if bucket.is_logs_bucket:
        return (Status.NOT_APPLICABLE, "the logs bucket uses SSE-S3: S3 log delivery sends no encryption header and "
                "cannot use a KMS key")
    encryption = bucket.encryption
    if is_unknown(encryption) or (encryption is not None and is_unknown(encryption.algorithm)):
        return unknown("the default encryption cannot be known before deployment")
    if encryption is None or encryption.algorithm != KMS:
        algorithm = encryption.algorithm if encryption is not None else None
        return (Status.NOT_APPLICABLE, f"default encryption is {algorithm or 'not configured'}, not {KMS} "
                "(S3.17 reports it)")
    key = lake_key_arn if lake_key_arn is not None else encryption.kms_key_id
    if bucket.policy is None:
        labels = "; ".join(p.label for p in protections(key))
        return failed(f"the bucket has no policy, so nothing denies uploads that {labels}")
    named = named_statements(bucket.policy)
    if is_unknown(named) or is_unknown(bucket.arn):
        return unknown("the bucket policy or its ARN cannot be known before deployment")
    if is_unknown(key):
        return unknown("the lake key's ARN cannot be known before deployment")
    uploads = [(n, s) for n, s in named if not contains_unknown(s) and _denies_uploads(s, bucket.arn)]
    return _verdict(protections(key), uploads, [(n, s) for n, s in named if deny_undecided(s, UPLOAD)])


def _denies_uploads(statement: Statement, bucket_arn: str) -> bool:
    return denies_everyone(statement, UPLOAD) and covers_resource(statement, f"{bucket_arn}/*")


def _verdict(wanted: tuple[Protection, ...], uploads: list[Named], undecided: list[Named]) -> Verdict:
    given = {p: [(n, s) for n, s in uploads if p.given_by(s)] for p in wanted}
    missing = [p.label + (_arn_compared(uploads) if p.names_the_key else "") for p, found in given.items() if not found]
    if missing and undecided:
        return undecided_verdict(undecided)
    if missing:
        return failed(f"the policy does not deny uploads that {'; '.join(missing)}")
    given_by = "; ".join(f"{p.label}: {names(found)}" for p, found in given.items())
    return passed(f"the policy denies uploads that {given_by}")


def _arn_compared(uploads: list[Named]) -> str:
    """Why the upload denies that compare the key header with an ARN operator do not count; "" if none do."""
    found = [(n, s) for n, s in uploads if any(op.startswith("Arn") and key == SSE_KEY for op, key, _ in conditions(s))]
    if not found:
        return ""
    return (f" ({names(found)} compare{'' if len(found) > 1 else 's'} the key header with an ARN operator, which "
            "AWS defines on ARNs only: a client sending a bare key id or an alias may pass; compare it with "
            "StringNotEquals)")


def check(model: Lake) -> list[Finding]:
    return per_bucket(RULE_ID, model.buckets, lambda bucket: judge(bucket, model.lake_key_arn))


RULE = Rule(
    id=RULE_ID,
    title="Bucket policies refuse uploads that bypass the lake key",
    severity=Severity.HIGH,
    rationale="Default encryption applies only when an upload asks for nothing. Without these denies a client "
    "can store objects under SSE-S3, another KMS key, the AWS managed key aws/s3 or its own SSE-C key: data the "
    "lake key's policy no longer governs, or cannot read at all.",
    remediation="SecureBucket's policy for SSE-KMS buckets carries DenyNonKmsEncryptionHeader, DenyOtherKmsKey, "
    "DenyKmsHeaderWithoutKey and DenySseC (components/documents/bucket_policy.py); restore the statements the "
    "finding names as missing; DenyOtherKmsKey compares the key header with the lake key's ARN by "
    "StringNotEquals (not an ARN operator), and clients send that full ARN.",
    reference="https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
    check=check,
    scope="SSE-KMS buckets (not the logs bucket)",
)
