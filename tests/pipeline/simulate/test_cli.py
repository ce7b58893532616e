"""`python -m pipeline simulate`: usage errors exit 2, the --json document, and the exit code of a build."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from pipeline.__main__ import main as pipeline_main
from pipeline.simulate import cli
from pipeline.simulate.executor import BuildResult, Status, StepResult
from pipeline.simulate.run import Options, Simulation
from pipeline.simulate.workspace import RunDir


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["simulate"], "--stack must name a stack"),
        (["simulate", "--stack", "qa"], "--stack must name a stack"),
        (["simulate", "--stack", "dev", "--violation", "no-such-fault"], "unknown violation 'no-such-fault'"),
        (["simulate", "--stack", "dev", "--violation", "unapproved-prod-build"], "applies to prod only"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv: list[str], reason: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert pipeline_main(argv) == 2
    assert reason in capsys.readouterr().err


def test_list_violations_names_each_faults_gate(capsys: pytest.CaptureFixture[str]) -> None:
    assert pipeline_main(["simulate", "--list-violations"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert len(lines) >= 20
    assert any(line.split()[:2] == ["kms-rotation-400-days", "env-validation"] for line in lines)


def fake_simulation(tmp_path: Path, success: bool) -> Simulation:
    steps = [StepResult("gate", Status.SUCCESS if success else Status.FAILURE, 1.25, 0 if success else 1)]
    steps.append(StepResult("deploy", Status.SUCCESS if success else Status.QUEUED))
    result = BuildResult(success, steps, 2.0, "" if success else "step gate ended FAILURE (exit 1)")
    return Simulation("b-1", RunDir(tmp_path), result, ("deploy",), tmp_path / "report.json" if success else None)


@pytest.mark.parametrize(("success", "code"), [(True, 0), (False, 1)])
def test_the_exit_code_and_json_follow_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, success: bool, code: int
) -> None:
    seen: list[Options] = []

    def fake(options: Options) -> Simulation:
        seen.append(options)
        return fake_simulation(tmp_path, success)

    monkeypatch.setattr(cli, "simulate", fake)
    out = io.StringIO()
    args = ["simulate", "--stack", "dev", "--json", str(tmp_path / "out.json"), "--violation", "kms-rotation-400-days"]
    parser_args = pipeline_parser_args(args)
    assert cli.main(parser_args, out) == code
    document = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert document == {
        "verdict": "SUCCESS" if success else "FAILURE",
        "build_id": "b-1",
        "steps": [
            {"id": "gate", "status": "SUCCESS" if success else "FAILURE", "seconds": 1.25},
            {"id": "deploy", "status": "SUCCESS" if success else "QUEUED", "seconds": 0.0},
        ],
        "report": str(tmp_path / "report.json") if success else None,
    }
    assert [f.name for f in seen[0].faults] == ["kms-rotation-400-days"]
    assert f"deploy steps started: {1 if success else 0} of 1" in out.getvalue()


def pipeline_parser_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command")
    cli.add_arguments(commands.add_parser("simulate"))
    return parser.parse_args(argv)


def test_a_used_keep_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A second run into the same --keep directory would mix two builds' workspaces and worlds."""
    (tmp_path / "workspace").mkdir()
    assert pipeline_main(["simulate", "--stack", "dev", "--keep", str(tmp_path)]) == 2
    assert f"--keep {tmp_path} is not empty" in capsys.readouterr().err
