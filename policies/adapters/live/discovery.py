"""Which of the account's endpoints, crawlers and workgroups are the lake's: what ties them to it,
not their tag alone.

The tag lake=<name> is one tie among others. A lake resource that lost it (a console edit, a tool
that rewrites tags) is still found and judged, and reported as untagged (LAKE.11): tag-based tools
(cost allocation, ABAC, tag-scoped audits) miss it. The ties, besides the tag:
- an S3 gateway endpoint: a policy naming a lake bucket, the VPC or route tables the plan's config
  names, or the VPC of an endpoint tied otherwise;
- a crawler: a target in a lake bucket, a name in the lake's namespace (``<lake>-<stack>-...``,
  components/naming.py), or a name the plan declares (its tags are read with GetTags);
- a workgroup: results written to a lake bucket, a name in the namespace, or declared by the plan.
(Buckets: see ``selection.py``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...iam import as_list, statements
from ...model import Crawler, Untagged, VpcEndpoint, Workgroup
from ..resources import parse_policy
from . import services
from .buckets import tag_dict
from .calls import Call, Reader

TAG = "its tag"
POLICY = "its policy naming the lake's buckets"
PLANNED_ROUTES = "its route tables, which the plan names"
PLANNED_VPC = "its VPC, which the plan names"
SHARED_VPC = "its VPC, where the lake's endpoint is"
RESULTS = "its results in a lake bucket"
TARGETS = "its targets in a lake bucket"
NAMING = "its name, in the lake's namespace"
PLAN = "the plan"


@dataclass(frozen=True)
class Ties:
    """What the audit knows ties a resource to the lake."""

    lake: str | None  # the lake's name, the value of its lake tag; None: unknown
    namespace: str | None  # "<lake>-<stack>"; None: unknown
    buckets: frozenset[str]
    network: frozenset[str] = frozenset()  # VPC and route-table ids the plan's config names
    declared: frozenset[str] = frozenset()  # crawler and workgroup names the plan declares

    def named(self, name: str) -> bool:
        return self.namespace is not None and (name == self.namespace or name.startswith(f"{self.namespace}-"))

    def by_name(self, name: str) -> str | None:
        if name in self.declared:
            return PLAN
        return f"{NAMING} {self.namespace}" if self.named(name) else None


# --- Endpoints ------------------------------------------------------------------------------------


def names_bucket(policy: Any, buckets: frozenset[str]) -> bool:
    """The policy's Resource names one of ``buckets`` (the bucket or objects in it)."""
    resources = (r for s in statements(policy if isinstance(policy, dict) else None)
                 for r in as_list(s.get("Resource")))
    return any(isinstance(r, str) and ":s3:::" in r and r.split(":s3:::", 1)[1].split("/")[0] in buckets
               for r in resources)


def endpoint_tie(item: dict[str, Any], ties: Ties) -> str | None:
    """The first tie of an endpoint (as DescribeVpcEndpoints describes it) to the lake, or None."""
    if tag_dict(item.get("Tags", [])).get("lake") == ties.lake:
        return TAG
    if names_bucket(parse_policy(item.get("PolicyDocument")), ties.buckets):
        return POLICY
    if ties.network & set(item.get("RouteTableIds") or ()):
        return PLANNED_ROUTES
    return PLANNED_VPC if item.get("VpcId") in ties.network else None


def lake_endpoints(items: list[dict[str, Any]], ties: Ties) -> tuple[list[VpcEndpoint], list[Untagged]]:
    """The lake's endpoints, and those of them without its tag. With no lake name to tie them to,
    every S3 endpoint of the region, none reported."""
    if ties.lake is None:
        return [services.endpoint(i) for i in items], []
    tied = {i["VpcEndpointId"]: (i, tie) for i in items if (tie := endpoint_tie(i, ties)) is not None}
    vpcs = {i.get("VpcId") for i, _ in tied.values()}
    tied.update({i["VpcEndpointId"]: (i, SHARED_VPC) for i in items
                 if i["VpcEndpointId"] not in tied and i.get("VpcId") in vpcs})
    found = [tied[key] for key in sorted(tied)]
    untagged = [Untagged("endpoint", i["VpcEndpointId"], i["VpcEndpointId"], tie, ties.lake)
                for i, tie in found if tie != TAG]
    return [services.endpoint(i) for i, _ in found], untagged


# --- Crawlers and workgroups ----------------------------------------------------------------------


def crawler_tie(crawler: Crawler, ties: Ties) -> str | None:
    """A lake crawler retargeted elsewhere is still the lake's, by its name."""
    return TARGETS if services.targets_bucket(crawler, set(ties.buckets)) else ties.by_name(crawler.name)


def is_lake_crawler(crawler: Crawler, ties: Ties) -> bool:
    return crawler_tie(crawler, ties) is not None


def untagged_crawler(reader: Reader, glue: Any, crawler: Crawler, ties: Ties, arn: str) -> Untagged | None:
    """The crawler, if it lacks the lake's tag (one GetTags: GetCrawlers returns no tags). Unread
    tags are LAKE.11's "could not verify", not a guess."""
    tie = crawler_tie(crawler, ties)
    if ties.lake is None or tie is None:
        return None
    tags = reader.read(glue, Call("GetTags", "get_tags", {"ResourceArn": arn}), (crawler.name, arn, "tags"),
                       lambda r: r.get("Tags", {}))
    lacks = isinstance(tags, dict) and tags.get("lake") != ties.lake
    return Untagged("crawler", crawler.name, arn, tie, ties.lake) if lacks else None


def workgroup_tie(workgroup: Workgroup, ties: Ties) -> str | None:
    """A lake workgroup whose results go elsewhere is still the lake's, by its name."""
    return RESULTS if services.writes_to(workgroup, set(ties.buckets)) else ties.by_name(workgroup.name)


def workgroup(reader: Reader, athena: Any, name: str, ties: Ties, arn: str) -> tuple[Workgroup, Untagged | None] | None:
    """A workgroup of the lake, read, with its tags read when the lake's name is known (one
    ListTagsForResource: GetWorkGroup returns none); None when it is not the lake's."""
    read = services.workgroup(reader, athena, name)
    tie = None if read is None else workgroup_tie(read, ties)
    if read is None or tie is None:
        return None
    if ties.lake is None:
        return read, None
    tags = reader.read(athena, Call("ListTagsForResource", "list_tags_for_resource", {"ResourceARN": arn},
                                    pages="Tags"), (name, arn, "tags"), lambda r: tag_dict(r["Tags"]))
    lacks = isinstance(tags, dict) and tags.get("lake") != ties.lake  # unreadable tags: LAKE.11 says so
    return read, Untagged("workgroup", name, arn, tie, ties.lake) if lacks else None
