from policies.model import UNKNOWN
from policies.rules.lake_9_queues import RULE
from tests.policies.builders import OTHER_ACCOUNT, crawler, dead_letter_queue, event_queue, lake, statuses

EVENTS = "ml-dev-annotations-events"
DLQ = "ml-dev-annotations-events-dlq"
PASSING = ("pass", "the queue is encrypted, its policy lets no service or anyone in without a condition on the "
                   "source, and an event queue has a dead-letter queue")
S3_SENDS = {"Sid": "S3Sends", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": "*"}


def judge(*queues, model=None):
    return statuses(RULE.check(model or lake(queues=queues)))


def with_statements(*statements, **changes):
    return event_queue(policy={"Version": "2012-10-17", "Statement": list(statements)}, **changes)


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


def test_fail_unscoped_service_and_public_allow():
    public = {**S3_SENDS, "Sid": "Public", "Principal": "*"}
    negated = {**S3_SENDS, "Sid": "NotOurs", "Condition": {"StringNotEquals": {"aws:SourceAccount": OTHER_ACCOUNT}}}
    assert judge(with_statements(S3_SENDS, public, negated)) == {
        EVENTS: ("fail", "statement S3Sends allows a service principal with no aws:SourceArn or "
                         "aws:SourceAccount-type condition; statement Public allows any principal with no "
                         "aws:SourceArn or aws:SourceAccount-type condition; statement NotOurs allows a service "
                         "principal with no aws:SourceArn or aws:SourceAccount-type condition"),
    }


def test_fail_event_queue_without_dead_letter_queue():
    assert judge(event_queue(has_dead_letter_queue=False)) == {
        EVENTS: ("fail", "a crawler reads S3 events from the queue, which has no dead-letter queue"),
    }


def test_unknown():
    assert judge(event_queue(encrypted=UNKNOWN)) == {
        EVENTS: ("unknown", "whether the queue is encrypted cannot be known before deployment"),
    }
    assert judge(event_queue(policy=UNKNOWN)) == {
        EVENTS: ("unknown", "the queue policy cannot be known before deployment"),
    }
    assert judge(with_statements({**S3_SENDS, "Principal": {"Service": UNKNOWN}})) == {
        EVENTS: ("unknown", "statement S3Sends cannot be known before deployment"),
    }
    preview = lake(crawlers=(crawler("annotations", event_queue_arns=(UNKNOWN,)),),
                   queues=(event_queue(arn=UNKNOWN, has_dead_letter_queue=False),))
    assert judge(model=preview) == {
        EVENTS: ("unknown", "whether a crawler reads S3 events from the queue cannot be known before deployment"),
    }


def test_not_applicable_without_queues():
    assert judge() == {"lake": ("not_applicable", "the stack declares no SQS queue")}
