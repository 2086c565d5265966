from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.lake_6_crawler_encryption import RULE
from tests.policies.builders import SCHEDULED, crawler, lake, security_configuration, statuses

NAME = "ml-dev-images"
PASSING = ("pass", "security configuration ml-dev-crawlers: S3 and CloudWatch encryption are SSE-KMS, "
                   "job-bookmark encryption is CSE-KMS")


def judge(crawler_changes=None, **config_changes):
    model = lake(crawlers=(crawler(SCHEDULED, **(crawler_changes or {})),),
                 security_configurations=(security_configuration(**config_changes),))
    return statuses(RULE.check(model))


def test_pass():
    assert statuses(RULE.check(lake())) == {NAME: PASSING, "ml-dev-annotations": PASSING}


def test_fail_no_security_configuration():
    assert judge({"security_configuration": None}) == {
        NAME: ("fail", "the crawler has no security configuration: S3 data, CloudWatch logs and job bookmarks are "
                       "not encrypted with KMS"),
    }


def test_fail_security_configuration_not_in_the_stack():
    assert judge({"security_configuration": "elsewhere"}) == {
        NAME: ("fail", "security configuration elsewhere is not declared in the stack"),
    }


def test_fail_names_each_weak_mode():
    assert judge(s3_mode="SSE-S3", cloudwatch_mode="DISABLED", job_bookmarks_mode=None) == {
        NAME: ("fail", "security configuration ml-dev-crawlers: S3 encryption is SSE-S3, must be SSE-KMS; "
                       "CloudWatch encryption is DISABLED, must be SSE-KMS; job-bookmark encryption is not "
                       "configured, must be CSE-KMS"),
    }


def test_unknown_name_and_unknown_mode():
    assert judge({"security_configuration": UNKNOWN}) == {
        NAME: ("unknown", "the crawler's security configuration cannot be known before deployment"),
    }
    assert judge(cloudwatch_mode=UNKNOWN) == {
        NAME: ("unknown", "security configuration ml-dev-crawlers: CloudWatch encryption cannot be known before "
                          "deployment"),
    }


def test_not_applicable_without_crawlers():
    assert statuses(RULE.check(replace(lake(), crawlers=()))) == {
        "lake": ("not_applicable", "the stack declares no Glue crawler"),
    }
