"""Private GKE: a hardened control plane and one node pool run by a least-privilege service account."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import Stack, child_opts, data_opts, gke_cluster_name, resource_name, workload_pool
from infra.network.edge_facts import GATEWAY_API_CHANNEL
from infra.placement import Placement

# Secondary ranges the Network component creates on the private subnet.
PODS_RANGE = "gke-pods"
SERVICES_RANGE = "gke-services"
# Everything a node needs and nothing more (Google's hardening guide for node service accounts).
NODE_ROLES = (
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
)
# Monitoring has no WORKLOADS component any more; workload metrics come from Managed Prometheus.
MONITORING_COMPONENTS = ("SYSTEM_COMPONENTS", "APISERVER", "SCHEDULER", "CONTROLLER_MANAGER")
LOGGING_COMPONENTS = ("SYSTEM_COMPONENTS", "WORKLOADS")


def release_channel(placement: Stack) -> str:
    return "STABLE" if placement.is_prod else "REGULAR"


def workload_pool_of(identity: gcp.container.outputs.ClusterWorkloadIdentityConfig | None) -> str:
    """The pool the cluster reports; a cluster without one cannot give pods an identity."""
    if identity is None or not identity.workload_pool:
        raise ValueError("the GKE cluster has no Workload Identity pool")
    return str(identity.workload_pool)


def control_plane_endpoints() -> gcp.container.ClusterControlPlaneEndpointsConfigArgs:
    """The DNS-based endpoint, for the private build pool: the pool reaches the VPC through peering,
    the IP-based private endpoint sits behind a second peering, and GCP peering is not transitive.
    Every call through the DNS endpoint is a Google API call: IAM (container.clusters.connect) and
    the VPC-SC perimeter, which restricts container.googleapis.com, decide who gets through. Only
    IAM-issued tokens are accepted there; Kubernetes-signed tokens and client certificates are not."""
    return gcp.container.ClusterControlPlaneEndpointsConfigArgs(
        dns_endpoint_config=gcp.container.ClusterControlPlaneEndpointsConfigDnsEndpointConfigArgs(
            allow_external_traffic=True,
            enable_k8s_tokens_via_dns=False,
            enable_k8s_certs_via_dns=False,
        ),
        # The IP-based endpoints stay for the nodes and the private subnet, limited as configured below.
        ip_endpoints_config=gcp.container.ClusterControlPlaneEndpointsConfigIpEndpointsConfigArgs(enabled=True),
    )


def authorized_networks(subnet_cidr: str) -> list[gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs]:
    """Only the private subnet may reach the IP-based endpoints. The build pool is not listed: it sits
    behind a peering of its own, cannot reach them, and deploys through the DNS endpoint instead."""
    return [
        gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
            cidr_block=subnet_cidr, display_name="private-subnet"
        ),
    ]


@dataclass(frozen=True)
class GkeArgs:
    placement: Placement
    """Environment (endpoint, release channel, protection), workload project, region (a regional cluster), labels."""
    subnet_cidr: str
    """Primary range of the private subnet: the only network allowed to reach the IP-based control plane."""
    master_cidr: str
    """The /28 of the private control plane."""
    network_id: pulumi.Input[str]
    """The VPC the cluster runs in."""
    subnet_id: pulumi.Input[str]
    """The private subnet; it must carry the secondary ranges `gke-pods` and `gke-services`."""
    gke_key_id: pulumi.Input[str]
    """CMEK key of the cluster's Kubernetes secrets (application-layer encryption)."""
    compute_key_id: pulumi.Input[str]
    """CMEK key of the nodes' boot disks."""


