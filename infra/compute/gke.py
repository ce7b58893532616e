"""Private GKE: a hardened control plane and one node pool run by a least-privilege service account."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.config import PlatformConfig
from infra.naming import child_opts, data_opts, gke_cluster_name, resource_name, workload_pool

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


def release_channel(config: PlatformConfig) -> str:
    return "STABLE" if config.is_prod else "REGULAR"


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


def authorized_networks(
    config: PlatformConfig,
) -> list[gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs]:
    """Only the private subnet may reach the IP-based endpoints. The build pool is not listed: it sits
    behind a peering of its own, cannot reach them, and deploys through the DNS endpoint instead."""
    return [
        gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
            cidr_block=config.ranges.primary, display_name="private-subnet"
        ),
    ]


class Gke(pulumi.ComponentResource):
    """Regional private cluster with Workload Identity, Binary Authorization and CMEK secrets."""

    def __init__(
        self,
        name: str,
        config: PlatformConfig,
        *,
        gke_key_id: pulumi.Input[str],
        compute_key_id: pulumi.Input[str],
        network_id: pulumi.Input[str],
        subnet_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("hipaa:compute:Gke", name, None, opts)
        self.node_account = gcp.serviceaccount.Account(
            f"{name}-nodes",
            account_id=resource_name(config, "gke-nodes"),
            display_name="GKE nodes (least privilege)",
            project=config.project_id,
            opts=child_opts(self),
        )
        for role in NODE_ROLES:
            gcp.projects.IAMMember(
                f"{name}-nodes-{role.split('/')[-1].replace('.', '-')}",
                project=config.project_id,
                role=role,
                member=self.node_account.member,
                opts=child_opts(self),
            )
        self.cluster = gcp.container.Cluster(
            f"{name}-cluster",
            name=gke_cluster_name(config),
            project=config.project_id,
            location=config.region,
            network=network_id,
            subnetwork=subnet_id,
            # The default pool runs as the default compute account; it is replaced by the pool below.
            remove_default_node_pool=True,
            initial_node_count=1,
            private_cluster_config=gcp.container.ClusterPrivateClusterConfigArgs(
                enable_private_nodes=True,
                # dev keeps a public endpoint for operators, still limited to the authorized networks.
                enable_private_endpoint=config.environment != "dev",
                master_ipv4_cidr_block=config.ranges.gke_master,
            ),
            master_authorized_networks_config=gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
                cidr_blocks=authorized_networks(config),
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
                workload_pool=workload_pool(config)
            ),
            enable_shielded_nodes=True,
            binary_authorization=gcp.container.ClusterBinaryAuthorizationArgs(
                evaluation_mode="PROJECT_SINGLETON_POLICY_ENFORCE"
            ),
            database_encryption=gcp.container.ClusterDatabaseEncryptionArgs(state="ENCRYPTED", key_name=gke_key_id),
            datapath_provider="ADVANCED_DATAPATH",
            release_channel=gcp.container.ClusterReleaseChannelArgs(channel=release_channel(config)),
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
                vulnerability_mode="VULNERABILITY_ENTERPRISE" if config.is_prod else "VULNERABILITY_BASIC",
            ),
            deletion_protection=config.is_prod,
            resource_labels=config.labels,
            opts=data_opts(config, self),
        )
        # The pool exists once the cluster does: grants to its members wait for this output.
        self.workload_pool: pulumi.Output[str] = self.cluster.workload_identity_config.apply(workload_pool_of)
        self.node_pool = gcp.container.NodePool(
            f"{name}-pool",
            name="hardened",
            project=config.project_id,
            location=config.region,
            cluster=self.cluster.name,
            node_count=1,
            autoscaling=gcp.container.NodePoolAutoscalingArgs(min_node_count=1, max_node_count=3),
            management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            node_config=gcp.container.NodePoolNodeConfigArgs(
                machine_type="e2-standard-4",
                image_type="COS_CONTAINERD",
                disk_type="pd-balanced",
                disk_size_gb=100,
                boot_disk_kms_key=compute_key_id,
                service_account=self.node_account.email,
                # With a dedicated account, access is governed by IAM roles; the scope only opens the API.
                oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],
                shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
                    enable_secure_boot=True, enable_integrity_monitoring=True
                ),
                workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(
                    mode="GKE_METADATA"
                ),
                metadata={"disable-legacy-endpoints": "true"},
                resource_labels=config.labels,
            ),
            opts=child_opts(self),
        )
        self.register_outputs(
            {
                "cluster": self.cluster.id,
                "nodePool": self.node_pool.id,
                "nodeServiceAccount": self.node_account.email,
            }
        )
