"""LAKE.5: the S3 gateway endpoint lets only the lake's account reach only the lake's buckets.

Every Allow of the endpoint policy must be limited to the lake account's principals (Principal
"*" with a condition pinning the callers to the lake, as LAKE.12 reads them in
``_lake_conditions``: ``StringEquals aws:PrincipalAccount`` equal to the lake's account,
``aws:PrincipalArn`` of its account, ``aws:PrincipalOrgID`` equal to the organisation the config
names; or principals that are all of the lake's account) AND name only the lake's buckets (bucket
ARN, ``bucket/*`` or narrower) plus the network allowlist (``datalake:network.allowedBuckets``).
An Allow on every bucket fails whatever its principal condition: stolen credentials of the
account could copy data out.

The policy pack cannot read the stack configuration, and a live audit has no configuration
unless ``--against-plan`` gives the plan's: there the allowlist is UNKNOWN, so a bucket outside
the lake named by the endpoint policy is reported unknown (naming it), never passed or failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..iam import Statement, account_of, as_list, is_anyone, principals
from ..model import Lake, Maybe, VpcEndpoint, contains_unknown, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._lake_conditions import pins_callers_to_lake
from ._policy_reading import combine, every_bucket_resources, grant_undecided, named_statements, undecided_verdict

RULE_ID = "LAKE.5"


@dataclass(frozen=True)
class Scope:
    """Who may pass the lake's endpoint, and to which buckets."""

    model: Lake
    partition: str
    lake_arns: frozenset[str]
    lake_arns_known: bool  # False during a preview that cannot know some bucket ARN yet

    @classmethod
    def of(cls, model: Lake) -> Scope:
        return cls(
            model=model,
            partition=model.partition if isinstance(model.partition, str) else "aws",
            lake_arns=frozenset(b.arn for b in model.buckets if isinstance(b.arn, str)),
            lake_arns_known=not any(is_unknown(b.arn) for b in model.buckets),
        )

    @property
    def allowed_buckets(self) -> Maybe[tuple[str, ...]]:
        return self.model.allowed_buckets

    def requirement(self) -> str:
        """The condition that limits a statement to the lake's principals, as messages name it."""
        model = self.model
        account = f"a StringEquals aws:PrincipalAccount condition equal to the lake's account {model.account_id}"
        return account + (f" or aws:PrincipalOrgID equal to {model.organization_id}" if model.organization_id else "")


def _principal_problem(statement: Statement, scope: Scope) -> str | None:
    # IfExists, negated and ForAllValues operators, wildcards and other accounts do not pin them.
    if pins_callers_to_lake(statement, scope.model):
        return None
    if is_anyone(statement) or not {"Principal", "NotPrincipal"} & statement.keys():
        # AWS requires a Principal in endpoint policies: one missing is read as the worst case.
        who = "every principal but its NotPrincipal" if "NotPrincipal" in statement else "any principal"
        return f"allows {who} without {scope.requirement()}"
    outside = [str(p) for p in principals(statement) if account_of(str(p)) != scope.model.account_id]
    return f"allows principals outside the lake's account: {', '.join(outside)}" if outside else None


def _bucket_of(resource: object, partition: str) -> str | None:
    """The bucket a resource ARN is in; None for anything else (another service, a bucket pattern)."""
    prefix = f"arn:{partition}:s3:::"
    if not isinstance(resource, str) or not resource.startswith(prefix):
        return None
    bucket = resource.removeprefix(prefix).split("/", 1)[0]
    return None if not bucket or "*" in bucket or "?" in bucket else bucket


def _not_ours(statement: Statement, scope: Scope) -> tuple[list[str], list[str]]:
    """What the statement names beyond the lake's buckets and the allowlist (when known), in order,
    once each: resources no allowlist can hold (patterns over buckets, access points, other
    services), and buckets."""
    allowed = () if is_unknown(scope.allowed_buckets) else scope.allowed_buckets
    resources: dict[str, None] = {}
    buckets: dict[str, None] = {}
    for resource in as_list(statement.get("Resource")):
        bucket = _bucket_of(resource, scope.partition)
        if bucket is None:
            resources.setdefault(str(resource))
        elif f"arn:{scope.partition}:s3:::{bucket}" not in scope.lake_arns and bucket not in allowed:
            buckets.setdefault(bucket)
    return list(resources), list(buckets)


