"""Why did the lake refuse a request? The bucket policy, evaluated against what the client sent.

S3 says only "AccessDenied". The lake's bucket policies let anyone read them (the perimeter
leaves GetBucketPolicy open), so on a denial the client fetches the policy once and replays its
own request through the project's policy evaluator (``policies.evaluator``) with the context it
knows: TLS or not (the endpoint URL), the encryption headers it sent, no VPC endpoint (a client
cannot know whether its route goes through one). The Deny statements that apply name the rule;
each lake rule has a hint saying what to change. When the policy cannot be read, or no Deny
applies, the hint lists the likely causes instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.evaluator.evaluate import evaluate
from policies.evaluator.request import Policy, Principal, Request

from .errors import AccessDeniedError, s3_url

# The lake's bucket-policy statements (components/documents), by Sid: what to do about each.
RULE_HINTS = {
    "DenyInsecureTransport": "the lake refuses requests without TLS (DenyInsecureTransport): use an https:// "
                             "endpoint URL",
    "DenyOutdatedTls": "the lake refuses TLS older than 1.2 (DenyOutdatedTls): upgrade the client's TLS library",
    "DenyNonKmsEncryptionHeader": "uploads may only ask for SSE-KMS (DenyNonKmsEncryptionHeader): send "
                                  "x-amz-server-side-encryption: aws:kms, or no encryption header",
    "DenyOtherKmsKey": "the upload named a KMS key that is not the lake key (DenyOtherKmsKey): pass the lake "
                       "key's full ARN (stack output keyArn) with --key-arn, not another key, an alias or a key id",
    "DenyKmsHeaderWithoutKey": "the upload asked for aws:kms without naming the key (DenyKmsHeaderWithoutKey): "
                               "pass the lake key's ARN with --key-arn",
    "DenySseC": "customer-provided keys (SSE-C) are refused (DenySseC): let the lake key encrypt the object",
    "DenyMissingEncryptionHeader": "strict mode: every upload must carry the SSE-KMS headers "
                                   "(DenyMissingEncryptionHeader): pass the lake key's ARN with --key-arn or "
                                   "--stack-outputs",
    "DenyOutsideLakeEndpoint": "the lake only answers requests through its S3 VPC endpoint "
                               "(DenyOutsideLakeEndpoint): run this from inside the lake's VPC (and check that its "
                               "route table uses the endpoint), or as an exempt administrator role",
}
UNEXPLAINED_HINT = ("no statement of the bucket policy denies this request as the client sees it: your IAM "
                    "identity may lack {action}, the lake key's policy may not let you use the key (kms:Decrypt to "
                    "read, kms:GenerateDataKey to write), or the request did not come through the lake's VPC "
                    "endpoint")
UNREAD_HINT = ("the bucket policy could not be read to find the rule; likely causes: {causes}")
# The TLS versions this client negotiates at least (botocore's default SSL context refuses older).
CLIENT_TLS_VERSION = "1.2"


@dataclass(frozen=True)
class Attempt:
    """What the client asked: enough to replay the request against the bucket policy."""

    operation: str  # "PutObject", the name users see in the error
    action: str  # "s3:PutObject", what the policy judges
    bucket: str
    key: str | None = None
    secure: bool = True  # https endpoint
    headers: Mapping[str, str] = field(default_factory=dict)  # encryption headers sent, lowercased names

    @property
    def resource(self) -> str:
        return f"arn:aws:s3:::{self.bucket}/{self.key}" if self.key else f"arn:aws:s3:::{self.bucket}"

    def context(self) -> dict[str, Any]:
        """The condition keys S3 would see for this request (no aws:SourceVpce: unknown here)."""
        context: dict[str, Any] = {"aws:SecureTransport": "true" if self.secure else "false"}
        if self.secure:
            context["s3:TlsVersion"] = CLIENT_TLS_VERSION
        context.update({f"s3:{name}": value for name, value in self.headers.items()})
        return context


def denying_rules(attempt: Attempt, policy_text: str, principal_arn: str | None) -> tuple[str, ...]:
    """Sids (or positions) of the bucket-policy statements that deny the attempt."""
    document = json.loads(policy_text)
    principal = Principal.iam(principal_arn) if principal_arn else Principal.anonymous()
    account = principal.account or ""
    decision = evaluate(Request(principal, attempt.action, attempt.resource, attempt.context()), (),
                        Policy(f"bucket policy of {attempt.bucket}", document), account)
    if decision.decision != "explicit_deny":
        return ()
    return tuple(ref.sid or f"statement {ref.index}" for ref in decision.deciding)


def likely_causes(attempt: Attempt) -> list[str]:
    """Without the policy: what the client itself can see going wrong, else the usual suspects."""
    causes = []
    if not attempt.secure:
        causes.append(RULE_HINTS["DenyInsecureTransport"])
    if attempt.action == "s3:PutObject" and "x-amz-server-side-encryption-aws-kms-key-id" not in attempt.headers:
        causes.append(RULE_HINTS["DenyMissingEncryptionHeader"])
    causes.append("the request did not come through the lake's VPC endpoint (DenyOutsideLakeEndpoint)")
    causes.append(f"your IAM identity lacks {attempt.action}, or the lake key's policy does not let you use the key")
    return causes


def rule_hint(rules: tuple[str, ...]) -> str:
    return "; ".join(RULE_HINTS.get(rule, f"denied by statement {rule} of the bucket policy") for rule in rules)


def refused(attempt: Attempt, server_message: str) -> str:
    return f"{attempt.operation} {s3_url(attempt.bucket, attempt.key)}: access denied ({server_message})"


def not_granted(attempt: Attempt, server_message: str, missing_grant: str) -> AccessDeniedError:
    """The error of a consumer whose declared grants do not cover the attempt (``consumers.py``)."""
    return AccessDeniedError(refused(attempt, server_message), missing_grant)


def explain(attempt: Attempt, server_message: str, policy_text: str | None,
            principal_arn: str | None) -> AccessDeniedError:
    """The error to raise: the rules that deny the attempt, or the likely causes."""
    message = refused(attempt, server_message)
    if policy_text is None:
        return AccessDeniedError(message, UNREAD_HINT.format(causes="; ".join(likely_causes(attempt))))
    rules = denying_rules(attempt, policy_text, principal_arn)
    if not rules:
        return AccessDeniedError(message, UNEXPLAINED_HINT.format(action=attempt.action))
    return AccessDeniedError(message, rule_hint(rules), rules)


def policy_principal(caller_arn: str | None) -> str | None:
    """aws:PrincipalArn of a caller: an assumed-role session counts as its role."""
    if caller_arn is None or ":assumed-role/" not in caller_arn:
        return caller_arn
    head, _, rest = caller_arn.partition(":assumed-role/")
    return f"{head.replace(':sts:', ':iam:')}:role/{rest.split('/')[0]}"
