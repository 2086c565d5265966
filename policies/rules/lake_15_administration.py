"""LAKE.15: the administrators can still change the lake key's policy and every bucket policy.

LAKE.3 reads network-keyed Deny statements one by one; this rule asks the IAM evaluator the
question that matters after every statement has had its say: can each administrator (and the
deployer) call kms:PutKeyPolicy on the key and s3:PutBucketPolicy on each bucket, from outside
the lake's network, with an identity policy that allows everything? A key policy that names no
administrator and not the account root, or a Deny on policy changes that exempts nobody, fails
here whatever its form. KMS refuses such a key policy at PutKeyPolicy (its lock-out safety
check) only for the caller, and only unless the check is bypassed.
"""

from __future__ import annotations

from ..access.actors import FULL_ACCESS
from ..access.scenarios import MODERN_TLS
from ..evaluator.evaluate import evaluate
from ..iam import account_of
from ..evaluator.request import Policy, Principal, Request
from ..model import Bucket, Key, Lake, contains_unknown, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, not_applicable, passed, per_bucket, per_key, unknown

RULE_ID = "LAKE.15"


def _people(model: Lake) -> tuple[str, ...]:
    """The administrators and the deployer of the lake's account, each once, in config order.

    A principal of another account cannot change a bucket policy or a key policy whatever the
    policies say (S3 and KMS refuse those calls across accounts); LAKE.12 reports such grants. A
    live audit derives the administrators from the key policy, so a foreign one may appear here."""
    named = (*model.administrators, *((model.deployer,) if model.deployer else ()))
    own = [p for p in named if is_unknown(model.account_id) or account_of(p) == model.account_id]
    return tuple(dict.fromkeys(own))


def _refusals(model: Lake, policy: object, action: str, resource: str, service: str) -> list[str]:
    """``person: reason`` for each person the policy leaves unable to call ``action``."""
    document = Policy("the bucket policy" if service == "s3" else "the key policy", policy)  # type: ignore[arg-type]
    context = dict(MODERN_TLS) if service == "s3" else {}
    refused = []
    for person in _people(model):
        identity = (Policy(f"identity policy of {person}", FULL_ACCESS),)
        decision = evaluate(Request(Principal.iam(person), action, resource, context), identity, document,
                            str(model.account_id), service=service)  # type: ignore[arg-type]
        if not decision.allowed:
            refused.append(f"{person} ({decision.reason})")
    return refused


def _judge(model: Lake, policy: object, arn: object, action: str, service: str) -> Verdict:
    if policy is None and service == "s3":
        return passed(f"no bucket policy: nothing denies {action}")
    if policy is None:
        return failed("no key policy declared: nobody can administer the key")
    if contains_unknown(policy) or is_unknown(model.account_id):
        return unknown("the policy or the lake's account cannot be known before deployment")
    refused = _refusals(model, policy, action, str(arn), service)
    if refused:
        return failed(f"{action} is refused to {'; '.join(refused)}")
    return passed(f"every administrator and the deployer may call {action}")


def judge_bucket(model: Lake, bucket: Bucket) -> Verdict:
    # A bucket's ARN follows from its name: known even before the bucket exists.
    arn = bucket.arn if isinstance(bucket.arn, str) else f"arn:{model.partition}:s3:::{bucket.name}"
    return _judge(model, bucket.policy, arn, "s3:PutBucketPolicy", "s3")


def judge_key(model: Lake, key: Key) -> Verdict:
    # A key policy's Resource is "*" (the key itself): any ARN of the account stands for a key not
    # yet created.
    arn = key.arn if isinstance(key.arn, str) else f"arn:{model.partition}:kms:{model.region}:{model.account_id}:key/new"
    return _judge(model, key.policy, arn, "kms:PutKeyPolicy", "kms")


def check(model: Lake) -> list[Finding]:
    if not _people(model):
        return not_applicable(RULE_ID, "the stack names no administrator and no deployer")
    findings = per_key(RULE_ID, model.lake_keys, lambda k: judge_key(model, k), "the stack declares no lake key")
    findings += per_bucket(RULE_ID, model.buckets, lambda b: judge_bucket(model, b))
    applicable = [f for f in findings if f.resource != "lake"]
    return applicable or findings[:1]


RULE = Rule(
    id=RULE_ID,
    title="The administrators can change the lake key's policy and every bucket policy",
    severity=Severity.CRITICAL,
    rationale="A key policy that names no administrator and not the account root, or a Deny on policy changes "
    "that exempts nobody, leaves a lake nobody can repair: a locked bucket needs the account root, a locked "
    "KMS key needs AWS Support, and until then the data under it cannot be re-keyed or shared. The evaluator "
    "decides every statement together, so the rule catches lock-outs of any form, network-keyed or not.",
    remediation="Keep the key policy's EnableIamPolicies and AllowKeyAdministration statements "
    "(`components/documents/key_policy.py`); exempt `datalake:administrators` and `datalake:deployer` from any "
    "Deny that covers kms:PutKeyPolicy or s3:PutBucketPolicy (`ArnNotLike` on `aws:PrincipalArn`).",
    reference="https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
    check=check,
    scope="the lake key and every bucket, for each administrator and the deployer",
)
