"""LAKE.9: SQS queues are encrypted, scoped to their senders, and event queues keep failed messages."""

from __future__ import annotations

from ..iam import Statement, is_anyone, restricts_callers
from ..model import Lake, Queue, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._policy_reading import combine, grant_undecided, named_statements, undecided_verdict

RULE_ID = "LAKE.9"


def _judge_encryption(queue: Queue) -> Verdict:
    if is_unknown(queue.encrypted):
        return unknown("whether the queue is encrypted cannot be known before deployment")
    if queue.encrypted is not True:
        return failed("the queue is not encrypted: neither SQS-managed SSE nor a KMS key")
    return passed("the queue is encrypted")


def _grantee(statement: Statement) -> str | None:
    """Who an Allow needs a condition for: anyone, or a service acting for any of its customers."""
    if statement.get("Effect") != "Allow":
        return None
    if is_anyone(statement):
        return "any principal"
    principal = statement.get("Principal")
    return "a service principal" if isinstance(principal, dict) and "Service" in principal else None


def _judge_statement(name: str, statement: Statement) -> Verdict:
    if grant_undecided(statement):
        return undecided_verdict([(name, statement)])
    who = _grantee(statement)
    if who is None or restricts_callers(statement):
        return passed(f"statement {name} is scoped")
    return failed(f"statement {name} allows {who} with no aws:SourceArn or aws:SourceAccount-type condition")


def _judge_policy(queue: Queue) -> Verdict:
    named = named_statements(queue.policy)
    if is_unknown(named):
        return unknown("the queue policy cannot be known before deployment")
    return combine((_judge_statement(n, s) for n, s in named), "the queue policy is scoped")


def _judge_dead_letters(queue: Queue, event_queue_arns: frozenset[object]) -> Verdict:
    if queue.has_dead_letter_queue is True:
        return passed("the queue has a dead-letter queue")
    if is_unknown(queue.arn) and any(is_unknown(arn) for arn in event_queue_arns):
        return unknown("whether a crawler reads S3 events from the queue cannot be known before deployment")
    if queue.arn not in event_queue_arns:
        return passed("no crawler reads S3 events from the queue")
    if is_unknown(queue.has_dead_letter_queue):
        return unknown("the queue's redrive policy cannot be known before deployment")
    return failed("a crawler reads S3 events from the queue, which has no dead-letter queue")


def judge(queue: Queue, event_queue_arns: frozenset[object] = frozenset()) -> Verdict:
    return combine(
        (_judge_encryption(queue), _judge_policy(queue), _judge_dead_letters(queue, event_queue_arns)),
        "the queue is encrypted, its policy lets no service or anyone in without a condition on the source, "
        "and an event queue has a dead-letter queue",
    )


def check(model: Lake) -> list[Finding]:
    return per_resource(RULE_ID, model.queues, lambda q: judge(q, model.event_queue_arns),
                        "the stack declares no SQS queue")


RULE = Rule(
    id=RULE_ID,
    title="SQS queues are encrypted, scoped to their sources, and event queues have a dead-letter queue",
    severity=Severity.HIGH,
    rationale="S3 event messages carry object keys, which in a lake are often data (dates, ids, names). An "
    "unencrypted queue stores them in clear; an Allow to a service principal without aws:SourceArn or "
    "aws:SourceAccount lets any bucket, of any account, send to the queue (the confused deputy), and an Allow "
    "to anyone makes it public. Without a dead-letter queue, events a crawler fails to process are retried "
    "until they expire, and the objects they announce are never catalogued.",
    remediation="LakeCatalog declares event queues with SQS-managed SSE, a redrive policy to their dead-letter "
    "queue, and the policy of `components/documents/queue_policy.py` (S3 may send for the dataset's bucket "
    "and account only).",
    reference="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-least-privilege-policy.html",
    check=check,
    scope="every SQS queue",
)
