"""`python -m pipeline render | check | graph [--stats]` and their exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import pipeline.__main__ as cli
from pipeline.contract import DRIFT_CONFIG_NAME
from pipeline.render import CONFIG_NAME, ROOT, rendered, rendered_drift, write, write_drift


def test_render_writes_both_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "write", lambda: write(tmp_path))
    monkeypatch.setattr(cli, "write_drift", lambda: write_drift(tmp_path))
    assert cli.main(["render"]) == 0
    assert (tmp_path / CONFIG_NAME).read_text(encoding="utf-8") == rendered()
    assert (tmp_path / DRIFT_CONFIG_NAME).read_text(encoding="utf-8") == rendered_drift()
    assert capsys.readouterr().out == f"wrote {tmp_path / CONFIG_NAME}\nwrote {tmp_path / DRIFT_CONFIG_NAME}\n"


def test_check_exits_one_with_a_line_per_finding(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "check", lambda: ["[a] one", "[b] two"])
    monkeypatch.setattr(cli, "check_drift", list)
    assert cli.main(["check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "[a] one\n[b] two\n"
    assert captured.err == "cloudbuild.yaml: 2 finding(s)\n"


def test_a_drift_build_finding_names_its_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "check", list)
    monkeypatch.setattr(cli, "check_drift", lambda: ["[drift] one"])
    assert cli.main(["check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "drift.cloudbuild.yaml: [drift] one\n"
    assert captured.err == "drift.cloudbuild.yaml: 1 finding(s)\n"


def test_check_exits_zero_when_clean(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "check", list)
    monkeypatch.setattr(cli, "check_drift", list)
    assert cli.main(["check"]) == 0
    assert "no rule broken" in capsys.readouterr().out


def test_graph_prints_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["graph"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD\n")
    assert "  trivy --> image_signing\n" in out


def test_graph_stats_prints_the_critical_path_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["graph", "--stats"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("steps: ")
    assert lines[1].startswith("critical path: ") and "verify-release -> " in lines[1]
    assert lines[3].startswith("critical path / sum: 0.") and lines[3].endswith("(goal at most 0.40)")


@pytest.mark.parametrize("argv", [[], ["deploy"], ["graph", "--nope"]])
def test_usage_errors_exit_two(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2


def test_the_module_runs_as_a_program() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "graph", "--stats"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "critical path / sum" in result.stdout
