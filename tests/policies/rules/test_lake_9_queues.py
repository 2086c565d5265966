from policies.model import UNKNOWN
from policies.rules.lake_9_queues import RULE
from tests.policies.builders import crawler, dead_letter_queue, event_queue, lake, statuses

EVENTS = "ml-dev-annotations-events"
DLQ = "ml-dev-annotations-events-dlq"
PASSING = ("pass", "the queue is encrypted, and an event queue has a dead-letter queue")


def judge(*queues, model=None):
    return statuses(RULE.check(model or lake(queues=queues)))


def test_pass_event_queue_and_its_dead_letter_queue():
    assert judge(model=lake()) == {EVENTS: PASSING, DLQ: PASSING}


def test_pass_a_queue_no_crawler_reads_needs_no_dead_letter_queue():
    assert judge(model=lake(crawlers=(crawler(),), queues=(event_queue(has_dead_letter_queue=False),))) == {
        EVENTS: PASSING,
    }


def test_fail_unencrypted():
    assert judge(dead_letter_queue(encrypted=False)) == {
        DLQ: ("fail", "the queue is not encrypted: neither SQS-managed SSE nor a KMS key"),
    }


def test_pass_whatever_the_queue_policy_says():
    """Queue policies are LAKE.12's and LAKE.13's: an Allow to anyone is not this rule's finding."""
    anyone = {"Sid": "AnyoneSends", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
    assert judge(event_queue(policy={"Version": "2012-10-17", "Statement": [anyone]})) == {EVENTS: PASSING}


def test_fail_event_queue_without_dead_letter_queue():
    assert judge(event_queue(has_dead_letter_queue=False)) == {
        EVENTS: ("fail", "a crawler reads S3 events from the queue, which has no dead-letter queue"),
    }


def test_unknown():
    assert judge(event_queue(encrypted=UNKNOWN)) == {
        EVENTS: ("unknown", "whether the queue is encrypted cannot be known before deployment"),
    }
    assert judge(event_queue(policy=UNKNOWN)) == {EVENTS: PASSING}
    preview = lake(crawlers=(crawler("annotations", event_queue_arns=(UNKNOWN,)),),
                   queues=(event_queue(arn=UNKNOWN, has_dead_letter_queue=False),))
    assert judge(model=preview) == {
        EVENTS: ("unknown", "whether a crawler reads S3 events from the queue cannot be known before deployment"),
    }


def test_not_applicable_without_queues():
    assert judge() == {"lake": ("not_applicable", "the stack declares no SQS queue")}
