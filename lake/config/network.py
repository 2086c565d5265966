"""Checks of ``datalake:network``: which keys go with an existing VPC, which with the one the lake creates.

``vpcId`` chooses: an existing VPC needs the route tables its subnets use (the gateway endpoint
serves only those), while ``cidr`` and ``availabilityZones`` shape the VPC the lake creates.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from components.naming import bucket_name_problems
from components.settings import NetworkSettings
from lake.config.aws_provider import REGION_KEY
from lake.config.problems import NAMESPACE, ConfigProblem, key_path

# AWS VPCs range from /16 to /28. The lake splits its VPC in quarters and uses two as subnets: a /24
# leaves each /26 subnet 59 usable addresses (AWS reserves 5 per subnet).
MIN_PREFIX, MAX_PREFIX = 16, 24


def network_problems(raw: Mapping[str, Any], network: NetworkSettings, region: str | None) -> list[ConfigProblem]:
    """``raw`` is what the user wrote under ``datalake:network``; ``region`` is ``aws:region`` if set."""
    if network.vpc_id:
        problems = _existing_vpc_problems(raw, network)
    else:
        problems = _created_vpc_problems(raw, network, region)
    return problems + [
        ConfigProblem(_path("allowedBuckets", index), message)
        for index, bucket in enumerate(network.allowed_buckets)
        for message in bucket_name_problems(bucket)
    ]


def _path(*parts: str | int) -> str:
    return key_path(NAMESPACE, ("network", *parts))


def _existing_vpc_problems(raw: Mapping[str, Any], network: NetworkSettings) -> list[ConfigProblem]:
    problems = [
        ConfigProblem(_path(key), "only applies to the VPC the lake creates, not to an existing VPC (vpcId)")
        for key in ("cidr", "availabilityZones")
        if key in raw
    ]
    if not network.route_table_ids:
        problems.append(ConfigProblem(
            _path("routeTableIds"),
            "must list at least one route table when vpcId is given: the gateway endpoint only serves "
            "subnets whose route tables it is attached to",
        ))
    return problems


def _created_vpc_problems(raw: Mapping[str, Any], network: NetworkSettings, region: str | None) -> list[ConfigProblem]:
    problems = [ConfigProblem(_path("cidr"), message) for message in cidr_problems(network.cidr)]
    if "routeTableIds" in raw:
        problems.append(ConfigProblem(
            _path("routeTableIds"),
            "only applies to an existing VPC (vpcId): the VPC the lake creates has its own route tables",
        ))
    return problems + [
        ConfigProblem(
            _path("availabilityZones", index), f"'{zone}' is a zone of {zone[:-1]}, not of {REGION_KEY} '{region}'"
        )
        for index, zone in enumerate(network.availability_zones)
        if region is not None and zone[:-1] != region
    ]


def cidr_problems(cidr: str) -> list[str]:
    """Why ``cidr`` cannot be the range of the VPC the lake creates (empty list: it can)."""
    try:
        network = ipaddress.IPv4Network(cidr, strict=False)
    except ValueError as error:
        return [f"'{cidr}' is not an IPv4 network: {error}"]
    problems = []
    if ipaddress.IPv4Interface(cidr).ip != network.network_address:
        problems.append(f"{cidr} has host bits set; the network is {network}")
    if not MIN_PREFIX <= network.prefixlen <= MAX_PREFIX:
        problems.append(
            f"expected a prefix from /{MIN_PREFIX} (AWS's largest VPC) to /{MAX_PREFIX} (its quarter subnets "
            f"keep 59 usable addresses), got /{network.prefixlen}"
        )
    return problems
