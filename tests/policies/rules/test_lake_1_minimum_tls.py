from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.lake_1_minimum_tls import RULE
from tests.policies.builders import arn, lake, statuses, zone_bucket

RAW = arn("ml-dev-raw")
REQUIREMENT = "s3:* to anyone for requests with TLS older than 1.2 (NumericLessThan s3:TlsVersion 1.2)"


def outdated_tls_changed(**changes):
    """The raw bucket alone, with ``changes`` applied to its DenyOutdatedTls statement."""
    policy = zone_bucket("raw").policy
    statements = [{**s, **changes} if s["Sid"] == "DenyOutdatedTls" else s for s in policy["Statement"]]
    return lake(buckets=(zone_bucket("raw", policy={**policy, "Statement": statements}),))


def below(value):
    return {"NumericLessThan": {"s3:TlsVersion": value}}


def test_pass():
    message = f"the policy denies {REQUIREMENT} on the bucket and its objects (statement DenyOutdatedTls)"
    assert statuses(RULE.check(lake())) == {"ml-dev-raw": ("pass", message), "ml-dev-logs": ("pass", message)}


def test_pass_higher_threshold_as_a_number():
    assert statuses(RULE.check(outdated_tls_changed(Condition=below(1.3)))) == {
        "ml-dev-raw": ("pass", f"the policy denies {REQUIREMENT} on the bucket and its objects (statement "
                               "DenyOutdatedTls)"),
    }


def test_fail_threshold_below_1_2():
    assert statuses(RULE.check(outdated_tls_changed(Condition=below("1.1")))) == {
        "ml-dev-raw": ("fail", "the policy denies only TLS versions below 1.1 (statement DenyOutdatedTls); the "
                               "threshold must be 1.2 or higher"),
    }


def test_fail_no_policy_and_no_statement():
    assert statuses(RULE.check(lake(buckets=(zone_bucket("raw", policy=None),)))) == {
        "ml-dev-raw": ("fail", f"the bucket has no policy, so nothing denies {REQUIREMENT}"),
    }
    assert statuses(RULE.check(outdated_tls_changed(Effect="Allow"))) == {
        "ml-dev-raw": ("fail", f"no statement denies {REQUIREMENT} on this bucket and its objects"),
    }


def test_fail_covers_only_objects():
    assert statuses(RULE.check(outdated_tls_changed(Resource=f"{RAW}/*"))) == {
        "ml-dev-raw": ("fail", f"the policy denies {REQUIREMENT} on the objects ({RAW}/*) only (statement "
                               f"DenyOutdatedTls), not on the bucket itself ({RAW})"),
    }


def test_fail_covers_only_the_bucket():
    assert statuses(RULE.check(outdated_tls_changed(Resource=[RAW]))) == {
        "ml-dev-raw": ("fail", f"the policy denies {REQUIREMENT} on the bucket itself ({RAW}) only (statement "
                               f"DenyOutdatedTls), not on its objects ({RAW}/*)"),
    }


def test_unknown_threshold():
    assert statuses(RULE.check(outdated_tls_changed(Condition=below(UNKNOWN)))) == {
        "ml-dev-raw": ("unknown", "statement DenyOutdatedTls cannot be known before deployment"),
    }


def test_not_applicable_without_buckets():
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }
