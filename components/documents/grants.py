"""Identity policies that grant use of the lake, with the KMS permissions that go with it.

Reading an SSE-KMS object needs both s3:GetObject and kms:Decrypt on the lake key, and the key
policy only allows its use through S3: a grant that forgets the key permission fails at the
first read. These builders always pair them, as the CDK's grant helpers do.
"""

from __future__ import annotations

from .arns import regional_service
from .statements import PolicyDocument, Statement, policy_document

READ_BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket")
READ_OBJECT_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")


def via_service(service: str, region: str) -> dict:
    """Condition: the key is used by ``service`` of ``region`` on the caller's behalf."""
    return {"StringEquals": {"kms:ViaService": regional_service(service, region)}}


def objects_under(bucket_arn: str, prefix: str = "") -> str:
    """ARN pattern of the objects under ``prefix`` (every object for ``""``)."""
    return f"{bucket_arn}/{prefix}*"


def list_buckets(bucket_arns: list[str]) -> Statement:
    return {"Sid": "ListLakeBuckets", "Effect": "Allow", "Action": list(READ_BUCKET_ACTIONS),
            "Resource": sorted(bucket_arns)}


def read_objects(bucket_arns: list[str]) -> Statement:
    return {"Sid": "ReadLakeObjects", "Effect": "Allow", "Action": list(READ_OBJECT_ACTIONS),
            "Resource": sorted(objects_under(arn) for arn in bucket_arns)}


def decrypt_through_s3(key_arn: str, region: str) -> Statement:
    return {"Sid": "DecryptLakeObjects", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn,
            "Condition": via_service("s3", region)}


def read_access(bucket_arns: list[str], key_arn: str, region: str) -> PolicyDocument:
    """Read every object of ``bucket_arns`` (encrypted with ``key_arn``), and list them."""
    return policy_document([list_buckets(bucket_arns), read_objects(bucket_arns), decrypt_through_s3(key_arn, region)])


def locate_bucket(bucket_arn: str) -> Statement:
    """s3:GetBucketLocation alone: it takes no ``s3:prefix``, so it cannot share the listing
    statement, whose prefix condition would refuse it."""
    return {"Sid": "LocateBucket", "Effect": "Allow", "Action": "s3:GetBucketLocation", "Resource": bucket_arn}


def list_prefix(bucket_arn: str, prefix: str) -> Statement:
    """List the keys under ``prefix`` only. ``*`` also matches the empty string, so the pattern
    covers a listing of ``prefix`` itself."""
    return {"Sid": "ListPrefix", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": f"{prefix}*"}}}


def get_prefix_objects(bucket_arn: str, prefix: str) -> Statement:
    """The current version of each object under ``prefix``: no s3:GetObjectVersion, as a reader
    of what is there now (a crawler) has no use for overwritten or deleted data."""
    return {"Sid": "ReadPrefixObjects", "Effect": "Allow", "Action": "s3:GetObject",
            "Resource": objects_under(bucket_arn, prefix)}


def read_prefix(bucket_arn: str, prefix: str, key_arn: str, region: str) -> list[Statement]:
    """Read the objects under ``prefix`` of one bucket: locate the bucket, list the prefix, get
    its objects, and decrypt them through S3 (the grant's KMS half)."""
    if not prefix or prefix.startswith("/"):
        raise ValueError(f"a prefix is a key prefix such as 'images/', got {prefix!r}")
    return [
        locate_bucket(bucket_arn),
        list_prefix(bucket_arn, prefix),
        get_prefix_objects(bucket_arn, prefix),
        decrypt_through_s3(key_arn, region),
    ]
