"""Vertex AI: a locked-down Workbench instance, a private CMEK endpoint and a CMEK metadata store."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.config import PlatformConfig
from infra.naming import child_opts, data_opts, resource_name

WORKBENCH_ROLES = ("roles/aiplatform.user", "roles/logging.logWriter", "roles/monitoring.metricWriter")
IDLE_TIMEOUT_SECONDS = "3600"
# Workbench metadata keys that close the notebook's side doors (root, downloads, nbconvert, SSH keys).
WORKBENCH_METADATA = {
    "notebook-disable-root": "true",
    "notebook-disable-downloads": "true",
    "notebook-disable-nbconvert": "true",
    "block-project-ssh-keys": "true",
    "serial-port-enable": "false",
    "idle-timeout-seconds": IDLE_TIMEOUT_SECONDS,
}


def peered_network(project_number: str, network_name: str) -> str:
    """The one network format Vertex private endpoints accept: by project number, not id."""
    return f"projects/{project_number}/global/networks/{network_name}"


class Vertex(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        config: PlatformConfig,
        *,
        vertex_key_id: pulumi.Input[str],
        network_id: pulumi.Input[str],
        network_name: pulumi.Input[str],
        subnet_id: pulumi.Input[str],
        private_services_connection: pulumi.Resource,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("hipaa:compute:Vertex", name, None, opts)
        self.account = gcp.serviceaccount.Account(
            f"{name}-workbench-sa",
            account_id=resource_name(config, "workbench"),
            display_name="Vertex Workbench (least privilege)",
            project=config.project_id,
            opts=child_opts(self),
        )
        for role in WORKBENCH_ROLES:
            gcp.projects.IAMMember(
                f"{name}-workbench-{role.split('/')[-1].replace('.', '-')}",
                project=config.project_id,
                role=role,
                member=self.account.member,
                opts=child_opts(self),
            )
        self.workbench = gcp.workbench.Instance(
            f"{name}-workbench",
            name=resource_name(config, "workbench"),
            project=config.project_id,
            location=f"{config.region}-a",
            # No Google-hosted JupyterLab proxy: access only from inside the network.
            disable_proxy_access=True,
            enable_third_party_identity=False,
            enable_deletion_protection=config.is_prod,
            gce_setup=gcp.workbench.InstanceGceSetupArgs(
                machine_type="e2-standard-4",
                disable_public_ip=True,
                enable_ip_forwarding=False,
                network_interfaces=[
                    gcp.workbench.InstanceGceSetupNetworkInterfaceArgs(
                        network=network_id, subnet=subnet_id, nic_type="GVNIC"
                    )
                ],
                service_accounts=[gcp.workbench.InstanceGceSetupServiceAccountArgs(email=self.account.email)],
                boot_disk=gcp.workbench.InstanceGceSetupBootDiskArgs(
                    disk_type="PD_BALANCED", disk_size_gb="150", disk_encryption="CMEK", kms_key=vertex_key_id
                ),
                data_disks=gcp.workbench.InstanceGceSetupDataDisksArgs(
                    disk_type="PD_BALANCED", disk_size_gb="100", disk_encryption="CMEK", kms_key=vertex_key_id
                ),
                shielded_instance_config=gcp.workbench.InstanceGceSetupShieldedInstanceConfigArgs(
                    enable_secure_boot=True, enable_vtpm=True, enable_integrity_monitoring=True
                ),
                metadata=WORKBENCH_METADATA,
            ),
            labels=config.labels,
            opts=data_opts(config, self),
        )
        number = gcp.organizations.get_project_output(project_id=config.project_id).number
        self.endpoint = gcp.vertex.AiEndpoint(
            f"{name}-endpoint",
            display_name=resource_name(config, "endpoint"),
            project=config.project_id,
            location=config.region,
            region=config.region,
            network=pulumi.Output.all(number, network_name).apply(lambda v: peered_network(str(v[0]), str(v[1]))),
            encryption_spec=gcp.vertex.AiEndpointEncryptionSpecArgs(kms_key_name=vertex_key_id),
            # Request/response logging would copy PHI into BigQuery; it stays off.
            predict_request_response_logging_config=gcp.vertex.AiEndpointPredictRequestResponseLoggingConfigArgs(
                enabled=False
            ),
            labels=config.labels,
            opts=child_opts(self, depends_on=[private_services_connection]),
        )
        self.metadata_store = gcp.vertex.AiMetadataStore(
            f"{name}-metadata",
            name=resource_name(config, "metadata"),
            project=config.project_id,
            region=config.region,
            encryption_spec=gcp.vertex.AiMetadataStoreEncryptionSpecArgs(kms_key_name=vertex_key_id),
            opts=data_opts(config, self),
        )
        self.register_outputs(
            {
                "workbench": self.workbench.id,
                "endpoint": self.endpoint.id,
                "metadataStore": self.metadata_store.id,
                "serviceAccount": self.account.email,
            }
        )
