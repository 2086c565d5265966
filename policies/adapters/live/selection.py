"""Which buckets a live audit reads: from stack outputs, by name, by tag, or by name prefix; with
a tag, also the buckets named in the lake's namespace (a lake bucket that lost its tag is still
the lake's); against a plan, also every bucket the plan declares."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...model import Consumer, Lake
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
    # What tied it to the lake, as LAKE.11 says when it lacks the lake tag ("the stack outputs").
    found_by: str = ""


# A bucket the plan declares but the account lacks is a LAKE.11 "declared ... not found" finding.
PLAN = "the plan"


@dataclass(frozen=True)
class Declared:
    """What a plan declares (``lake audit --against-plan``): each resource is looked for by its name,
    whatever the selection, so it is either read or known to be missing."""

    lake: str
    stack: str
    buckets: tuple[str, ...] = ()
    crawlers: tuple[str, ...] = ()
    workgroups: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()  # names: the plan's ARNs carry the plan's account
    roles: tuple[str, ...] = ()
    security_configurations: tuple[str, ...] = ()
    network: tuple[str, ...] = ()  # the VPC and route-table ids the stack config names
    # With their grants, which only the plan knows; their roles are read with them, not in ``roles``.
    consumers: tuple[Consumer, ...] = ()


def declared(planned: Lake, settings: dict[str, Any]) -> Declared:
    """The plan's resources, by name; ``settings`` is the plan document's validated stack config."""
    network = settings.get("network") or {}
    ids = (network.get("vpc_id"), *(network.get("route_table_ids") or ()))
    return Declared(
        lake=settings["name"], stack=settings["stack"],
        buckets=tuple(b.name for b in planned.buckets), crawlers=tuple(c.name for c in planned.crawlers),
        workgroups=tuple(w.name for w in planned.workgroups), queues=tuple(q.name for q in planned.queues),
        roles=tuple(r.name for r in planned.roles if r.ref not in {c.role_ref for c in planned.consumers}),
        security_configurations=tuple(c.name for c in planned.security_configurations),
        network=tuple(i for i in ids if isinstance(i, str)),
        consumers=planned.consumers,
    )


@dataclass(frozen=True)
class Selection:
    names: tuple[str, ...] = ()
    outputs: dict[str, Any] | None = None  # `pulumi stack output --json`
    tag: tuple[str, str] | None = None
    prefix: str | None = None
    # An audit of several regions: only the buckets located in this one (ListBuckets with
    # BucketRegion, one call), so that each bucket is read once, with its own region's resources.
    region: str | None = None
    declared: Declared | None = None  # --against-plan

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


def zone_buckets(outputs: Mapping[str, Any]) -> dict[str, str]:
    """zone -> bucket name, from the stack outputs' ``zoneBuckets`` (each ``{name, arn}``, or the name)."""
    return {zone: _name(bucket) for zone, bucket in outputs["zoneBuckets"].items()}


def from_outputs(outputs: dict[str, Any]) -> list[Chosen]:
    """The zone buckets, the logs bucket and the query-results bucket the program exports."""
    chosen = [Chosen(name, zone, found_by="the stack outputs") for zone, name in zone_buckets(outputs).items()]
    for key, zone in (("logsBucket", "logs"), ("queryResultsBucket", "query-results")):
        if key in outputs:
            chosen.append(Chosen(_name(outputs[key]), zone, found_by="the stack outputs"))
    return chosen


def _name(bucket: Any) -> str:
    return bucket["name"] if isinstance(bucket, Mapping) else str(bucket)


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
    return [Chosen(i["ResourceARN"].rsplit(":", 1)[-1], tags=tag_dict(i.get("Tags", [])),
                   found_by=f"the tag {tag[0]}={tag[1]}") for i in items]


def by_prefix(reader: Reader, s3: Any, prefix: str, found_by: str | None = None) -> list[Chosen]:
    found = reader.read(s3, Call("ListBuckets", "list_buckets", {"Prefix": prefix}, pages="Buckets"),
                        ("lake", "", "buckets"), lambda r: r["Buckets"])
    items = found if isinstance(found, list) else []
    return [Chosen(b["Name"], found_by=found_by or f"--prefix {prefix}") for b in items if b["Name"].startswith(prefix)]


def namespace(tag_sets: Iterable[dict[str, Any]]) -> str | None:
    """``<lake>-<stack>``, the start of every name the program gives (components/naming.py), when
    the buckets carrying both tags agree on them."""
    pairs = {(tags.get("lake"), tags.get("stack")) for tags in tag_sets if tags.get("lake") and tags.get("stack")}
    return "{}-{}".format(*pairs.pop()) if len(pairs) == 1 else None


def by_naming(reader: Reader, s3: Any, tagged: list[Chosen]) -> list[Chosen]:
    """The buckets named in the namespace of the tagged ones: a lake bucket whose tag was removed
    or rewritten is still the lake's (one ListBuckets call)."""
    space = namespace(c.tags or {} for c in tagged)
    if space is None:
        return []
    return by_prefix(reader, s3, f"{space}-", f"its name, in the lake's namespace {space}-")


def choose(selection: Selection, reader: Reader, clients: Any) -> list[Chosen]:
    """Every chosen bucket once; what one source knows about a bucket is kept."""
    chosen = [Chosen(n, found_by="--bucket") for n in selection.names]
    if selection.outputs is not None:
        chosen += from_outputs(selection.outputs)
    if selection.tag is not None:
        tagged = by_tag(reader, clients("resourcegroupstaggingapi"), selection.tag)
        chosen += tagged + by_naming(reader, clients("s3"), tagged)
    if selection.prefix is not None:
        chosen += by_prefix(reader, clients("s3"), selection.prefix)
    if selection.declared is not None:
        chosen += [Chosen(n, found_by=PLAN) for n in selection.declared.buckets]
    merged: dict[str, Chosen] = {}
    for item in chosen:
        known = merged.get(item.name)
        merged[item.name] = item if known is None else Chosen(
            item.name, known.zone or item.zone, known.tags or item.tags, known.found_by)
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
