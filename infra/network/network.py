"""Private VPC: no route to the internet, Google APIs only through the restricted VIP, deny-by-default firewall.

There is no Cloud NAT and there never should be: nothing in this environment may reach the internet.
Workloads reach Google APIs over Private Google Access on restricted.googleapis.com (VPC Service
Controls), pull images from mirrors in Artifact Registry, and Vertex AI and the Cloud Build private
pool attach through private services access.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.compute.gke import PODS_RANGE, SERVICES_RANGE
from infra.config import NetworkRanges
from infra.interface import register_declared
from infra.naming import child_opts, network_name, resource_name, subnet_name
from infra.network.dns import create_dns_policy, create_restricted_zones
from infra.network.edge_facts import PROXY_ONLY_PURPOSE, PROXY_ONLY_ROLE, PROXY_ONLY_SUBNET, api_domain
from infra.network.firewall import create_firewall
from infra.network.private_access import INTERNET_GATEWAY, RESTRICTED_VIP_RANGE, flow_sampling
from infra.placement import Placement

SERVICE_NETWORKING = "servicenetworking.googleapis.com"


@dataclass(frozen=True)
class NetworkArgs:
    placement: Placement
    """Environment (names, flow sampling, peering deletion), workload project, region (the subnet's), labels."""
    ranges: NetworkRanges
    """Every private range of the environment: the subnet and its GKE ranges, the ranges reserved for
    private services and the build pool, and the GKE control plane (all allowed by the firewall); and
    the proxy-only subnet of the internal Application Load Balancer (allowed to the API port only)."""


def _reserved_range(
    parent: pulumi.Resource,
    name: str,
    placement: Placement,
    *,
    purpose: str,
    cidr: str,
    network_id: pulumi.Output[str],
) -> gcp.compute.GlobalAddress:
    """A range the service producer (Vertex AI, Cloud Build) allocates from, pinned to the configured CIDR."""
    block = ipaddress.IPv4Network(cidr)
    return gcp.compute.GlobalAddress(
        f"{name}-{purpose}",
        name=resource_name(placement, purpose),
        project=placement.project_id,
        description=f"Private services access range ({purpose})",
        purpose="VPC_PEERING",
        address_type="INTERNAL",
        address=str(block.network_address),
        prefix_length=block.prefixlen,
        network=network_id,
        labels=placement.labels,
        opts=child_opts(parent),
    )


class Network(pulumi.ComponentResource):
    """The environment's only network; every other component attaches to its subnet or its peering."""

    TYPE_TOKEN = "hipaa:network:Network"

    network_id: pulumi.Output[str]
    """The VPC (`projects/P/global/networks/hipaa-<env>-vpc`): no default route, no internet path."""
    network_name: pulumi.Output[str]
    """The VPC's name, as peerings and producer networks name it."""
    subnet_id: pulumi.Output[str]
    """The private workload subnet (GKE, Dataproc, Workbench), with GKE's pod and service ranges."""
    private_services_connection: pulumi.Resource
    """The private services access peering (Vertex AI, the build pool). Producers attached through it
    take it as `depends_on`: none of their inputs names it, yet they cannot attach before it exists."""
    proxy_only_subnet_id: pulumi.Output[str]
    """The region's proxy-only subnet (`REGIONAL_MANAGED_PROXY`, `ACTIVE`), where the Envoy proxies of the
    API's internal Application Load Balancer run; a Gateway of class gke-l7-rilb needs it to exist."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement, ranges = args.placement, args.ranges
        network = gcp.compute.Network(
            f"{name}-vpc",
            name=network_name(placement),
            project=placement.project_id,
            description="HIPAA workloads: private only, no route to the internet",
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            # The default 0.0.0.0/0 route is never created, so nothing can ever use it.
            delete_default_routes_on_create=True,
            opts=child_opts(self),
        )
        subnet = gcp.compute.Subnetwork(
            f"{name}-subnet",
            name=subnet_name(placement),
            project=placement.project_id,
            region=placement.region,
            network=network.id,
            description="Private workload subnet (GKE, Dataproc, Vertex AI Workbench)",
            ip_cidr_range=ranges.primary,
            purpose="PRIVATE",
            stack_type="IPV4_ONLY",
            private_ip_google_access=True,
            secondary_ip_ranges=[
                gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name=PODS_RANGE, ip_cidr_range=ranges.gke_pods),
                gcp.compute.SubnetworkSecondaryIpRangeArgs(
                    range_name=SERVICES_RANGE, ip_cidr_range=ranges.gke_services
                ),
            ],
            log_config=gcp.compute.SubnetworkLogConfigArgs(
                aggregation_interval="INTERVAL_5_SEC",
                flow_sampling=flow_sampling(placement.is_prod),
                metadata="INCLUDE_ALL_METADATA",
            ),
            opts=child_opts(self),
        )
        # The internal Application Load Balancer in front of the API (GKE Gateway gke-l7-rilb) runs its
        # proxies here; no VM ever lives in it, and the firewall lets it reach only the API port.
        proxy_only = gcp.compute.Subnetwork(
            f"{name}-proxy-only",
            name=resource_name(placement, PROXY_ONLY_SUBNET),
            project=placement.project_id,
            region=placement.region,
            network=network.id,
            description="Proxy-only subnet of the API's internal Application Load Balancer (Envoy proxies)",
            ip_cidr_range=ranges.proxy_only,
            purpose=PROXY_ONLY_PURPOSE,
            role=PROXY_ONLY_ROLE,
            opts=child_opts(self),
        )
        # The one way out: restricted.googleapis.com, reached over Google's network, not the internet.
        gcp.compute.Route(
            f"{name}-restricted-apis",
            name=resource_name(placement, "restricted-apis"),
            project=placement.project_id,
            network=network.name,
            description="restricted.googleapis.com (VPC Service Controls); the only route out of the VPC",
            dest_range=RESTRICTED_VIP_RANGE,
            next_hop_gateway=INTERNET_GATEWAY,
            priority=1000,
            opts=child_opts(self),
        )
        create_restricted_zones(self, name, placement, network.id)
        create_dns_policy(self, name, placement, network.id)
        create_firewall(self, name, placement, ranges, network.name)
        reserved = [
            _reserved_range(self, name, placement, purpose=purpose, cidr=cidr, network_id=network.id)
            for purpose, cidr in (("psa-range", ranges.private_service_access), ("build-pool-range", ranges.build_pool))
        ]
        self.network_id = network.id
        self.network_name = network.name
        self.subnet_id = subnet.id
        self.proxy_only_subnet_id = proxy_only.id
        self.private_services_connection = _peer_services(self, name, placement, network, reserved)
        register_declared(self)


def _peer_services(
    parent: pulumi.Resource,
    name: str,
    placement: Placement,
    network: gcp.compute.Network,
    reserved: list[gcp.compute.GlobalAddress],
) -> gcp.servicenetworking.Connection:
    """Private services access for Vertex AI and the Cloud Build private pool, restricted like the VPC."""
    connection = gcp.servicenetworking.Connection(
        f"{name}-private-services",
        network=network.id,
        service=SERVICE_NETWORKING,
        reserved_peering_ranges=[address.name for address in reserved],
        # dev must stay destroyable even while a producer still holds the peering.
        deletion_policy="REMOVE_PEERING" if placement.environment == "dev" else "DELETE",
        opts=child_opts(parent),
    )
    # The producer network (pool workers, Vertex endpoints) loses its default internet route and
    # resolves Google APIs to the restricted VIP, the same as this VPC.
    producer_vpc_service_controls = gcp.servicenetworking.VpcServiceControls(
        f"{name}-producer-vpc-sc",
        project=placement.project_id,
        network=network.name,
        service=SERVICE_NETWORKING,
        enabled=True,
        opts=child_opts(parent, depends_on=[connection]),
    )
    # Cloud DNS private zones are not visible across a peering: without this the pool's workers
    # could not resolve the API's private name (api.hipaa-<env>.internal), and the build's DAST
    # step could not reach it. Queries for the platform's private domain from the producer network
    # are answered by this VPC's zones; nothing else is forwarded.
    gcp.servicenetworking.PeeredDnsDomain(
        f"{name}-peered-dns",
        project=placement.project_id,
        name=resource_name(placement, "internal-dns"),
        network=network.name,
        dns_suffix=f"{api_domain(placement.environment)}.",
        service=SERVICE_NETWORKING,
        opts=child_opts(parent, depends_on=[connection]),
    )
    # Subnet routes always cross a peering, which is all the pool needs to reach the private
    # subnet. Custom routes are pinned off: the only static route here (the restricted VIP) is
    # recreated on the producer side by the VPC-SC setting above, and importing producer routes
    # would let a service producer steer this VPC's traffic. Serialized after the VPC-SC change
    # because a peering accepts one change at a time.
    gcp.compute.NetworkPeeringRoutesConfig(
        f"{name}-peering-routes",
        project=placement.project_id,
        network=network.name,
        peering=connection.peering,
        export_custom_routes=False,
        import_custom_routes=False,
        export_subnet_routes_with_public_ip=False,
        import_subnet_routes_with_public_ip=False,
        opts=child_opts(parent, depends_on=[producer_vpc_service_controls]),
    )
    return connection
