"""The lake's VPCs and their flow logs: the VPCs its S3 endpoints are in (the one the lake creates,
or the team's existing one), each with the flow logs DescribeFlowLogs reports for it.

One DescribeVpcs for all (their tags: was it created by the lake?), then one DescribeFlowLogs per
VPC. A denied call leaves the flow logs UNKNOWN (EC2.6 then reports unknown, LAKE.11 the denied
read).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...model import FlowLog, Vpc, VpcEndpoint, is_unknown
from .buckets import tag_dict
from .calls import Call, Reader


def vpc_ids(endpoints: Iterable[VpcEndpoint]) -> list[str]:
    return sorted({e.vpc_id for e in endpoints if isinstance(e.vpc_id, str)})


def vpcs(reader: Reader, ec2: Any, ids: list[str], lake: str | None) -> list[Vpc]:
    """The VPCs of ``ids`` with their flow logs; a VPC tagged ``lake=<lake>`` is the lake's own."""
    if not ids:
        return []
    found = reader.read(ec2, Call("DescribeVpcs", "describe_vpcs", {"VpcIds": ids}, ("InvalidVpcID.NotFound",),
                                  pages="Vpcs"), ("lake", "", "vpcs"), lambda r: r["Vpcs"])
    items = {v["VpcId"]: v for v in ([] if is_unknown(found) else found or [])}
    return [_vpc(reader, ec2, vpc_id, tag_dict(items.get(vpc_id, {}).get("Tags", [])), lake) for vpc_id in ids]


def _vpc(reader: Reader, ec2: Any, vpc_id: str, tags: dict[str, str], lake: str | None) -> Vpc:
    """One DescribeFlowLogs per VPC, so a denied read is reported on the VPC whose finding it leaves unknown."""
    name = tags.get("Name") or vpc_id
    call = Call("DescribeFlowLogs", "describe_flow_logs", {"Filter": [{"Name": "resource-id", "Values": [vpc_id]}]},
                pages="FlowLogs")
    logs = reader.read(ec2, call, (name, vpc_id, "flow logs"), lambda r: r["FlowLogs"])
    flow_logs = logs if is_unknown(logs) else tuple(_flow_log(f) for f in logs or [])
    ours = True if lake and tags.get("lake") == lake else None  # untagged: cannot tell
    return Vpc(name=name, ref=vpc_id, vpc_id=vpc_id, created_by_lake=ours, flow_logs=flow_logs, tags=tags)


def _flow_log(item: dict[str, Any]) -> FlowLog:
    options = item.get("DestinationOptions", {})  # AWS reports them for S3 destinations
    # Named as the program names it (its Name tag), so drift and findings read the same in both sources.
    return FlowLog(
        name=tag_dict(item.get("Tags", [])).get("Name") or item["FlowLogId"],
        ref=item["FlowLogId"],
        traffic_type=item.get("TrafficType"),
        destination_type=item.get("LogDestinationType"),
        destination=item.get("LogDestination") or item.get("LogGroupName"),
        max_aggregation_interval=item.get("MaxAggregationInterval"),
        file_format=options.get("FileFormat"),
        hive_compatible_partitions=options.get("HiveCompatiblePartitions"),
        per_hour_partition=options.get("PerHourPartition"),
        delivery_status=item.get("DeliverLogsStatus"),
    )
