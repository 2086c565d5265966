"""LAKE.5: the S3 VPC endpoint's policy does not let anyone reach every bucket."""

from __future__ import annotations

from ..iam import Statement, is_public_allow
from ..model import Lake, VpcEndpoint, contains_unknown, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._policy_reading import combine, every_bucket_resources, grant_undecided, named_statements, undecided_verdict

RULE_ID = "LAKE.5"


def _judge_statement(name: str, statement: Statement, partition: object) -> Verdict:
    if statement.get("Effect") == "Deny":
        return passed(f"statement {name} is a Deny")
    if grant_undecided(statement) or contains_unknown([statement.get("Resource"), statement.get("NotResource")]):
        return undecided_verdict([(name, statement)])
    everywhere = every_bucket_resources(statement, partition)
    if not is_public_allow(statement) or not everywhere:
        return passed(f"statement {name} is scoped")
    return failed(f"statement {name} allows any principal on {', '.join(everywhere)}, "
                  "with no condition restricting the callers")


def judge(endpoint: VpcEndpoint, partition: object = "aws") -> Verdict:
    if endpoint.policy is None:
        return failed("no endpoint policy declared: the default policy allows anyone every action on every bucket")
    named = named_statements(endpoint.policy)
    if is_unknown(named):
        return unknown("the endpoint policy cannot be known before deployment")
    return combine(
        (_judge_statement(name, statement, partition) for name, statement in named),
        "no statement allows any principal on every bucket without a condition restricting the callers",
    )


def check(model: Lake) -> list[Finding]:
    return per_resource(RULE_ID, model.endpoints, lambda e: judge(e, model.partition),
                        "the stack declares no VPC endpoint")


RULE = Rule(
    id=RULE_ID,
    title="VPC endpoint policies do not let anyone reach every bucket",
    severity=Severity.HIGH,
    rationale="An endpoint without a policy gets the default one, which allows every principal every action on "
    "every resource: from the lake's VPC, stolen or foreign credentials could then copy lake data to any "
    "bucket, of any account. The endpoint policy is the one place that closes this path, because it applies "
    "to every request that leaves the VPC for S3.",
    remediation="Build the endpoint policy with `components/documents/endpoint_policy.py` "
    "(`lake_endpoint_policy`): Allow only the listed bucket ARNs, with `StringEquals aws:PrincipalAccount` "
    "on the lake's account; add buckets the VPC must reach to the network allowlist, not a wildcard.",
    reference="https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html#edit-vpc-endpoint-policy-s3",
    check=check,
    scope="every VPC endpoint",
)
