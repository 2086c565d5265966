"""Policy of the lake's S3 gateway endpoint: from the lake's VPC, S3 answers the lake's account
on the lake's buckets (and the allowlisted ones), and refuses everything else.

A gateway endpoint policy is a resource policy on the path, evaluated with the caller's identity
policies and the bucket's policy: it grants nothing by itself, it only narrows what may pass.
Two ways out of the VPC are closed: another account's credentials (copying lake data to a
bucket its owner controls) and another bucket (copying it to any bucket outside the list).
"""

from __future__ import annotations

from .statements import PolicyDocument, Statement, bucket_and_objects, policy_document


def allow_account_to_buckets(bucket_arns: list[str], account_id: str) -> Statement:
    return {
        "Sid": "AllowLakeAccountToListedBuckets",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn for bucket in sorted(bucket_arns) for arn in bucket_and_objects(bucket)],
        "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id}},
    }


def lake_endpoint_policy(bucket_arns: list[str], account_id: str) -> PolicyDocument:
    """Only principals of ``account_id``, only on ``bucket_arns`` (the lake's buckets and the
    allowlisted ones). An empty list would refuse all S3 traffic from the VPC: refused here."""
    if not bucket_arns:
        raise ValueError("an S3 endpoint policy needs at least one bucket: none would refuse every S3 request")
    return policy_document([allow_account_to_buckets(bucket_arns, account_id)])
