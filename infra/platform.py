"""HipaaPlatform: the one component that owns the whole environment and wires its parts together."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.compute.api_identity import ApiIdentity
from infra.compute.dataproc import Dataproc
from infra.compute.gke import Gke
from infra.compute.vertex import Vertex
from infra.config import PlatformConfig
from infra.data.storage import Storage
from infra.data.warehouse.warehouse import Warehouse
from infra.delivery.delivery import Delivery, trigger_substitutions
from infra.delivery.registry import Registry, signing_public_key
from infra.network.network import Network
from infra.security.audit_logging import AuditLogging
from infra.security.kms import Kms
from infra.security.monitoring import Monitoring
from infra.security.mrn_hmac_secret import MrnHmacSecret
from infra.security.org_policies import OrgPolicies
from infra.security.perimeter import Perimeter
from pipeline.render import content_hash


class HipaaPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hipaa:platform:HipaaPlatform", name, None, opts)
        # One explicit provider: default project, region and labels are set here and only here.
        provider = gcp.Provider(
            f"{name}-gcp",
            project=config.project_id,
            region=config.region,
            default_labels=config.labels,
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, providers={"gcp": provider})
        self.kms = Kms("kms", config, opts=child)
        keys = self.kms.key_id
        self.org_policies = OrgPolicies("org-policies", config, opts=child)
        self.audit = AuditLogging("audit", config, logging_key_id=keys("logging"), opts=child)
        self.storage = Storage("storage", config, storage_key_id=keys("storage"), opts=child)
        buckets = self.storage.buckets
        self.network = Network("network", config, opts=child)
        network, subnet = self.network.network, self.network.subnet
        self.registry = Registry(
            "registry",
            config,
            artifacts_key_id=keys("artifacts"),
            signing_key_id=self.kms.signing_key.id,
            public_key_pem=signing_public_key(self.kms.signing_key.id),
            opts=child,
        )
        self.gke = Gke(
            "gke",
            config,
            gke_key_id=keys("gke"),
            compute_key_id=keys("compute"),
            network_id=network.id,
            subnet_id=subnet.id,
            opts=child,
        )
        self.dataproc = Dataproc(
            "dataproc",
            config,
            compute_key_id=keys("compute"),
            storage_key_id=keys("storage"),
            secrets_key_id=keys("secrets"),
            subnet_id=subnet.id,
            # Dataproc's own buckets log their access to the storage component's access-log bucket.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[self.storage])),
        )
        self.mrn_hmac_secret = MrnHmacSecret(
            "mrn-hmac",
            config,
            secrets_key_id=keys("secrets"),
            accessor=self.dataproc.support.account.member,
            opts=child,
        )
        self.vertex = Vertex(
            "vertex",
            config,
            vertex_key_id=keys("vertex"),
            network_id=network.id,
            network_name=network.name,
            subnet_id=subnet.id,
            private_services_connection=self.network.private_services_connection,
            opts=child,
        )
        self.delivery = Delivery(
            "delivery",
            config,
            network_name=network.name,
            private_services_connection=self.network.private_services_connection,
            logging_key_id=keys("logging"),
            signing_key_id=self.kms.signing_key.id,
            substitutions=trigger_substitutions(config),
            pipeline_hash=content_hash(),
            writable_buckets=[buckets[purpose].name for purpose in ("reports", "artifacts", "backups")],
            act_as=[self.dataproc.support.account.id],
            opts=child,
        )
        identities = self.delivery.identities
        build = identities.build_account.member
        self.warehouse = Warehouse(
            "warehouse",
            config,
            bigquery_key_id=keys("bigquery"),
            backup_operators=[build],
            data_processors=[self.dataproc.support.account.member],
            model_trainers=[build],
            opts=child,
        )
        self.api_identity = ApiIdentity(
            "api-identity",
            config,
            workload_pool=self.gke.workload_pool,
            deidentified_dataset_id=self.warehouse.datasets["deidentified"].dataset_id,
            opts=child,
        )
        self.monitoring = Monitoring("monitoring", config, pubsub_key_id=keys("pubsub"), publishers=[build], opts=child)
        # The pipeline works inside the perimeter as the build account, and pulumi up as the deployer.
        self.perimeter = Perimeter(
            "perimeter",
            config,
            ingress_identities=[build, identities.deployer_account.member],
            opts=child,
        )
        self.register_outputs(
            {
                "keyring": self.kms.keyring.id,
                "network": network.id,
                "gkeCluster": self.gke.cluster.name,
                "dataprocCluster": self.dataproc.cluster.name,
                "mrnHmacSecret": self.mrn_hmac_secret.secret.name,
                "trigger": self.delivery.trigger.id,
                "perimeter": self.perimeter.perimeter.name,
            }
        )
