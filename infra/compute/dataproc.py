"""Dataproc: a private, CMEK-encrypted, shielded Spark cluster with its own buckets and identity."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.compute.dataproc_support import DataprocSupport, kerberos_secret_version
from infra.config import PlatformConfig
from infra.naming import child_opts, dataproc_autoscaling_policy_id, dataproc_cluster_name

IMAGE_VERSION = "2.2-debian12"
# dev clusters are ephemeral: deleted after 30 idle minutes. Lower environments only.
DEV_IDLE_DELETE_TTL = "1800s"


def lifecycle(config: PlatformConfig) -> gcp.dataproc.ClusterClusterConfigLifecycleConfigArgs | None:
    if config.environment == "dev":
        return gcp.dataproc.ClusterClusterConfigLifecycleConfigArgs(idle_delete_ttl=DEV_IDLE_DELETE_TTL)
    return None


def kerberos_enabled(config: PlatformConfig) -> bool:
    """Secure mode (Kerberos) in prod, where real PHI is processed; no config key asks for more yet."""
    return config.is_prod


class Dataproc(pulumi.ComponentResource):
    """Cluster, autoscaling policy and (via DataprocSupport) its account, buckets and Kerberos secret."""

    def __init__(
        self,
        name: str,
        config: PlatformConfig,
        *,
        compute_key_id: pulumi.Input[str],
        storage_key_id: pulumi.Input[str],
        secrets_key_id: pulumi.Input[str],
        subnet_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("hipaa:compute:Dataproc", name, None, opts)
        support = DataprocSupport(
            f"{name}-support",
            config,
            storage_key_id=storage_key_id,
            secrets_key_id=secrets_key_id,
            kerberos=kerberos_enabled(config),
            opts=child_opts(self),
        )
        self.support = support
        self.policy = gcp.dataproc.AutoscalingPolicy(
            f"{name}-autoscaling",
            policy_id=dataproc_autoscaling_policy_id(config),
            project=config.project_id,
            location=config.region,
            worker_config=gcp.dataproc.AutoscalingPolicyWorkerConfigArgs(min_instances=2, max_instances=10),
            basic_algorithm=gcp.dataproc.AutoscalingPolicyBasicAlgorithmArgs(
                cooldown_period="120s",
                yarn_config=gcp.dataproc.AutoscalingPolicyBasicAlgorithmYarnConfigArgs(
                    graceful_decommission_timeout="3600s", scale_up_factor=0.5, scale_down_factor=0.5
                ),
            ),
            opts=child_opts(self),
        )
        security = None
        if support.kerberos_secret is not None:
            security = gcp.dataproc.ClusterClusterConfigSecurityConfigArgs(
                kerberos_config=gcp.dataproc.ClusterClusterConfigSecurityConfigKerberosConfigArgs(
                    enable_kerberos=True,
                    # The provider requires a KMS key even when the password lives in Secret Manager.
                    kms_key_uri=secrets_key_id,
                    root_principal_password_uri=kerberos_secret_version(config),
                )
            )
        disk = gcp.dataproc.ClusterClusterConfigMasterConfigDiskConfigArgs(
            boot_disk_type="pd-balanced", boot_disk_size_gb=100
        )
        self.cluster = gcp.dataproc.Cluster(
            f"{name}-cluster",
            name=dataproc_cluster_name(config),
            project=config.project_id,
            region=config.region,
            labels=config.labels,
            cluster_config=gcp.dataproc.ClusterClusterConfigArgs(
                staging_bucket=support.staging_bucket.name,
                temp_bucket=support.temp_bucket.name,
                gce_cluster_config=gcp.dataproc.ClusterClusterConfigGceClusterConfigArgs(
                    internal_ip_only=True,
                    subnetwork=subnet_id,
                    service_account=support.account.email,
                    service_account_scopes=["https://www.googleapis.com/auth/cloud-platform"],
                    shielded_instance_config=gcp.dataproc.ClusterClusterConfigGceClusterConfigShieldedInstanceConfigArgs(
                        enable_secure_boot=True, enable_vtpm=True, enable_integrity_monitoring=True
                    ),
                    metadata={"block-project-ssh-keys": "true"},
                    tags=["dataproc"],
                ),
                encryption_config=gcp.dataproc.ClusterClusterConfigEncryptionConfigArgs(kms_key_name=compute_key_id),
                # Component gateway off: no web UIs reachable through Google's HTTPS proxy.
                endpoint_config=gcp.dataproc.ClusterClusterConfigEndpointConfigArgs(enable_http_port_access=False),
                autoscaling_config=gcp.dataproc.ClusterClusterConfigAutoscalingConfigArgs(policy_uri=self.policy.name),
                lifecycle_config=lifecycle(config),
                security_config=security,
                software_config=gcp.dataproc.ClusterClusterConfigSoftwareConfigArgs(
                    image_version=IMAGE_VERSION,
                    optional_components=[],
                    properties={"dataproc:dataproc.logging.stackdriver.job.driver.enable": "true"},
                ),
                master_config=gcp.dataproc.ClusterClusterConfigMasterConfigArgs(
                    num_instances=3 if config.is_prod else 1, machine_type="n2-standard-4", disk_config=disk
                ),
                worker_config=gcp.dataproc.ClusterClusterConfigWorkerConfigArgs(
                    num_instances=2,
                    machine_type="n2-standard-4",
                    disk_config=gcp.dataproc.ClusterClusterConfigWorkerConfigDiskConfigArgs(
                        boot_disk_type="pd-balanced", boot_disk_size_gb=100
                    ),
                ),
            ),
            opts=child_opts(self, depends_on=support.grants),
        )
        self.register_outputs(
            {
                "cluster": self.cluster.id,
                "autoscalingPolicy": self.policy.name,
                "serviceAccount": support.account.email,
            }
        )
