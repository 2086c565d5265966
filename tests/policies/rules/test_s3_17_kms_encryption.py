from dataclasses import replace

from policies.model import UNKNOWN, Encryption
from policies.rules.s3_17_kms_encryption import RULE
from tests.policies.builders import KEY_ARN, lake, lake_key, logs_bucket, statuses, zone_bucket

OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/99999999-0000-0000-0000-000000000000"
NO_KEY = ("fail", "aws:kms names no key, so S3 uses the AWS managed key aws/s3; it must name the lake key")
LOGS_PASS = ("pass", "the logs bucket uses SSE-S3 (AES256), the encryption S3 access log delivery can write to")


def raw_encrypted(algorithm, key=None, **lake_changes):
    return lake(buckets=(zone_bucket("raw", encryption=Encryption(algorithm, key, True)),), **lake_changes)


def test_pass():
    assert statuses(RULE.check(lake())) == {
        "ml-dev-raw": ("pass", f"aws:kms with the lake key {KEY_ARN}"),
        "ml-dev-logs": LOGS_PASS,
    }


def test_pass_without_bucket_key():
    model = lake(buckets=(zone_bucket("raw", encryption=Encryption("aws:kms", KEY_ARN, False)),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("pass", f"aws:kms with the lake key {KEY_ARN}"),
    }


def test_fail_sse_s3_or_no_encryption_on_a_data_bucket():
    model = lake(buckets=(zone_bucket("raw", encryption=Encryption("AES256")), zone_bucket("curated", encryption=None)))
    assert statuses(RULE.check(model)) == {
        "ml-dev-raw": ("fail", "default encryption is AES256; it must be aws:kms with the lake key"),
        "ml-dev-curated": ("fail", "default encryption is not configured; it must be aws:kms with the lake key"),
    }


def test_fail_another_key_or_its_key_id():
    assert statuses(RULE.check(raw_encrypted("aws:kms", OTHER_KEY))) == {
        "ml-dev-raw": ("fail", f"aws:kms with key {OTHER_KEY}, not the lake key; name the lake key by its ARN, "
                               f"{KEY_ARN}"),
    }
    key_id = KEY_ARN.rsplit("/", 1)[1]
    assert statuses(RULE.check(raw_encrypted("aws:kms", key_id))) == {
        "ml-dev-raw": ("fail", f"aws:kms with key {key_id}, not the lake key; name the lake key by its ARN, "
                               f"{KEY_ARN}"),
    }


def test_fail_aws_managed_key():
    assert statuses(RULE.check(raw_encrypted("aws:kms"))) == {
        "ml-dev-raw": NO_KEY,
    }


def test_fail_logs_bucket_with_sse_kms_or_none():
    model = lake(buckets=(logs_bucket(encryption=Encryption("aws:kms", KEY_ARN, True)),))
    assert statuses(RULE.check(model)) == {
        "ml-dev-logs": ("fail", "default encryption is aws:kms; the logs bucket must use SSE-S3 (AES256), because S3 "
                                "server access log delivery cannot write to a bucket encrypted with SSE-KMS"),
    }
    assert statuses(RULE.check(lake(buckets=(logs_bucket(encryption=None),)))) == {
        "ml-dev-logs": ("fail", "default encryption is not configured; the logs bucket must use SSE-S3 (AES256), "
                                "because S3 server access log delivery cannot write to a bucket encrypted with "
                                "SSE-KMS"),
    }


def test_pass_without_a_lake_key_names_the_key_used():
    assert statuses(RULE.check(raw_encrypted("aws:kms", OTHER_KEY, keys=()))) == {
        "ml-dev-raw": ("pass", f"aws:kms with key {OTHER_KEY} (the stack declares no single lake key to compare it "
                               "with)"),
    }
    assert statuses(RULE.check(raw_encrypted("aws:kms", keys=()))) == {
        "ml-dev-raw": NO_KEY,
    }


def test_unknown_key_arn_or_encryption():
    assert statuses(RULE.check(lake(keys=(lake_key(arn=UNKNOWN),)))) == {
        "ml-dev-raw": ("unknown", "the bucket's KMS key or the lake key's ARN cannot be known before deployment"),
        "ml-dev-logs": LOGS_PASS,
    }
    assert statuses(RULE.check(lake(buckets=(zone_bucket("raw", encryption=UNKNOWN),)))) == {
        "ml-dev-raw": ("unknown", "the default encryption cannot be known before deployment"),
    }


def test_not_applicable_without_buckets():
    assert statuses(RULE.check(replace(lake(), buckets=()))) == {
        "lake": ("not_applicable", "the stack declares no bucket this rule applies to"),
    }
