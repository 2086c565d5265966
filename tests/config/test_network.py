"""datalake:network: an existing VPC or one the lake creates, each with its own keys; exact messages."""

from __future__ import annotations

import pytest

from components.settings import NetworkSettings
from lake.config import load_settings
from tests.config.helpers import SOURCE, STACK, error_lines, lake

P = "Pulumi.dev.yaml: datalake:network"
VPC = "vpc-0a1b2c3d4e5f60718"
RTB = "rtb-0a1b2c3d4e5f60718"
AZS = ["eu-west-1a", "eu-west-1b"]
ROUTE_TABLES_NEEDED = (
    "must list at least one route table when vpcId is given: the gateway endpoint only serves subnets whose "
    "route tables it is attached to"
)
ONLY_CREATED = "only applies to the VPC the lake creates, not to an existing VPC (vpcId)"
PREFIX_RANGE = "expected a prefix from /16 (AWS's largest VPC) to /24 (its quarter subnets keep 59 usable addresses)"


def in_region(region: str, **network) -> dict:
    return {**lake(network=network), "aws:region": region}


ERROR_CASES = [
    # schema
    pytest.param(
        lake(network={"vpcID": VPC}), [f"{P}.vpcID: unknown key 'vpcID' (did you mean 'vpcId'?)"], id="key-typo"
    ),
    pytest.param(
        lake(network={"vpcId": "vpc-123", "routeTableIds": [RTB]}),
        [f"{P}.vpcId: expected a VPC id, e.g. 'vpc-0a1b2c3d4e5f60718', got string 'vpc-123'"],
        id="vpc-id-pattern",
    ),
    pytest.param(
        lake(network={"vpcId": VPC, "routeTableIds": [RTB, "subnet-0a1b2c3d"]}),
        [f"{P}.routeTableIds[1]: expected a route table id, e.g. 'rtb-0a1b2c3d4e5f60718', "
         "got string 'subnet-0a1b2c3d'"],
        id="route-table-id-pattern",
    ),
    pytest.param(
        lake(network={"vpcId": VPC, "routeTableIds": [RTB, RTB]}),
        [f"{P}.routeTableIds[1]: '{RTB}' is already listed at [0]"],
        id="route-table-duplicate",
    ),
    pytest.param(
        lake(network={"cidr": "10.42.0.0"}),
        [f"{P}.cidr: expected an IPv4 network in CIDR notation, e.g. '10.42.0.0/16', got string '10.42.0.0'"],
        id="cidr-without-prefix",
    ),
    pytest.param(
        lake(network={"availabilityZones": ["eu-west-1a"]}),
        [f"{P}.availabilityZones: expected exactly 2 items, got 1"],
        id="one-availability-zone",
    ),
    pytest.param(
        lake(network={"availabilityZones": [*AZS, "eu-west-1c"]}),
        [f"{P}.availabilityZones: expected exactly 2 items, got 3"],
        id="three-availability-zones",
    ),
    pytest.param(
        lake(network={"availabilityZones": ["eu-west-1a", "eu-west-1a"]}),
        [f"{P}.availabilityZones[1]: 'eu-west-1a' is already listed at [0]"],
        id="same-availability-zone-twice",
    ),
    pytest.param(
        lake(network={"availabilityZones": ["eu-west-1", "eu-west-1b"]}),
        [f"{P}.availabilityZones[0]: expected an availability zone name, e.g. 'eu-west-1a', got string 'eu-west-1'"],
        id="region-instead-of-zone",
    ),
    # an existing VPC
    pytest.param(lake(network={"vpcId": VPC}), [f"{P}.routeTableIds: {ROUTE_TABLES_NEEDED}"], id="vpc-without-routes"),
    pytest.param(
        lake(network={"vpcId": VPC, "routeTableIds": []}),
        [f"{P}.routeTableIds: {ROUTE_TABLES_NEEDED}"],
        id="vpc-with-empty-routes",
    ),
    pytest.param(
        lake(network={"vpcId": VPC, "routeTableIds": [RTB], "cidr": "10.42.0.0/16", "availabilityZones": AZS}),
        [f"{P}.availabilityZones: {ONLY_CREATED}", f"{P}.cidr: {ONLY_CREATED}"],
        id="vpc-with-created-vpc-keys",
    ),
    # the VPC the lake creates
    pytest.param(
        lake(network={"routeTableIds": [RTB]}),
        [f"{P}.routeTableIds: only applies to an existing VPC (vpcId): the VPC the lake creates has its own "
         "route tables"],
        id="routes-without-vpc",
    ),
    pytest.param(
        lake(network={"cidr": "10.42.0.1/16"}),
        [f"{P}.cidr: 10.42.0.1/16 has host bits set; the network is 10.42.0.0/16"],
        id="cidr-host-bits",
    ),
    pytest.param(lake(network={"cidr": "10.0.0.0/8"}), [f"{P}.cidr: {PREFIX_RANGE}, got /8"], id="cidr-too-large"),
    pytest.param(
        lake(network={"cidr": "10.42.0.0/25"}), [f"{P}.cidr: {PREFIX_RANGE}, got /25"], id="cidr-too-small"
    ),
    pytest.param(
        lake(network={"cidr": "172.16.5.0/12"}),
        [f"{P}.cidr: 172.16.5.0/12 has host bits set; the network is 172.16.0.0/12",
         f"{P}.cidr: {PREFIX_RANGE}, got /12"],
        id="cidr-host-bits-and-too-large",
    ),
    pytest.param(
        lake(network={"cidr": "10.42.0.256/24"}),
        [f"{P}.cidr: '10.42.0.256/24' is not an IPv4 network: Octet 256 (> 255) not permitted in '10.42.0.256'"],
        id="cidr-octet",
    ),
    pytest.param(
        lake(network={"cidr": "10.42.0.0/33"}),
        [f"{P}.cidr: '10.42.0.0/33' is not an IPv4 network: '33' is not a valid netmask"],
        id="cidr-netmask",
    ),
    pytest.param(
        in_region("eu-west-1", availabilityZones=["eu-west-1a", "eu-west-2b"]),
        [f"{P}.availabilityZones[1]: 'eu-west-2b' is a zone of eu-west-2, not of aws:region 'eu-west-1'"],
        id="zone-of-another-region",
    ),
    # allowed buckets
    pytest.param(
        lake(network={"allowedBuckets": ["model-registry", "Shared.Models"]}),
        [
            f"{P}.allowedBuckets[1]: bucket name 'Shared.Models' contains a dot, which breaks TLS for "
            "virtual-hosted requests",
            f"{P}.allowedBuckets[1]: bucket name 'Shared.Models' may only contain lowercase letters, digits and "
            "hyphens, and must begin and end with a letter or digit",
        ],
        id="allowed-bucket-name",
    ),
    pytest.param(
        lake(network={"allowedBuckets": ["model-registry", "model-registry"]}),
        [f"{P}.allowedBuckets[1]: 'model-registry' is already listed at [0]"],
        id="allowed-bucket-duplicate",
    ),
]


