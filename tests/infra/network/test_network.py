"""Network: each test states one property of the VPC and fails when it is removed."""

from __future__ import annotations

import pulumi
import pytest

from infra.compute.gke import PODS_RANGE, SERVICES_RANGE
from infra.network.network import Network
from tests.infra.network.builders import SUBNET, built_network, inputs, named, network_args
from tests.infra.recording import config_for, of_type

NETWORK = "gcp:compute/network:Network"
ROUTE = "gcp:compute/route:Route"
FIREWALL = "gcp:compute/firewall:Firewall"
ZONE = "gcp:dns/managedZone:ManagedZone"
RECORD = "gcp:dns/recordSet:RecordSet"
DNS_POLICY = "gcp:dns/policy:Policy"
VPC_ID = "projects/nwh-analytics-prd/global/networks/hipaa-prod-vpc"
VIP_ADDRESSES = ["199.36.153.4", "199.36.153.5", "199.36.153.6", "199.36.153.7"]
LOGGED = {"metadata": "INCLUDE_ALL_METADATA"}
LABELS = {"compliance": "hipaa", "data-classification": "phi", "environment": "prod", "managed-by": "pulumi"}


def test_vpc_is_custom_mode_regional_and_born_without_a_default_route(stack: str) -> None:
    project = config_for(stack).project_id
    assert inputs(NETWORK, stack) == {
        "name": f"hipaa-{stack}-vpc",
        "project": project,
        "description": "HIPAA workloads: private only, no route to the internet",
        "autoCreateSubnetworks": False,
        "routingMode": "REGIONAL",
        "deleteDefaultRoutesOnCreate": True,
    }


def test_subnet_is_private_ipv4_only_with_private_google_access() -> None:
    subnet = inputs(SUBNET)
    assert subnet["name"] == "hipaa-prod-private"
    assert subnet["network"] == VPC_ID
    assert subnet["region"] == "us-central1"
    assert subnet["ipCidrRange"] == "10.30.0.0/20"
    assert subnet["purpose"] == "PRIVATE"
    assert subnet["stackType"] == "IPV4_ONLY"
    assert subnet["privateIpGoogleAccess"] is True


def test_subnet_carries_the_gke_secondary_ranges_gke_expects(stack: str) -> None:
    ranges = config_for(stack).ranges
    assert inputs(SUBNET, stack)["secondaryIpRanges"] == [
        {"rangeName": PODS_RANGE, "ipCidrRange": ranges.gke_pods},
        {"rangeName": SERVICES_RANGE, "ipCidrRange": ranges.gke_services},
    ]
    assert (PODS_RANGE, SERVICES_RANGE) == ("gke-pods", "gke-services")


@pytest.mark.parametrize(("environment", "sampling"), [("dev", 0.5), ("staging", 0.5), ("prod", 1.0)])
def test_subnet_flow_logs_every_five_seconds_with_all_metadata(environment: str, sampling: float) -> None:
    assert inputs(SUBNET, environment)["logConfig"] == {
        "aggregationInterval": "INTERVAL_5_SEC",
        "flowSampling": sampling,
        "metadata": "INCLUDE_ALL_METADATA",
    }


def test_the_only_route_is_the_restricted_vip_through_googles_gateway() -> None:
    routes = of_type(list(built_network("prod")), ROUTE)
    assert [r.inputs for r in routes] == [
        {
            "name": "hipaa-prod-restricted-apis",
            "project": "nwh-analytics-prd",
            "network": "hipaa-prod-vpc",
            "description": "restricted.googleapis.com (VPC Service Controls); the only route out of the VPC",
            "destRange": "199.36.153.4/30",
            "nextHopGateway": "default-internet-gateway",
            "priority": 1000,
        }
    ]


def test_no_cloud_nat_and_no_router(stack: str) -> None:
    types = {r.type for r in built_network(stack)}
    assert "gcp:compute/routerNat:RouterNat" not in types
    assert "gcp:compute/router:Router" not in types


@pytest.mark.parametrize(
    ("purpose", "domain"), [("googleapis", "googleapis.com."), ("pkg-dev", "pkg.dev."), ("gcr-io", "gcr.io.")]
)
def test_restricted_zones_are_private_to_this_vpc_and_labelled(purpose: str, domain: str) -> None:
    zone = named(ZONE, f"network-dns-{purpose}")
    assert zone["name"] == f"hipaa-prod-restricted-{purpose}"
    assert zone["dnsName"] == domain
    assert zone["visibility"] == "private"
    assert zone["privateVisibilityConfig"] == {"networks": [{"networkUrl": VPC_ID}]}
    assert zone["labels"] == LABELS


@pytest.mark.parametrize(
    ("purpose", "apex", "zone"),
    [
        ("googleapis", "restricted.googleapis.com.", "googleapis.com."),
        ("pkg-dev", "pkg.dev.", "pkg.dev."),
        ("gcr-io", "gcr.io.", "gcr.io."),
    ],
)
def test_every_name_in_a_restricted_zone_resolves_to_the_restricted_vip(purpose: str, apex: str, zone: str) -> None:
    managed_zone = f"hipaa-prod-restricted-{purpose}"
    assert named(RECORD, f"network-dns-{purpose}-a") == {
        "project": "nwh-analytics-prd",
        "managedZone": managed_zone,
        "name": apex,
        "type": "A",
        "ttl": 300,
        "rrdatas": VIP_ADDRESSES,
    }
    assert named(RECORD, f"network-dns-{purpose}-cname") == {
        "project": "nwh-analytics-prd",
        "managedZone": managed_zone,
        "name": f"*.{zone}",
        "type": "CNAME",
        "ttl": 300,
        "rrdatas": [apex],
    }


