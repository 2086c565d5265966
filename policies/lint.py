"""parliament (duo-labs' IAM linter) over the lake's policies, with its false positives named.

``lint_policy(document, kind)`` runs parliament with its community auditors (privilege
escalation, credentials exposure, permissions management, NotPrincipal/NotResource with Allow)
and returns its findings, minus the ``EXCEPTIONS``: findings that are wrong for that kind of
policy, each with the reason and the AWS documentation that says so.

parliament has no notion of resource policies: it checks a Principal's form when there is one
and otherwise reads every policy as an identity policy. So its "permissions" auditors see what a
statement allows without asking to whom, and ``Resource: "*"`` looks like "every resource" where
a key policy means "this key". The exceptions below are those readings, for our documents.

parliament is a test dependency (pyproject ``[test]``): import this module from tests and tools,
never from the program or the policy pack.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import parliament
import yaml

from policies.grammar import PolicyKind, check_kind

KMS_ACTIONS = r"(?i)kms:\w+(, kms:\w+)*"  # a finding about KMS actions only


@dataclass(frozen=True)
class LintFinding:
    issue: str  # parliament's code, e.g. "RESOURCE_STAR"
    severity: str  # parliament's: LOW, MEDIUM, HIGH, CRITICAL
    title: str
    detail: str  # what parliament says, or the actions it names
    statement: int | None = None  # index in Statement; None for a finding on the whole policy
    sid: str | None = None

    def __str__(self) -> str:
        where = "policy" if self.statement is None else f"Statement[{self.statement}]"
        named = f" ({self.sid})" if self.sid else ""
        return f"{where}{named}: {self.issue} ({self.severity}): {self.detail or self.title}"


@dataclass(frozen=True)
class LintException:
    kind: PolicyKind  # the policy kind it applies to ("resource": bucket and key policies)
    issue: str
    detail: str  # regular expression the finding's detail must match in full
    why: str
    reference: str

    def covers(self, finding: LintFinding, kind: PolicyKind) -> bool:
        same_issue = kind == self.kind and finding.issue == self.issue
        return same_issue and re.fullmatch(self.detail, finding.detail) is not None


EXCEPTIONS = (
    LintException(
        kind="resource",
        issue="RESOURCE_STAR",
        detail=KMS_ACTIONS,
        why='In a key policy "Resource": "*" means "this KMS key": the key the policy is attached to, '
        "not every key. Of the lake's resource policies (bucket, key, S3 endpoint and SQS queue policies) only "
        "key policies hold KMS actions: S3 refuses bucket policies with non-S3 actions, and the endpoint and queue "
        "policies name S3 and SQS actions only. So a resource-policy finding on KMS actions only is a key policy's.",
        reference="https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
    ),
    LintException(
        kind="resource",
        issue="PERMISSIONS_MANAGEMENT_ACTIONS",
        detail=KMS_ACTIONS,
        why="A key policy exists to say who manages the key: the account-root statement (kms:* to the "
        "account, which IAM policies then delegate) and the key administrators' statement "
        "(kms:PutKeyPolicy, kms:RevokeGrant) follow the first two statements of the default key policy "
        "the KMS console writes, and go to named principals only. parliament's auditor ignores the Principal, and counts kms:CreateKey, "
        "which no key policy can grant.",
        reference="https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
    ),
    LintException(
        kind="resource",
        issue="MISMATCHED_TYPE",
        detail=r"Type mismatch: s3:TlsVersion requires a value of type Numeric but given \['\d+\.\d+'\]",
        why="s3:TlsVersion is numeric and TLS versions are decimals: AWS's own TLS floor compares it with "
        "1.2. parliament's Numeric check accepts integers only (^\\d+$).",
        reference="https://repost.aws/knowledge-center/s3-enforce-modern-tls",
    ),
    LintException(
        kind="resource",
        issue="UNKNOWN_CONDITION_FOR_ACTION",
        detail=r"Unknown condition s3:TlsVersion for action s3:(InitiateReplication|PutAccessPointPublicAccessBlock)",
        why="The TLS floor denies s3:* below TLS 1.2, as AWS recommends. parliament checks each of the "
        "~170 actions s3:* expands to, and its data lists no s3:TlsVersion for these two: "
        "s3:PutAccessPointPublicAccessBlock is an account-level action the statement's bucket ARNs never "
        "match, and s3:InitiateReplication is called by S3 Batch Operations for Batch Replication jobs, "
        "not by a client over TLS. A key absent from a request makes the Deny not apply to it; it opens nothing.",
        reference="https://repost.aws/knowledge-center/s3-enforce-modern-tls",
    ),
    LintException(
        kind="resource",
        issue="UNKNOWN_CONDITION_FOR_ACTION",
        detail=r"Unknown condition aws:ViaAWSService for action s3:\w+",
        why="aws:ViaAWSService is a global condition key, in the context of every request (true when an AWS "
        "service calls on a principal's behalf with its credentials); the perimeter deny lets those calls "
        "through. parliament's list of global keys predates it, and it checks the statement's NotAction "
        "actions (the ones the deny leaves alone) as if the statement applied to them.",
        reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
        "#condition-keys-viaawsservice",
    ),
    LintException(
        kind="resource",
        issue="RESOURCE_MISMATCH",
        detail=r"\[\{'action': 's3:\w+', 'required_format': '(?!arn:\*:s3:::)[^']*'\}"
        r"(, \{'action': 's3:\w+', 'required_format': '(?!arn:\*:s3:::)[^']*'\})*\]",
        why="The S3 gateway endpoint policy allows s3:* on the listed buckets and their objects only, so that "
        "nothing else passes the endpoint. The actions parliament lists act on no bucket or object (access "
        "points, batch jobs, Storage Lens, account settings): they match none of the ARNs, so they do not "
        "pass, which is the intent. A mismatch on a bucket or object action (format arn:*:s3:::...) stays a "
        "finding.",
        reference="https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html",
    ),
    LintException(
        kind="resource",
        issue="PERMISSIONS_MANAGEMENT_ACTIONS",
        detail=r"(?i)(?=.*\bs3:putbucketpolicy\b)(?=.*\bs3:bypassgovernanceretention\b)s3:\w+(, s3:\w+)*",
        why="The finding of a resource policy allowing s3:*, which the lake writes only in its S3 gateway "
        "endpoint policy (bucket policies allow no such action; their tests say so). An endpoint policy grants "
        "nothing: it narrows what may pass the endpoint, and the caller still needs an identity policy that "
        "allows the action and a bucket policy that does not deny it. parliament reads it as a grant.",
        reference="https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html",
    ),
    LintException(
        kind="resource",
        issue="MISMATCHED_TYPE_BUT_USABLE",
        detail="Type mismatch: StringNotEquals requires a value of type String but given Arn",
        why="DenyOtherKmsKey compares s3:x-amz-server-side-encryption-aws-kms-key-id, which the IAM definition "
        "types ARN, with the lake key's ARN by StringNotEquals on purpose: the header holds what the client sent "
        "(a key ARN, a bare key id or an alias), IAM documents the ARN operators on ARNs only, and an exact string "
        "comparison denies everything but the full ARN. parliament's finding names no key, so this covers "
        "StringNotEquals on any ARN-typed key of a resource policy: an exact match, usable as parliament says.",
        reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/"
        "reference_policies_elements_condition_operators.html#Conditions_ARN",
    ),
    LintException(
        kind="generic",
        issue="MALFORMED",
        detail="Statement contains neither Resource nor NotResource",
        why="A role trust policy is the role's own resource policy: it names who may assume the role "
        "(Principal, sts:AssumeRole) and has no Resource, as in IAM's examples of roles for AWS services. "
        "parliament reads every document as an identity policy. The grammar still requires a Resource in "
        "identity and resource policies, so only generic documents (trust policies) are excepted.",
        reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html",
    ),
    LintException(
        kind="identity",
        issue="PERMISSIONS_MANAGEMENT_ACTIONS",
        detail="(?i)sqs:setqueueattributes",
        why="AWS classes sqs:SetQueueAttributes as a Write action (parliament's own IAM data says so too); "
        "its community auditor lists it from an old Policy Sentry snapshot. AWS Glue documents it for the "
        "role of a crawler in event mode; the lake grants it on the crawler's own event queues only, to a "
        "role only Glue can assume.",
        reference="https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html",
    ),
)


def lint_policy(document: dict[str, Any], kind: PolicyKind) -> list[LintFinding]:
    """parliament's findings on ``document`` that no exception covers.

    ``document`` should follow the grammar (``policies.grammar``): parliament stops at the first
    malformed statement.
    """
    check_kind(kind)
    return [f for f in parliament_findings(document) if exception_for(f, kind) is None]


def exception_for(finding: LintFinding, kind: PolicyKind) -> LintException | None:
    return next((e for e in EXCEPTIONS if e.covers(finding, kind)), None)


def parliament_findings(document: dict[str, Any]) -> list[LintFinding]:
    """All of parliament's findings, each once (it repeats one per action a wildcard expands to).

    A crash of parliament is a CRITICAL ``EXCEPTION`` finding, as parliament reports its auditors'.
    """
    statements = _statements(document)
    try:
        policy = parliament.analyze_policy_string(
            _one_statement_per_line(document, statements), ignore_private_auditors=True, include_community_auditors=True
        )
    except Exception as error:  # noqa: BLE001 (a linter bug must not stop the other checks)
        return [LintFinding("EXCEPTION", "CRITICAL", "parliament failed", f"{type(error).__name__}: {error}")]
    findings: list[LintFinding] = []
    for raw in policy.findings:
        finding = _finding(raw, statements)
        if finding not in findings:
            findings.append(finding)
    return findings


def _statements(document: dict[str, Any]) -> list[Any]:
    statement = document.get("Statement", [])
    return statement if isinstance(statement, list) else [statement]


def _one_statement_per_line(document: dict[str, Any], statements: list[Any]) -> str:
    """The document as parliament reads it: line ``n + 2`` holds statement ``n``, so a finding's
    line names its statement.

    Numbers in conditions are written as strings: parliament's type checks match values with
    ``re.match`` and crash on a JSON number (``1.2``), which IAM reads exactly as ``"1.2"``.
    """
    head = json.dumps({k: v for k, v in document.items() if k != "Statement"})
    lines = [json.dumps(_numbers_as_text(s)) for s in statements]
    return head[:-1] + (", " if len(head) > 2 else "") + '"Statement": [\n' + ",\n".join(lines) + "\n]}"


def _numbers_as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _numbers_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_as_text(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _finding(raw: Any, statements: list[Any]) -> LintFinding:
    issue = _issues()[raw.issue]
    line = raw.location.get("line", raw.location.get("lineno"))
    index = line - 2 if isinstance(line, int) and 0 <= line - 2 < len(statements) else None
    sid = statements[index].get("Sid") if index is not None and isinstance(statements[index], dict) else None
    return LintFinding(raw.issue, issue["severity"], issue["title"], _detail(raw), index, sid)


def _detail(raw: Any) -> str:
    if isinstance(raw.detail, list) and all(isinstance(d, str) for d in raw.detail):
        return ", ".join(raw.detail)
    if raw.detail:
        return str(raw.detail)
    return ", ".join(raw.location.get("actions", []))


@cache
def _issues() -> dict[str, dict[str, Any]]:
    """parliament's issue codes with their severity and title, its community auditors' included
    (read here rather than with ``parliament.override_config``, which rewrites its global config)."""
    community = Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml"
    return {**parliament.config, **yaml.safe_load(community.read_text(encoding="utf-8"))}
