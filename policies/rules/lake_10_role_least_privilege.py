"""LAKE.10: no role policy grants every S3 action, nor S3 data actions on every bucket."""

from __future__ import annotations

from ..iam import Statement, action_matches, as_list, covers_action
from ..model import Lake, Role, contains_unknown, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._policy_reading import EVERY_S3_ACTION, combine, grant_undecided, named_statements, undecided_verdict
from ._policy_reading import every_bucket_resources

RULE_ID = "LAKE.10"
DATA_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket")


def _every_s3_action(statement: Statement) -> list[str]:
    """The action patterns granting every S3 action ("s3:*", "*"...), as messages name them."""
    if not all(covers_action(statement, a) for a in EVERY_S3_ACTION):
        return []
    if "NotAction" in statement:
        return [f"every action but {', '.join(map(str, as_list(statement['NotAction'])))}"]
    return [p for p in as_list(statement.get("Action"))
            if isinstance(p, str) and all(action_matches(p, a) for a in EVERY_S3_ACTION)]


def _judge_statement(role: str, name: str, statement: Statement, partition: object) -> Verdict:
    if statement.get("Effect") == "Deny":
        return passed(f"statement {name} is a Deny")
    if grant_undecided(statement) or contains_unknown([statement.get("Resource"), statement.get("NotResource")]):
        return undecided_verdict([(name, statement)])
    problems = []
    if every_action := _every_s3_action(statement):
        problems.append(f"allows {', '.join(every_action)}")
    data_actions = [a for a in DATA_ACTIONS if covers_action(statement, a)]
    if data_actions and (everywhere := every_bucket_resources(statement, partition)):
        problems.append(f"allows {', '.join(data_actions)} on {', '.join(everywhere)}")
    if problems:
        return failed(f"role {role}: statement {name} {' and '.join(problems)}")
    return passed(f"statement {name} is scoped")


def judge(role: Role, partition: object = "aws") -> Verdict:
    verdicts = []
    for policy in role.policies:
        named = named_statements(policy)
        if is_unknown(named):
            verdicts.append(unknown("a policy of the role cannot be known before deployment"))
            continue
        verdicts.extend(_judge_statement(role.name, n, s, partition) for n, s in named)
    return combine(verdicts, "no inline policy grants every S3 action, nor S3 data actions on every bucket")


def check(model: Lake) -> list[Finding]:
    return per_resource(RULE_ID, model.roles, lambda r: judge(r, model.partition), "the stack declares no IAM role")


RULE = Rule(
    id=RULE_ID,
    title="IAM roles do not grant every S3 action or S3 data actions on every bucket",
    severity=Severity.HIGH,
    rationale="A role that may call s3:* can rewrite bucket policies and delete the lake; one that may read, "
    "write or list every bucket reaches buckets outside the lake, of this account and, where their policies "
    "allow it, of others. Crawler roles are the typical case: AWSGlueServiceRole grants S3 access on every "
    "resource, where a crawler needs one prefix of one bucket.",
    remediation="Build crawler roles with `components/documents/crawler_role.py` (`crawler_policy`): list "
    "and read one prefix of one bucket, with the KMS half of the grant; name actions and bucket ARNs "
    "explicitly in any other role policy.",
    reference="https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html",
    check=check,
    scope="every IAM role declared in the stack, through its inline policies",
)
