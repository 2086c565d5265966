"""The flow logs of the lake's VPC in a live audit (EC2.6), on the dev lake applied to moto: read
with the VPC of the lake's endpoint, judged, and never passed when the read is denied."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from lake.audit import run_audit
from lake.sandbox.server import client
from policies.adapters.live import Selection, Target
from tests.live.support import REGION, audit, deploy, session

VPC = "network-vpc"


@pytest.fixture
def deployed(document, url):
    return deploy(document, url)


def ec2_6(findings) -> dict[str, tuple[str, str]]:
    return {f.resource: (f.status.value, f.message) for f in findings if f.rule_id == "EC2.6"}


def test_the_created_vpc_is_read_with_its_flow_log_and_passes(url, deployed):
    audited = audit(url)
    [vpc] = audited.read.lake.vpcs
    assert (vpc.name, vpc.created_by_lake, [f.name for f in vpc.flow_logs]) == (VPC, True, ["network-flow-log"])
    assert vpc.flow_logs[0].delivery_status == "SUCCESS"
    assert ec2_6(audited.findings) == {
        VPC: ("pass", "flow log network-flow-log captures ALL traffic into the lake's logs bucket mlteam-dev-logs"),
    }


def test_a_vpc_without_the_lake_tag_is_judged_as_ec2_6_does_anywhere(url, deployed):
    ec2 = client("ec2", url)
    (endpoint,) = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    ec2.delete_tags(Resources=[endpoint["VpcId"]], Tags=[{"Key": "lake"}])
    audited = audit(url)
    [vpc] = audited.read.lake.vpcs
    assert vpc.created_by_lake is None
    assert ec2_6(audited.findings) == {VPC: ("pass", "flow log network-flow-log captures ALL traffic")}


def _denied(**_: Any) -> Any:
    """EC2's refusal, as botocore raises it for a 403 answer."""
    raise ClientError({"Error": {"Code": "UnauthorizedOperation", "Message": "You are not authorized"}},
                      "DescribeFlowLogs")


def test_a_denied_flow_log_read_is_unknown_for_ec2_6_and_a_lake_11_finding(url, deployed):
    boto = session()
    boto.events.register("before-call.ec2.DescribeFlowLogs", _denied)
    result = run_audit(Target(region=REGION, endpoint_url=url, session=boto), Selection(tag=("lake", "mlteam")))
    on_vpc = {f.rule_id: (f.status.value, f.message) for f in result.findings if f.resource == VPC}
    assert on_vpc == {
        "EC2.6": ("unknown", "could not verify flow logs (DescribeFlowLogs: UnauthorizedOperation: You are not "
                             "authorized)"),
        "LAKE.11": ("fail", "could not verify flow logs: DescribeFlowLogs failed with UnauthorizedOperation: You are "
                            "not authorized"),
    }
