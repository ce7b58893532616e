"""Dataproc rules: the component passes every rule; each rule fails on a violating cluster."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.dataproc import CLUSTER, RULES
from tests.infra.compute.builders import built_dataproc
from tests.infra.recording import changed


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def cluster(environment: str = "prod") -> Resource:
    return next(r for r in built_dataproc(environment) if r.type == CLUSTER)


def test_component_is_compliant_in_every_environment(stack: str) -> None:
    assert ids(list(built_dataproc(stack)), stack) == set()


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("clusterConfig.gceClusterConfig.internalIpOnly", False, "DPR-01"),
        ("clusterConfig.gceClusterConfig.subnetwork", None, "DPR-01"),
        ("clusterConfig.encryptionConfig", None, "DPR-02"),
        ("clusterConfig.gceClusterConfig.shieldedInstanceConfig.enableVtpm", False, "DPR-03"),
        ("clusterConfig.gceClusterConfig.shieldedInstanceConfig.enableSecureBoot", None, "DPR-03"),
        ("clusterConfig.gceClusterConfig.serviceAccount", None, "DPR-04"),
        ("clusterConfig.gceClusterConfig.serviceAccount", "1-compute@developer.gserviceaccount.com", "DPR-04"),
        ("clusterConfig.lifecycleConfig", {"idleDeleteTtl": "1800s"}, "DPR-05"),
        ("clusterConfig.endpointConfig.enableHttpPortAccess", True, "DPR-06"),
        ("clusterConfig.endpointConfig", None, "DPR-06"),
        ("clusterConfig.securityConfig", None, "DPR-07"),
        ("clusterConfig.autoscalingConfig", None, "DPR-08"),
        ("clusterConfig.stagingBucket", None, "DPR-09"),
        ("clusterConfig.tempBucket", None, "DPR-09"),
        ("clusterConfig.tempBucket", "", "DPR-09"),
    ],
)
def test_violation_is_caught_in_prod(path: str, value: Any, rule: str) -> None:
    assert ids([changed(cluster(), path, value)]) == {rule}


def test_dev_cluster_without_idle_ttl_fails() -> None:
    assert ids([changed(cluster("dev"), "clusterConfig.lifecycleConfig", None)], "dev") == {"DPR-05"}


def test_kerberos_is_required_in_prod_only() -> None:
    assert ids([cluster("staging")], "staging") == set()
    assert "securityConfig" not in cluster("staging").inputs["clusterConfig"]
