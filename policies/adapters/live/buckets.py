"""A bucket's settings, one S3 call each, into the model's ``Bucket``.

The parsers give the same shapes the plan adapter gives for the same configuration, so a live
bucket and its planned twin compare equal (drift) and rules read both alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...model import (
    Bucket,
    Encryption,
    Lifecycle,
    LifecycleRule,
    Logging,
    PublicAccessBlock,
    Transition,
)
from ...rules.s3_12_acls_disabled import ACLS_DISABLED
from ..resources import parse_policy
from .calls import Call, Reader


@dataclass(frozen=True)
class Setting:
    field: str  # the Bucket field it fills
    operation: str
    method: str
    parse: Callable[[dict[str, Any]], Any]
    absent: tuple[str, ...] = ()  # error codes meaning "not configured"

    def call(self, bucket: str) -> Call:
        return Call(self.operation, self.method, {"Bucket": bucket}, self.absent)


def _encryption(response: dict[str, Any]) -> Encryption:
    rule = response["ServerSideEncryptionConfiguration"]["Rules"][0]
    default = rule.get("ApplyServerSideEncryptionByDefault", {})
    return Encryption(
        algorithm=default.get("SSEAlgorithm"),
        kms_key_id=default.get("KMSMasterKeyID"),
        bucket_key_enabled=rule.get("BucketKeyEnabled"),
        blocked_encryption_types=tuple(rule.get("BlockedEncryptionTypes", {}).get("EncryptionType", ())),
    )


def public_access_block(config: dict[str, Any]) -> PublicAccessBlock:
    """Bucket and account Block Public Access share this shape; an absent flag is off."""
    return PublicAccessBlock(
        block_public_acls=config.get("BlockPublicAcls", False),
        block_public_policy=config.get("BlockPublicPolicy", False),
        ignore_public_acls=config.get("IgnorePublicAcls", False),
        restrict_public_buckets=config.get("RestrictPublicBuckets", False),
    )


ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def _canned_acl(response: dict[str, Any]) -> str | None:
    """The canned ACL the grants amount to, for the public ones rules judge; None for an ACL that
    grants nobody beyond the owner's account (what a plan without a BucketAcl means)."""
    granted = {(g.get("Grantee", {}).get("URI"), g.get("Permission")) for g in response.get("Grants", [])}
    if {(ALL_USERS, "WRITE"), (ALL_USERS, "FULL_CONTROL")} & granted:
        return "public-read-write"
    if {(ALL_USERS, "READ"), (ALL_USERS, "FULL_CONTROL")} & granted:
        return "public-read"
    if {(AUTHENTICATED_USERS, "READ"), (AUTHENTICATED_USERS, "FULL_CONTROL")} & granted:
        return "authenticated-read"
    return None


def _transitions(items: list[dict[str, Any]], days_key: str) -> tuple[Transition, ...]:
    return tuple(Transition(t.get(days_key), t.get("StorageClass")) for t in items)


