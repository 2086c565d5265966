from policies.model import UNKNOWN, Vpc
from policies.rules.ec2_6_vpc_flow_logs import RULE
from tests.policies.builders import flow_log, lake, statuses, vpc

VPC = "network-vpc"
EXISTING = "vpc-0a1b2c3d4e5f60718"
PASSING = ("pass", "flow log network-flow-log captures ALL traffic into the lake's logs bucket ml-dev-logs")


def judge(*vpcs, **changes):
    return statuses(RULE.check(lake(vpcs=vpcs, **changes)))


def existing(**changes) -> Vpc:
    return Vpc(name=EXISTING, ref=EXISTING, vpc_id=EXISTING, created_by_lake=False, **changes)


def test_pass_the_created_vpc_logs_all_traffic_into_the_logs_bucket():
    assert statuses(RULE.check(lake())) == {VPC: PASSING}


def test_pass_reject_only_is_what_the_control_asks():
    assert judge(vpc(flow_logs=(flow_log(traffic_type="REJECT"),))) == {
        VPC: ("pass", "flow log network-flow-log captures REJECT traffic into the lake's logs bucket ml-dev-logs"),
    }


def test_pass_one_good_flow_log_is_enough():
    elsewhere = flow_log(name="central", destination="arn:aws:s3:::security-central-logs/")
    assert judge(vpc(flow_logs=(elsewhere, flow_log()))) == {VPC: PASSING}


def test_pass_a_vpc_the_lake_does_not_own_may_log_anywhere():
    central = flow_log(name="fl-0123", destination="arn:aws:s3:::security-central-logs/", traffic_type="REJECT")
    assert judge(existing(flow_logs=(central,))) == {EXISTING: ("pass", "flow log fl-0123 captures REJECT traffic")}


def test_fail_no_flow_log():
    assert judge(vpc(flow_logs=())) == {VPC: ("fail", "the VPC has no flow log: its traffic is recorded nowhere")}
    assert judge(existing(flow_logs=())) == {
        EXISTING: ("fail", "the VPC has no flow log: its traffic is recorded nowhere"),
    }


def test_fail_accepted_traffic_only():
    assert judge(vpc(flow_logs=(flow_log(traffic_type="ACCEPT"),))) == {
        VPC: ("fail", "flow log network-flow-log captures ACCEPT traffic only; EC2.6 needs rejected traffic "
                      "(ALL or REJECT)"),
    }


def test_fail_destination_outside_the_lake():
    outside = flow_log(destination="arn:aws:s3:::someone-elses-bucket/flows/")
    assert judge(vpc(flow_logs=(outside,))) == {
        VPC: ("fail", "flow log network-flow-log delivers to bucket someone-elses-bucket, outside the lake: not "
                      "to the lake's logs bucket"),
    }


def test_fail_a_zone_bucket_is_not_the_logs_bucket():
    into_raw = flow_log(destination="arn:aws:s3:::ml-dev-raw/flows/")
    assert judge(vpc(flow_logs=(into_raw,))) == {
        VPC: ("fail", "flow log network-flow-log delivers to bucket ml-dev-raw, outside the lake: not to the "
                      "lake's logs bucket"),
    }


def test_fail_cloudwatch_logs_destination():
    group = "arn:aws:logs:us-east-1:123456789012:log-group:flows"
    to_logs = flow_log(destination_type="cloud-watch-logs", destination=group, file_format=None)
    assert judge(vpc(flow_logs=(to_logs,))) == {
        VPC: ("fail", f"flow log network-flow-log delivers to cloud-watch-logs ({group}), not to the lake's "
                      "logs bucket"),
    }


def test_fail_delivery_failing_and_every_failure_is_named():
    failing = flow_log(delivery_status="FAILED")
    accept = flow_log(name="second", traffic_type="ACCEPT")
    assert judge(vpc(flow_logs=(failing, accept))) == {
        VPC: ("fail", "flow log network-flow-log does not deliver: its delivery status is FAILED; flow log "
                      "second captures ACCEPT traffic only; EC2.6 needs rejected traffic (ALL or REJECT)"),
    }


def test_unknown():
    assert judge(vpc(flow_logs=UNKNOWN)) == {VPC: ("unknown", "the VPC's flow logs cannot be known")}
    assert judge(vpc(flow_logs=(flow_log(destination=UNKNOWN),))) == {
        VPC: ("unknown", "the destination of flow log network-flow-log cannot be known before deployment"),
    }
    assert judge(vpc(flow_logs=(flow_log(traffic_type=UNKNOWN),))) == {
        VPC: ("unknown", "the traffic flow log network-flow-log captures cannot be known before deployment"),
    }
    assert judge(vpc(flow_logs=(flow_log(delivery_status=UNKNOWN),))) == {
        VPC: ("unknown", "whether flow log network-flow-log delivers cannot be known"),
    }


def test_not_applicable_existing_vpc_in_a_plan():
    assert judge(existing(flow_logs=None)) == {
        EXISTING: ("not_applicable", f"the lake uses the existing VPC {EXISTING}, which it does not own: its flow "
                                     "logs are its owner's to declare (the live audit reports them)"),
    }


def test_not_applicable_without_vpc():
    assert judge() == {"lake": ("not_applicable", "the stack declares no VPC and its endpoint names none")}
