"""A fleet of lake buckets on an S3 endpoint (a moto server), for `benchmarks/audit_speed.py`.

One logs bucket and ``count - 1`` zone buckets, all tagged ``lake=bench``. A compliant bucket is
what SecureBucket declares: versioning, SSE-KMS with the lake key and a bucket key, all four
Block Public Access flags, ACLs disabled, the TLS deny on the bucket and its objects, a lifecycle
with tiering and clean-up, access logs to the logs bucket. About half of the zone buckets, drawn
with a fixed seed, each break exactly one of the controls both audits check, cycling through them;
the fleet keeps that ground truth.
"""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import boto3

from components.documents.logs_bucket_policy import allow_access_log_delivery
from components.documents.statements import deny_insecure_transport, deny_outdated_tls, policy_document

# Security Hub controls both `lake audit` and prowler check on every bucket, in cycling order.
CONTROLS = ("S3.5", "S3.8", "S3.9", "S3.12", "S3.13", "S3.14", "S3.17")
REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
LAKE_TAG = ("lake", "bench")
LOGS_BUCKET = "bench-logs"
LOG_PREFIX = "access-logs/"
SEED_THREADS = 8
BPA_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
LIFECYCLE_RULE = {
    "ID": "tiering-and-cleanup",
    "Status": "Enabled",
    "Filter": {"Prefix": ""},
    "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER_IR"}],
    "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
}


@dataclass(frozen=True)
class Fleet:
    key_arn: str
    # Every bucket of the fleet, the logs bucket first -> the control it breaks (None: compliant).
    broken: dict[str, str | None]

    def expected(self, bucket: str, control: str) -> str | None:
        """Ground truth: FAIL for the control the bucket breaks, PASS otherwise; None where the
        control does not apply (access logging of the log target itself)."""
        if bucket == LOGS_BUCKET and control == "S3.9":
            return None
        return "FAIL" if self.broken[bucket] == control else "PASS"


def broken_controls(count: int, seed: int, broken_share: float) -> dict[str, str | None]:
    """Zone bucket name -> the control it breaks; the broken ones drawn with ``seed``."""
    names = [f"bench-raw-{i:03d}" for i in range(count - 1)]
    broken = sorted(random.Random(seed).sample(range(len(names)), round(len(names) * broken_share)))
    controls: dict[str, str | None] = dict.fromkeys(names)
    for n, index in enumerate(broken):
        controls[names[index]] = CONTROLS[n % len(CONTROLS)]
    return controls


def seed_fleet(endpoint_url: str, count: int = 200, seed: int = 7, broken_share: float = 0.5) -> Fleet:
    """Create the lake key, the logs bucket and ``count - 1`` zone buckets on ``endpoint_url``."""
    clients = {
        name: boto3.client(name, endpoint_url=endpoint_url, region_name=REGION, **CREDENTIALS)
        for name in ("s3", "kms", "sts")
    }
    account_id = clients["sts"].get_caller_identity()["Account"]
    key_arn = _lake_key(clients["kms"])
    zones = broken_controls(count, seed, broken_share)
    s3 = clients["s3"]
    _logs_bucket(s3, account_id, list(zones))
    with ThreadPoolExecutor(SEED_THREADS) as pool:
        list(pool.map(lambda n: _zone_bucket(s3, n, key_arn, zones[n]), zones))
    return Fleet(key_arn, {LOGS_BUCKET: None, **zones})


def _lake_key(kms) -> str:
    key = kms.create_key(
        Description="lake key (benchmark fleet)", Tags=[{"TagKey": LAKE_TAG[0], "TagValue": LAKE_TAG[1]}]
    )["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    kms.create_alias(AliasName="alias/lake-bench", TargetKeyId=key["KeyId"])
    return key["Arn"]


def _arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def _logs_bucket(s3, account_id: str, sources: list[str]) -> None:
    arn = _arn(LOGS_BUCKET)
    s3.create_bucket(Bucket=LOGS_BUCKET)
    # The grant first: moto 5.2.5 validates PutBucketLogging by reading the target's statements in
    # order and fails (HTTP 500) on a string Principal such as the TLS deny's "*" before the grant.
    policy = policy_document([
        allow_access_log_delivery(arn, LOG_PREFIX, [_arn(b) for b in sources], account_id),
        deny_insecure_transport(arn),
    ])
    _protect(s3, LOGS_BUCKET, zone="logs", policy=policy, encryption={"SSEAlgorithm": "AES256"})


def _zone_bucket(s3, name: str, key_arn: str, control: str | None) -> None:
    """A compliant zone bucket, but for the one ``control`` it breaks (S3.8: one flag, chosen by
    the bucket's number)."""
    s3.create_bucket(Bucket=name)
    arn = _arn(name)
    transport = deny_outdated_tls(arn) if control == "S3.5" else deny_insecure_transport(arn)
    flag_off = BPA_FLAGS[int(name[-3:]) % len(BPA_FLAGS)] if control == "S3.8" else None
    _protect(
        s3, name, zone="raw",
        policy=policy_document([transport]),
        encryption={"SSEAlgorithm": "AES256"} if control == "S3.17" else {"SSEAlgorithm": "aws:kms",
                                                                          "KMSMasterKeyID": key_arn},
        public_access={flag: flag != flag_off for flag in BPA_FLAGS},
        ownership="ObjectWriter" if control == "S3.12" else "BucketOwnerEnforced",
        lifecycle=control != "S3.13",
        versioning="Suspended" if control == "S3.14" else "Enabled",
        logging=control != "S3.9",
    )


def _protect(s3, name: str, *, zone: str, policy: dict, encryption: dict,
             public_access: dict[str, bool] | None = None, ownership: str = "BucketOwnerEnforced",
             lifecycle: bool = True, versioning: str = "Enabled", logging: bool = False) -> None:
    """Apply every setting a lake bucket has, each as the caller decides."""
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [
        {"Key": LAKE_TAG[0], "Value": LAKE_TAG[1]}, {"Key": "zone", "Value": zone},
    ]})
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": encryption, "BucketKeyEnabled": encryption["SSEAlgorithm"] == "aws:kms"},
    ]})
    s3.put_public_access_block(
        Bucket=name, PublicAccessBlockConfiguration=public_access or dict.fromkeys(BPA_FLAGS, True)
    )
    s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]})
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    if lifecycle:
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [LIFECYCLE_RULE]})
    if logging:
        s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={"LoggingEnabled": {
            "TargetBucket": LOGS_BUCKET, "TargetPrefix": LOG_PREFIX,
        }})
