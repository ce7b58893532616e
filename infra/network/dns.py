"""Private DNS of the VPC: Google API and registry names resolve to the restricted VIP, queries are logged.

A helper of the Network component (children of that component), in the shape of
terraform-example-foundation's restricted network: one private zone per domain, visible only to this
VPC, and a DNS policy that logs every query and accepts none from outside.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.naming import child_opts, resource_name
from infra.network.private_access import DNS_TTL_SECONDS, RESTRICTED_VIP_ADDRESSES, RESTRICTED_ZONES
from infra.placement import Placement


def create_restricted_zones(
    parent: pulumi.Resource, name: str, config: Placement, network_id: pulumi.Input[str]
) -> dict[str, gcp.dns.ManagedZone]:
    """One private zone per restricted domain, each with its A (VIP) and wildcard CNAME records."""
    zones: dict[str, gcp.dns.ManagedZone] = {}
    for purpose, (dns_name, apex) in RESTRICTED_ZONES.items():
        zone = gcp.dns.ManagedZone(
            f"{name}-dns-{purpose}",
            name=resource_name(config, f"restricted-{purpose}"),
            project=config.project_id,
            dns_name=dns_name,
            description=f"{dns_name} to restricted.googleapis.com (VPC Service Controls), this VPC only",
            visibility="private",
            private_visibility_config=gcp.dns.ManagedZonePrivateVisibilityConfigArgs(
                networks=[gcp.dns.ManagedZonePrivateVisibilityConfigNetworkArgs(network_url=network_id)]
            ),
            labels=config.labels,
            opts=child_opts(parent),
        )
        gcp.dns.RecordSet(
            f"{name}-dns-{purpose}-a",
            project=config.project_id,
            managed_zone=zone.name,
            name=apex,
            type="A",
            ttl=DNS_TTL_SECONDS,
            rrdatas=list(RESTRICTED_VIP_ADDRESSES),
            opts=child_opts(parent),
        )
        gcp.dns.RecordSet(
            f"{name}-dns-{purpose}-cname",
            project=config.project_id,
            managed_zone=zone.name,
            name=f"*.{dns_name}",
            type="CNAME",
            ttl=DNS_TTL_SECONDS,
            rrdatas=[apex],
            opts=child_opts(parent),
        )
        zones[purpose] = zone
    return zones


def create_dns_policy(
    parent: pulumi.Resource, name: str, config: Placement, network_id: pulumi.Input[str]
) -> gcp.dns.Policy:
    """Query logging on (who resolved what, for the audit trail); no inbound forwarders into the VPC."""
    return gcp.dns.Policy(
        f"{name}-dns-policy",
        name=resource_name(config, "dns-policy"),
        project=config.project_id,
        description="Logs every DNS query of the VPC; accepts no queries from outside it",
        enable_logging=True,
        enable_inbound_forwarding=False,
        networks=[gcp.dns.PolicyNetworkArgs(network_url=network_id)],
        opts=child_opts(parent),
    )
