"""LakeNetwork: the private path to the lake, an S3 gateway endpoint in the team's VPC.

Either an existing VPC (its id and the route tables of its private subnets) or a minimal one the
lake creates: two private subnets in two AZs with their own route tables, no internet gateway,
no NAT, and a default security group stripped of its rules. The endpoint's policy lets only
principals of the lake's account reach only the lake's buckets (plus an allowlist).
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .documents.endpoint_policy import lake_endpoint_policy
from .environment import AwsEnvironment
from .settings import NetworkSettings

TYPE_TOKEN = "datalake:network:LakeNetwork"


@dataclass(frozen=True)
class LakeNetworkArgs:
    settings: NetworkSettings
    environment: AwsEnvironment
    # Buckets the endpoint lets the account reach: the lake's own, then the allowlist.
    bucket_names: tuple[str, ...]
    tags: dict[str, str] = field(default_factory=dict)


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
        return vpc.id, pulumi.Output.all(*route_table_ids)
