"""when-refused.sh: a refused build writes its record before the verdict; a passing build does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.evidence_files import evidence, write, write_all
from tests.scripts.fakes import FakeTools

SCRIPT = "when-refused.sh"
RECORD = ("scripts/verify-release.sh", "dev", "main", "")  # stands in for the report: harmless, speaks last


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def test_a_build_whose_gates_passed_does_nothing_here(tools: FakeTools) -> None:
    write_all(tools.evidence, "dev")
    result = tools.run(SCRIPT, "dev", *RECORD)
    assert result.returncode == 0, result.stderr
    assert (
        result.reason == f"{SCRIPT}: every pre-deploy gate passed: verify-release.sh runs after the deploys, not here"
    )


def test_a_refused_build_runs_the_record_and_keeps_its_exit_code(tools: FakeTools) -> None:
    write_all(tools.evidence, "dev")
    write(tools.evidence, evidence("semgrep", "dev", status="fail", violations=["app.py:3 rule"]))
    result = tools.run(SCRIPT, "dev", *RECORD)
    assert result.returncode == 0, result.stderr
    assert "running verify-release.sh for the refused build" in result.stderr
    assert result.reason.startswith("verify-release.sh: ")
    failing = tools.run(SCRIPT, "dev", "scripts/verify-release.sh", "dev", "feature", "")
    assert failing.returncode == 1  # the record's own failure is the step's


def test_no_evidence_at_all_counts_as_refused(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, "dev", *RECORD, env={"EVIDENCE_DIR": str(tools.root / "nowhere")})
    assert "for the refused build" in result.stderr


@pytest.mark.parametrize(
    "args",
    [("dev",), ("dev", "verify-release.sh"), ("dev", "scripts/when-refused.sh"), ("dev", "scripts/none.sh")],
)
def test_usage_errors_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    assert tools.run(SCRIPT, *args).returncode == 2
