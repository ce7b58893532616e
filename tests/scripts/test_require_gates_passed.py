"""require-gates-passed.sh: the deploy verdict over the gates' evidence, and the guard before a script."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.contract import PRE_DEPLOY_GATES
from tests.pipeline.evidence_files import evidence, write, write_all
from tests.scripts.fakes import FakeTools

SCRIPT = "require-gates-passed.sh"
# A harmless script to guard: the release check of a dev build from main.
GUARDED = ("--", "scripts/verify-release.sh", "dev", "main", "")


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def test_every_gate_passed_passes(tools: FakeTools) -> None:
    write_all(tools.evidence)
    result = tools.run(SCRIPT, "prod", *PRE_DEPLOY_GATES)
    assert result.returncode == 0, result.stderr
    assert result.reason == f"{SCRIPT}: PASS: all {len(PRE_DEPLOY_GATES)} gate(s) passed"


def test_a_failed_or_missing_gate_refuses_the_deploys_naming_it(tools: FakeTools) -> None:
    write_all(tools.evidence, skip=("prowler",))
    write(tools.evidence, evidence("trivy", status="fail", violations=["CVE-2026-0001 in openssl"]))
    result = tools.run(SCRIPT, "prod", *PRE_DEPLOY_GATES)
    assert result.returncode == 1
    assert result.reason == (
        f"{SCRIPT}: FAIL: deploys refused: 2 of {len(PRE_DEPLOY_GATES)} gate(s) did not pass: trivy (fail),"
        " prowler (no evidence)"
    )


def test_no_evidence_directory_refuses(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, "prod", "trivy", env={"EVIDENCE_DIR": str(tools.root / "nowhere")})
    assert result.returncode == 1
    assert "is not a directory: no gate left evidence" in result.reason


def test_the_guard_runs_its_script_only_after_the_gate_passed(tools: FakeTools) -> None:
    write_all(tools.evidence, "dev")
    passed = tools.run(SCRIPT, "dev", "trivy", *GUARDED)
    assert passed.returncode == 0, passed.stderr
    assert passed.reason.startswith("verify-release.sh: ")  # the guarded script ran and spoke last
    write(tools.evidence, evidence("trivy", "dev", status="fail", violations=["CVE-2026-0001 in openssl"]))
    refused = tools.run(SCRIPT, "dev", "trivy", *GUARDED)
    assert refused.returncode == 1
    assert refused.reason == f"{SCRIPT}: FAIL: deploys refused: 1 of 1 gate(s) did not pass: trivy (fail)"
    assert "verify-release.sh" not in refused.stderr


@pytest.mark.parametrize(
    "args",
    [("prod",), ("prod", "--", "scripts/verify-release.sh"), ("prod", "trivy", "--"), ("prod", "Trivy")],
)
def test_usage_errors_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    assert tools.run(SCRIPT, *args).returncode == 2


def test_a_guard_for_a_script_outside_the_repository_is_refused(tools: FakeTools) -> None:
    write_all(tools.evidence, "dev")
    assert tools.run(SCRIPT, "dev", "trivy", "--", "scripts/no-such-script.sh").returncode == 2
    assert tools.run(SCRIPT, "dev", "trivy", "--", "/bin/true").returncode == 2
