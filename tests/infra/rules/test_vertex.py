"""Vertex rules: the component passes every rule; each rule fails on a violating resource."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.vertex import ENDPOINT, METADATA_STORE, RULES, WORKBENCH
from tests.infra.compute.builders import built_vertex
from tests.infra.recording import changed


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def component(kind: str) -> Resource:
    return next(r for r in built_vertex() if r.type == kind)


def test_component_is_compliant() -> None:
    assert ids(list(built_vertex("prod"))) == set()
    assert ids(list(built_vertex("dev")), "dev") == set()


@pytest.mark.parametrize(
    ("kind", "path", "value", "rule"),
    [
        (WORKBENCH, "gceSetup.disablePublicIp", False, "VTX-01"),
        (WORKBENCH, "disableProxyAccess", False, "VTX-01"),
        (WORKBENCH, "gceSetup.bootDisk.diskEncryption", "GMEK", "VTX-02"),
        (WORKBENCH, "gceSetup.dataDisks.kmsKey", None, "VTX-02"),
        (WORKBENCH, "gceSetup.metadata.notebook-disable-root", "false", "VTX-03"),
        (WORKBENCH, "gceSetup.metadata.idle-timeout-seconds", None, "VTX-03"),
        (WORKBENCH, "gceSetup.shieldedInstanceConfig.enableSecureBoot", False, "VTX-03"),
        (WORKBENCH, "gceSetup.serviceAccounts", [{"email": "1-compute@developer.gserviceaccount.com"}], "VTX-03"),
        (WORKBENCH, "gceSetup.serviceAccounts", None, "VTX-03"),
        (ENDPOINT, "network", None, "VTX-04"),
        (ENDPOINT, "network", "projects/nwh-analytics-prd/global/networks/vpc", "VTX-04"),
        (ENDPOINT, "encryptionSpec", None, "VTX-05"),
        (ENDPOINT, "predictRequestResponseLoggingConfig.enabled", True, "VTX-06"),
        (METADATA_STORE, "encryptionSpec.kmsKeyName", None, "VTX-05"),
    ],
)
def test_violation_is_caught(kind: str, path: str, value: Any, rule: str) -> None:
    assert ids([changed(component(kind), path, value)]) == {rule}
