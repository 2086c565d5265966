"""The S3 gateway endpoint policy: the lake's account, on the listed buckets, nothing else."""

import pytest

from components.documents.endpoint_policy import lake_endpoint_policy

ACCOUNT = "123456789012"
RAW = "arn:aws:s3:::mlteam-prod-raw"
REGISTRY = "arn:aws:s3:::shared-model-registry"


def test_one_statement_for_the_account_on_the_listed_buckets_and_their_objects():
    assert lake_endpoint_policy([REGISTRY, RAW], ACCOUNT) == {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowLakeAccountToListedBuckets",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [RAW, f"{RAW}/*", REGISTRY, f"{REGISTRY}/*"],
            "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
        }],
    }


def test_never_every_resource_nor_any_account():
    (allow,) = lake_endpoint_policy([RAW], ACCOUNT)["Statement"]
    assert "*" not in allow["Resource"] and "arn:aws:s3:::*" not in allow["Resource"]
    assert allow["Condition"] == {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}


def test_no_bucket_is_refused():
    with pytest.raises(ValueError, match="at least one bucket"):
        lake_endpoint_policy([], ACCOUNT)
