"""Dataproc: a private, CMEK-encrypted, shielded Spark cluster with its own buckets and identity."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.compute.dataproc_support import DataprocSupport, DataprocSupportArgs
from infra.interface import register_declared
from infra.naming import (
    Stack,
    child_opts,
    dataproc_autoscaling_policy_id,
    dataproc_cluster_name,
    dataproc_kerberos_password_uri,
)
from infra.placement import Placement

IMAGE_VERSION = "2.2-debian12"
# dev clusters are ephemeral: deleted after 30 idle minutes. Lower environments only.
DEV_IDLE_DELETE_TTL = "1800s"
# The keyring's key that encrypts the Kerberos root principal password object (kerberosConfig.kmsKeyUri).
KERBEROS_KEY_PURPOSE = "secrets"


def lifecycle(placement: Stack) -> gcp.dataproc.ClusterClusterConfigLifecycleConfigArgs | None:
    if placement.environment == "dev":
        return gcp.dataproc.ClusterClusterConfigLifecycleConfigArgs(idle_delete_ttl=DEV_IDLE_DELETE_TTL)
    return None


def kerberos_enabled(placement: Stack) -> bool:
    """Secure mode (Kerberos) in prod, where real PHI is processed; no config key asks for more yet."""
    return placement.is_prod


@dataclass(frozen=True)
class DataprocArgs:
    placement: Placement
    """Environment (idle deletion in dev, HA masters and Kerberos in prod), workload project, region, labels."""
    subnet_id: pulumi.Input[str]
    """The private subnet the cluster's VMs run in, internal IPs only."""
    compute_key_id: pulumi.Input[str]
    """CMEK key of the cluster's disks."""
    storage_key_id: pulumi.Input[str]
    """CMEK key of the cluster's staging and temp buckets."""
    kerberos_key_id: pulumi.Input[str]
    """The key the Kerberos root principal password object is encrypted with (prod): `kerberosConfig.kmsKeyUri`."""


class Dataproc(pulumi.ComponentResource):
    """Cluster, autoscaling policy and (via DataprocSupport) its account, buckets and Kerberos password bucket."""

    TYPE_TOKEN = "hipaa:compute:Dataproc"

    cluster_name: pulumi.Output[str]
    """The cluster's name (`hipaa-<env>-dataproc`)."""
    service_account_id: pulumi.Output[str]
    """The account the cluster and its jobs run as (`projects/P/serviceAccounts/EMAIL`), for `actAs` grants."""
    service_account_member: pulumi.Output[str]
    """The same account as an IAM member (`serviceAccount:EMAIL`), for grants on data and secrets."""

    def __init__(self, name: str, args: DataprocArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        kerberos = kerberos_enabled(placement)
        support = DataprocSupport(
            f"{name}-support",
            DataprocSupportArgs(
                placement=placement,
                storage_key_id=args.storage_key_id,
                kerberos_key_id=args.kerberos_key_id,
                kerberos=kerberos,
            ),
            opts=child_opts(self),
        )
        policy = gcp.dataproc.AutoscalingPolicy(
            f"{name}-autoscaling",
            policy_id=dataproc_autoscaling_policy_id(placement),
            project=placement.project_id,
            location=placement.region,
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
        if kerberos:
            security = gcp.dataproc.ClusterClusterConfigSecurityConfigArgs(
                kerberos_config=gcp.dataproc.ClusterClusterConfigSecurityConfigKerberosConfigArgs(
                    enable_kerberos=True,
                    # As the API documents it: a Cloud Storage object encrypted with this key, which the
                    # cluster's account decrypts (infra/compute/dataproc_support.py quotes the pages).
                    kms_key_uri=args.kerberos_key_id,
                    root_principal_password_uri=dataproc_kerberos_password_uri(placement),
                )
            )
        disk = gcp.dataproc.ClusterClusterConfigMasterConfigDiskConfigArgs(
            boot_disk_type="pd-balanced", boot_disk_size_gb=100
        )
        cluster = gcp.dataproc.Cluster(
            f"{name}-cluster",
            name=dataproc_cluster_name(placement),
            project=placement.project_id,
            region=placement.region,
            labels=placement.labels,
            cluster_config=gcp.dataproc.ClusterClusterConfigArgs(
                staging_bucket=support.staging_bucket_name,
                temp_bucket=support.temp_bucket_name,
                gce_cluster_config=gcp.dataproc.ClusterClusterConfigGceClusterConfigArgs(
                    internal_ip_only=True,
                    subnetwork=args.subnet_id,
                    service_account=support.service_account_email,
                    service_account_scopes=["https://www.googleapis.com/auth/cloud-platform"],
                    shielded_instance_config=gcp.dataproc.ClusterClusterConfigGceClusterConfigShieldedInstanceConfigArgs(
                        enable_secure_boot=True, enable_vtpm=True, enable_integrity_monitoring=True
                    ),
                    metadata={"block-project-ssh-keys": "true"},
                    tags=["dataproc"],
                ),
                encryption_config=gcp.dataproc.ClusterClusterConfigEncryptionConfigArgs(
                    kms_key_name=args.compute_key_id
                ),
                # Component gateway off: no web UIs reachable through Google's HTTPS proxy.
                endpoint_config=gcp.dataproc.ClusterClusterConfigEndpointConfigArgs(enable_http_port_access=False),
                autoscaling_config=gcp.dataproc.ClusterClusterConfigAutoscalingConfigArgs(policy_uri=policy.name),
                lifecycle_config=lifecycle(placement),
                security_config=security,
                software_config=gcp.dataproc.ClusterClusterConfigSoftwareConfigArgs(
                    image_version=IMAGE_VERSION,
                    optional_components=[],
                    properties={"dataproc:dataproc.logging.stackdriver.job.driver.enable": "true"},
                ),
                master_config=gcp.dataproc.ClusterClusterConfigMasterConfigArgs(
                    num_instances=3 if placement.is_prod else 1, machine_type="n2-standard-4", disk_config=disk
                ),
                worker_config=gcp.dataproc.ClusterClusterConfigWorkerConfigArgs(
                    num_instances=2,
                    machine_type="n2-standard-4",
                    disk_config=gcp.dataproc.ClusterClusterConfigWorkerConfigDiskConfigArgs(
                        boot_disk_type="pd-balanced", boot_disk_size_gb=100
                    ),
                ),
            ),
            # Every grant the account needs (and the buckets and secret) exists before the cluster does.
            opts=child_opts(self, depends_on=[support]),
        )
        self.cluster_name = cluster.name
        self.service_account_id = support.service_account_id
        self.service_account_member = support.service_account_member
        register_declared(self)
