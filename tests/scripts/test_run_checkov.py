"""run-checkov.sh: Kubernetes, Dockerfile and secrets checks offline; any failed check fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts import scanner_fixtures as fx
from tests.scripts.fakes import FakeTools

STEM = "run-checkov"
GATE = "checkov"
CLEAN_CHECKS = 23 + 89


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    (tmp_path / "k8s").mkdir()
    return tmp_path / "k8s"


def test_clean_directory_passes_counting_passed_and_failed_checks(tools: FakeTools, manifests: Path) -> None:
    tools.on("checkov", ["-d", str(manifests)], stdout=fx.text(STEM, "report-clean.json"))
    result = tools.run("run-checkov.sh", "prod", str(manifests))
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, CLEAN_CHECKS)
    argv = tools.calls("checkov")[0].argv
    assert argv[argv.index("--framework") + 1 : argv.index("--framework") + 4] == [
        "kubernetes",
        "dockerfile",
        "secrets",
    ]
    assert {"--output", "json", "--compact", "--quiet", "--skip-download"} <= set(argv)


def test_every_directory_is_scanned_and_counted(tools: FakeTools, tmp_path: Path, manifests: Path) -> None:
    (tmp_path / "docker").mkdir()
    tools.on("checkov", ["-d"], stdout=fx.text(STEM, "report-clean.json"))
    result = tools.run("run-checkov.sh", "dev", str(manifests), str(tmp_path / "docker"))
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, 2 * CLEAN_CHECKS)
    assert [c.argv[1] for c in tools.calls("checkov")] == [str(manifests), str(tmp_path / "docker")]


def test_failed_checks_fail_naming_file_resource_and_check(tools: FakeTools, manifests: Path) -> None:
    tools.on("checkov", ["-d"], stdout=fx.text(STEM, "report-failed.json"), exit=1)
    result = tools.run("run-checkov.sh", "staging", str(manifests))
    assert result.returncode == 1
    violations = fx.evidence_failed(tools, GATE)
    assert len(violations) == 19
    assert f"checkov: {manifests}/pod.yaml Pod.x.p CKV_K8S_12 Memory requests should be set" in violations
    assert any(v.startswith(f"checkov: {manifests}/Dockerfile /Dockerfile. CKV_DOCKER_2 ") for v in violations)
    assert result.reason == "run-checkov.sh: FAIL: checkov: 19 violation(s) in 112 checked"


def test_failed_checks_in_the_report_fail_even_when_checkov_exits_0(tools: FakeTools, manifests: Path) -> None:
    tools.on("checkov", ["-d"], stdout=fx.text(STEM, "report-failed.json"), exit=0)
    assert tools.run("run-checkov.sh", "prod", str(manifests)).returncode == 1
    assert len(fx.evidence_failed(tools, GATE)) == 19


def test_directory_without_anything_checkov_parses_fails(tools: FakeTools, manifests: Path) -> None:
    tools.on("checkov", ["-d"], stdout=fx.text(STEM, "report-nothing.json"))
    result = tools.run("run-checkov.sh", "prod", str(manifests))
    assert result.returncode == 1
    assert "no file Checkov parses (nothing was checked)" in result.reason
    fx.evidence_failed(tools, GATE)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"exit": 2, "stderr": "usage: checkov [-h]"}, "checkov failed (exit 2): usage: checkov [-h]"),
        ({"exit": 1, "stderr": "Traceback (most recent call last):"}, "checkov failed (exit 1): Traceback"),
        ({"exit": 1, "stdout": fx.text(STEM, "report-clean.json")}, None),
    ],
)
def test_tool_errors_fail(tools: FakeTools, manifests: Path, answer: dict[str, object], reason: str | None) -> None:
    tools.on("checkov", ["-d"], **answer)  # type: ignore[arg-type]
    result = tools.run("run-checkov.sh", "prod", str(manifests))
    assert result.returncode == 1
    if reason:
        assert reason in result.reason
    else:
        assert fx.evidence_failed(tools, GATE) == [f"checkov: {manifests}: exit 1 but its report has no failed check"]


@pytest.mark.parametrize(
    ("stdout", "reason"),
    [
        ("", "report checkov-0.json is empty"),
        ("[{]", "report checkov-0.json is malformed JSON"),
        ('["passed"]', "does not have the expected shape"),
    ],
)
def test_empty_or_malformed_report_fails(tools: FakeTools, manifests: Path, stdout: str, reason: str) -> None:
    tools.on("checkov", ["-d"], stdout=stdout)
    result = tools.run("run-checkov.sh", "prod", str(manifests))
    assert result.returncode == 1 and reason in result.reason
    fx.evidence_failed(tools, GATE)


def test_checkov_runs_offline_without_the_vendor_api_key(tools: FakeTools, manifests: Path) -> None:
    # The fake names a file after the variables as Checkov sees them: an unset one expands to nothing.
    seen = tools.root / "env-$BC_API_KEY-$BC_SKIP_MAPPING-$CKV_SKIP_PACKAGE_UPDATE_CHECK"
    tools.on("checkov", ["-d"], stdout=fx.text(STEM, "report-clean.json"), writes={str(seen): "x"})
    result = tools.run("run-checkov.sh", "prod", str(manifests), env={"BC_API_KEY": "k-123"})
    assert result.returncode == 0, result.stderr
    assert (tools.root / "env--TRUE-TRUE").exists()


def test_missing_checkov_fails(tools: FakeTools, manifests: Path) -> None:
    tools.remove("checkov")
    result = tools.run("run-checkov.sh", "prod", str(manifests))
    assert result.returncode == 1 and "required tool 'checkov' is not installed" in result.reason


@pytest.mark.parametrize("args", [(), ("prod",), ("qa", "."), ("prod", "no-such-dir"), ("prod", ".", "--quiet")])
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run("run-checkov.sh", *args)
    assert result.returncode == 2
    assert result.reason == "usage: run-checkov.sh ENV DIR..."
    assert tools.calls() == []
