"""The private services peering forwards the platform's private domain to this VPC's DNS, and nothing more."""

from __future__ import annotations

import pytest

from tests.infra.network.builders import built_network
from tests.infra.recording import only

PEERED_DNS = "gcp:servicenetworking/peeredDnsDomain:PeeredDnsDomain"
CONNECTION = "gcp:servicenetworking/connection:Connection"


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
