from dataclasses import replace

from policies.model import Missing, Untagged, Unverified
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


UNTAGGED = Untagged("endpoint", "vpce-1", "vpce-1", "its policy naming the lake's buckets", "ml")
MISSING = Missing("crawler", "ml-dev-images")


def test_fail_an_untagged_lake_resource_and_a_planned_resource_the_account_lacks():
    findings = RULE.check(replace(lake(), source="live", untagged=(UNTAGGED,), missing=(MISSING,)))
    assert [(f.status.value, f.resource, f.message, f.ref) for f in findings] == [
        ("fail", "vpce-1", "endpoint found through its policy naming the lake's buckets, but it lacks the tag "
         "lake=ml: tag-based tools (cost allocation, ABAC, tag-scoped audits) miss it", "vpce-1"),
        ("fail", "ml-dev-images", "declared in the plan but not found in the account: crawler ml-dev-images", None),
    ]
