"""KMS keys the lake uses, each read once however many buckets or services name it."""

from __future__ import annotations

from typing import Any

from ...model import UNKNOWN, Key, is_unknown
from ..resources import parse_policy
from .calls import Call, Reader


def resolve(reader: Reader, kms: Any, reference: str) -> dict[str, Any] | None:
    """DescribeKey of a key id, ARN, alias name or alias ARN: its metadata, or None if unreadable."""
    metadata = reader.read(kms, Call("DescribeKey", "describe_key", {"KeyId": reference}, ("NotFoundException",)),
                           (reference, reference, "key"), lambda r: r["KeyMetadata"])
    return None if metadata is None or is_unknown(metadata) else metadata


def read_key(reader: Reader, kms: Any, metadata: dict[str, Any]) -> Key:
    key_id, arn = metadata["KeyId"], metadata["Arn"]
    where = lambda setting: (key_id, arn, setting)  # noqa: E731 (three reads share it)
    params = {"KeyId": key_id}
    tags = reader.read(kms, Call("ListResourceTags", "list_resource_tags", params), where("tags"),
                       lambda r: {t["TagKey"]: t["TagValue"] for t in r.get("Tags", [])})
    return Key(
        name=key_id,
        ref=arn,
        arn=arn,
        tags=tags if isinstance(tags, dict) else {},
        rotation_enabled=reader.read(kms, Call("GetKeyRotationStatus", "get_key_rotation_status", params),
                                     where("rotation_enabled"), lambda r: r["KeyRotationEnabled"]),
        deletion_window_days=None,  # only readable once a deletion is scheduled
        policy=reader.read(kms, Call("GetKeyPolicy", "get_key_policy", {**params, "PolicyName": "default"}),
                           where("policy"), lambda r: parse_policy(r["Policy"])),
        pending_deletion=metadata.get("KeyState") == "PendingDeletion",
        state=metadata.get("KeyState", UNKNOWN),  # an answer without one cannot be judged
    )


def key_references(values: list[Any]) -> list[str]:
    """Distinct key ids, ARNs and aliases among ``values``, in first-seen order."""
    seen: dict[str, None] = {}
    for value in values:
        if isinstance(value, str) and value:
            seen.setdefault(value, None)
    return list(seen)
