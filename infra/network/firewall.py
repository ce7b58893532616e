"""The VPC firewall: deny everything, in both directions, except what the platform needs; log every rule.

A helper of the Network component (it creates the rules as that component's children), kept apart so
the rule set reads as one table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.config import NetworkRanges
from infra.naming import child_opts, resource_name
from infra.network.private_access import (
    ALLOW_PRIORITY,
    DENY_PRIORITY,
    FIREWALL_LOG_METADATA,
    HEALTH_CHECK_RANGES,
    RESTRICTED_VIP_RANGE,
    SERVING_PORTS,
    internal_ranges,
)
from infra.placement import Placement

ANYWHERE = "0.0.0.0/0"


@dataclass(frozen=True)
class FirewallSpec:
    """One rule: `ranges` are sources for INGRESS and destinations for EGRESS."""

    purpose: str
    direction: str
    action: str
    ranges: tuple[str, ...]
    protocol: str
    ports: tuple[str, ...] = ()
    description: str = ""

    @property
    def priority(self) -> int:
        return DENY_PRIORITY if self.action == "deny" else ALLOW_PRIORITY


def firewall_specs(ranges: NetworkRanges) -> list[FirewallSpec]:
    """The whole rule set. Only the two deny rules name 0.0.0.0/0."""
    internal = tuple(internal_ranges(ranges))
    return [
        FirewallSpec(
            "deny-all-egress",
            "EGRESS",
            "deny",
            (ANYWHERE,),
            "all",
            description="Default deny: no traffic leaves the VPC unless a rule above allows it",
        ),
        FirewallSpec(
            "allow-restricted-apis-egress",
            "EGRESS",
            "allow",
            (RESTRICTED_VIP_RANGE,),
            "tcp",
            ("443",),
            "Google APIs through restricted.googleapis.com only (VPC Service Controls)",
        ),
        FirewallSpec(
            "allow-internal-egress",
            "EGRESS",
            "allow",
            internal,
            "all",
            description="Workloads, GKE control plane, private services and the build pool",
        ),
        FirewallSpec(
            "deny-all-ingress",
            "INGRESS",
            "deny",
            (ANYWHERE,),
            "all",
            description="Explicit, logged default deny (the implied rule is not logged)",
        ),
        FirewallSpec(
            "allow-internal-ingress",
            "INGRESS",
            "allow",
            internal,
            "all",
            description="Traffic between the environment's own private ranges",
        ),
        FirewallSpec(
            "allow-health-checks-ingress",
            "INGRESS",
            "allow",
            HEALTH_CHECK_RANGES,
            "tcp",
            SERVING_PORTS,
            "Google load balancer health checks, serving ports only",
        ),
    ]


def create_firewall(
    parent: pulumi.Resource, name: str, config: Placement, network_ranges: NetworkRanges, network: pulumi.Input[str]
) -> dict[str, gcp.compute.Firewall]:
    """Create every rule on `network` (by name, so rules can see the network in a preview)."""
    rules: dict[str, gcp.compute.Firewall] = {}
    for spec in firewall_specs(network_ranges):
        ranges = list(spec.ranges)
        ports = list(spec.ports) or None
        rules[spec.purpose] = gcp.compute.Firewall(
            f"{name}-{spec.purpose}",
            name=resource_name(config, spec.purpose),
            project=config.project_id,
            network=network,
            description=spec.description,
            direction=spec.direction,
            priority=spec.priority,
            disabled=False,
            source_ranges=ranges if spec.direction == "INGRESS" else None,
            destination_ranges=ranges if spec.direction == "EGRESS" else None,
            allows=[gcp.compute.FirewallAllowArgs(protocol=spec.protocol, ports=ports)]
            if spec.action == "allow"
            else None,
            denies=[gcp.compute.FirewallDenyArgs(protocol=spec.protocol, ports=ports)]
            if spec.action == "deny"
            else None,
            log_config=gcp.compute.FirewallLogConfigArgs(metadata=FIREWALL_LOG_METADATA),
            opts=child_opts(parent),
        )
    return rules
