"""The lake model of a `pulumi preview`, from the policy pack's stack validation arguments.

Values the engine cannot know yet arrive as pulumi_policy's unknown sentinels (behind a proxy
that raises on access); they become the model's UNKNOWN, which rules report as unknown.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import StackValidationArgs
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

from ..model import UNKNOWN, Lake
from .resources import LakeContext, ResourceRecord, build_lake

_SENTINELS = frozenset({
    UNKNOWN_ARCHIVE_VALUE, UNKNOWN_ARRAY_VALUE, UNKNOWN_ASSET_VALUE, UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE,
})


def _target(value: Any) -> Any:
    """The plain value behind pulumi_policy's unknown-checking proxies."""
    try:
        return value["__target"]
    except (KeyError, TypeError, IndexError):
        return value


def plain(value: Any) -> Any:
    """Props with proxies unwrapped and unknown sentinels replaced by UNKNOWN."""
    value = _target(value)
    if isinstance(value, str) and value in _SENTINELS:
        return UNKNOWN
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        # The engine sends properties as a protobuf Struct, whose only number is a double: lifecycle day 30
        # arrives as 30.0. Integer-valued numbers become ints again, as the plan and live adapters see them.
        return int(value)
    return value


def lake_from_stack(args: StackValidationArgs) -> Lake:
    records = [
        ResourceRecord(
            type=r.resource_type,
            urn=r.urn,
            name=r.name,
            props=plain(r.props),
            protect=bool(r.opts.protect) if r.opts is not None else None,
            retain_on_delete=None,  # not exposed to policy packs
            dependencies={prop: deps[0].urn for prop, deps in r.property_dependencies.items() if deps},
        )
        for r in args.resources
    ]
    return build_lake(records, LakeContext(source="preview"))
