"""LAKE.8: Athena workgroups enforce their configuration and keep query results in the lake, under its key.

Query results are copies of lake data: they go to the lake's query-results bucket (the bucket
tagged ``zone=query-results``, components/data_lake.py), never to another bucket of this or any
account, nor to a zone bucket (results are not data), encrypted with the lake key.
"""

from __future__ import annotations

from ..model import Bucket, Lake, Workgroup, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._policy_reading import combine

RULE_ID = "LAKE.8"
KMS_OPTIONS = ("SSE_KMS", "CSE_KMS")
QUERY_RESULTS_ZONE = "query-results"  # the tag components/data_lake.py puts on the results bucket


def _judge_enforced(workgroup: Workgroup) -> Verdict:
    if is_unknown(workgroup.enforced):
        return unknown("whether the workgroup enforces its configuration cannot be known before deployment")
    if workgroup.enforced is not True:
        return failed("the workgroup does not enforce its configuration: clients may send results elsewhere, "
                      "unencrypted")
    return passed("the workgroup enforces its configuration")


def _bucket_of(location: str) -> str | None:
    """The bucket of an ``s3://bucket/prefix`` location."""
    if not location.startswith("s3://"):
        return None
    return location.removeprefix("s3://").split("/", 1)[0] or None


def _judge_location(workgroup: Workgroup, model: Lake) -> Verdict:
    location = workgroup.output_location
    if is_unknown(location):
        return unknown("the output location of query results cannot be known before deployment")
    if location is None:
        return failed("the workgroup names no output location for query results")
    results = [b.name for b in model.buckets if b.zone == QUERY_RESULTS_ZONE]
    bucket = _bucket_of(location)
    if bucket in results:
        return passed("query results go to the lake's query-results bucket")
    return _outside_results_bucket(location, model.bucket_named(bucket), results)


def _outside_results_bucket(location: str, lake_bucket: Bucket | None, results: list[str]) -> Verdict:
    if lake_bucket is not None:
        return failed(f"query results go to {location}, the lake's {lake_bucket.zone or 'untagged'} bucket, "
                      "not its query-results bucket: results are not data")
    if not results:
        # A live audit of some of the lake's buckets may leave the results bucket out of view.
        return unknown(f"query results go to {location}, and no bucket in view is the lake's query-results "
                       f"bucket (tagged zone={QUERY_RESULTS_ZONE})")
    return failed(f"query results go to {location}, outside the lake's query-results bucket {', '.join(results)}")


def _same_key(named: str, lake_key_arn: str) -> bool:
    """Athena takes the key's ARN or its id (and a live GetWorkGroup returns what was given)."""
    return named == lake_key_arn or (not named.startswith("arn:") and lake_key_arn.endswith(f":key/{named}"))


def _judge_key(workgroup: Workgroup, lake_key_arn: object) -> Verdict:
    """With a lake key, results are encrypted with it: one key policy decides who reads the lake."""
    if workgroup.kms_key_arn is None:
        return failed(f"query results are {workgroup.encryption_option} with no KMS key named")
    if lake_key_arn is None:
        return passed("query results are encrypted with a KMS key")
    if is_unknown(workgroup.kms_key_arn) or is_unknown(lake_key_arn):
        return unknown("the key of the query results cannot be known before deployment")
    if not _same_key(str(workgroup.kms_key_arn), str(lake_key_arn)):
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


def judge(workgroup: Workgroup, model: Lake) -> Verdict:
    return combine(
        (_judge_enforced(workgroup), _judge_location(workgroup, model),
         _judge_encryption(workgroup, model.lake_key_arn)),
        "the workgroup enforces its configuration and sends query results to the lake's query-results bucket, "
        f"encrypted with {workgroup.encryption_option}",
    )


def check(model: Lake) -> list[Finding]:
    return per_resource(RULE_ID, model.workgroups, lambda w: judge(w, model),
                        "the stack declares no Athena workgroup")


RULE = Rule(
    id=RULE_ID,
    title="Athena workgroups enforce their configuration and keep results in the lake, encrypted with its key",
    severity=Severity.HIGH,
    rationale="Query results are copies of lake data. A workgroup that does not enforce its configuration "
    "lets every client choose where results go and whether they are encrypted; SSE_S3 encrypts them with a "
    "key whose use no key policy limits, so anyone allowed to read the results bucket reads them. Results sent "
    "to another bucket leave the lake's access controls and retention: another account's bucket hands the data "
    "over, and a zone bucket mixes scratch copies with the data the crawlers catalogue.",
    remediation="QueryWorkgroup declares the workgroup with `enforce_workgroup_configuration=True`, results in "
    "the lake's query-results bucket and SSE_KMS with the lake key (its ARN); restore those settings if they "
    "were changed.",
    reference="https://docs.aws.amazon.com/athena/latest/ug/encrypting-query-results-stored-in-s3.html",
    check=check,
    scope="every Athena workgroup",
)
