"""SecureBucket under the mock runtime: every split resource, its settings and its ordering."""

import json

import pulumi_aws as aws
import pytest

from components.secure_bucket import TYPE_TOKEN, AccessLogTarget, SecureBucket, SecureBucketArgs
from components.settings import LifecycleSettings
from tests.support import BUCKET_TYPE, POLICY_TYPE, record_component, s3_type

KEY = "arn:aws:kms:us-east-1:123456789012:key/1111-2222"
# Inline arguments of s3.Bucket that pulumi-aws 7 deprecates in favour of split resources.
DEPRECATED_BUCKET_ARGS = {
    "acl", "grants", "policy", "versioning", "lifecycleRules", "logging", "serverSideEncryptionConfiguration",
    "corsRules", "website", "replicationConfiguration", "objectLockConfiguration", "accelerationStatus",
    "requestPayer",
}


def declare(protect=False, kms=True, logs=True, strict=False):
    def run():
        target = None
        if logs:
            ready = aws.s3.Bucket("ready", bucket="ml-test-logs")
            target = AccessLogTarget(bucket="ml-test-logs", prefix="access-logs/", ready=ready)
        SecureBucket(
            "raw",
            SecureBucketArgs(
                bucket_name="ml-test-raw",
                kms_key_arn=KEY if kms else None,
                access_logs=target,
                lifecycle=LifecycleSettings(),
                require_sse_header=strict,
                protect=protect,
                tags={"zone": "raw"},
            ),
        )

    resources, _ = record_component(run)
    return resources


@pytest.fixture(scope="module")
def kms_bucket():
    return declare()


def test_component_type_and_children_parented(kms_bucket):
    component = kms_bucket.one(TYPE_TOKEN, "raw")
    children = [r for r in kms_bucket.all if r.parent == component.urn]
    assert sorted(r.type for r in children) == sorted(
        [BUCKET_TYPE, POLICY_TYPE]
        + [s3_type(n) for n in ("BucketVersioning", "BucketServerSideEncryptionConfiguration",
                                 "BucketPublicAccessBlock", "BucketOwnershipControls",
                                 "BucketLifecycleConfiguration", "BucketLogging")]
    )


def test_bucket_has_name_no_force_destroy_and_no_deprecated_inline_arguments(kms_bucket):
    bucket = kms_bucket.one(BUCKET_TYPE, "raw-bucket")
    assert bucket.inputs["bucket"] == "ml-test-raw"
    assert bucket.inputs["forceDestroy"] is False
    assert not DEPRECATED_BUCKET_ARGS & set(bucket.inputs)


def test_split_resources_reference_the_bucket(kms_bucket):
    bucket = kms_bucket.one(BUCKET_TYPE, "raw-bucket")
    for r in kms_bucket.all:
        if r.type.startswith("aws:s3/bucket") and r.type != BUCKET_TYPE:
            assert r.inputs["bucket"] == "ml-test-raw", r.name
            assert r.property_dependencies["bucket"] == [bucket.urn], r.name


def test_versioning_enabled(kms_bucket):
    assert kms_bucket.one(s3_type("BucketVersioning"), "raw-versioning").inputs["versioningConfiguration"] == {
        "status": "Enabled"
    }


def test_default_encryption_with_lake_key_bucket_key_and_sse_c_blocked(kms_bucket):
    encryption = kms_bucket.one(s3_type("BucketServerSideEncryptionConfiguration"), "raw-encryption")
    assert encryption.inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY},
            "bucketKeyEnabled": True,
            "blockedEncryptionTypes": ["SSE-C"],
        }
    ]


def test_sse_s3_variant_for_log_targets():
    resources = declare(kms=False, logs=False)
    encryption = resources.one(s3_type("BucketServerSideEncryptionConfiguration"), "raw-encryption")
    assert encryption.inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}, "blockedEncryptionTypes": ["SSE-C"]}
    ]
    assert resources.count(s3_type("BucketLogging")) == 0
    policy = json.loads(resources.one(POLICY_TYPE, "raw-policy").inputs["policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport", "DenyOutdatedTls"]


def test_block_public_access_all_four(kms_bucket):
    bpa = kms_bucket.one(s3_type("BucketPublicAccessBlock"), "raw-public-access-block")
    assert {k: bpa.inputs[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")} == {
        "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True,
    }


def test_acls_disabled(kms_bucket):
    ownership = kms_bucket.one(s3_type("BucketOwnershipControls"), "raw-ownership")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_lifecycle_after_versioning_with_128k_minimum(kms_bucket):
    lifecycle = kms_bucket.one(s3_type("BucketLifecycleConfiguration"), "raw-lifecycle")
    versioning = kms_bucket.one(s3_type("BucketVersioning"), "raw-versioning")
    assert lifecycle.inputs["transitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    assert [r["id"] for r in lifecycle.inputs["rules"]] == [
        "tier-current-objects", "expire-noncurrent-versions", "abort-incomplete-multipart-uploads",
        "remove-expired-delete-markers",
    ]
    assert lifecycle.inputs["rules"][0]["transitions"] == [
        {"days": 30, "storageClass": "STANDARD_IA"}, {"days": 90, "storageClass": "GLACIER_IR"},
    ]
    assert versioning.urn in lifecycle.depends_on


def test_access_logging_to_target_after_it_is_ready(kms_bucket):
    logging_ = kms_bucket.one(s3_type("BucketLogging"), "raw-logging")
    assert logging_.inputs["targetBucket"] == "ml-test-logs"
    assert logging_.inputs["targetPrefix"] == "access-logs/"
    assert logging_.inputs["targetObjectKeyFormat"] == {"partitionedPrefix": {"partitionDateSource": "EventTime"}}
    ready = kms_bucket.one(BUCKET_TYPE, "ready")
    assert ready.urn in logging_.depends_on


def test_policy_applied_after_block_public_access_and_ownership(kms_bucket):
    policy = kms_bucket.one(POLICY_TYPE, "raw-policy")
    bpa = kms_bucket.one(s3_type("BucketPublicAccessBlock"), "raw-public-access-block")
    ownership = kms_bucket.one(s3_type("BucketOwnershipControls"), "raw-ownership")
    assert {bpa.urn, ownership.urn} <= set(policy.depends_on)
    document = json.loads(policy.inputs["policy"])
    assert [s["Sid"] for s in document["Statement"]] == [
        "DenyInsecureTransport", "DenyOutdatedTls", "DenyNonKmsEncryptionHeader", "DenyOtherKmsKey",
        "DenyKmsHeaderWithoutKey", "DenySseC",
    ]
    assert document["Statement"][0]["Resource"] == ["arn:aws:s3:::ml-test-raw", "arn:aws:s3:::ml-test-raw/*"]


def test_strict_mode_adds_header_requirement():
    policy = json.loads(declare(strict=True).one(POLICY_TYPE, "raw-policy").inputs["policy"])
    assert policy["Statement"][-1]["Sid"] == "DenyMissingEncryptionHeader"


def test_not_protected_by_default(kms_bucket):
    assert not any(r.protect or r.retain_on_delete for r in kms_bucket.all)


def test_production_protects_and_retains_every_child():
    resources = declare(protect=True)
    component = resources.one(TYPE_TOKEN, "raw")
    children = [r for r in resources.all if r.parent == component.urn]
    assert len(children) == 8
    assert all(r.protect and r.retain_on_delete for r in children)
