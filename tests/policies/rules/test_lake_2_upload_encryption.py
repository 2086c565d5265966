from dataclasses import replace

import pytest

from policies.model import UNKNOWN, Encryption
from policies.rules.lake_2_upload_encryption import RULE
from tests.policies.builders import KEY_ARN, arn, lake, lake_key, logs_bucket, statuses, zone_bucket

RAW = arn("ml-dev-raw")
A = "(a) carry an SSE header other than aws:kms"
B = "(b) name a KMS key other than the lake key"
C = "(c) use SSE-C, a customer-provided key"
D = "(d) ask for aws:kms without naming a key, which S3 fills in with aws/s3"
LOGS = ("not_applicable", "the logs bucket uses SSE-S3: S3 log delivery sends no encryption header and cannot use a "
                          "KMS key")
PASS = ("pass", f"the policy denies uploads that {A}: statement DenyNonKmsEncryptionHeader; {B}: statement "
                f"DenyOtherKmsKey; {C}: statement DenySseC; {D}: statement DenyKmsHeaderWithoutKey")


def raw_policy_edited(edit):
    """The raw bucket alone; ``edit(statement)`` returns each statement of its policy, or None to drop it."""
    policy = zone_bucket("raw").policy
    statements = [e for e in map(edit, policy["Statement"]) if e is not None]
    return lake(buckets=(zone_bucket("raw", policy={**policy, "Statement": statements}),))


def dropping(*sids):
    return raw_policy_edited(lambda s: None if s["Sid"] in sids else s)


def changing(sid, **changes):
    return raw_policy_edited(lambda s: {**s, **changes} if s["Sid"] == sid else s)


def test_pass_and_logs_bucket_not_applicable():
    assert statuses(RULE.check(lake())) == {"ml-dev-raw": PASS, "ml-dev-logs": LOGS}


def test_pass_without_the_null_guard_denies_more():
    no_guard = {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
    assert statuses(RULE.check(changing("DenyNonKmsEncryptionHeader", Condition=no_guard))) == {"ml-dev-raw": PASS}


def test_fail_lists_the_missing_protections():
    assert statuses(RULE.check(dropping("DenyOtherKmsKey", "DenyKmsHeaderWithoutKey"))) == {
        "ml-dev-raw": ("fail", f"the policy does not deny uploads that {B}; {D}"),
    }


def test_fail_no_policy():
    assert statuses(RULE.check(lake(buckets=(zone_bucket("raw", policy=None),)))) == {
        "ml-dev-raw": ("fail", f"the bucket has no policy, so nothing denies uploads that {A}; {B}; {C}; {D}"),
    }


def test_fail_another_key_or_a_narrowed_or_misplaced_deny():
    other_key = {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "alias/other"},
                 "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}}
    assert statuses(RULE.check(changing("DenyOtherKmsKey", Condition=other_key))) == {
        "ml-dev-raw": ("fail", f"the policy does not deny uploads that {B}"),
    }
    narrowed = {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"},
                "StringEquals": {"aws:SourceVpce": "vpce-1"}}
    assert statuses(RULE.check(changing("DenySseC", Condition=narrowed))) == {
        "ml-dev-raw": ("fail", f"the policy does not deny uploads that {C}"),
    }
    assert statuses(RULE.check(changing("DenyNonKmsEncryptionHeader", Resource=f"{RAW}/tmp/*"))) == {
        "ml-dev-raw": ("fail", f"the policy does not deny uploads that {A}"),
    }


def test_fail_without_a_lake_key_or_bucket_key():
    model = replace(dropping(), keys=(), buckets=(zone_bucket("raw", encryption=Encryption("aws:kms")),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", f"the policy does not deny uploads that {B} (the stack declares none)"),
    }


def test_unknown_key_arn_or_statement():
    assert statuses(RULE.check(lake(keys=(lake_key(arn=UNKNOWN),))))["ml-dev-raw"] == (
        "unknown", "the lake key's ARN cannot be known before deployment")
    unknown_key = {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": UNKNOWN}}
    assert statuses(RULE.check(changing("DenyOtherKmsKey", Condition=unknown_key))) == {
        "ml-dev-raw": ("unknown", "statement DenyOtherKmsKey cannot be known before deployment"),
    }


def test_not_applicable_to_the_logs_bucket_sse_s3_buckets_and_empty_stacks():
    model = lake(buckets=(zone_bucket("raw", encryption=Encryption("AES256")), logs_bucket()))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("not_applicable", "default encryption is AES256, not aws:kms (S3.17 reports it)"),
        "ml-dev-logs": LOGS,
    }
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }


ARN_OPERATOR = ("statement DenyOtherKmsKey compares the key header with an ARN operator, which AWS defines on ARNs "
                "only: a client sending a bare key id or an alias may pass; compare it with StringNotEquals")


@pytest.mark.parametrize("operator", ["ArnNotEquals", "ArnNotLike", "ArnNotEqualsIfExists"])
def test_fail_an_arn_operator_on_the_key_header_is_undefined_for_a_bare_key_id(operator):
    spelled = {operator: {"s3:x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN},
               "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}}
    assert statuses(RULE.check(changing("DenyOtherKmsKey", Condition=spelled))) == {
        "ml-dev-raw": ("fail", f"the policy does not deny uploads that {B} ({ARN_OPERATOR})"),
    }


def test_fail_names_every_arn_compared_deny_and_only_under_the_other_key_protection():
    arn_deny = {"Sid": "ArnDeny", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{RAW}/*",
                "Condition": {"ArnNotLike": {"s3:x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN}}}
    model = raw_policy_edited(lambda s: None if s["Sid"] in ("DenyOtherKmsKey", "DenySseC") else s)
    bucket = model.buckets[0]
    policy = {**bucket.policy, "Statement": [*bucket.policy["Statement"], arn_deny, {**arn_deny, "Sid": "Again"}]}
    assert statuses(RULE.check(replace(model, buckets=(replace(bucket, policy=policy),)))) == {
        "ml-dev-raw": ("fail", f"the policy does not deny uploads that {B} (statements ArnDeny, Again compare the key "
                               "header with an ARN operator, which AWS defines on ARNs only: a client sending a bare "
                               f"key id or an alias may pass; compare it with StringNotEquals); {C}"),
    }
