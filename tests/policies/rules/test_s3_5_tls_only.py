from dataclasses import replace

from policies.model import UNKNOWN
from policies.rules.s3_5_tls_only import RULE
from tests.policies.builders import arn, lake, statuses, zone_bucket

RAW = arn("ml-dev-raw")
REQUIREMENT = "s3:* to anyone for requests without TLS (Bool aws:SecureTransport false)"


def raw_with_tls_deny(*statements, **changes):
    """The raw bucket alone; its DenyInsecureTransport replaced by ``statements``."""
    policy = zone_bucket("raw").policy
    kept = [s for s in policy["Statement"] if s["Sid"] != "DenyInsecureTransport"]
    return lake(buckets=(zone_bucket("raw", policy={**policy, "Statement": [*statements, *kept]}, **changes),))


def tls_deny(sid="DenyHttp", resource=(RAW, f"{RAW}/*"), condition=None, **changes):
    return {"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": list(resource),
            "Condition": condition or {"Bool": {"aws:SecureTransport": "false"}}, **changes}


def test_pass():
    message = f"the policy denies {REQUIREMENT} on the bucket and its objects (statement DenyInsecureTransport)"
    assert statuses(RULE.check(lake())) == {"ml-dev-raw": ("pass", message), "ml-dev-logs": ("pass", message)}


def test_pass_boolean_false_split_over_two_statements():
    on_bucket = tls_deny("DenyHttpBucket", (RAW,), {"Bool": {"aws:SecureTransport": False}}, Principal={"AWS": "*"})
    on_objects = tls_deny("DenyHttpObjects", (f"{RAW}/*",), Action=["s3:*"])
    assert statuses(RULE.check(raw_with_tls_deny(on_bucket, on_objects))) == {
        "ml-dev-raw": ("pass", f"the policy denies {REQUIREMENT} on the bucket and its objects (statements "
                               "DenyHttpBucket, DenyHttpObjects)"),
    }


def test_fail_no_policy():
    model = lake(buckets=(zone_bucket("raw", policy=None),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", f"the bucket has no policy, so nothing denies {REQUIREMENT}"),
    }


def test_fail_no_such_statement():
    assert statuses(RULE.check(raw_with_tls_deny())) == {
        "ml-dev-raw": ("fail", f"no statement denies {REQUIREMENT} on this bucket and its objects"),
    }


def test_fail_covers_only_objects():
    assert statuses(RULE.check(raw_with_tls_deny(tls_deny(resource=(f"{RAW}/*",))))) == {
        "ml-dev-raw": ("fail", f"the policy denies {REQUIREMENT} on the objects ({RAW}/*) only (statement DenyHttp), "
                               f"not on the bucket itself ({RAW})"),
    }


def test_fail_covers_only_the_bucket():
    assert statuses(RULE.check(raw_with_tls_deny(tls_deny(resource=(RAW,))))) == {
        "ml-dev-raw": ("fail", f"the policy denies {REQUIREMENT} on the bucket itself ({RAW}) only (statement "
                               f"DenyHttp), not on its objects ({RAW}/*)"),
    }


def test_fail_narrowed_exempted_or_partial_denies_do_not_count():
    narrowed = tls_deny("Narrowed", condition={"Bool": {"aws:SecureTransport": "false"},
                                               "StringEquals": {"aws:SourceVpce": "vpce-1"}})
    exempted = {k: v for k, v in tls_deny("Exempted", NotPrincipal={"AWS": "arn:aws:iam::123456789012:root"}).items()
                if k != "Principal"}
    partial = tls_deny("Partial", Action="s3:GetObject")
    assert statuses(RULE.check(raw_with_tls_deny(narrowed, exempted, partial))) == {
        "ml-dev-raw": ("fail", f"no statement denies {REQUIREMENT} on this bucket and its objects"),
    }


def test_unknown_bucket_arn():
    model = lake(buckets=(zone_bucket("raw", arn=UNKNOWN),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("unknown", "the bucket ARN cannot be known before deployment"),
    }


def test_unknown_policy_and_unknown_deny_statement():
    model = lake(buckets=(zone_bucket("raw", policy=UNKNOWN),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("unknown", "the bucket policy cannot be known before deployment"),
    }
    assert statuses(RULE.check(raw_with_tls_deny(tls_deny(resource=(UNKNOWN, f"{RAW}/*"))))) == {
        "ml-dev-raw": ("unknown", "statement DenyHttp cannot be known before deployment"),
    }


def test_not_applicable_without_buckets():
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }
