"""Which buckets a live audit reads: from stack outputs, by name, by tag, or by name prefix."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .buckets import tag_dict
from .calls import Call, Reader


class SelectionError(ValueError):
    """The selection cannot be used (an unreadable outputs file, a malformed tag)."""


@dataclass(frozen=True)
class Chosen:
    """A bucket to audit, with what the selection already knows about it."""

    name: str
    zone: str | None = None  # from stack outputs
    tags: dict[str, str] | None = None  # from the tagging API: no GetBucketTagging needed


@dataclass(frozen=True)
class Selection:
    names: tuple[str, ...] = ()
    outputs: dict[str, Any] | None = None  # `pulumi stack output --json`
    tag: tuple[str, str] | None = None
    prefix: str | None = None
    # An audit of several regions: only the buckets located in this one (ListBuckets with
    # BucketRegion, one call), so that each bucket is read once, with its own region's resources.
    region: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.names or self.outputs or self.tag or self.prefix)


def load_outputs(path: Path) -> dict[str, Any]:
    try:
        outputs = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SelectionError(f"{path}: not a readable JSON file of stack outputs ({error})") from None
    except RecursionError:  # thousands of nested brackets: json.loads recurses once per level
        raise SelectionError(f"{path}: nested too deeply to be stack outputs") from None
    if not isinstance(outputs, dict) or not isinstance(outputs.get("zoneBuckets"), dict):
        raise SelectionError(f"{path}: no 'zoneBuckets' output; expected `pulumi stack output --json` of this program")
    return outputs


def from_outputs(outputs: dict[str, Any]) -> list[Chosen]:
    """The zone buckets, the logs bucket and the query-results bucket the program exports."""
    chosen = [Chosen(_name(b), zone) for zone, b in outputs["zoneBuckets"].items()]
    for key, zone in (("logsBucket", "logs"), ("queryResultsBucket", "query-results")):
        if key in outputs:
            chosen.append(Chosen(_name(outputs[key]), zone))
    return chosen


def _name(bucket: Any) -> str:
    return bucket["name"] if isinstance(bucket, dict) else str(bucket)


def parse_tag(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key or not value:
        raise SelectionError(f"--tag '{text}': expected KEY=VALUE, e.g. lake=mlteam")
    return key, value


def by_tag(reader: Reader, tagging: Any, tag: tuple[str, str]) -> list[Chosen]:
    """Buckets carrying the tag, with all their tags, in one paginated call of the tagging API."""
    params = {"TagFilters": [{"Key": tag[0], "Values": [tag[1]]}], "ResourceTypeFilters": ["s3"]}
    found = reader.read(tagging, Call("GetResources", "get_resources", params, pages="ResourceTagMappingList"),
                        ("lake", "", "buckets"), lambda r: r["ResourceTagMappingList"])
    items = found if isinstance(found, list) else []
    return [Chosen(i["ResourceARN"].rsplit(":", 1)[-1], tags=tag_dict(i.get("Tags", []))) for i in items]


def by_prefix(reader: Reader, s3: Any, prefix: str) -> list[Chosen]:
    found = reader.read(s3, Call("ListBuckets", "list_buckets", {"Prefix": prefix}, pages="Buckets"),
                        ("lake", "", "buckets"), lambda r: r["Buckets"])
    items = found if isinstance(found, list) else []
    return [Chosen(b["Name"]) for b in items if b["Name"].startswith(prefix)]


def choose(selection: Selection, reader: Reader, clients: Any) -> list[Chosen]:
    """Every chosen bucket once; what one source knows about a bucket is kept."""
    chosen = [Chosen(n) for n in selection.names]
    if selection.outputs is not None:
        chosen += from_outputs(selection.outputs)
    if selection.tag is not None:
        chosen += by_tag(reader, clients("resourcegroupstaggingapi"), selection.tag)
    if selection.prefix is not None:
        chosen += by_prefix(reader, clients("s3"), selection.prefix)
    merged: dict[str, Chosen] = {}
    for item in chosen:
        known = merged.get(item.name)
        merged[item.name] = item if known is None else Chosen(item.name, known.zone or item.zone, known.tags or item.tags)
    if selection.region is not None and merged:
        here = in_region(reader, clients("s3"), selection.region)
        merged = {name: item for name, item in merged.items() if name in here}
    return sorted(merged.values(), key=lambda c: c.name)  # reports in a stable order


def in_region(reader: Reader, s3: Any, region: str) -> set[str]:
    """The names of this account's buckets in ``region``; none when the listing fails (the
    failure is recorded: LAKE.11 says the selection could not be read)."""
    found = reader.read(s3, Call("ListBuckets", "list_buckets", {"BucketRegion": region}, pages="Buckets"),
                        ("lake", "", "buckets"), lambda r: r["Buckets"])
    return {b["Name"] for b in found} if isinstance(found, list) else set()
