"""LAKE.9: SQS queues are encrypted, and event queues keep failed messages.

Queue policies are judged with the other resource policies: LAKE.12 (principals outside the
account) and LAKE.13 (service principals limited to the lake's sources).
"""

from __future__ import annotations

from ..model import Lake, Queue, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._policy_reading import combine

RULE_ID = "LAKE.9"


def _judge_encryption(queue: Queue) -> Verdict:
    if is_unknown(queue.encrypted):
        return unknown("whether the queue is encrypted cannot be known before deployment")
    if queue.encrypted is not True:
        return failed("the queue is not encrypted: neither SQS-managed SSE nor a KMS key")
    return passed("the queue is encrypted")


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
        (_judge_encryption(queue), _judge_dead_letters(queue, event_queue_arns)),
        "the queue is encrypted, and an event queue has a dead-letter queue",
    )


def check(model: Lake) -> list[Finding]:
    return per_resource(RULE_ID, model.queues, lambda q: judge(q, model.event_queue_arns),
                        "the stack declares no SQS queue")


RULE = Rule(
    id=RULE_ID,
    title="SQS queues are encrypted, and event queues have a dead-letter queue",
    severity=Severity.HIGH,
    rationale="S3 event messages carry object keys, which in a lake are often data (dates, ids, names). An "
    "unencrypted queue stores them in clear. Without a dead-letter queue, events a crawler fails to process are "
    "retried until they expire, and the objects they announce are never catalogued. Who may use the queue is "
    "judged with the lake's other resource policies: LAKE.12 (other accounts) and LAKE.13 (service principals).",
    remediation="LakeCatalog declares event queues with SQS-managed SSE and a redrive policy to their dead-letter "
    "queue.",
    reference="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
    check=check,
    scope="every SQS queue",
)
