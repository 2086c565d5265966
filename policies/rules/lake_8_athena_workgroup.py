"""LAKE.8: Athena workgroups enforce their configuration and encrypt query results with KMS."""

from __future__ import annotations

from ..model import Lake, Workgroup, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._policy_reading import combine

RULE_ID = "LAKE.8"
KMS_OPTIONS = ("SSE_KMS", "CSE_KMS")


def _judge_enforced(workgroup: Workgroup) -> Verdict:
    if is_unknown(workgroup.enforced):
        return unknown("whether the workgroup enforces its configuration cannot be known before deployment")
    if workgroup.enforced is not True:
        return failed("the workgroup does not enforce its configuration: clients may send results elsewhere, "
                      "unencrypted")
    return passed("the workgroup enforces its configuration")


def _judge_key(workgroup: Workgroup, lake_key_arn: object) -> Verdict:
    """With a lake key, results are encrypted with it: one key policy decides who reads the lake."""
    if workgroup.kms_key_arn is None:
        return failed(f"query results are {workgroup.encryption_option} with no KMS key named")
    if lake_key_arn is None:
        return passed("query results are encrypted with a KMS key")
    if is_unknown(workgroup.kms_key_arn) or is_unknown(lake_key_arn):
        return unknown("the key of the query results cannot be known before deployment")
    if workgroup.kms_key_arn != lake_key_arn:
        return failed(f"query results are encrypted with {workgroup.kms_key_arn}, not the lake key {lake_key_arn}")
    return passed("query results are encrypted with the lake key")


def _judge_encryption(workgroup: Workgroup, lake_key_arn: object) -> Verdict:
    option = workgroup.encryption_option
    if is_unknown(option):
        return unknown("the encryption of query results cannot be known before deployment")
    if option is None:
        return failed("query results are not encrypted")
    if option not in KMS_OPTIONS:
        return failed(f"query results are encrypted with {option}, must be SSE_KMS or CSE_KMS")
    return _judge_key(workgroup, lake_key_arn)


def judge(workgroup: Workgroup, lake_key_arn: object = None) -> Verdict:
    return combine(
        (_judge_enforced(workgroup), _judge_encryption(workgroup, lake_key_arn)),
        f"the workgroup enforces its configuration and encrypts query results with {workgroup.encryption_option}",
    )


def check(model: Lake) -> list[Finding]:
    return per_resource(RULE_ID, model.workgroups, lambda w: judge(w, model.lake_key_arn),
                        "the stack declares no Athena workgroup")


RULE = Rule(
    id=RULE_ID,
    title="Athena workgroups enforce their configuration and encrypt results with KMS",
    severity=Severity.HIGH,
    rationale="Query results are copies of lake data. A workgroup that does not enforce its configuration "
    "lets every client choose where results go and whether they are encrypted; SSE_S3 encrypts them with a "
    "key whose use no key policy limits, so anyone allowed to read the results bucket reads them.",
    remediation="QueryWorkgroup declares the workgroup with `enforce_workgroup_configuration=True` and SSE_KMS "
    "with the lake key; restore those settings if they were changed.",
    reference="https://docs.aws.amazon.com/athena/latest/ug/encrypting-query-results-stored-in-s3.html",
    check=check,
    scope="every Athena workgroup",
)