def test_dns_policy_logs_queries_and_takes_none_from_outside() -> None:
    policy = inputs(DNS_POLICY)
    assert policy["enableLogging"] is True
    assert policy["enableInboundForwarding"] is False
    assert policy["networks"] == [{"networkUrl": VPC_ID}]


def test_every_firewall_rule_is_logged_with_all_metadata_and_enabled(stack: str) -> None:
    rules = of_type(list(built_network(stack)), FIREWALL)
    assert len(rules) == 7
    assert all(r.inputs["logConfig"] == LOGGED and r.inputs["disabled"] is False for r in rules)


def test_firewall_table(stack: str) -> None:
    ranges = config_for(stack).ranges
    internal = [
        ranges.primary,
        ranges.gke_pods,
        ranges.gke_services,
        ranges.gke_master,
        ranges.private_service_access,
        ranges.build_pool,
    ]
    table = {
        r.inputs["name"]: (
            r.inputs["direction"],
            r.inputs["priority"],
            r.inputs.get("allows"),
            r.inputs.get("denies"),
            r.inputs.get("sourceRanges") or r.inputs.get("destinationRanges"),
        )
        for r in of_type(list(built_network(stack)), FIREWALL)
    }
    assert table == {
        f"hipaa-{stack}-deny-all-egress": ("EGRESS", 65534, None, [{"protocol": "all"}], ["0.0.0.0/0"]),
        f"hipaa-{stack}-allow-restricted-apis-egress": (
            "EGRESS",
            1000,
            [{"protocol": "tcp", "ports": ["443"]}],
            None,
            ["199.36.153.4/30"],
        ),
        f"hipaa-{stack}-allow-internal-egress": ("EGRESS", 1000, [{"protocol": "all"}], None, internal),
        f"hipaa-{stack}-deny-all-ingress": ("INGRESS", 65534, None, [{"protocol": "all"}], ["0.0.0.0/0"]),
        f"hipaa-{stack}-allow-internal-ingress": ("INGRESS", 1000, [{"protocol": "all"}], None, internal),
        f"hipaa-{stack}-allow-health-checks-ingress": (
            "INGRESS",
            1000,
            [{"protocol": "tcp", "ports": ["443", "8443"]}],
            None,
            ["35.191.0.0/16", "130.211.0.0/22"],
        ),
        # The internal Application Load Balancer's proxies reach the API pods' TLS port, nothing else.
        f"hipaa-{stack}-allow-api-proxies-ingress": (
            "INGRESS",
            1000,
            [{"protocol": "tcp", "ports": ["8443"]}],
            None,
            [ranges.proxy_only],
        ),
    }


def test_proxy_only_subnet_holds_the_api_load_balancers_proxies(stack: str) -> None:
    assert named(SUBNET, "network-proxy-only", stack) == {
        "name": f"hipaa-{stack}-proxy-only",
        "project": config_for(stack).project_id,
        "region": "us-central1",
        "network": f"projects/{config_for(stack).project_id}/global/networks/hipaa-{stack}-vpc",
        "description": "Proxy-only subnet of the API's internal Application Load Balancer (Envoy proxies)",
        "ipCidrRange": config_for(stack).ranges.proxy_only,
        "purpose": "REGIONAL_MANAGED_PROXY",
        "role": "ACTIVE",
    }


def test_only_deny_rules_name_anywhere(stack: str) -> None:
    for rule in of_type(list(built_network(stack)), FIREWALL):
        ranges = (rule.inputs.get("sourceRanges") or []) + (rule.inputs.get("destinationRanges") or [])
        if "0.0.0.0/0" in ranges:
            assert rule.inputs.get("denies") and not rule.inputs.get("allows"), rule.name


def test_firewall_rules_attach_to_this_vpc_only() -> None:
    assert {r.inputs["network"] for r in of_type(list(built_network("prod")), FIREWALL)} == {"hipaa-prod-vpc"}
    assert {r.inputs["project"] for r in of_type(list(built_network("prod")), FIREWALL)} == {"nwh-analytics-prd"}


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_component_exposes_the_subnet_id_other_components_attach_to(mocked: None) -> pulumi.Output[None]:
    """Pulumi's own style: build the component under mocks and assert inside Output.apply."""
    network = Network("unit", network_args("prod"))

    def check(values: list[object]) -> None:
        subnet_id, network_id, network_name = values
        assert subnet_id == "projects/nwh-analytics-prd/regions/us-central1/subnetworks/hipaa-prod-private"
        assert network_id == "projects/nwh-analytics-prd/global/networks/hipaa-prod-vpc"
        assert network_name == "hipaa-prod-vpc"

    checked: pulumi.Output[None] = pulumi.Output.all(network.subnet_id, network.network_id, network.network_name).apply(
        check
    )
    return checked


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_component_hands_on_the_private_services_peering_for_producers_to_wait_for(
    mocked: None,
) -> pulumi.Output[None]:
    network = Network("unit", network_args("prod"))
    connection = network.private_services_connection
    assert isinstance(connection, pulumi.CustomResource)

    def check(values: list[object]) -> None:
        urn, peering = values
        assert str(urn).endswith("::unit-private-services")
        assert peering == "servicenetworking-googleapis-com"

    return pulumi.Output.all(connection.urn, connection.peering).apply(check)  # type: ignore[attr-defined]
