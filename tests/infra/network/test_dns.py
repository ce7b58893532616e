"""The VPC's private DNS (infra/network/dns.py): properties test_network.py does not already state."""

from __future__ import annotations

from tests.infra.network.builders import built_network
from tests.infra.recording import config_for, of_type

ZONE = "gcp:dns/managedZone:ManagedZone"
DNS_POLICY = "gcp:dns/policy:Policy"


def test_restricted_zones_and_the_dns_policy_live_in_the_workload_project(stack: str) -> None:
    # Whoever administers these zones decides where googleapis.com resolves from this VPC: they stay
    # under the workload project's IAM, audit logs and perimeter, not the provider's default project.
    resources = of_type(list(built_network(stack)), ZONE) + of_type(list(built_network(stack)), DNS_POLICY)
    assert len(resources) == 4
    assert {r.name: r.inputs.get("project") for r in resources} == {
        r.name: config_for(stack).project_id for r in resources
    }