@pytest.mark.parametrize(("values", "expected"), ERROR_CASES)
def test_bad_network_is_reported_exactly(values, expected):
    assert error_lines(values) == expected


def _network(values: dict) -> NetworkSettings:
    loaded = load_settings(values, STACK, SOURCE)
    assert loaded.warnings == []
    return loaded.settings.network


def test_existing_vpc_builds_its_settings():
    values = lake(network={"vpcId": VPC, "routeTableIds": [RTB, "rtb-12345678"], "allowedBuckets": ["model-registry"]})
    assert _network(values) == NetworkSettings(
        vpc_id=VPC, route_table_ids=(RTB, "rtb-12345678"), allowed_buckets=("model-registry",)
    )


def test_created_vpc_builds_its_settings():
    values = in_region("eu-west-1", cidr="192.168.0.0/24", availabilityZones=AZS)
    assert _network(values) == NetworkSettings(cidr="192.168.0.0/24", availability_zones=tuple(AZS))


def test_availability_zones_are_not_checked_without_a_region():
    # The AWS provider then takes the region from the environment: nothing to compare with.
    assert _network(lake(network={"availabilityZones": ["us-east-1a", "us-east-1f"]})).availability_zones == (
        "us-east-1a", "us-east-1f"
    )


def test_routes_key_left_empty_without_vpc_is_still_refused():
    # Written at all, routeTableIds says the author expects an existing VPC: worth a word.
    assert error_lines(lake(network={"routeTableIds": []})) == [
        f"{P}.routeTableIds: only applies to an existing VPC (vpcId): the VPC the lake creates has its own route tables"
    ]
