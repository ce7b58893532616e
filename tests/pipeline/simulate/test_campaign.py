"""`make simulate` judges each run by what the issue asks: the gate, no deploy, a report naming it."""

from __future__ import annotations

import io
import json
from pathlib import Path

from pipeline.simulate.campaign import judge, print_table
from pipeline.simulate.executor import BuildResult, Status, StepResult
from pipeline.simulate.run import Simulation
from pipeline.simulate.workspace import RunDir


def simulation(
    tmp_path: Path, gate_status: Status, deploy: Status, report_gates: list[dict[str, str]] | None
) -> Simulation:
    steps = [StepResult("encryption", gate_status, 1.0), StepResult("deploy-infra", deploy)]
    report = None
    if report_gates is not None:
        report = tmp_path / "report.json"
        report.write_text(json.dumps({"gates": report_gates}), encoding="utf-8")
    success = gate_status == Status.SUCCESS
    return Simulation("b", RunDir(tmp_path), BuildResult(success, steps, 1.0, ""), ("deploy-infra",), report)


def test_a_fault_stopped_where_it_should_has_no_problem(tmp_path: Path) -> None:
    run = simulation(tmp_path, Status.FAILURE, Status.QUEUED, [{"id": "encryption", "status": "fail"}])
    row = judge("kms-rotation-400-days", "prod", "encryption", run, 3.0)
    assert row.problems == [] and row.report_names_gate


def test_every_way_a_fault_can_slip_through_is_named(tmp_path: Path) -> None:
    run = simulation(tmp_path, Status.SUCCESS, Status.SUCCESS, [{"id": "encryption", "status": "pass"}])
    row = judge("kms-rotation-400-days", "prod", "encryption", run, 3.0)
    assert row.problems == [
        "the build did not fail",
        "gate encryption ended SUCCESS",
        "1 deploy step(s) started",
        "the report does not name encryption as failed",
    ]
    no_report = judge("x", "prod", "encryption", simulation(tmp_path, Status.FAILURE, Status.QUEUED, None), 1.0)
    assert "no compliance report was written" in no_report.problems


def test_a_post_deploy_gate_may_follow_the_deploys_and_a_compliant_run_must_succeed(tmp_path: Path) -> None:
    run = simulation(tmp_path, Status.FAILURE, Status.SUCCESS, [{"id": "encryption", "status": "fail"}])
    assert judge("compliant", "dev", "", run, 1.0).problems[0].startswith("compliant build failed")
    out = io.StringIO()
    print_table([judge("compliant", "dev", "", run, 1.0)], out)
    assert "compliant build failed" in out.getvalue()
