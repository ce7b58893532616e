"""Network rules: the component passes every rule; each rule fails on a violating resource."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.network import (
    DNS_POLICY,
    DNS_ZONE,
    FIREWALL,
    GLOBAL_ADDRESS,
    NETWORK,
    PRODUCER_VPC_SC,
    ROUTE,
    ROUTER_NAT,
    RULES,
    SUBNET,
)
from tests.infra.network.builders import built_network
from tests.infra.recording import changed


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def component(kind: str, name: str | None = None, environment: str = "prod") -> Resource:
    return next(r for r in built_network(environment) if r.type == kind and (name is None or r.name == name))


def stack_with(
    replaced: Resource | None = None, without: str | None = None, environment: str = "prod"
) -> list[Resource]:
    """The component's whole plan, with one resource replaced (same name) or dropped."""
    resources = []
    for resource in built_network(environment):
        if resource.name == without:
            continue
        resources.append(replaced if replaced is not None and resource.name == replaced.name else resource)
    return resources


def test_component_is_compliant_in_every_environment(stack: str) -> None:
    assert ids(list(built_network(stack)), stack) == set()


def test_every_rule_looks_at_something_the_component_plans() -> None:
    planned_types = {r.type for r in built_network("prod")}
    for rule in RULES:
        if rule.types and rule.id != "NET-11":  # NET-11 looks for what must never be planned
            assert set(rule.types) & planned_types, rule.id


@pytest.mark.parametrize(
    ("kind", "name", "path", "value", "rule"),
    [
        (NETWORK, None, "autoCreateSubnetworks", True, "NET-01"),
        (NETWORK, None, "autoCreateSubnetworks", None, "NET-01"),
        (NETWORK, None, "deleteDefaultRoutesOnCreate", False, "NET-02"),
        (NETWORK, None, "deleteDefaultRoutesOnCreate", None, "NET-02"),
        (ROUTE, None, "destRange", "0.0.0.0/0", "NET-02"),
        (ROUTE, None, "destRange", "8.8.8.0/24", "NET-02"),
        (SUBNET, "network-subnet", "privateIpGoogleAccess", False, "NET-03"),
        (SUBNET, "network-subnet", "privateIpGoogleAccess", None, "NET-03"),
        (SUBNET, "network-subnet", "logConfig", None, "NET-04"),
        (SUBNET, "network-subnet", "logConfig.metadata", "EXCLUDE_ALL_METADATA", "NET-04"),
        (SUBNET, "network-subnet", "logConfig.aggregationInterval", "INTERVAL_10_MIN", "NET-04"),
        (SUBNET, "network-subnet", "logConfig.flowSampling", 0.5, "NET-04"),
        (SUBNET, "network-subnet", "logConfig.flowSampling", "NaN", "NET-04"),
        (SUBNET, "network-subnet", "logConfig.flowSampling", "all", "NET-04"),
        (FIREWALL, "network-allow-restricted-apis-egress", "destinationRanges", ["0.0.0.0/0"], "NET-05"),
        (FIREWALL, "network-allow-restricted-apis-egress", "destinationRanges", None, "NET-05"),
        (FIREWALL, "network-allow-internal-ingress", "sourceRanges", ["10.30.0.0/20", "0.0.0.0/0"], "NET-05"),
        (FIREWALL, "network-allow-health-checks-ingress", "sourceRanges", ["::/0"], "NET-05"),
        (FIREWALL, "network-allow-internal-egress", "destinationRanges", ["10.30.0.0/20", "internal"], "NET-05"),
        (FIREWALL, "network-allow-internal-egress", "logConfig", None, "NET-06"),
        (FIREWALL, "network-allow-health-checks-ingress", "logConfig.metadata", "EXCLUDE_ALL_METADATA", "NET-06"),
        (DNS_ZONE, None, "visibility", "public", "NET-09"),
        (DNS_ZONE, None, "privateVisibilityConfig", None, "NET-09"),
        (DNS_POLICY, None, "enableLogging", False, "NET-10"),
        (DNS_POLICY, None, "enableInboundForwarding", True, "NET-10"),
        (DNS_POLICY, None, "enableInboundForwarding", None, "NET-10"),
        (GLOBAL_ADDRESS, None, "addressType", "EXTERNAL", "NET-13"),
    ],
)
def test_resource_violation_is_caught(kind: str, name: str | None, path: str, value: Any, rule: str) -> None:
    violating = stack_with(replaced=changed(component(kind, name), path, value))
    assert ids(violating) == {rule}


