"""LakeNetwork: the private path to the lake, an S3 gateway endpoint in the team's VPC.

Either an existing VPC (its id and the route tables of its private subnets) or a minimal one the
lake creates: two private subnets in two AZs with their own route tables, no internet gateway,
no NAT, a default security group stripped of its rules, and flow logs of all its traffic to the
lake's logs bucket (Security Hub EC2.6). The endpoint's policy lets only principals of the lake's
account reach only the lake's buckets (plus an allowlist).
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .documents.endpoint_policy import lake_endpoint_policy
from .environment import AwsEnvironment
from .logs_bucket import FlowLogTarget
from .settings import NetworkSettings

TYPE_TOKEN = "datalake:network:LakeNetwork"


@dataclass(frozen=True)
class LakeNetworkArgs:
    settings: NetworkSettings
    environment: AwsEnvironment
    # Buckets the endpoint lets the account reach: the lake's own, then the allowlist.
    bucket_names: tuple[str, ...]
    tags: dict[str, str] = field(default_factory=dict)
    # Where the created VPC's flow logs go; None: no flow log (an existing VPC is its owner's to log).
    flow_logs: FlowLogTarget | None = None


# What a demanding reader of the flow logs wants, each against AWS's default:
# - every flow, accepted and rejected (EC2.6 asks for REJECT at least): an investigation needs both sides;
# - 60 s aggregation instead of 600 s: records close to when the traffic happened;
# - Parquet instead of plain text: columnar and compressed, so Athena scans (and bills) a fraction;
# - Hive-compatible prefixes (`aws-account-id=.../year=...`): Glue and Athena find the partitions by themselves;
# - hourly partitions: a query over an incident's hour reads that hour, not the whole day.
FLOW_LOG_TRAFFIC = "ALL"
FLOW_LOG_AGGREGATION_SECONDS = 60
FLOW_LOG_DESTINATION_OPTIONS = {"file_format": "parquet", "hive_compatible_partitions": True,
                                "per_hour_partition": True}


def private_subnet_cidrs(cidr: str) -> list[str]:
    """The first two quarters of the VPC's range, one subnet per AZ."""
    network = ipaddress.ip_network(cidr)
    return [str(s) for s in list(network.subnets(prefixlen_diff=2))[:2]]


class LakeNetwork(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    endpoint_id: pulumi.Output[str]

    def __init__(self, name: str, args: LakeNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        settings = args.settings
        if settings.vpc_id:
            self.vpc_id = pulumi.Output.from_input(settings.vpc_id)
            route_tables: pulumi.Input[list[str]] = list(settings.route_table_ids)
        else:
            self.vpc_id, route_tables = self._create_vpc()
        endpoint = aws.ec2.VpcEndpoint(
            f"{name}-s3-endpoint",
            vpc_id=self.vpc_id,
            service_name=args.environment.region.apply(lambda r: f"com.amazonaws.{r}.s3"),
            vpc_endpoint_type="Gateway",
            # Listed here only: an extra VpcEndpointRouteTableAssociation would fight over them.
            route_table_ids=route_tables,
            policy=self._endpoint_policy(),
            tags={**args.tags, "Name": f"{name}-s3"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.endpoint_id = endpoint.id
        self.register_outputs({"vpcId": self.vpc_id, "endpointId": self.endpoint_id})

    def _endpoint_policy(self) -> pulumi.Output[str]:
        env = self._args.environment
        arns = [env.bucket_arn(n) for n in self._args.bucket_names]
        return pulumi.Output.all(env.account_id, *arns).apply(
            lambda v: json.dumps(lake_endpoint_policy(list(v[1:]), v[0]))
        )

    def _zones(self) -> pulumi.Output[list[str]]:
        chosen = self._args.settings.availability_zones
        if chosen:
            return pulumi.Output.from_input(list(chosen))
        zones = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOutputOptions(parent=self))
        return zones.names.apply(lambda names: sorted(names)[:2])

    def _create_vpc(self) -> tuple[pulumi.Output[str], pulumi.Output[list[str]]]:
        name, tags, child = self._name, self._args.tags, pulumi.ResourceOptions(parent=self)
        vpc = aws.ec2.Vpc(
            f"{name}-vpc", cidr_block=self._args.settings.cidr, enable_dns_support=True,
            enable_dns_hostnames=True, tags={**tags, "Name": f"{name}-vpc"}, opts=child,
        )
        # The default security group allows all traffic between its members: take its rules away.
        aws.ec2.DefaultSecurityGroup(f"{name}-default-sg", vpc_id=vpc.id, tags=tags, opts=child)
        zones = self._zones()
        route_table_ids = []
        for index, cidr in enumerate(private_subnet_cidrs(self._args.settings.cidr)):
            subnet = aws.ec2.Subnet(
                f"{name}-private-{index}", vpc_id=vpc.id, cidr_block=cidr,
                availability_zone=zones.apply(lambda z, i=index: z[i]), map_public_ip_on_launch=False,
                tags={**tags, "Name": f"{name}-private-{index}"}, opts=child,
            )
            table = aws.ec2.RouteTable(
                f"{name}-private-{index}", vpc_id=vpc.id, tags={**tags, "Name": f"{name}-private-{index}"}, opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{index}", subnet_id=subnet.id, route_table_id=table.id, opts=child,
            )
            route_table_ids.append(table.id)
        self._flow_log(vpc)
        return vpc.id, pulumi.Output.all(*route_table_ids)

    def _flow_log(self, vpc: aws.ec2.Vpc) -> None:
        target = self._args.flow_logs
        if target is None:
            return
        aws.ec2.FlowLog(
            f"{self._name}-flow-log", vpc_id=vpc.id, traffic_type=FLOW_LOG_TRAFFIC, log_destination_type="s3",
            log_destination=target.destination, max_aggregation_interval=FLOW_LOG_AGGREGATION_SECONDS,
            destination_options=aws.ec2.FlowLogDestinationOptionsArgs(**FLOW_LOG_DESTINATION_OPTIONS),
            tags={**self._args.tags, "Name": f"{self._name}-flow-log"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[target.ready]),
        )
