"""A PHI gate that scanned no file is never clean, wherever its result is read.

The scan refuses to scan nothing (test_phi_cli.py), the gate refuses a result that says it did
(tests/scripts/test_phi_scan_result.py); here the readers downstream of the gate's evidence, the
deploy verdict and the compliance report, refuse a PHI gate that claims a pass over zero files.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from pipeline.evidence import read_evidence
from pipeline.report import FAIL, evaluate
from pipeline.verdict import verdict
from tests.pipeline.evidence_files import BUILD, evidence, write, write_all

PHI_GATES = ("phi-detection", "phi-log-scan")
NOW = datetime.datetime(2026, 11, 24, 15, 30, tzinfo=datetime.UTC)
NOTHING_CHECKED = "inconsistent: status pass with nothing checked"


@pytest.mark.parametrize("gate", PHI_GATES)
def test_evidence_of_a_pass_over_no_file_does_not_hold_up(tmp_path: Path, gate: str) -> None:
    write(tmp_path, evidence(gate, checked=0))
    found = read_evidence(tmp_path, "prod", BUILD)
    assert gate not in found.valid
    assert found.invalid[gate].reason == NOTHING_CHECKED


def test_the_deploy_verdict_refuses_a_phi_scan_of_no_file(tmp_path: Path) -> None:
    directory = write_all(tmp_path, skip=("deploy-infra", "dast", "phi-log-scan"))
    write(directory, evidence("phi-detection", checked=0))
    result = verdict(directory, "prod", BUILD)
    assert result.refused_by == (("phi-detection", "invalid evidence"),)


@pytest.mark.parametrize("gate", PHI_GATES)
def test_the_report_fails_a_phi_scan_of_no_file(tmp_path: Path, gate: str) -> None:
    directory = write_all(tmp_path)
    write(directory, evidence(gate, checked=0))
    report = evaluate(read_evidence(directory, "prod", BUILD), "prod", BUILD, NOW)
    result = next(g for g in report.gates if g.gate.id == gate)
    assert (result.status, result.reason, report.verdict) == ("invalid", NOTHING_CHECKED, FAIL)
