"""Identity grants: whole-bucket read access, and the prefix read a crawler gets."""

import pytest

from components.documents.grants import read_access, read_prefix

BUCKET = "arn:aws:s3:::mlteam-prod-raw"
OTHER = "arn:aws:s3:::mlteam-prod-curated"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111-2222"
DECRYPT = {
    "Sid": "DecryptLakeObjects",
    "Effect": "Allow",
    "Action": "kms:Decrypt",
    "Resource": KEY,
    "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
}


def test_read_access_lists_reads_and_decrypts_through_s3():
    assert read_access([BUCKET, OTHER], KEY, "eu-west-1") == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ListLakeBuckets", "Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
             "Resource": [OTHER, BUCKET]},
            {"Sid": "ReadLakeObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
             "Resource": [f"{OTHER}/*", f"{BUCKET}/*"]},
            DECRYPT,
        ],
    }


def test_read_prefix_locates_lists_reads_current_versions_and_decrypts():
    assert read_prefix(BUCKET, "images/", KEY, "eu-west-1") == [
        {"Sid": "LocateBucket", "Effect": "Allow", "Action": "s3:GetBucketLocation", "Resource": BUCKET},
        {"Sid": "ListPrefix", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET,
         "Condition": {"StringLike": {"s3:prefix": "images/*"}}},
        {"Sid": "ReadPrefixObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/images/*"},
        DECRYPT,
    ]


@pytest.mark.parametrize("prefix", ["", "/images/"])
def test_read_prefix_needs_a_key_prefix(prefix):
    """An empty prefix would grant the whole bucket; a leading "/" would match no key."""
    with pytest.raises(ValueError, match="a prefix is a key prefix"):
        read_prefix(BUCKET, prefix, KEY, "eu-west-1")
