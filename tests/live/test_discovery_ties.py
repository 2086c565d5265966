"""The pure parts of live discovery: what ties an endpoint, a crawler or a workgroup to the lake,
the lake's namespace, what a plan declares, and which drift entries are missing resources."""

from __future__ import annotations

import json

from lake.audit import missing_resources
from policies.adapters.live.discovery import (
    Ties,
    endpoint_tie,
    is_lake_crawler,
    lake_endpoints,
    names_bucket,
    workgroup_tie,
)
from policies.adapters.live.selection import Declared, declared, namespace
from policies.drift import Difference
from policies.model import Crawler, Lake, Untagged, Unverified, Workgroup
from tests.policies.builders import lake

TIES = Ties("ml", "ml-dev", frozenset({"ml-dev-raw"}), frozenset({"vpc-lake", "rtb-lake"}), frozenset({"ml-dev"}))
POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                    "Resource": ["arn:aws:s3:::ml-dev-raw/*"]}]})


def _endpoint(endpoint_id: str, vpc: str = "vpc-other", tags: dict[str, str] | None = None,
              policy: str | None = None, routes: tuple[str, ...] = ()) -> dict:
    tag_set = [{"Key": k, "Value": v} for k, v in (tags or {}).items()]
    return {"VpcEndpointId": endpoint_id, "VpcId": vpc, "Tags": tag_set,
            "PolicyDocument": policy, "RouteTableIds": list(routes), "ServiceName": "com.amazonaws.us-east-1.s3",
            "VpcEndpointType": "Gateway"}


def test_names_bucket_reads_bucket_and_object_arns_only():
    assert names_bucket(json.loads(POLICY), frozenset({"ml-dev-raw"}))
    assert not names_bucket({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, frozenset({"ml-dev-raw"}))
    assert not names_bucket({"Statement": [{"Resource": "arn:aws:s3:::ml-dev-rawer"}]}, frozenset({"ml-dev-raw"}))
    assert not names_bucket(None, frozenset({"ml-dev-raw"}))


def test_endpoint_ties_in_order_tag_policy_route_tables_vpc():
    assert endpoint_tie(_endpoint("a", tags={"lake": "ml"}, policy=POLICY), TIES) == "its tag"
    assert endpoint_tie(_endpoint("b", tags={"lake": "other"}, policy=POLICY), TIES) == \
        "its policy naming the lake's buckets"
    assert endpoint_tie(_endpoint("c", routes=("rtb-lake",)), TIES) == "its route tables, which the plan names"
    assert endpoint_tie(_endpoint("d", vpc="vpc-lake"), TIES) == "its VPC, which the plan names"
    assert endpoint_tie(_endpoint("e"), TIES) is None


def test_lake_endpoints_adds_the_vpc_of_a_tied_one_and_reports_the_untagged():
    items = [_endpoint("vpce-2", vpc="vpc-x"), _endpoint("vpce-1", vpc="vpc-x", tags={"lake": "ml"}),
             _endpoint("vpce-3", vpc="vpc-y")]
    found, untagged = lake_endpoints(items, Ties("ml", "ml-dev", frozenset()))
    assert [e.endpoint_id for e in found] == ["vpce-1", "vpce-2"]
    assert untagged == [Untagged("endpoint", "vpce-2", "vpce-2", "its VPC, where the lake's endpoint is", "ml")]


def test_without_the_lake_name_every_s3_endpoint_and_none_reported():
    found, untagged = lake_endpoints([_endpoint("vpce-3")], Ties(None, None, frozenset()))
    assert ([e.endpoint_id for e in found], untagged) == (["vpce-3"], [])


def test_crawlers_and_workgroups_by_target_name_or_plan():
    assert is_lake_crawler(Crawler("other", "other", s3_paths=("s3://ml-dev-raw/images/",)), TIES)
    assert is_lake_crawler(Crawler("ml-dev-images", "r", s3_paths=("s3://elsewhere/",)), TIES)
    assert not is_lake_crawler(Crawler("ml-devx", "r", s3_paths=("s3://elsewhere/",)), TIES)
    assert workgroup_tie(Workgroup("wg", "wg", output_location="s3://ml-dev-raw/r/"), TIES) == \
        "its results in a lake bucket"
    assert workgroup_tie(Workgroup("ml-dev", "wg", output_location="s3://elsewhere/"), TIES) == "the plan"
    assert workgroup_tie(Workgroup("ml-dev-adhoc", "wg"), TIES) == "its name, in the lake's namespace ml-dev"
    assert workgroup_tie(Workgroup("primary", "primary"), TIES) is None


def test_namespace_needs_one_lake_and_stack():
    assert namespace([{"lake": "ml", "stack": "dev"}, {}, {"lake": "ml", "stack": "dev", "zone": "raw"}]) == "ml-dev"
    assert namespace([{"lake": "ml", "stack": "dev"}, {"lake": "ml", "stack": "prod"}]) is None
    assert namespace([{"lake": "ml"}]) is None


def test_declared_names_every_planned_resource_and_the_configured_network():
    planned = lake()
    settings = {"name": "ml", "stack": "dev", "network": {"vpc_id": "vpc-1", "route_table_ids": ["rtb-1"]}}
    assert declared(planned, settings) == Declared(
        "ml", "dev", buckets=tuple(b.name for b in planned.buckets), crawlers=tuple(c.name for c in planned.crawlers),
        workgroups=tuple(w.name for w in planned.workgroups), queues=tuple(q.name for q in planned.queues),
        roles=tuple(r.name for r in planned.roles),
        security_configurations=tuple(c.name for c in planned.security_configurations), network=("vpc-1", "rtb-1"))
    assert declared(Lake(source="plan"), {"name": "ml", "stack": "dev", "network": {"vpc_id": None}}) == \
        Declared("ml", "dev")


def test_missing_resources_leaves_out_settings_and_what_a_read_already_reports():
    differences = [
        Difference("crawler", "ml-dev-images", "exists", "declared", "missing"),
        Difference("bucket", "ml-dev-gone", "exists", "declared", "missing"),
        Difference("account", "account", "exists", "declared", "missing"),
        Difference("queue", "q", "exists", "not declared", "present"),
        Difference("bucket", "ml-dev-raw", "versioning", "Enabled", "Suspended"),
    ]
    gone = Unverified("ml-dev-gone", "arn:aws:s3:::ml-dev-gone", "bucket", "GetBucketTagging", "NoSuchBucket")
    assert [(m.kind, m.resource) for m in missing_resources(differences, (gone,))] == [("crawler", "ml-dev-images")]
