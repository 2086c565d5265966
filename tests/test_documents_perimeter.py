"""The VPC-endpoint perimeter of zone buckets, and the lock-out checks that guard it."""

import pytest

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.perimeter import Perimeter, deny_outside_endpoint, service_linked_roles
from tests.support import statement

BUCKET = "arn:aws:s3:::mlteam-prod-raw"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111-2222"
ADMIN = "arn:aws:iam::123456789012:role/LakeAdmin"
CRAWLER = "arn:aws:iam::123456789012:role/mlteam-prod-images-crawler"
ENDPOINTS = ("vpce-0bbbbbbbbbbbbbbbb", "vpce-0aaaaaaaaaaaaaaaa")
PERIMETER = Perimeter(ENDPOINTS, (CRAWLER, ADMIN))


def test_deny_outside_endpoint_but_policy_management_exempt_principals_and_services():
    assert statement(secure_bucket_policy(BUCKET, KEY, perimeter=PERIMETER), "DenyOutsideLakeEndpoint") == {
        "Sid": "DenyOutsideLakeEndpoint",
        "Effect": "Deny",
        "Principal": "*",
        "NotAction": ["s3:DeleteBucketPolicy", "s3:GetBucketPolicy", "s3:PutBucketPolicy"],
        "Resource": [BUCKET, f"{BUCKET}/*"],
        "Condition": {
            "StringNotEquals": {"aws:SourceVpce": ["vpce-0aaaaaaaaaaaaaaaa", "vpce-0bbbbbbbbbbbbbbbb"]},
            "ArnNotLike": {"aws:PrincipalArn": [ADMIN, CRAWLER]},
            "Bool": {"aws:ViaAWSService": "false", "aws:PrincipalIsAWSService": "false"},
        },
    }


def test_perimeter_comes_after_the_bucket_rules_and_before_extra_statements():
    extra = {"Sid": "Extra", "Effect": "Allow", "Principal": {"Service": "x"}, "Action": "s3:PutObject"}
    doc = secure_bucket_policy(BUCKET, None, extra_statements=(extra,), perimeter=PERIMETER)
    assert [s["Sid"] for s in doc["Statement"]] == [
        "DenyInsecureTransport", "DenyOutdatedTls", "DenyOutsideLakeEndpoint", "Extra",
    ]


def test_no_perimeter_by_default():
    assert secure_bucket_policy(BUCKET, KEY) == secure_bucket_policy(BUCKET, KEY, perimeter=None)
    assert "DenyOutsideLakeEndpoint" not in [s["Sid"] for s in secure_bucket_policy(BUCKET, KEY)["Statement"]]


def test_the_perimeter_never_denies_fixing_the_bucket_policy():
    denied_not = statement(secure_bucket_policy(BUCKET, KEY, perimeter=PERIMETER), "DenyOutsideLakeEndpoint")
    assert "Action" not in denied_not
    assert {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"} <= set(denied_not["NotAction"])


def test_a_perimeter_without_exempt_principal_is_refused_lock_out():
    with pytest.raises(ValueError, match="at least one exempt principal"):
        Perimeter(ENDPOINTS, ())
    with pytest.raises(ValueError, match="at least one exempt principal"):
        deny_outside_endpoint(BUCKET, ENDPOINTS, ())


def test_a_perimeter_without_endpoint_is_refused():
    with pytest.raises(ValueError, match="at least one VPC endpoint id"):
        Perimeter((), (ADMIN,))
    with pytest.raises(ValueError, match="at least one VPC endpoint id"):
        deny_outside_endpoint(BUCKET, (), (ADMIN,))


def test_service_linked_roles_pattern():
    assert service_linked_roles("aws-cn", "123456789012") == "arn:aws-cn:iam::123456789012:role/aws-service-role/*"
