"""Gke: each test states one property of the cluster or node pool and fails when it is removed."""

from __future__ import annotations

import pytest

from infra.compute.gke import NODE_ROLES
from tests.infra.compute.builders import KEYS, NETWORK, SUBNET, built_gke
from tests.infra.recording import config_for, of_type, only

CLUSTER = "gcp:container/cluster:Cluster"
POOL = "gcp:container/nodePool:NodePool"


def cluster(environment: str = "prod") -> dict[str, object]:
    return dict(only(list(built_gke(environment)), CLUSTER).inputs)


def pool(environment: str = "prod") -> dict[str, object]:
    return dict(only(list(built_gke(environment)), POOL).inputs)


def labels(environment: str) -> dict[str, str]:
    """The labels Cloud Asset Inventory and the LBL rules look for, spelled out."""
    return {
        "compliance": "hipaa",
        "data-classification": "phi",
        "environment": environment,
        "managed-by": "pulumi",
    }


def test_nodes_are_private_with_the_configured_master_range(stack: str) -> None:
    private = cluster(stack)["privateClusterConfig"]
    assert private == {
        "enablePrivateNodes": True,
        "enablePrivateEndpoint": stack != "dev",
        "masterIpv4CidrBlock": config_for(stack).ranges.gke_master,
    }


def test_private_endpoint_in_staging_and_prod_public_only_in_dev() -> None:
    assert cluster("prod")["privateClusterConfig"]["enablePrivateEndpoint"] is True  # type: ignore[index]
    assert cluster("staging")["privateClusterConfig"]["enablePrivateEndpoint"] is True  # type: ignore[index]
    assert cluster("dev")["privateClusterConfig"]["enablePrivateEndpoint"] is False  # type: ignore[index]


def test_master_authorized_networks_are_the_private_subnet_only(stack: str) -> None:
    config = config_for(stack)
    networks = cluster(stack)["masterAuthorizedNetworksConfig"]
    assert networks == {
        "cidrBlocks": [
            {"cidrBlock": config.ranges.primary, "displayName": "private-subnet"},
        ],
        "gcpPublicCidrsAccessEnabled": False,
        "privateEndpointEnforcementEnabled": True,
    }


def test_cluster_sits_on_the_private_network_with_named_secondary_ranges() -> None:
    inputs = cluster()
    assert inputs["network"] == NETWORK and inputs["subnetwork"] == SUBNET
    assert inputs["ipAllocationPolicy"] == {
        "clusterSecondaryRangeName": "gke-pods",
        "servicesSecondaryRangeName": "gke-services",
        "stackType": "IPV4",
    }


def test_workload_identity_pool_is_the_projects() -> None:
    assert cluster()["workloadIdentityConfig"] == {"workloadPool": "nwh-analytics-prd.svc.id.goog"}


def test_binary_authorization_enforces_the_project_policy() -> None:
    assert cluster()["binaryAuthorization"] == {"evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE"}


def test_secrets_are_encrypted_with_the_gke_key() -> None:
    assert cluster()["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": f"{KEYS}/gke-cmek"}


def test_control_plane_hardening() -> None:
    inputs = cluster()
    assert inputs["enableShieldedNodes"] is True
    assert inputs["enableLegacyAbac"] is False
    assert inputs["enableKubernetesAlpha"] is False
    assert inputs["masterAuth"] == {"clientCertificateConfig": {"issueClientCertificate": False}}
    assert inputs["datapathProvider"] == "ADVANCED_DATAPATH"
    assert inputs["enableIntranodeVisibility"] is True


def test_default_pool_is_removed() -> None:
    assert cluster()["removeDefaultNodePool"] is True


@pytest.mark.parametrize(("environment", "channel"), [("dev", "REGULAR"), ("staging", "REGULAR"), ("prod", "STABLE")])
def test_release_channel(environment: str, channel: str) -> None:
    assert cluster(environment)["releaseChannel"] == {"channel": channel}


def test_logging_and_monitoring_of_system_and_workloads() -> None:
    inputs = cluster()
    assert inputs["loggingConfig"] == {"enableComponents": ["SYSTEM_COMPONENTS", "WORKLOADS"]}
    # GKE has no WORKLOADS monitoring component any more: Managed Prometheus collects workload metrics.
    assert inputs["monitoringConfig"] == {
        "enableComponents": ["SYSTEM_COMPONENTS", "APISERVER", "SCHEDULER", "CONTROLLER_MANAGER"],
        "managedPrometheus": {"enabled": True},
    }


