from dataclasses import replace

from policies.model import Unverified
from policies.rules.lake_11_audit_coverage import RULE
from tests.policies.builders import lake, statuses

DENIED = Unverified("ml-dev-raw", "arn:aws:s3:::ml-dev-raw", "policy", "GetBucketPolicy", "AccessDenied: Access Denied")
THROTTLED = Unverified("account", "", "crawlers", "GetCrawlers", "ThrottlingException: Rate exceeded")


def test_pass_live_audit_read_everything():
    assert statuses(RULE.check(replace(lake(), source="live"))) == {
        "lake": ("pass", "every setting the rules judge was read"),
    }


def test_fail_one_finding_per_unverified_setting():
    findings = RULE.check(replace(lake(), source="live", unverified=(DENIED, THROTTLED)))
    assert [(f.status.value, f.resource, f.message, f.ref) for f in findings] == [
        ("fail", "ml-dev-raw", "could not verify policy: GetBucketPolicy failed with AccessDenied: Access Denied",
         "arn:aws:s3:::ml-dev-raw"),
        ("fail", "account", "could not verify crawlers: GetCrawlers failed with ThrottlingException: Rate exceeded",
         None),
    ]


def test_not_applicable_to_a_plan():
    assert statuses(RULE.check(lake())) == {
        "lake": ("not_applicable", "a plan reads nothing from AWS; only a live audit can be denied"),
    }
