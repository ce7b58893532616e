"""pipeline/gates.py: one registry of gates, each mapped to known HIPAA controls."""

from __future__ import annotations

import pytest

from pipeline.gates import CONTROLS, GATES, Gate, gate, required_gates


def test_gate_ids_and_scripts_are_unique() -> None:
    assert len({g.id for g in GATES}) == len(GATES)
    assert len({g.script for g in GATES}) == len(GATES)


def test_the_ten_required_scripts_are_gates() -> None:
    named = {
        "deploy-gke-hipaa.sh",
        "deploy-dataproc-hipaa.sh",
        "run-pyspark-job.sh",
        "validate-encryption.sh",
        "validate-access-controls.sh",
        "validate-audit-logs.sh",
        "test-backup-restore.sh",
        "run-phi-detection.sh",
        "configure-monitoring.sh",
    }
    # generate-compliance-report.sh, the tenth, reads the gates' evidence rather than being one.
    assert named <= {g.script for g in GATES}


def test_every_control_is_proved_by_some_gate() -> None:
    proved = {c for g in GATES for c in g.controls}
    assert proved == set(CONTROLS)


def test_unknown_control_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown or missing controls"):
        Gate("x", "x", "x.sh", ("164.999",))


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown environment"):
        Gate("x", "x", "x.sh", ("164.312(b)",), ("qa",))
    with pytest.raises(ValueError, match="unknown environment 'qa'"):
        required_gates("qa")


def test_lookup_by_id() -> None:
    assert gate("trivy").script == "run-trivy-scan.sh"
    with pytest.raises(KeyError):
        gate("nope")


def test_every_gate_is_required_in_prod() -> None:
    assert required_gates("prod") == GATES
