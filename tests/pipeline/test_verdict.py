"""The deploy verdict: every pre-deploy gate's evidence must say pass; anything else refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.contract import PRE_DEPLOY_GATES
from pipeline.verdict import main, verdict
from tests.pipeline.evidence_files import BUILD, evidence, write, write_all


def test_all_pre_deploy_gates_passed_passes_even_before_any_deploy_ran(tmp_path: Path) -> None:
    # Deploy and post-deploy gates have no evidence yet: the verdict is about pre-deploy gates only.
    directory = write_all(tmp_path, skip=("deploy-infra", "dast", "phi-log-scan"))
    result = verdict(directory, "prod", BUILD)
    assert result.passed and result.line() == f"PASS: all {len(PRE_DEPLOY_GATES)} gate(s) passed"


def test_a_failed_a_missing_and_an_invalid_gate_are_each_named(tmp_path: Path) -> None:
    directory = write_all(tmp_path, skip=("semgrep",))
    write(directory, evidence("trivy", status="fail", violations=["CVE-2026-0001 in openssl"]))
    write(directory, evidence("checkov", build_id="another-build"))
    result = verdict(directory, "prod", BUILD)
    assert not result.passed
    assert result.refused_by == (("checkov", "invalid evidence"), ("trivy", "fail"), ("semgrep", "no evidence"))
    assert result.line() == (
        f"FAIL: 3 of {len(PRE_DEPLOY_GATES)} gate(s) did not pass: checkov (invalid evidence), trivy (fail),"
        " semgrep (no evidence)"
    )


def test_the_cli_exits_0_1_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--evidence", str(tmp_path), "--environment", "prod", "--build-id", BUILD]
    write_all(tmp_path)
    assert main(args) == 0
    assert main([*args, "trivy"]) == 0
    write(tmp_path, evidence("trivy", status="fail", violations=["x"]))
    assert main([*args, "trivy"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "verdict: FAIL: 1 of 1 gate(s) did not pass: trivy (fail)"
    assert main(["--evidence", str(tmp_path / "none"), "--environment", "prod", "--build-id", BUILD]) == 2
    with pytest.raises(SystemExit) as usage:
        main([*args, "no-such-gate"])
    assert usage.value.code == 2
