"""Fixtures for the Network component's tests and its rules' tests."""

from __future__ import annotations

import functools

from infra.network.network import Network, NetworkArgs
from infra.rules import Resource
from tests.infra.recording import config_for, record


def network_args(environment: str) -> NetworkArgs:
    config = config_for(environment)
    return NetworkArgs(placement=config.placement, ranges=config.ranges)


@functools.cache
def built_network(environment: str) -> tuple[Resource, ...]:
    args = network_args(environment)
    return tuple(record(lambda: Network("network", args)))
