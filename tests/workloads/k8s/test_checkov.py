"""Checkov's own Kubernetes and Dockerfile checks over the real manifests and Dockerfile: no failed check.

The run is the session's one real checkov gate run (tests/security/checkov/gate_run.py: Checkov 3.3.30
from .venv-tools, offline, with the HIPAA policies, which tests/security/checkov/test_hipaa_policies.py
judges). A deliberately weakened Deployment is scanned in the same run, so the test shows Checkov really
catches a violation here.
"""

from __future__ import annotations

import pytest

from tests.security.checkov.gate_run import PROJECT_API, PROJECT_K8S, WEAKENED, GateRun, gate_run


@pytest.fixture(scope="module")
def gate() -> GateRun:
    return gate_run()


def failures(gate: GateRun, under: str) -> list[str]:
    return sorted(
        f"{r.check_id} {r.resource} ({r.file_path})" for r in gate.select(under, hipaa=False, status="failed")
    )


def test_manifests_pass_every_kubernetes_check(gate: GateRun) -> None:
    assert failures(gate, PROJECT_K8S) == []
    assert gate.reports["kubernetes"]["summary"]["parsing_errors"] == 0
    # Checkov's checks look at the Deployment (also as the pod its template describes) and the Service;
    # with the HIPAA policies every kind that has a check was judged (none exists for NetworkPolicy or
    # PodDisruptionBudget: the HIPAA policies read those as part of the manifest set).
    checked = gate.select(PROJECT_K8S, hipaa=False, status="passed")
    judged = checked + gate.select(PROJECT_K8S, hipaa=True)
    assert sorted({r.resource.split(".app.kubernetes.io")[0] for r in judged}) == [
        "Deployment.hipaa-api.hipaa-api",
        "Namespace.default.hipaa-api",
        "Pod.hipaa-api.hipaa-api",
        "Service.hipaa-api.hipaa-api",
        "ServiceAccount.hipaa-api.hipaa-api",
    ]
    assert len(checked) > 50


def test_dockerfile_passes_every_dockerfile_check(gate: GateRun) -> None:
    assert failures(gate, PROJECT_API) == []
    assert len(gate.select(PROJECT_API, hipaa=False, status="passed")) > 20


def test_checkov_catches_a_weakened_deployment(gate: GateRun) -> None:
    assert [f.split(" ")[0] for f in failures(gate, WEAKENED)] == ["CKV_K8S_20", "CKV_K8S_22"]