def _resource_problem(statement: Statement, scope: Scope, resources: list[str], buckets: list[str]) -> str | None:
    if "NotResource" in statement:
        return f"allows every resource but {', '.join(map(str, as_list(statement['NotResource'])))} (NotResource)"
    everywhere = every_bucket_resources(statement, scope.partition)
    if everywhere:
        return f"allows every bucket ({', '.join(everywhere)})"
    if is_unknown(scope.allowed_buckets) or not scope.lake_arns_known:
        buckets = []  # the caller reports them as unknown
    outside = [*buckets, *resources]
    return f"allows resources outside the lake and its allowlist: {', '.join(outside)}" if outside else None


def _judge_statement(name: str, statement: Statement, scope: Scope) -> Verdict:
    if statement.get("Effect") == "Deny":
        return passed(f"statement {name} is a Deny")
    undecided = [statement.get(part) for part in ("Resource", "NotResource", "Condition")]
    if grant_undecided(statement) or contains_unknown(undecided):
        return undecided_verdict([(name, statement)])
    resources, buckets = _not_ours(statement, scope)
    problems = [_principal_problem(statement, scope), _resource_problem(statement, scope, resources, buckets)]
    if any(problems):
        return failed(f"statement {name} {' and '.join(p for p in problems if p)}")
    if buckets and not scope.lake_arns_known:
        return undecided_verdict([(name, statement)])
    if buckets:
        return unknown(f"statement {name} allows buckets outside the lake: {', '.join(buckets)}; whether the "
                       "network allowlist names them cannot be known without the stack's configuration")
    return passed(f"statement {name} is limited to the lake's account and buckets")


def judge(endpoint: VpcEndpoint, scope: Scope) -> Verdict:
    if endpoint.policy is None:
        return failed("no endpoint policy declared: the default policy allows anyone every action on every bucket")
    named = named_statements(endpoint.policy)
    if is_unknown(named):
        return unknown("the endpoint policy cannot be known before deployment")
    if is_unknown(scope.model.account_id):
        return unknown("the lake's account cannot be known before deployment")
    return combine(
        (_judge_statement(name, statement, scope) for name, statement in named),
        "every Allow is limited to the lake account's principals and to the lake's buckets and the allowlist",
    )


def check(model: Lake) -> list[Finding]:
    scope = Scope.of(model)
    return per_resource(RULE_ID, model.endpoints, lambda e: judge(e, scope), "the stack declares no VPC endpoint")


RULE = Rule(
    id=RULE_ID,
    title="VPC endpoint policies let only the lake's account reach only the lake's buckets",
    severity=Severity.HIGH,
    rationale="An endpoint without a policy gets the default one, which allows every principal every action on "
    "every resource: from the lake's VPC, stolen or foreign credentials could then copy lake data to any "
    "bucket, of any account. Limiting the principals is not enough: with an Allow on every bucket, stolen "
    "credentials of the lake's own account can still copy data to a bucket of their own. The endpoint policy "
    "is the one place that closes both paths, because it applies to every request that leaves the VPC for S3. "
    "The policy pack, and a live audit without --against-plan, cannot read the network allowlist: a bucket "
    "outside the lake named by the policy is reported unknown there.",
    remediation="Build the endpoint policy with `components/documents/endpoint_policy.py` "
    "(`lake_endpoint_policy`): Allow only the lake's bucket ARNs and their objects, with `StringEquals "
    "aws:PrincipalAccount` on the lake's account; add buckets the VPC must reach to "
    "`datalake:network.allowedBuckets`, never a wildcard.",
    reference="https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html#edit-vpc-endpoint-policy-s3",
    check=check,
    scope="every VPC endpoint",
)
