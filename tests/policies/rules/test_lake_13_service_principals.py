from dataclasses import replace

from policies.model import UNKNOWN, Unverified
from policies.rules.lake_13_service_principals import RULE
from tests.policies.builders import recorded_statuses, ACCOUNT, LOGS, OTHER_ACCOUNT, RAW, arn, event_queue, lake, logs_bucket, statuses

QUEUE = "ml-dev-annotations-events"
SCOPED = ("pass", "every Allow to an AWS service names the lake's account in aws:SourceAccount and its own resources "
                  "in aws:SourceArn")
NO_SERVICE = ("pass", "no statement allows an AWS service")
S3_SENDS = {"Sid": "S3Sends", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": "*"}
GAP = "statement {sid} allows the service s3.amazonaws.com with no limit to the lake's own sources: {gaps}"


def queue_verdict(*statements, **changes):
    queue = event_queue(policy={"Version": "2012-10-17", "Statement": list(statements)})
    return statuses(RULE.check(lake(queues=(queue,), **changes)))[QUEUE]


def sends(sid, condition):
    return {**S3_SENDS, "Sid": sid, "Condition": condition}


def test_pass_the_compliant_lake():
    assert statuses(RULE.check(lake())) == {RAW: NO_SERVICE, LOGS: SCOPED, QUEUE: SCOPED}


def test_pass_an_arn_of_the_lake_account_and_denies_and_anyone_left_to_other_rules():
    account_arn = sends("AccountArn", {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                      "ArnLike": {"aws:SourceArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:*"}})
    deny = {**S3_SENDS, "Sid": "DenyAll", "Effect": "Deny"}
    assert queue_verdict(account_arn, deny) == SCOPED
    assert queue_verdict({**S3_SENDS, "Principal": "*"}) == NO_SERVICE


def test_fail_missing_keys():
    assert queue_verdict(S3_SENDS) == (
        "fail", GAP.format(sid="S3Sends", gaps="no aws:SourceAccount condition, and no aws:SourceArn condition"))
    only_account = sends("OnlyAccount", {"StringEquals": {"aws:SourceAccount": ACCOUNT}})
    assert queue_verdict(only_account) == ("fail", GAP.format(sid="OnlyAccount", gaps="no aws:SourceArn condition"))


def test_fail_operators_that_limit_nothing():
    conditions = {
        "IfExists": {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": arn(RAW)}},
        "Negated": {"StringNotEquals": {"aws:SourceAccount": OTHER_ACCOUNT}, "ArnLike": {"aws:SourceArn": arn(RAW)}},
        "AllValues": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                      "ForAllValues:ArnLike": {"aws:SourceArn": arn(RAW)}},
    }
    assert queue_verdict(*(sends(sid, c) for sid, c in conditions.items())) == ("fail", "; ".join((
        GAP.format(sid="IfExists", gaps="aws:SourceAccount only under StringEqualsIfExists, which a request "
                                        "without the key passes"),
        GAP.format(sid="Negated", gaps="aws:SourceAccount only under StringNotEquals, which does not limit the key "
                                       "to the values it lists"),
        GAP.format(sid="AllValues", gaps="aws:SourceArn only under ForAllValues:ArnLike, which does not limit the "
                                         "key to the values it lists"),
    )))


def test_fail_values_outside_the_lake():
    """A wildcard, another account's ARN, a bucket that is not the lake's, another account id."""
    wide = sends("Wide", {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                          "ArnLike": {"aws:SourceArn": ["arn:aws:s3:::*", arn(RAW)]}})
    foreign = sends("Foreign", {"StringEquals": {"aws:SourceAccount": OTHER_ACCOUNT},
                                "ArnLike": {"aws:SourceArn": [f"arn:aws:logs:us-east-1:{OTHER_ACCOUNT}:x",
                                                              "arn:aws:s3:::someone-elses-bucket"]}})
    assert queue_verdict(wide, foreign) == ("fail", "; ".join((
        GAP.format(sid="Wide", gaps="aws:SourceArn names arn:aws:s3:::* (not a resource of the lake)"),
        GAP.format(sid="Foreign", gaps=f"aws:SourceAccount names {OTHER_ACCOUNT} (not the lake's account {ACCOUNT}), "
                                       f"and aws:SourceArn names arn:aws:logs:us-east-1:{OTHER_ACCOUNT}:x, "
                                       "arn:aws:s3:::someone-elses-bucket (not a resource of the lake)"),
    )))


def test_fail_log_delivery_without_source_arn_on_the_logs_bucket():
    policy = logs_bucket().policy
    delivery = policy["Statement"][-1]
    unscoped = {**delivery, "Condition": {"StringEquals": delivery["Condition"]["StringEquals"]}}
    model = lake(buckets=(logs_bucket(policy={**policy, "Statement": [*policy["Statement"][:-1], unscoped]}),))
    assert statuses(RULE.check(model))[LOGS] == (
        "fail", "statement AllowS3ServerAccessLogDelivery allows the service logging.s3.amazonaws.com with no limit "
                "to the lake's own sources: no aws:SourceArn condition")


def test_unknown():
    assert queue_verdict(S3_SENDS, account_id=UNKNOWN) == ("unknown", "the lake's account id is not known")
    assert statuses(RULE.check(lake(queues=(event_queue(policy=UNKNOWN),))))[QUEUE] == (
        "unknown", "the queue policy cannot be known before deployment")
    assert queue_verdict(sends("S3Sends", {"ArnLike": {"aws:SourceArn": UNKNOWN}})) == (
        "unknown", "statement S3Sends cannot be known before deployment")
    assert queue_verdict({**S3_SENDS, "Principal": {"Service": UNKNOWN}}) == (
        "unknown", "statement S3Sends cannot be known before deployment")


def test_unknown_when_a_source_bucket_could_not_be_read():
    """A live audit that finds raw deleted (LAKE.11's finding) cannot tell whether its name is still the lake's."""
    gone = Unverified(RAW, arn(RAW), "bucket", "GetBucketTagging", "NoSuchBucket: the bucket does not exist")
    assert statuses(RULE.check(lake(buckets=(logs_bucket(),), unverified=(gone,))))[LOGS] == (
        "unknown", "statement AllowS3ServerAccessLogDelivery allows the service logging.s3.amazonaws.com for "
                   f"{arn(RAW)}, which the audit could not read")


def test_not_applicable_without_bucket_or_queue_policies():
    assert statuses(RULE.check(replace(lake(), buckets=(), queues=()))) == {
        "lake": ("not_applicable", "the lake has no bucket or queue policy"),
    }



def test_recorded_dev_and_prod_plans_pass():
    assert recorded_statuses(RULE) == {"dev": {"pass"}, "prod": {"pass"}}