def test_internet_gateway_named_by_url_is_still_the_internet() -> None:
    route = changed(component(ROUTE), "nextHopGateway", "projects/p/global/gateways/default-internet-gateway")
    assert ids(stack_with(replaced=route)) == set()
    assert ids(stack_with(replaced=changed(route, "destRange", "0.0.0.0/0"))) == {"NET-02"}


def test_dev_and_staging_may_sample_half_the_flows_but_not_none() -> None:
    half = changed(component(SUBNET, "network-subnet", environment="dev"), "logConfig.flowSampling", 0.5)
    assert ids([half], "dev") == set()
    assert ids([half], "staging") == set()
    assert ids([changed(half, "logConfig.flowSampling", 0.0)], "dev") == {"NET-04"}


def test_only_a_proxy_only_subnet_goes_without_private_google_access_and_flow_logs() -> None:
    proxy_only = component(SUBNET, "network-proxy-only")
    assert "logConfig" not in proxy_only.inputs and "privateIpGoogleAccess" not in proxy_only.inputs
    assert ids([proxy_only]) == set()
    # The same subnet for VMs (purpose PRIVATE) must have both.
    assert ids([changed(proxy_only, "purpose", "PRIVATE")]) >= {"NET-03", "NET-04"}


def test_deny_rules_may_name_anywhere() -> None:
    assert (
        ids([component(FIREWALL, "network-deny-all-egress"), component(FIREWALL, "network-deny-all-ingress")]) == set()
    )


def test_cloud_nat_is_never_allowed(stack: str) -> None:
    nat = Resource(ROUTER_NAT, "nat", "urn:nat", {"name": "nat", "natIpAllocateOption": "AUTO_ONLY"})
    assert ids([nat], stack) == {"NET-11"}


@pytest.mark.parametrize(
    ("direction", "name", "path", "value"),
    [
        ("EGRESS", "network-deny-all-egress", None, None),
        ("EGRESS", "network-deny-all-egress", "disabled", True),
        ("EGRESS", "network-deny-all-egress", "network", "some-other-vpc"),
        ("EGRESS", "network-deny-all-egress", "destinationRanges", ["10.0.0.0/8"]),
        ("EGRESS", "network-deny-all-egress", "denies", [{"protocol": "tcp"}]),
        ("INGRESS", "network-deny-all-ingress", None, None),
        ("INGRESS", "network-deny-all-ingress", "direction", "EGRESS"),
        ("INGRESS", "network-deny-all-ingress", "sourceRanges", ["10.0.0.0/8"]),
    ],
)
def test_a_vpc_without_its_logged_deny_all_is_caught(direction: str, name: str, path: str | None, value: Any) -> None:
    rule = "NET-07" if direction == "EGRESS" else "NET-08"
    if path is None:
        resources = stack_with(without=name)
    else:
        resources = stack_with(replaced=changed(component(FIREWALL, name), path, value))
    assert rule in ids(resources)
    assert ids(resources) <= {rule, "NET-07", "NET-08"}


def test_an_unlogged_deny_all_does_not_count() -> None:
    unlogged = changed(component(FIREWALL, "network-deny-all-egress"), "logConfig", None)
    assert ids(stack_with(replaced=unlogged)) == {"NET-06", "NET-07"}


@pytest.mark.parametrize(("path", "value"), [(None, None), ("enabled", False)])
def test_peering_without_a_restricted_producer_network_is_caught(path: str | None, value: Any) -> None:
    producer = component(PRODUCER_VPC_SC)
    if path is None:
        resources = stack_with(without=producer.name)
    else:
        resources = stack_with(replaced=changed(producer, path, value))
    assert ids(resources) == {"NET-12"}
