"""Fixtures for the Network component's tests and its rules' tests."""

from __future__ import annotations

import functools

from infra.network.api_edge import ApiEdge, ApiEdgeArgs
from infra.network.network import Network, NetworkArgs
from infra.rules import Resource
from tests.infra.recording import config_for, only, record

SUBNET = "gcp:compute/subnetwork:Subnetwork"


def network_args(environment: str) -> NetworkArgs:
    config = config_for(environment)
    return NetworkArgs(placement=config.placement, ranges=config.ranges)


@functools.cache
def built_network(environment: str) -> tuple[Resource, ...]:
    args = network_args(environment)
    return tuple(record(lambda: Network("network", args)))


def api_edge_args(environment: str) -> ApiEdgeArgs:
    config = config_for(environment)
    project = config.placement.project_id
    return ApiEdgeArgs(
        placement=config.placement,
        network_id=f"projects/{project}/global/networks/hipaa-{environment}-vpc",
        subnet_id=f"projects/{project}/regions/us-central1/subnetworks/hipaa-{environment}-private",
        subnet_cidr=config.ranges.primary,
        privateca_key_id=f"projects/{project}/locations/us-central1/keyRings/hipaa/cryptoKeys/privateca-cmek",
    )


@functools.cache
def built_api_edge(environment: str) -> tuple[Resource, ...]:
    args = api_edge_args(environment)
    return tuple(record(lambda: ApiEdge("api-edge", args)))


def inputs(type_token: str, environment: str = "prod") -> dict[str, object]:
    if type_token == SUBNET:
        return named(SUBNET, "network-subnet", environment)
    return dict(only(list(built_network(environment)), type_token).inputs)


def named(type_token: str, name: str, environment: str = "prod") -> dict[str, object]:
    matches = [r for r in built_network(environment) if r.type == type_token and r.name == name]
    assert len(matches) == 1, f"expected one {type_token} named {name}"
    return dict(matches[0].inputs)
