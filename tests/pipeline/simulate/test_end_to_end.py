"""The committed cloudbuild.yaml, simulated end to end for its cloud-facing half, in `make test`.

The full pipeline takes minutes here (it installs the virtualenv and runs this whole test suite,
Pylint, Semgrep and Checkov for real), so `make simulate` runs it for every stack and every fault.
What runs here is the part whose scripts talk only to the cloud: the real executor on the real
config (the steps below and everything they wait for: verify-release, pool-guard, toolchain,
build-api-image), the real scripts, the fake world of the stack's real plan. Inside a simulated
build (the unit-tests step runs this suite) these tests skip: the outer simulation is what they test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.simulate.prepare import SIMULATED_BUILD
from pipeline.simulate.run import Options, Simulation, simulate
from pipeline.simulate.violations import lookup
from tests.conftest import planned

pytestmark = pytest.mark.skipif(
    bool(os.environ.get(SIMULATED_BUILD)), reason="inside a simulated build: the simulation running it is the test"
)
CLOUD_GATES = ("env-validation", "encryption", "access-controls", "audit-logs", "vpcsc-egress", "trivy")


def statuses(simulation: Simulation) -> dict[str, str]:
    return {s.id: s.status.value for s in simulation.result.steps}


def evidence(simulation: Simulation, gate: str) -> dict[str, object]:
    document: dict[str, object] = json.loads(
        (simulation.run.workspace / "evidence" / f"{gate}.json").read_text("utf-8")
    )
    return document


def test_the_cloud_facing_gates_pass_against_the_platform_the_program_plans(tmp_path: Path) -> None:
    simulation = simulate(Options("dev", planned=planned("dev"), only_steps=CLOUD_GATES, run_root=tmp_path / "run"))
    assert simulation.result.success, (statuses(simulation), simulation.result.reason)
    assert set(statuses(simulation).values()) == {"SUCCESS"}
    assert simulation.unmodelled == []
    for gate in CLOUD_GATES:
        assert evidence(simulation, gate)["status"] == "pass"


def test_a_fault_in_the_platform_fails_the_gate_that_owns_it(tmp_path: Path) -> None:
    fault = lookup(["kms-rotation-400-days"])
    simulation = simulate(Options("dev", fault, planned=planned("dev"), only_steps=["encryption"], run_root=tmp_path))
    # The gate fails and records why; it is allowed to fail (gates-passed, which needs every gate, stops
    # the deploys in the full build: make simulate), so this subset build itself succeeds.
    encryption = simulation.result.by_id("encryption")
    assert (encryption.status.value, encryption.allowed) == ("FAILURE", True)
    violations = evidence(simulation, "encryption")["violations"]
    assert isinstance(violations, list)
    assert any("storage-cmek: rotation period 34560000s exceeds 90 days" in v for v in violations)
