"""Hand-built lake models for rule tests: compliant by default, broken one field at a time.

The compliant values are those the program generates for the dev stack, so a rule that fails a
compliant builder would also fail the real lake.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from components.documents.bucket_policy import secure_bucket_policy
from components.documents.key_policy import lake_key_policy
from components.documents.logs_bucket_policy import allow_access_log_delivery
from policies.model import (
    Bucket,
    Encryption,
    Key,
    Lake,
    Lifecycle,
    LifecycleRule,
    Logging,
    PublicAccessBlock,
    Transition,
)

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "999999999999"
REGION = "us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/LakeAdmin"
LOGS = "ml-dev-logs"


def arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def lifecycle() -> Lifecycle:
    return Lifecycle(
        rules=(
            LifecycleRule("tier-current-objects", True, transitions=(
                Transition(30, "STANDARD_IA"), Transition(90, "GLACIER_IR"))),
            LifecycleRule("expire-noncurrent-versions", True, noncurrent_transitions=(
                Transition(30, "STANDARD_IA"),), noncurrent_expiration_days=90),
            LifecycleRule("abort-incomplete-multipart-uploads", True, abort_incomplete_multipart_upload_days=7),
            LifecycleRule("remove-expired-delete-markers", True, expired_object_delete_marker=True),
        ),
        minimum_object_size="all_storage_classes_128K",
    )


def zone_bucket(zone: str = "raw", **changes: Any) -> Bucket:
    name = f"ml-dev-{zone}"
    bucket = Bucket(
        name=name,
        ref=f"urn:pulumi:dev::datalake::datalake:storage:SecureBucket$aws:s3/bucket:Bucket::{zone}-bucket",
        arn=arn(name),
        tags={"lake": "ml", "stack": "dev", "zone": zone, "production": "false"},
        versioning="Enabled",
        encryption=Encryption("aws:kms", KEY_ARN, True, ("SSE-C",)),
        public_access_block=PublicAccessBlock(True, True, True, True),
        ownership="BucketOwnerEnforced",
        policy=secure_bucket_policy(arn(name), KEY_ARN),
        lifecycle=lifecycle(),
        logging=Logging(LOGS, "access-logs/"),
        force_destroy=False,
        protect=False,
        retain_on_delete=False,
    )
    return replace(bucket, **changes)


def logs_bucket(**changes: Any) -> Bucket:
    delivery = allow_access_log_delivery(arn(LOGS), "access-logs/", [arn("ml-dev-raw")], ACCOUNT)
    bucket = replace(
        zone_bucket("logs"),
        encryption=Encryption("AES256", None, None, ("SSE-C",)),
        policy=secure_bucket_policy(arn(LOGS), None, extra_statements=(delivery,)),
        logging=None,
        lifecycle=Lifecycle(rules=(
            LifecycleRule("tier-current-objects", True, expiration_days=365),
            LifecycleRule("expire-noncurrent-versions", True, noncurrent_expiration_days=30),
            LifecycleRule("abort-incomplete-multipart-uploads", True, abort_incomplete_multipart_upload_days=7),
            LifecycleRule("remove-expired-delete-markers", True, expired_object_delete_marker=True),
        ), minimum_object_size="all_storage_classes_128K"),
    )
    return replace(bucket, **changes)


def lake_key(**changes: Any) -> Key:
    key = Key(
        name="lake-key-key",
        ref="urn:pulumi:dev::datalake::datalake:storage:LakeKey$aws:kms/key:Key::lake-key-key",
        arn=KEY_ARN,
        tags={"lake": "ml", "stack": "dev", "production": "false"},
        rotation_enabled=True,
        deletion_window_days=30,
        policy=lake_key_policy("aws", ACCOUNT, REGION, [ADMIN]),
        pending_deletion=False,
        protect=False,
        retain_on_delete=False,
    )
    return replace(key, **changes)


def lake(buckets: tuple[Bucket, ...] | None = None, keys: tuple[Key, ...] | None = None, **changes: Any) -> Lake:
    model = Lake(
        source="plan",
        account_id=ACCOUNT,
        region=REGION,
        partition="aws",
        production=False,
        administrators=(ADMIN,),
        buckets=(zone_bucket("raw"), logs_bucket()) if buckets is None else buckets,
        keys=(lake_key(),) if keys is None else keys,
    )
    return replace(model, **changes)


def statuses(findings) -> dict[str, tuple[str, str]]:
    """``{resource: (status, message)}`` for exact assertions."""
    return {f.resource: (f.status.value, f.message) for f in findings}
