"""Private VPC: no route to the internet, Google APIs only through the restricted VIP, deny-by-default firewall.

There is no Cloud NAT and there never should be: nothing in this environment may reach the internet.
Workloads reach Google APIs over Private Google Access on restricted.googleapis.com (VPC Service
Controls), pull images from mirrors in Artifact Registry, and Vertex AI and the Cloud Build private
pool attach through private services access.
"""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_gcp as gcp

from infra.compute.gke import PODS_RANGE, SERVICES_RANGE
from infra.config import PlatformConfig
from infra.naming import child_opts, network_name, resource_name, subnet_name
from infra.network.dns import create_dns_policy, create_restricted_zones
from infra.network.firewall import create_firewall
from infra.network.private_access import INTERNET_GATEWAY, RESTRICTED_VIP_RANGE, flow_sampling

SERVICE_NETWORKING = "servicenetworking.googleapis.com"


def _reserved_range(
    parent: pulumi.Resource,
    name: str,
    config: PlatformConfig,
    *,
    purpose: str,
    cidr: str,
    network_id: pulumi.Output[str],
) -> gcp.compute.GlobalAddress:
    """A range the service producer (Vertex AI, Cloud Build) allocates from, pinned to the configured CIDR."""
    block = ipaddress.IPv4Network(cidr)
    return gcp.compute.GlobalAddress(
        f"{name}-{purpose}",
        name=resource_name(config, purpose),
        project=config.project_id,
        description=f"Private services access range ({purpose})",
        purpose="VPC_PEERING",
        address_type="INTERNAL",
        address=str(block.network_address),
        prefix_length=block.prefixlen,
        network=network_id,
        labels=config.labels,
        opts=child_opts(parent),
    )


class Network(pulumi.ComponentResource):
    """The environment's only network; every other component attaches to its subnet or its peering."""

    def __init__(self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hipaa:network:Network", name, None, opts)
        self.network = gcp.compute.Network(
            f"{name}-vpc",
            name=network_name(config),
            project=config.project_id,
            description="HIPAA workloads: private only, no route to the internet",
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            # The default 0.0.0.0/0 route is never created, so nothing can ever use it.
            delete_default_routes_on_create=True,
            opts=child_opts(self),
        )
        self.subnet = gcp.compute.Subnetwork(
            f"{name}-subnet",
            name=subnet_name(config),
            project=config.project_id,
            region=config.region,
            network=self.network.id,
            description="Private workload subnet (GKE, Dataproc, Vertex AI Workbench)",
            ip_cidr_range=config.ranges.primary,
            purpose="PRIVATE",
            stack_type="IPV4_ONLY",
            private_ip_google_access=True,
            secondary_ip_ranges=[
                gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name=PODS_RANGE, ip_cidr_range=config.ranges.gke_pods),
                gcp.compute.SubnetworkSecondaryIpRangeArgs(
                    range_name=SERVICES_RANGE, ip_cidr_range=config.ranges.gke_services
                ),
            ],
            log_config=gcp.compute.SubnetworkLogConfigArgs(
                aggregation_interval="INTERVAL_5_SEC",
                flow_sampling=flow_sampling(config.is_prod),
                metadata="INCLUDE_ALL_METADATA",
            ),
            opts=child_opts(self),
        )
        # The one way out: restricted.googleapis.com, reached over Google's network, not the internet.
        self.restricted_apis_route = gcp.compute.Route(
            f"{name}-restricted-apis",
            name=resource_name(config, "restricted-apis"),
            project=config.project_id,
            network=self.network.name,
            description="restricted.googleapis.com (VPC Service Controls); the only route out of the VPC",
            dest_range=RESTRICTED_VIP_RANGE,
            next_hop_gateway=INTERNET_GATEWAY,
            priority=1000,
            opts=child_opts(self),
        )
        self.dns_zones = create_restricted_zones(self, name, config, self.network.id)
        self.dns_policy = create_dns_policy(self, name, config, self.network.id)
        self.firewall_rules = create_firewall(self, name, config, self.network.name)
        self.psa_range = _reserved_range(
            self,
            name,
            config,
            purpose="psa-range",
            cidr=config.ranges.private_service_access,
            network_id=self.network.id,
        )
        self.build_pool_range = _reserved_range(
            self, name, config, purpose="build-pool-range", cidr=config.ranges.build_pool, network_id=self.network.id
        )
        self._peer_services(name, config)
        self.register_outputs(
            {
                "network": self.network.id,
                "subnet": self.subnet.id,
                "psaRange": self.psa_range.id,
                "buildPoolRange": self.build_pool_range.id,
                "privateServicesConnection": self.private_services_connection.id,
                "restrictedApisRoute": self.restricted_apis_route.id,
                "dnsZones": {purpose: zone.id for purpose, zone in self.dns_zones.items()},
                "dnsPolicy": self.dns_policy.id,
                "firewallRules": {purpose: rule.id for purpose, rule in self.firewall_rules.items()},
            }
        )

    def _peer_services(self, name: str, config: PlatformConfig) -> None:
        """Private services access for Vertex AI and the Cloud Build private pool, restricted like the VPC."""
        self.private_services_connection = gcp.servicenetworking.Connection(
            f"{name}-private-services",
            network=self.network.id,
            service=SERVICE_NETWORKING,
            reserved_peering_ranges=[self.psa_range.name, self.build_pool_range.name],
            # dev must stay destroyable even while a producer still holds the peering.
            deletion_policy="REMOVE_PEERING" if config.environment == "dev" else "DELETE",
            opts=child_opts(self),
        )
        # The producer network (pool workers, Vertex endpoints) loses its default internet route and
        # resolves Google APIs to the restricted VIP, the same as this VPC.
        self.producer_vpc_service_controls = gcp.servicenetworking.VpcServiceControls(
            f"{name}-producer-vpc-sc",
            project=config.project_id,
            network=self.network.name,
            service=SERVICE_NETWORKING,
            enabled=True,
            opts=child_opts(self, depends_on=[self.private_services_connection]),
        )
        # Subnet routes always cross a peering, which is all the pool needs to reach the private
        # subnet. Custom routes are pinned off: the only static route here (the restricted VIP) is
        # recreated on the producer side by the VPC-SC setting above, and importing producer routes
        # would let a service producer steer this VPC's traffic. Serialized after the VPC-SC change
        # because a peering accepts one change at a time.
        self.peering_routes = gcp.compute.NetworkPeeringRoutesConfig(
            f"{name}-peering-routes",
            project=config.project_id,
            network=self.network.name,
            peering=self.private_services_connection.peering,
            export_custom_routes=False,
            import_custom_routes=False,
            export_subnet_routes_with_public_ip=False,
            import_subnet_routes_with_public_ip=False,
            opts=child_opts(self, depends_on=[self.producer_vpc_service_controls]),
        )
