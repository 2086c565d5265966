"""Identity policies that grant use of the lake, with the KMS permissions that go with it.

Reading an SSE-KMS object needs both s3:GetObject and kms:Decrypt on the lake key, and the key
policy only allows its use through S3: a grant that forgets the key permission fails at the
first read. These builders always pair them, as the CDK's grant helpers do.
"""

from __future__ import annotations

from .statements import PolicyDocument, Statement, policy_document

READ_BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket")
READ_OBJECT_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")


def _via_s3(region: str) -> dict:
    return {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}


def list_buckets(bucket_arns: list[str]) -> Statement:
    return {"Sid": "ListLakeBuckets", "Effect": "Allow", "Action": list(READ_BUCKET_ACTIONS),
            "Resource": sorted(bucket_arns)}


def read_objects(bucket_arns: list[str]) -> Statement:
    return {"Sid": "ReadLakeObjects", "Effect": "Allow", "Action": list(READ_OBJECT_ACTIONS),
            "Resource": sorted(f"{arn}/*" for arn in bucket_arns)}


def decrypt_through_s3(key_arn: str, region: str) -> Statement:
    return {"Sid": "DecryptLakeObjects", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn,
            "Condition": _via_s3(region)}


def read_access(bucket_arns: list[str], key_arn: str, region: str) -> PolicyDocument:
    """Read every object of ``bucket_arns`` (encrypted with ``key_arn``), and list them."""
    return policy_document([list_buckets(bucket_arns), read_objects(bucket_arns), decrypt_through_s3(key_arn, region)])
