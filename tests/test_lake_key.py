"""LakeKey under the mock runtime."""

import json

import pytest

from components.environment import AwsEnvironment
from components.lake_key import TYPE_TOKEN, LakeKey, LakeKeyArgs
from tests.support import KEY_TYPE, record_component

ADMIN = "arn:aws:iam::123456789012:role/LakeAdmin"


def declare(protect=False, window=30):
    def run():
        import pulumi

        parent = pulumi.ComponentResource("test:index:Root", "root")
        LakeKey(
            "lake-key",
            LakeKeyArgs(
                alias="ml-test",
                environment=AwsEnvironment.current(parent),
                administrators=(ADMIN,),
                deletion_window_days=window,
                protect=protect,
            ),
        )

    resources, _ = record_component(run)
    return resources


@pytest.fixture(scope="module")
def key():
    return declare(window=14)


def test_key_settings(key):
    k = key.one(KEY_TYPE, "lake-key-key")
    assert {f: k.inputs[f] for f in ("enableKeyRotation", "rotationPeriodInDays", "deletionWindowInDays",
                                      "keyUsage", "customerMasterKeySpec", "bypassPolicyLockoutSafetyCheck")} == {
        "enableKeyRotation": True,
        "rotationPeriodInDays": 365,
        "deletionWindowInDays": 14,
        "keyUsage": "ENCRYPT_DECRYPT",
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "bypassPolicyLockoutSafetyCheck": False,
    }
    assert "multiRegion" not in k.inputs or k.inputs["multiRegion"] is False


def test_key_policy_built_from_environment(key):
    policy = json.loads(key.one(KEY_TYPE, "lake-key-key").inputs["policy"])
    assert [s["Sid"] for s in policy["Statement"]] == [
        "EnableIamPolicies", "AllowKeyAdministration", "DenyUseOutsideS3", "DenyUseByOtherAccounts",
    ]
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert policy["Statement"][2]["Condition"]["StringNotEquals"] == {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    assert policy["Statement"][3]["Condition"]["StringNotEquals"] == {"kms:CallerAccount": "123456789012"}


def test_alias_targets_key(key):
    alias = key.one("aws:kms/alias:Alias", "lake-key-alias")
    k = key.one(KEY_TYPE, "lake-key-key")
    assert alias.inputs["name"] == "alias/ml-test"
    assert alias.inputs["targetKeyId"] == k.id
    component = key.one(TYPE_TOKEN, "lake-key")
    assert alias.parent == component.urn and k.parent == component.urn
    assert not alias.protect and not k.protect


def test_no_separate_key_policy_resource(key):
    assert key.count("aws:kms/keyPolicy:KeyPolicy") == 0


def test_production_protects_key_and_alias():
    resources = declare(protect=True)
    for r in (resources.one(KEY_TYPE, "lake-key-key"), resources.one("aws:kms/alias:Alias", "lake-key-alias")):
        assert r.protect and r.retain_on_delete