# GetBucketLifecycleConfiguration's filter fields beyond the prefix: each narrows a rule to some of
# the objects under its prefix.
NARROWING_FILTERS = ("Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "Tags")


def _lifecycle_rule(rule: dict[str, Any]) -> LifecycleRule:
    filter_ = rule.get("Filter", {})
    both = filter_.get("And", {})  # a prefix combined with tags or sizes
    prefix = filter_.get("Prefix", both.get("Prefix", rule.get("Prefix", "")))
    return LifecycleRule(
        id=rule.get("ID", ""),
        enabled=rule.get("Status") == "Enabled",
        prefix=prefix or "",
        transitions=_transitions(rule.get("Transitions", []), "Days"),
        expiration_days=rule.get("Expiration", {}).get("Days"),
        expired_object_delete_marker=rule.get("Expiration", {}).get("ExpiredObjectDeleteMarker"),
        noncurrent_transitions=_transitions(rule.get("NoncurrentVersionTransitions", []), "NoncurrentDays"),
        noncurrent_expiration_days=rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays"),
        abort_incomplete_multipart_upload_days=rule.get("AbortIncompleteMultipartUpload", {}).get(
            "DaysAfterInitiation"),
        filtered=any(f in part for part in (filter_, both) for f in NARROWING_FILTERS),
    )


def _lifecycle(response: dict[str, Any]) -> Lifecycle:
    return Lifecycle(
        rules=tuple(_lifecycle_rule(r) for r in response.get("Rules", [])),
        minimum_object_size=response.get("TransitionDefaultMinimumObjectSize"),
    )


def _logging(response: dict[str, Any]) -> Logging | None:
    enabled = response.get("LoggingEnabled")
    return Logging(enabled.get("TargetBucket"), enabled.get("TargetPrefix")) if enabled else None


def _notification(item: dict[str, Any], target_key: str, model_key: str) -> dict[str, Any]:
    """A destination in the plan's camelCase shape (queueArn, events, filterPrefix, filterSuffix)."""
    entry = {model_key: item[target_key], "events": item.get("Events", [])}
    for rule in item.get("Filter", {}).get("Key", {}).get("FilterRules", []):
        entry[f"filter{rule['Name'].capitalize()}"] = rule["Value"]
    return entry


_DESTINATIONS = (
    ("QueueConfigurations", "QueueArn", "queueArn"),
    ("TopicConfigurations", "TopicArn", "topicArn"),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn", "lambdaFunctionArn"),
)


def _notifications(response: dict[str, Any]) -> tuple[dict[str, Any], ...] | None:
    items = tuple(_notification(i, target, key) for group, target, key in _DESTINATIONS for i in response.get(group, []))
    return items or None


def tag_dict(tag_set: list[dict[str, Any]]) -> dict[str, str]:
    """{"Key": k, "Value": v} pairs (S3, the tagging API) as a dict."""
    return {t["Key"]: t["Value"] for t in tag_set}


SETTINGS = (
    Setting("versioning", "GetBucketVersioning", "get_bucket_versioning", lambda r: r.get("Status")),
    Setting("encryption", "GetBucketEncryption", "get_bucket_encryption", _encryption,
            ("ServerSideEncryptionConfigurationNotFoundError",)),
    Setting("public_access_block", "GetPublicAccessBlock", "get_public_access_block",
            lambda r: public_access_block(r["PublicAccessBlockConfiguration"]),
            ("NoSuchPublicAccessBlockConfiguration",)),
    Setting("ownership", "GetBucketOwnershipControls", "get_bucket_ownership_controls",
            lambda r: r["OwnershipControls"]["Rules"][0]["ObjectOwnership"], ("OwnershipControlsNotFoundError",)),
    Setting("acl", "GetBucketAcl", "get_bucket_acl", _canned_acl),
    Setting("lifecycle", "GetBucketLifecycleConfiguration", "get_bucket_lifecycle_configuration", _lifecycle,
            ("NoSuchLifecycleConfiguration",)),
    Setting("logging", "GetBucketLogging", "get_bucket_logging", _logging),
    Setting("notifications", "GetBucketNotificationConfiguration", "get_bucket_notification_configuration",
            _notifications),
)
POLICY = Setting("policy", "GetBucketPolicy", "get_bucket_policy", lambda r: parse_policy(r["Policy"]),
                 ("NoSuchBucketPolicy",))
TAGS = Setting("tags", "GetBucketTagging", "get_bucket_tagging", lambda r: tag_dict(r["TagSet"]), ("NoSuchTagSet",))
# Read only when the bucket has a policy: without one, S3 has nothing to call public.
POLICY_STATUS = Setting("policy_public", "GetBucketPolicyStatus", "get_bucket_policy_status",
                        lambda r: r["PolicyStatus"]["IsPublic"], ("NoSuchBucketPolicy",))


def bucket_arn(name: str, partition: str) -> str:
    return f"arn:{partition}:s3:::{name}"


def read_setting(reader: Reader, s3: Any, name: str, arn: str, setting: Setting) -> Any:
    return reader.read(s3, setting.call(name), (name, arn, setting.field), setting.parse)


def read_settings(reader: Reader, s3: Any, name: str, arn: str) -> dict[str, Any]:
    """Every setting of the bucket, one call each, skipping the two that cannot matter: the ACL
    when ACLs are disabled (BucketOwnerEnforced, read just before it), and S3's verdict on a
    policy the bucket does not have."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        disabled = setting.field == "acl" and values.get("ownership") == ACLS_DISABLED
        values[setting.field] = None if disabled else read_setting(reader, s3, name, arn, setting)
    policy = values["policy"] = read_setting(reader, s3, name, arn, POLICY)
    public = read_setting(reader, s3, name, arn, POLICY_STATUS) if isinstance(policy, dict) else None
    values["policy_public"] = False if policy is None else public
    return values


def assemble(name: str, arn: str, tags: Any, values: dict[str, Any]) -> Bucket:
    return Bucket(name=name, ref=arn, arn=arn, tags=tags if isinstance(tags, dict) else {}, **values)

