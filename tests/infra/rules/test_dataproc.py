"""Dataproc rules: the component passes every rule; each rule fails on a violating cluster."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.dataproc import BUCKET, CLUSTER, RULES
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
        # The default account is also not the one granted the Kerberos password's bucket (DPR-10).
        ("clusterConfig.gceClusterConfig.serviceAccount", "1-compute@developer.gserviceaccount.com", "DPR-04,DPR-10"),
        ("clusterConfig.lifecycleConfig", {"idleDeleteTtl": "1800s"}, "DPR-05"),
        ("clusterConfig.endpointConfig.enableHttpPortAccess", True, "DPR-06"),
        ("clusterConfig.endpointConfig", None, "DPR-06"),
        ("clusterConfig.securityConfig", None, "DPR-07"),
        ("clusterConfig.securityConfig.kerberosConfig.enableKerberos", False, "DPR-07"),
        (
            "clusterConfig.securityConfig.kerberosConfig.rootPrincipalPasswordUri",
            "projects/nwh-analytics-prd/secrets/hipaa-prod-dataproc-kerberos-root/versions/1",
            "DPR-07",
        ),
        ("clusterConfig.securityConfig.kerberosConfig.rootPrincipalPasswordUri", "gs://bucket-only", "DPR-07"),
        ("clusterConfig.securityConfig.kerberosConfig.rootPrincipalPasswordUri", None, "DPR-07"),
        ("clusterConfig.securityConfig.kerberosConfig.kmsKeyUri", None, "DPR-07"),
        ("clusterConfig.securityConfig.kerberosConfig.kmsKeyUri", "projects/p/locations/l/keyRings/r", "DPR-07"),
        ("clusterConfig.autoscalingConfig", None, "DPR-08"),
        ("clusterConfig.stagingBucket", None, "DPR-09"),
        ("clusterConfig.tempBucket", None, "DPR-09"),
        ("clusterConfig.tempBucket", "", "DPR-09"),
    ],
)
def test_violation_is_caught_in_prod(path: str, value: Any, rule: str) -> None:
    others = [r for r in built_dataproc("prod") if r.type != CLUSTER]
    assert ids([changed(cluster(), path, value), *others]) == set(rule.split(","))


def test_dev_cluster_without_idle_ttl_fails() -> None:
    assert ids([changed(cluster("dev"), "clusterConfig.lifecycleConfig", None)], "dev") == {"DPR-05"}


def test_kerberos_is_required_in_prod_only() -> None:
    assert ids([cluster("staging")], "staging") == set()
    assert "securityConfig" not in cluster("staging").inputs["clusterConfig"]


def messages(resources: list[Resource]) -> list[str]:
    return [f.message for f in evaluate(resources, "prod", [r for r in RULES if r.id == "DPR-10"])]


def test_kerberos_password_in_a_bucket_the_stack_does_not_plan_fails() -> None:
    others = [r for r in built_dataproc("prod") if r.type != BUCKET or not r.inputs["name"].endswith("-kerberos")]
    assert messages(others) == [
        "dataproc-cluster: Kerberos password bucket nwh-analytics-prd-dataproc-kerberos is not planned in this stack"
    ]


def test_kerberos_password_the_cluster_account_cannot_read_fails() -> None:
    others = [r for r in built_dataproc("prod") if r.type != "gcp:storage/bucketIAMMember:BucketIAMMember"]
    assert messages(others) == [
        "dataproc-cluster: serviceAccount:hipaa-prod-dataproc@nwh-analytics-prd.iam.gserviceaccount.com may not "
        "read gs://nwh-analytics-prd-dataproc-kerberos (no object reader grant)"
    ]


def test_a_reader_grant_to_another_account_or_role_does_not_count() -> None:
    resources = list(built_dataproc("prod"))
    reader = next(r for r in resources if r.type == "gcp:storage/bucketIAMMember:BucketIAMMember")
    rest = [r for r in resources if r is not reader]
    assert messages([*rest, changed(reader, "member", "serviceAccount:other@p.iam.gserviceaccount.com")]) != []
    assert messages([*rest, changed(reader, "role", "roles/storage.legacyBucketReader")]) != []
    assert messages(resources) == []
