"""`make simulate` judges each run by what the issue asks: the gate, no deploy, a report naming it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pipeline.simulate import campaign
from pipeline.simulate.campaign import judge, print_table
from pipeline.simulate.executor import BuildResult, Status, StepResult
from pipeline.simulate.run import Options, Simulation
from pipeline.simulate.workspace import RunDir
from pipeline.simulate.world import state as world_state


def simulation(
    tmp_path: Path,
    gate_status: Status,
    deploy: Status,
    report_gates: list[dict[str, str]] | None,
    notified: tuple[str, ...] = ("fail",),
) -> Simulation:
    steps = [StepResult("encryption", gate_status, 1.0), StepResult("deploy-infra", deploy)]
    run = RunDir(tmp_path)
    run.world.mkdir(parents=True, exist_ok=True)
    messages = [{"topic": "t", "data": "{}", "attributes": {"verdict": v}} for v in notified]
    world_state.save(run.world, {"pubsub": {"messages": messages}})
    report = None
    if report_gates is not None:
        report = tmp_path / "report.json"
        report.write_text(json.dumps({"gates": report_gates}), encoding="utf-8")
    success = gate_status == Status.SUCCESS
    return Simulation("b", run, BuildResult(success, steps, 1.0, ""), ("deploy-infra",), report)


def test_a_fault_stopped_where_it_should_has_no_problem(tmp_path: Path) -> None:
    run = simulation(tmp_path, Status.FAILURE, Status.QUEUED, [{"id": "encryption", "status": "fail"}])
    row = judge("kms-rotation-400-days", "prod", "encryption", run, 3.0)
    assert row.problems == [] and row.report_names_gate


def test_every_way_a_fault_can_slip_through_is_named(tmp_path: Path) -> None:
    run = simulation(tmp_path, Status.SUCCESS, Status.SUCCESS, [{"id": "encryption", "status": "pass"}], ("pass",))
    row = judge("kms-rotation-400-days", "prod", "encryption", run, 3.0)
    assert row.problems == [
        "the build did not fail",
        "gate encryption ended SUCCESS",
        "1 deploy step(s) started",
        "the report does not name encryption as failed",
        "the security topic was notified 'pass', not once with verdict fail",
    ]
    no_report = judge("x", "prod", "encryption", simulation(tmp_path, Status.FAILURE, Status.QUEUED, None), 1.0)
    assert "no compliance report was written" in no_report.problems
    silent = simulation(tmp_path, Status.FAILURE, Status.QUEUED, [{"id": "encryption", "status": "fail"}], ())
    assert judge("x", "prod", "encryption", silent, 1.0).problems == [
        "the security topic was notified '-', not once with verdict fail"
    ]


def test_a_compliant_run_must_notify_its_pass(tmp_path: Path) -> None:
    run = simulation(tmp_path, Status.SUCCESS, Status.SUCCESS, [], ())
    assert judge("compliant", "dev", "", run, 1.0).problems == [
        "the security topic was notified '-', not once with verdict pass"
    ]


def test_a_post_deploy_gate_may_follow_the_deploys_and_a_compliant_run_must_succeed(tmp_path: Path) -> None:
    run = simulation(tmp_path, Status.FAILURE, Status.SUCCESS, [{"id": "encryption", "status": "fail"}])
    assert judge("compliant", "dev", "", run, 1.0).problems[0].startswith("compliant build failed")
    out = io.StringIO()
    print_table([judge("compliant", "dev", "", run, 1.0)], out)
    assert "compliant build failed" in out.getvalue()


def test_each_run_is_printed_and_saved_as_it_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A full campaign takes hours here: a row per finished run, and the JSON so far, not only at the end."""
    seen: list[int] = []
    saved = tmp_path / "campaign.json"

    def fake_simulate(options: Options) -> Simulation:
        # The JSON already holds every run that ended before this one.
        seen.append(len(json.loads(saved.read_text(encoding="utf-8"))) if saved.exists() else 0)
        return simulation(tmp_path / str(len(seen)), Status.SUCCESS, Status.SUCCESS, [], ("pass",))

    monkeypatch.setattr(campaign, "simulate", fake_simulate)
    assert campaign.main(["--stacks", "dev,prod", "--violations", "", "--json", str(saved)]) == 0
    assert seen == [0, 1]
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("run ") and [line.split()[:2] for line in out[1:3]] == [
        ["compliant", "dev"],
        ["compliant", "prod"],
    ]
    assert out[-1] == "2 run(s), 0 not as expected"
    assert [row["stack"] for row in json.loads(saved.read_text(encoding="utf-8"))] == ["dev", "prod"]


def test_an_unknown_fault_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        campaign.main(["--stacks", "", "--violations", "kms-rotation-400-days,no-such-fault"])
    assert stopped.value.code == 2
    assert "unknown violation(s): no-such-fault" in capsys.readouterr().err


def test_each_runs_temporary_directory_is_removed_once_judged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run directory holds the build's virtualenvs (~4 GB): a campaign of 40 runs kept them all."""
    roots: list[Path] = []

    def fake_simulate(options: Options) -> Simulation:
        roots.append(tmp_path / f"run-{len(roots)}")
        return simulation(roots[-1], Status.SUCCESS, Status.SUCCESS, [], ("pass",))

    monkeypatch.setattr(campaign, "simulate", fake_simulate)
    assert campaign.main(["--stacks", "dev", "--violations", ""]) == 0
    assert roots and not any(root.exists() for root in roots)
