"""Vertex AI: a locked-down Workbench instance, a private CMEK endpoint and a CMEK metadata store."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import child_opts, data_opts, resource_name, vertex_endpoint_name
from infra.placement import Placement

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


@dataclass(frozen=True)
class VertexArgs:
    placement: Placement
    """Environment (names, protection), workload project, region (endpoint, store, the Workbench's zone `-a`)."""
    network_id: pulumi.Input[str]
    """The VPC the Workbench instance's interface attaches to."""
    network_name: pulumi.Input[str]
    """The same VPC by name: the private endpoint peers with it by project number and name."""
    subnet_id: pulumi.Input[str]
    """The private subnet of the Workbench instance (no public IP)."""
    private_services_connection: pulumi.Resource
    """The private services access peering (`Network.private_services_connection`); the endpoint waits for it."""
    vertex_key_id: pulumi.Input[str]
    """CMEK key of the Workbench disks, the endpoint and the metadata store."""


class Vertex(pulumi.ComponentResource):
    """Vertex AI: a locked-down Workbench instance, a private CMEK endpoint and a CMEK metadata store."""

    TYPE_TOKEN = "hipaa:compute:Vertex"

    workbench_service_account_email: pulumi.Output[str]
    """The Workbench instance's least-privilege service account."""
    endpoint_id: pulumi.Output[str]
    """The private (peered) prediction endpoint, request logging off."""
    metadata_store_id: pulumi.Output[str]
    """The CMEK metadata store."""

    def __init__(self, name: str, args: VertexArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        account = gcp.serviceaccount.Account(
            f"{name}-workbench-sa",
            account_id=resource_name(placement, "workbench"),
            display_name="Vertex Workbench (least privilege)",
            project=placement.project_id,
            opts=child_opts(self),
        )
        for role in WORKBENCH_ROLES:
            gcp.projects.IAMMember(
                f"{name}-workbench-{role.rsplit('/', maxsplit=1)[-1].replace('.', '-')}",
                project=placement.project_id,
                role=role,
                member=account.member,
                opts=child_opts(self),
            )
        gcp.workbench.Instance(
            f"{name}-workbench",
            name=resource_name(placement, "workbench"),
            project=placement.project_id,
            location=f"{placement.region}-a",
            # No Google-hosted JupyterLab proxy: access only from inside the network.
            disable_proxy_access=True,
            enable_third_party_identity=False,
            enable_deletion_protection=placement.is_prod,
            gce_setup=gcp.workbench.InstanceGceSetupArgs(
                machine_type="e2-standard-4",
                disable_public_ip=True,
                enable_ip_forwarding=False,
                network_interfaces=[
                    gcp.workbench.InstanceGceSetupNetworkInterfaceArgs(
                        network=args.network_id, subnet=args.subnet_id, nic_type="GVNIC"
                    )
                ],
                service_accounts=[gcp.workbench.InstanceGceSetupServiceAccountArgs(email=account.email)],
                boot_disk=gcp.workbench.InstanceGceSetupBootDiskArgs(
                    disk_type="PD_BALANCED", disk_size_gb="150", disk_encryption="CMEK", kms_key=args.vertex_key_id
                ),
                data_disks=gcp.workbench.InstanceGceSetupDataDisksArgs(
                    disk_type="PD_BALANCED", disk_size_gb="100", disk_encryption="CMEK", kms_key=args.vertex_key_id
                ),
                shielded_instance_config=gcp.workbench.InstanceGceSetupShieldedInstanceConfigArgs(
                    enable_secure_boot=True, enable_vtpm=True, enable_integrity_monitoring=True
                ),
                metadata=WORKBENCH_METADATA,
            ),
            labels=placement.labels,
            opts=data_opts(placement, self),
        )
        number = gcp.organizations.get_project_output(project_id=placement.project_id).number
        endpoint = gcp.vertex.AiEndpoint(
            f"{name}-endpoint",
            display_name=vertex_endpoint_name(placement),
            project=placement.project_id,
            location=placement.region,
            region=placement.region,
            network=pulumi.Output.all(number, args.network_name).apply(lambda v: peered_network(str(v[0]), str(v[1]))),
            encryption_spec=gcp.vertex.AiEndpointEncryptionSpecArgs(kms_key_name=args.vertex_key_id),
            # Request/response logging would copy PHI into BigQuery; it stays off.
            predict_request_response_logging_config=gcp.vertex.AiEndpointPredictRequestResponseLoggingConfigArgs(
                enabled=False
            ),
            labels=placement.labels,
            opts=child_opts(self, depends_on=[args.private_services_connection]),
        )
        metadata_store = gcp.vertex.AiMetadataStore(
            f"{name}-metadata",
            name=resource_name(placement, "metadata"),
            project=placement.project_id,
            region=placement.region,
            encryption_spec=gcp.vertex.AiMetadataStoreEncryptionSpecArgs(kms_key_name=args.vertex_key_id),
            opts=data_opts(placement, self),
        )
        self.workbench_service_account_email = account.email
        self.endpoint_id = endpoint.id
        self.metadata_store_id = metadata_store.id
        register_declared(self)