def test_security_posture() -> None:
    assert cluster("prod")["securityPostureConfig"] == {
        "mode": "BASIC",
        "vulnerabilityMode": "VULNERABILITY_ENTERPRISE",
    }
    assert cluster("dev")["securityPostureConfig"] == {"mode": "BASIC", "vulnerabilityMode": "VULNERABILITY_BASIC"}


def test_deletion_protection_in_prod_only() -> None:
    assert cluster("prod")["deletionProtection"] is True
    assert cluster("dev")["deletionProtection"] is False


def test_node_pool_runs_as_the_dedicated_account_with_cloud_platform_scope_only() -> None:
    config = pool()["nodeConfig"]
    assert config["serviceAccount"] == "hipaa-prod-gke-nodes@nwh-analytics-prd.iam.gserviceaccount.com"  # type: ignore[index]
    assert config["oauthScopes"] == ["https://www.googleapis.com/auth/cloud-platform"]  # type: ignore[index]


def test_node_account_has_exactly_the_least_privilege_roles() -> None:
    members = of_type(list(built_gke("prod")), "gcp:projects/iAMMember:IAMMember")
    # Spelled out, not read back from NODE_ROLES: a role dropped or renamed there must fail here too
    # (without logWriter and metricWriter the nodes' logs and metrics never reach Cloud Logging).
    assert sorted(m.inputs["role"] for m in members) == [
        "roles/artifactregistry.reader",
        "roles/logging.logWriter",
        "roles/monitoring.metricWriter",
        "roles/monitoring.viewer",
        "roles/stackdriver.resourceMetadata.writer",
    ]
    assert {m.inputs["member"] for m in members} == {
        "serviceAccount:hipaa-prod-gke-nodes@nwh-analytics-prd.iam.gserviceaccount.com"
    }
    assert "roles/editor" not in NODE_ROLES and "roles/owner" not in NODE_ROLES


def test_nodes_are_shielded_cmek_and_use_the_gke_metadata_server() -> None:
    config = pool()["nodeConfig"]
    assert config["shieldedInstanceConfig"] == {"enableSecureBoot": True, "enableIntegrityMonitoring": True}  # type: ignore[index]
    assert config["bootDiskKmsKey"] == f"{KEYS}/compute-cmek"  # type: ignore[index]
    assert config["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}  # type: ignore[index]
    assert config["metadata"] == {"disable-legacy-endpoints": "true"}  # type: ignore[index]


def test_nodes_auto_upgrade_and_auto_repair() -> None:
    assert pool()["management"] == {"autoRepair": True, "autoUpgrade": True}


def test_dns_endpoint_admits_iam_credentials_only(stack: str) -> None:
    assert cluster(stack)["controlPlaneEndpointsConfig"] == {
        "dnsEndpointConfig": {
            "allowExternalTraffic": True,
            "enableK8sTokensViaDns": False,
            "enableK8sCertsViaDns": False,
        },
        "ipEndpointsConfig": {"enabled": True},
    }


def test_cluster_and_node_pool_live_in_the_workload_project_and_region(stack: str) -> None:
    # Inside the VPC-SC perimeter's project and the stack's region, not wherever the provider defaults.
    placement = config_for(stack).placement
    for inputs in (cluster(stack), pool(stack)):
        assert (inputs["project"], inputs["location"]) == (placement.project_id, placement.region)


def test_cluster_carries_the_labels_the_phi_inventory_finds_it_by(stack: str) -> None:
    assert cluster(stack)["resourceLabels"] == labels(stack)


def test_nodes_carry_the_labels_the_phi_inventory_finds_them_by(stack: str) -> None:
    assert pool(stack)["nodeConfig"]["resourceLabels"] == labels(stack)  # type: ignore[index]


def test_nodes_run_container_optimized_os() -> None:
    # COS: read-only root file system, no package manager, hardened and patched by Google.
    assert pool()["nodeConfig"]["imageType"] == "COS_CONTAINERD"  # type: ignore[index]


def test_gateway_api_is_installed_from_the_standard_channel(stack: str) -> None:
    # The API is reached only through its Gateway (TLS 1.3 SSL policy, private-CA certificate); the
    # experimental channel would install CRDs and fields outside GKE's supported surface.
    assert cluster(stack)["gatewayApiConfig"] == {"channel": "CHANNEL_STANDARD"}
