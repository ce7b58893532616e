"""The committed cloudbuild.yaml, simulated end to end for its cloud-facing half, in `make test`.

The full pipeline takes minutes here (it installs the virtualenv and runs this whole test suite,
Pylint, Semgrep and Checkov for real), so `make simulate` runs it for every stack and every fault.
What runs here is the part whose scripts talk only to the cloud: the real executor on the real
config (the steps below and everything they wait for: verify-release, pool-guard, toolchain,
build-api-image), the real scripts, the fake world of the stack's real plan. Inside a simulated
build or on Cloud Build (the unit-tests step runs this suite in a workspace without .git) these tests
skip: the simulation copies the tracked files of a checkout, and the build running them is the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.simulate.run import Options, Simulation, simulate
from pipeline.simulate.violations import lookup
from tests.build_workspace import IN_BUILD_WORKSPACE
from tests.conftest import planned

pytestmark = pytest.mark.skipif(
    IN_BUILD_WORKSPACE, reason="in a build's workspace (no .git): the build running this suite is the test"
)
CLOUD_GATES = (
    "env-validation",
    "encryption",
    "access-controls",
    "audit-logs",
    "vpcsc-egress",
    "bigquery-governance",
    "trivy",
)
# The raw dataset without its CMEK default key: the encryption gate's own check names it, and the
# inventories of the gates that list the datasets (their encryption as planned) see the drift too.
FAULT = "dataset-without-cmek"
FAILING = {"encryption", "access-controls", "bigquery-governance"}


def statuses(simulation: Simulation) -> dict[str, str]:
    return {s.id: s.status.value for s in simulation.result.steps}


def evidence(simulation: Simulation, gate: str) -> dict[str, object]:
    document: dict[str, object] = json.loads(
        (simulation.run.workspace / "evidence" / f"{gate}.json").read_text("utf-8")
    )
    return document


def test_the_cloud_facing_gates_judge_the_platform_the_program_plans(tmp_path: Path) -> None:
    """One build: the planned platform with one fault. Gates may fail (allowFailure), so every gate
    runs: the gates that see the fault fail and name it; the others pass against the platform as planned."""
    faults = lookup([FAULT])
    assert faults[0].gate in FAILING
    simulation = simulate(Options("dev", faults, planned=planned("dev"), only_steps=CLOUD_GATES, run_root=tmp_path))
    assert simulation.result.success, simulation.result.reason  # a subset without the gates-passed verdict
    assert simulation.unmodelled == []
    assert {gate: statuses(simulation)[gate] for gate in CLOUD_GATES} == {
        gate: "FAILURE" if gate in FAILING else "SUCCESS" for gate in CLOUD_GATES
    }
    assert [evidence(simulation, gate)["status"] for gate in CLOUD_GATES] == [
        "fail" if gate in FAILING else "pass" for gate in CLOUD_GATES
    ]
    for gate in FAILING:
        violations = evidence(simulation, gate)["violations"]
        assert isinstance(violations, list)
        assert violations and all("dataset hipaa_dev_raw:" in v for v in violations), (gate, violations)
    encryption = evidence(simulation, "encryption")["violations"]
    assert isinstance(encryption, list)
    assert any("no CMEK key from hipaa-dev-keyring" in v for v in encryption)
