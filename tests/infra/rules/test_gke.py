"""GKE rules: the component passes every rule; each rule fails on a violating resource."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.gke import CLUSTER, NODE_POOL, RULES
from tests.infra.compute.builders import built_gke
from tests.infra.recording import changed


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def component(kind: str, environment: str = "prod") -> Resource:
    return next(r for r in built_gke(environment) if r.type == kind)


def test_component_is_compliant_in_every_environment(stack: str) -> None:
    assert ids(list(built_gke(stack)), stack) == set()


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("privateClusterConfig.enablePrivateNodes", False, "GKE-01"),
        ("privateClusterConfig.enablePrivateEndpoint", False, "GKE-02"),
        ("masterAuthorizedNetworksConfig.cidrBlocks", None, "GKE-03"),
        ("masterAuthorizedNetworksConfig.cidrBlocks", [{"cidrBlock": "0.0.0.0/0"}], "GKE-03"),
        ("masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled", True, "GKE-03"),
        ("workloadIdentityConfig", None, "GKE-04"),
        ("binaryAuthorization.evaluationMode", "DISABLED", "GKE-05"),
        ("databaseEncryption.state", "DECRYPTED", "GKE-06"),
        ("databaseEncryption.keyName", None, "GKE-06"),
        ("enableShieldedNodes", False, "GKE-07"),
        ("enableLegacyAbac", True, "GKE-07"),
        ("masterAuth.clientCertificateConfig.issueClientCertificate", True, "GKE-07"),
        ("datapathProvider", "LEGACY_DATAPATH", "GKE-07"),
        ("loggingConfig.enableComponents", ["SYSTEM_COMPONENTS"], "GKE-08"),
        ("monitoringConfig.enableComponents", ["APISERVER"], "GKE-08"),
        ("monitoringConfig.managedPrometheus.enabled", False, "GKE-08"),
        ("monitoringConfig", None, "GKE-08"),
        ("releaseChannel", None, "GKE-16"),
        ("releaseChannel.channel", "UNSPECIFIED", "GKE-16"),
        ("enableIntranodeVisibility", False, "GKE-17"),
        ("enableIntranodeVisibility", None, "GKE-17"),
        ("securityPostureConfig", None, "GKE-18"),
        ("securityPostureConfig.mode", "DISABLED", "GKE-18"),
        ("securityPostureConfig.vulnerabilityMode", "VULNERABILITY_DISABLED", "GKE-18"),
        ("securityPostureConfig.vulnerabilityMode", None, "GKE-18"),
        ("enableKubernetesAlpha", True, "GKE-19"),
        ("enableKubernetesAlpha", None, "GKE-19"),
        ("deletionProtection", False, "GKE-09"),
        ("controlPlaneEndpointsConfig", None, "GKE-15"),
        ("controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic", False, "GKE-15"),
        ("controlPlaneEndpointsConfig.dnsEndpointConfig.enableK8sTokensViaDns", True, "GKE-15"),
        ("controlPlaneEndpointsConfig.dnsEndpointConfig.enableK8sCertsViaDns", None, "GKE-15"),
    ],
)
def test_cluster_violation_is_caught(path: str, value: Any, rule: str) -> None:
    assert ids([changed(component(CLUSTER), path, value)]) == {rule}


def test_public_endpoint_is_allowed_in_dev_only() -> None:
    public = changed(component(CLUSTER, "dev"), "privateClusterConfig.enablePrivateEndpoint", False)
    assert ids([public], "dev") == set()
    assert ids([public], "staging") == {"GKE-02"}


def test_no_deletion_protection_is_allowed_in_dev() -> None:
    assert ids([changed(component(CLUSTER, "dev"), "deletionProtection", False)], "dev") == set()


def test_prod_cluster_needs_pulumi_protect_behind_the_provider_guard() -> None:
    cluster = component(CLUSTER)
    assert cluster.protect is True
    assert ids([Resource(cluster.type, cluster.name, cluster.urn, cluster.inputs, False)]) == {"GKE-09"}
    assert component(CLUSTER, "dev").protect is False and ids([component(CLUSTER, "dev")], "dev") == set()


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("nodeConfig.serviceAccount", None, "GKE-10"),
        ("nodeConfig.serviceAccount", "default", "GKE-10"),
        ("nodeConfig.serviceAccount", "123-compute@developer.gserviceaccount.com", "GKE-10"),
        ("nodeConfig.shieldedInstanceConfig.enableSecureBoot", False, "GKE-11"),
        ("nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring", None, "GKE-11"),
        ("nodeConfig.bootDiskKmsKey", None, "GKE-12"),
        ("nodeConfig.workloadMetadataConfig.mode", "GCE_METADATA", "GKE-13"),
        ("management.autoUpgrade", False, "GKE-14"),
        ("management.autoRepair", None, "GKE-14"),
    ],
)
def test_node_pool_violation_is_caught(path: str, value: Any, rule: str) -> None:
    assert ids([changed(component(NODE_POOL), path, value)]) == {rule}