class Gke(pulumi.ComponentResource):
    """Regional private cluster with Workload Identity, Binary Authorization and CMEK secrets."""

    TYPE_TOKEN = "hipaa:compute:Gke"

    cluster_name: pulumi.Output[str]
    """The cluster's name (`hipaa-<env>-gke`), as the pipeline's `_GKE_CLUSTER` names it."""
    workload_pool: pulumi.Output[str]
    """The Workload Identity pool the cluster reports (`<project>.svc.id.goog`); resolves once the cluster
    exists, so grants to its members wait for it."""
    node_service_account_email: pulumi.Output[str]
    """The nodes' least-privilege service account."""

    def __init__(self, name: str, args: GkeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        node_account = gcp.serviceaccount.Account(
            f"{name}-nodes",
            account_id=resource_name(placement, "gke-nodes"),
            display_name="GKE nodes (least privilege)",
            project=placement.project_id,
            opts=child_opts(self),
        )
        for role in NODE_ROLES:
            gcp.projects.IAMMember(
                f"{name}-nodes-{role.rsplit('/', maxsplit=1)[-1].replace('.', '-')}",
                project=placement.project_id,
                role=role,
                member=node_account.member,
                opts=child_opts(self),
            )
        cluster = gcp.container.Cluster(
            f"{name}-cluster",
            name=gke_cluster_name(placement),
            project=placement.project_id,
            location=placement.region,
            network=args.network_id,
            subnetwork=args.subnet_id,
            # The default pool runs as the default compute account; it is replaced by the pool below.
            remove_default_node_pool=True,
            initial_node_count=1,
            private_cluster_config=gcp.container.ClusterPrivateClusterConfigArgs(
                enable_private_nodes=True,
                # dev keeps a public endpoint for operators, still limited to the authorized networks.
                enable_private_endpoint=placement.environment != "dev",
                master_ipv4_cidr_block=args.master_cidr,
            ),
            master_authorized_networks_config=gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
                cidr_blocks=authorized_networks(args.subnet_cidr),
                gcp_public_cidrs_access_enabled=False,
                private_endpoint_enforcement_enabled=True,
            ),
            ip_allocation_policy=gcp.container.ClusterIpAllocationPolicyArgs(
                cluster_secondary_range_name=PODS_RANGE,
                services_secondary_range_name=SERVICES_RANGE,
                stack_type="IPV4",
            ),
            control_plane_endpoints_config=control_plane_endpoints(),
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(
                workload_pool=workload_pool(placement)
            ),
            enable_shielded_nodes=True,
            binary_authorization=gcp.container.ClusterBinaryAuthorizationArgs(
                evaluation_mode="PROJECT_SINGLETON_POLICY_ENFORCE"
            ),
            database_encryption=gcp.container.ClusterDatabaseEncryptionArgs(
                state="ENCRYPTED", key_name=args.gke_key_id
            ),
            datapath_provider="ADVANCED_DATAPATH",
            # The API is reached only through a Gateway (workloads/k8s/gateway.yaml): GKE installs the
            # Gateway API and runs its controller only when the cluster asks for them.
            gateway_api_config=gcp.container.ClusterGatewayApiConfigArgs(channel=GATEWAY_API_CHANNEL),
            release_channel=gcp.container.ClusterReleaseChannelArgs(channel=release_channel(placement)),
            enable_legacy_abac=False,
            enable_kubernetes_alpha=False,
            master_auth=gcp.container.ClusterMasterAuthArgs(
                client_certificate_config=gcp.container.ClusterMasterAuthClientCertificateConfigArgs(
                    issue_client_certificate=False
                )
            ),
            enable_intranode_visibility=True,
            logging_config=gcp.container.ClusterLoggingConfigArgs(enable_components=list(LOGGING_COMPONENTS)),
            monitoring_config=gcp.container.ClusterMonitoringConfigArgs(
                enable_components=list(MONITORING_COMPONENTS),
                managed_prometheus=gcp.container.ClusterMonitoringConfigManagedPrometheusArgs(enabled=True),
            ),
            security_posture_config=gcp.container.ClusterSecurityPostureConfigArgs(
                mode="BASIC",
                vulnerability_mode="VULNERABILITY_ENTERPRISE" if placement.is_prod else "VULNERABILITY_BASIC",
            ),
            deletion_protection=placement.is_prod,
            resource_labels=placement.labels,
            opts=data_opts(placement, self),
        )
        # The pool exists once the cluster does: grants to its members wait for this output.
        self.workload_pool = cluster.workload_identity_config.apply(workload_pool_of)
        gcp.container.NodePool(
            f"{name}-pool",
            name="hardened",
            project=placement.project_id,
            location=placement.region,
            cluster=cluster.name,
            node_count=1,
            autoscaling=gcp.container.NodePoolAutoscalingArgs(min_node_count=1, max_node_count=3),
            management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            node_config=gcp.container.NodePoolNodeConfigArgs(
                machine_type="e2-standard-4",
                image_type="COS_CONTAINERD",
                disk_type="pd-balanced",
                disk_size_gb=100,
                boot_disk_kms_key=args.compute_key_id,
                service_account=node_account.email,
                # With a dedicated account, access is governed by IAM roles; the scope only opens the API.
                oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],
                shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
                    enable_secure_boot=True, enable_integrity_monitoring=True
                ),
                workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(
                    mode="GKE_METADATA"
                ),
                metadata={"disable-legacy-endpoints": "true"},
                resource_labels=placement.labels,
            ),
            opts=child_opts(self),
        )
        self.cluster_name = cluster.name
        self.node_service_account_email = node_account.email
        register_declared(self)
