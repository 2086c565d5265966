from policies.model import UNKNOWN
from policies.rules.lake_8_athena_workgroup import RULE
from tests.policies.builders import KEY_ARN, lake, logs_bucket, statuses, workgroup, zone_bucket

NAME = "ml-dev"
OTHER_KEY = KEY_ARN.replace("11111111", "99999999")
RESULTS = "s3://ml-dev-query-results/results/"
# The lake with its query-results bucket (ml-dev-query-results, tagged zone=query-results), where
# the builders' workgroup writes.
BUCKETS = (zone_bucket("raw"), zone_bucket("query-results"), logs_bucket())
PASSING = ("the workgroup enforces its configuration and sends query results to the lake's query-results bucket, "
           "encrypted with {}")


def judge(model=None, **changes):
    return statuses(RULE.check(model or lake(BUCKETS, workgroups=(workgroup(**changes),))))


def test_pass_with_the_lake_key_by_arn_or_by_id():
    assert judge(lake(BUCKETS)) == {NAME: ("pass", PASSING.format("SSE_KMS"))}
    assert judge(kms_key_arn=KEY_ARN.rsplit("/", 1)[1]) == {NAME: ("pass", PASSING.format("SSE_KMS"))}


def test_pass_cse_kms_any_key_when_the_lake_has_none():
    model = lake(BUCKETS, keys=(), workgroups=(workgroup(encryption_option="CSE_KMS", kms_key_arn=OTHER_KEY),))
    assert judge(model) == {NAME: ("pass", PASSING.format("CSE_KMS"))}


def test_fail_not_enforced_and_sse_s3():
    assert judge(enforced=False, encryption_option="SSE_S3", kms_key_arn=None) == {
        NAME: ("fail", "the workgroup does not enforce its configuration: clients may send results elsewhere, "
                       "unencrypted; query results are encrypted with SSE_S3, must be SSE_KMS or CSE_KMS"),
    }


def test_fail_unencrypted():
    assert judge(encryption_option=None, kms_key_arn=None) == {NAME: ("fail", "query results are not encrypted")}


def test_fail_another_key_or_none():
    assert judge(kms_key_arn=OTHER_KEY) == {
        NAME: ("fail", f"query results are encrypted with {OTHER_KEY}, not the lake key {KEY_ARN}"),
    }
    other_id = OTHER_KEY.rsplit("/", 1)[1]
    assert judge(kms_key_arn=other_id) == {
        NAME: ("fail", f"query results are encrypted with {other_id}, not the lake key {KEY_ARN}"),
    }
    assert judge(kms_key_arn=None) == {NAME: ("fail", "query results are SSE_KMS with no KMS key named")}


def test_fail_results_in_another_bucket_of_any_account():
    assert judge(output_location="s3://partner-bucket/athena/") == {
        NAME: ("fail", "query results go to s3://partner-bucket/athena/, outside the lake's query-results bucket "
                       "ml-dev-query-results"),
    }
    assert judge(output_location=None) == {NAME: ("fail", "the workgroup names no output location for query results")}


def test_fail_results_in_a_zone_or_logs_bucket_and_another_key():
    assert judge(output_location="s3://ml-dev-raw/results/", kms_key_arn=OTHER_KEY) == {
        NAME: ("fail", "query results go to s3://ml-dev-raw/results/, the lake's raw bucket, not its query-results "
                       f"bucket: results are not data; query results are encrypted with {OTHER_KEY}, not the lake "
                       f"key {KEY_ARN}"),
    }
    assert judge(output_location="s3://ml-dev-logs/") == {
        NAME: ("fail", "query results go to s3://ml-dev-logs/, the lake's logs bucket, not its query-results "
                       "bucket: results are not data"),
    }


def test_unknown():
    assert judge(enforced=UNKNOWN) == {
        NAME: ("unknown", "whether the workgroup enforces its configuration cannot be known before deployment"),
    }
    assert judge(kms_key_arn=UNKNOWN) == {
        NAME: ("unknown", "the key of the query results cannot be known before deployment"),
    }
    assert judge(output_location=UNKNOWN) == {
        NAME: ("unknown", "the output location of query results cannot be known before deployment"),
    }


def test_unknown_when_no_bucket_in_view_is_the_query_results_bucket():
    """A live audit of some of the lake's buckets may leave the results bucket out of its view."""
    assert judge(lake()) == {
        NAME: ("unknown", f"query results go to {RESULTS}, and no bucket in view is the lake's query-results "
                          "bucket (tagged zone=query-results)"),
    }


def test_not_applicable_without_workgroups():
    assert judge(lake(workgroups=())) == {"lake": ("not_applicable", "the stack declares no Athena workgroup")}
