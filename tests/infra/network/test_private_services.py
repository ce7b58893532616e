"""Private services access: the ranges, the peering, what crosses it, and the DNS the producer side may use.

Vertex AI endpoints and the Cloud Build private pool attach through this peering; the producer network
is held to the restricted VIP like the VPC, exchanges no custom or public routes, and resolves the
platform's private domain through this VPC's zones and nothing else.
"""

from __future__ import annotations

import pytest

from tests.infra.network.builders import built_network, inputs, named
from tests.infra.recording import config_for, only

ADDRESS = "gcp:compute/globalAddress:GlobalAddress"
CONNECTION = "gcp:servicenetworking/connection:Connection"
PRODUCER_VPC_SC = "gcp:servicenetworking/vpcServiceControls:VpcServiceControls"
PEERING_ROUTES = "gcp:compute/networkPeeringRoutesConfig:NetworkPeeringRoutesConfig"
PEERED_DNS = "gcp:servicenetworking/peeredDnsDomain:PeeredDnsDomain"
VPC_ID = "projects/nwh-analytics-prd/global/networks/hipaa-prod-vpc"
LABELS = {"compliance": "hipaa", "data-classification": "phi", "environment": "prod", "managed-by": "pulumi"}


@pytest.mark.parametrize(
    ("purpose", "address", "prefix"), [("psa-range", "10.30.32.0", 20), ("build-pool-range", "10.30.48.0", 24)]
)
def test_private_services_ranges_are_internal_peering_ranges_from_config(
    purpose: str, address: str, prefix: int
) -> None:
    assert named(ADDRESS, f"network-{purpose}") == {
        "name": f"hipaa-prod-{purpose}",
        "project": "nwh-analytics-prd",
        "description": f"Private services access range ({purpose})",
        "purpose": "VPC_PEERING",
        "addressType": "INTERNAL",
        "address": address,
        "prefixLength": prefix,
        "network": VPC_ID,
        "labels": LABELS,
    }


def test_private_services_connection_reserves_both_ranges() -> None:
    connection = inputs(CONNECTION)
    assert connection["network"] == VPC_ID
    assert connection["service"] == "servicenetworking.googleapis.com"
    assert connection["reservedPeeringRanges"] == ["hipaa-prod-psa-range", "hipaa-prod-build-pool-range"]


@pytest.mark.parametrize(
    ("environment", "policy"), [("dev", "REMOVE_PEERING"), ("staging", "DELETE"), ("prod", "DELETE")]
)
def test_only_dev_may_drop_the_peering_on_destroy(environment: str, policy: str) -> None:
    assert inputs(CONNECTION, environment)["deletionPolicy"] == policy


def test_producer_network_uses_the_restricted_vip_too(stack: str) -> None:
    assert inputs(PRODUCER_VPC_SC, stack) == {
        "project": config_for(stack).project_id,
        "network": f"hipaa-{stack}-vpc",
        "service": "servicenetworking.googleapis.com",
        "enabled": True,
    }


def test_peering_exchanges_no_custom_or_public_routes() -> None:
    assert inputs(PEERING_ROUTES) == {
        "project": "nwh-analytics-prd",
        "network": "hipaa-prod-vpc",
        "peering": "servicenetworking-googleapis-com",
        "exportCustomRoutes": False,
        "importCustomRoutes": False,
        "exportSubnetRoutesWithPublicIp": False,
        "importSubnetRoutesWithPublicIp": False,
    }


@pytest.mark.parametrize(("environment", "project"), [("dev", "nwh-analytics-dev"), ("prod", "nwh-analytics-prd")])
def test_the_pool_resolves_the_api_domain_through_this_vpc(environment: str, project: str) -> None:
    """Cloud DNS private zones are not visible across a peering: without this the build's private pool
    could not resolve api.hipaa-<env>.internal, and its DAST step could not reach the API."""
    domain = only(list(built_network(environment)), PEERED_DNS)
    assert dict(domain.inputs) == {
        "project": project,
        "name": f"hipaa-{environment}-internal-dns",
        "network": f"hipaa-{environment}-vpc",
        "dnsSuffix": f"hipaa-{environment}.internal.",
        "service": "servicenetworking.googleapis.com",
    }


def test_the_peered_domain_waits_for_the_peering_it_configures() -> None:
    resources = list(built_network("prod"))
    assert only(resources, CONNECTION).urn in only(resources, PEERED_DNS).dependencies
