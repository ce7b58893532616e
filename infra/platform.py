"""HipaaPlatform: the one component that owns the whole environment and wires its parts together.

Each component gets an args object built here from the PlatformConfig, holding only what that
component uses, and the outputs it needs from the components built before it. Nothing here reads
a component's children: every value passed on is an output the component declares.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.compute.api_identity import ApiIdentity, ApiIdentityArgs
from infra.compute.dataproc import KERBEROS_KEY_PURPOSE, Dataproc, DataprocArgs
from infra.compute.gke import Gke, GkeArgs
from infra.compute.vertex import Vertex, VertexArgs
from infra.config import PlatformConfig
from infra.data.storage import Storage, StorageArgs
from infra.data.warehouse.warehouse import Warehouse
from infra.data.warehouse.warehouse_args import WarehouseArgs
from infra.delivery.delivery import Delivery, DeliveryArgs, trigger_substitutions
from infra.delivery.drift import DriftCheck, DriftCheckArgs
from infra.delivery.registry import Registry, RegistryArgs, signing_public_key
from infra.interface import register_declared
from infra.naming import build_pool_path, log_bucket_path
from infra.network.api_edge import ApiEdge, ApiEdgeArgs
from infra.network.network import Network, NetworkArgs
from infra.security.audit_logging import AuditLogging, AuditLoggingArgs
from infra.security.kms import Kms, KmsArgs
from infra.security.monitoring import Monitoring, MonitoringArgs
from infra.security.mrn_hmac_secret import MrnHmacSecret, MrnHmacSecretArgs
from infra.security.org_policies import OrgPolicies, OrgPoliciesArgs
from infra.security.perimeter import Perimeter, PerimeterArgs
from pipeline.render import content_hash, drift_content_hash

# Buckets the pipeline writes objects to: compliance reports, built artifacts, restore-test backups.
PIPELINE_BUCKETS = ("reports", "artifacts", "backups")


class HipaaPlatform(pulumi.ComponentResource):
    """The whole environment: every component, wired through the outputs each declares."""

    TYPE_TOKEN = "hipaa:platform:HipaaPlatform"

    keyring_id: pulumi.Output[str]
    """The environment's keyring (Kms)."""
    network_id: pulumi.Output[str]
    """The environment's only VPC (Network)."""
    gke_cluster_name: pulumi.Output[str]
    """The private GKE cluster (Gke)."""
    dataproc_cluster_name: pulumi.Output[str]
    """The private Dataproc cluster (Dataproc)."""
    mrn_hmac_secret_name: pulumi.Output[str]
    """The secret holding the MRN pseudonymization key (MrnHmacSecret)."""
    trigger_id: pulumi.Output[str]
    """The stack's Cloud Build trigger (Delivery)."""
    perimeter_name: pulumi.Output[str]
    """The VPC Service Controls perimeter (Perimeter)."""
    api_hostname: pulumi.Output[str]
    """The API's private name, served only over TLS 1.3 (ApiEdge)."""

    def __init__(self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        # One explicit provider: default project, region and labels are set here and only here.
        provider = gcp.Provider(
            f"{name}-gcp",
            project=config.project_id,
            region=config.region,
            default_labels=config.labels,
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, providers={"gcp": provider})
        placement = config.placement
        kms = Kms(
            "kms",
            KmsArgs(
                placement=placement,
                security_project_id=config.security_project_id,
                siem_project_id=config.siem_project_id,
                rotation_period=config.rotation_period,
            ),
            opts=child,
        )
        keys = kms.key_ids
        OrgPolicies(
            "org-policies",
            OrgPoliciesArgs(
                project_id=config.project_id,
                allowed_locations=config.allowed_locations,
                build_pool=build_pool_path(config),
            ),
            opts=child,
        )
        AuditLogging(
            "audit",
            AuditLoggingArgs(
                placement=placement,
                siem_project_id=config.siem_project_id,
                log_retention_days=config.log_retention_days,
                logging_key_id=keys["logging"],
            ),
            opts=child,
        )
        storage = Storage(
            "storage",
            StorageArgs(
                placement=placement,
                storage_key_id=keys["storage"],
                log_retention_days=config.log_retention_days,
                report_retention_days=config.report_retention_days,
            ),
            opts=child,
        )
        network = Network("network", NetworkArgs(placement=placement, ranges=config.ranges), opts=child)
        # The API is reached only over TLS 1.3, through the Gateway in workloads/k8s/gateway.yaml.
        api_edge = ApiEdge(
            "api-edge",
            ApiEdgeArgs(
                placement=placement,
                network_id=network.network_id,
                subnet_id=network.subnet_id,
                subnet_cidr=config.ranges.primary,
                privateca_key_id=keys["privateca"],
            ),
            opts=child,
        )
        Registry(
            "registry",
            RegistryArgs(
                placement=placement,
                artifacts_key_id=keys["artifacts"],
                signing_key_id=kms.signing_key_id,
                public_key_pem=signing_public_key(kms.signing_key_id),
            ),
            opts=child,
        )
        gke = Gke(
            "gke",
            GkeArgs(
                placement=placement,
                subnet_cidr=config.ranges.primary,
                master_cidr=config.ranges.gke_master,
                network_id=network.network_id,
                subnet_id=network.subnet_id,
                gke_key_id=keys["gke"],
                compute_key_id=keys["compute"],
            ),
            opts=child,
        )
        dataproc = Dataproc(
            "dataproc",
            DataprocArgs(
                placement=placement,
                subnet_id=network.subnet_id,
                compute_key_id=keys["compute"],
                storage_key_id=keys["storage"],
                kerberos_key_id=keys[KERBEROS_KEY_PURPOSE],
            ),
            # Dataproc's own buckets log their access to the storage component's access-log bucket,
            # which must exist, and accept Google's log writer, first.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[storage])),
        )
        mrn_hmac_secret = MrnHmacSecret(
            "mrn-hmac",
            MrnHmacSecretArgs(
                placement=placement, secrets_key_id=keys["secrets"], accessor=dataproc.service_account_member
            ),
            opts=child,
        )
        Vertex(
            "vertex",
            VertexArgs(
                placement=placement,
                network_id=network.network_id,
                network_name=network.network_name,
                subnet_id=network.subnet_id,
                private_services_connection=network.private_services_connection,
                vertex_key_id=keys["vertex"],
            ),
            opts=child,
        )
        delivery = Delivery(
            "delivery",
            DeliveryArgs(
                placement=placement,
                build_pool_cidr=config.ranges.build_pool,
                network_name=network.network_name,
                private_services_connection=network.private_services_connection,
                logging_key_id=keys["logging"],
                log_retention_days=config.log_retention_days,
                repo_owner=config.repo_owner,
                repo_name=config.repo_name,
                substitutions=trigger_substitutions(config),
                pipeline_hash=content_hash(),
                siem_project_id=config.siem_project_id,
                approver_group=config.approver_group,
                signing_key_id=kms.signing_key_id,
                writable_buckets=[storage.bucket_names[purpose] for purpose in PIPELINE_BUCKETS],
                act_as=[dataproc.service_account_id],
            ),
            opts=child,
        )
        build = delivery.build_account_member
        DriftCheck(
            "drift",
            DriftCheckArgs(
                placement=placement,
                repo_owner=config.repo_owner,
                repo_name=config.repo_name,
                source_ref=config.source_ref,
                build_account_id=delivery.build_account_email.apply(
                    lambda email: f"projects/{placement.project_id}/serviceAccounts/{email}"
                ),
                substitutions=trigger_substitutions(config),
                drift_hash=drift_content_hash(),
            ),
            opts=child,
        )
        warehouse = Warehouse(
            "warehouse",
            WarehouseArgs(
                placement=placement,
                bigquery_key_id=keys["bigquery"],
                analyst_group=config.analyst_group,
                engineer_group=config.engineer_group,
                analyst_regions=config.analyst_regions,
                reidentification_group=config.reidentification_group,
                column_kek_id=kms.column_kek_id,
                keyset_creator=delivery.deployer_account_member,
                backup_operators=[build],
                data_processors=[dataproc.service_account_member],
                model_trainers=[build],
            ),
            opts=child,
        )
        ApiIdentity(
            "api-identity",
            ApiIdentityArgs(
                placement=placement,
                workload_pool=gke.workload_pool,
                deidentified_dataset_id=warehouse.dataset_ids["deidentified"],
            ),
            opts=child,
        )
        Monitoring(
            "monitoring",
            MonitoringArgs(
                placement=placement,
                security_project_id=config.security_project_id,
                audit_log_bucket=log_bucket_path(config),
                pubsub_key_id=keys["pubsub"],
                publishers=[build],
            ),
            opts=child,
        )
        # The pipeline works inside the perimeter as the build account, and pulumi up as the deployer.
        perimeter = Perimeter(
            "perimeter",
            PerimeterArgs(
                placement=placement,
                access_policy_id=config.access_policy_id,
                siem_project_id=config.siem_project_id,
                security_project_id=config.security_project_id,
                ingress_identities=[build, delivery.deployer_account_member],
            ),
            opts=child,
        )
        self.keyring_id = kms.keyring_id
        self.network_id = network.network_id
        self.gke_cluster_name = gke.cluster_name
        self.dataproc_cluster_name = dataproc.cluster_name
        self.mrn_hmac_secret_name = mrn_hmac_secret.secret_name
        self.trigger_id = delivery.trigger_id
        self.perimeter_name = perimeter.perimeter_name
        self.api_hostname = api_edge.hostname
        register_declared(self)
