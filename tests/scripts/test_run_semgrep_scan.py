"""run-semgrep-scan.sh: mirrored registry packs plus our healthcare rules; any finding or error fails."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.scripts import scanner_fixtures as fx
from tests.scripts.fakes import FakeTools

STEM = "run-semgrep-scan"
GATE = "semgrep"
RULES_URI = "gs://nwh-analytics-prd-artifacts/semgrep-rules/*"
PACKS = ("security-audit", "secrets", "python", "bandit")


def bundle(age_days: float = 1, packs: tuple[str, ...] = PACKS) -> dict[str, str]:
    files = {f"{pack}.yml": f"rules:\n  - id: {pack}-placeholder\n" for pack in packs}
    manifest = {"fetched_at": int(time.time() - age_days * 86400), "packs": [f"p/{pack}" for pack in packs]}
    return {**files, "manifest.json": json.dumps(manifest)}


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


@pytest.fixture
def source(tmp_path: Path) -> str:
    (tmp_path / "src").mkdir()
    return str(tmp_path / "src")


def clean(tools: FakeTools) -> FakeTools:
    tools.on("gcloud", ["storage", "cp", "-r", RULES_URI], writes=bundle())
    tools.on("semgrep", ["scan", "--error"], writes={"@--output": fx.text(STEM, "report-clean.json")})
    return tools


def test_clean_scan_passes_with_every_pack_and_our_rules(tools: FakeTools, source: str) -> None:
    result = clean(tools).run("run-semgrep-scan.sh", "prod", source)
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, 2)
    argv = tools.calls("semgrep")[0].argv
    configs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--config"]
    assert [Path(c).name for c in configs] == [*(f"{p}.yml" for p in PACKS), "healthcare.yml"]
    assert {"--error", "--metrics=off", "--json"} <= set(argv) and argv[-1] == source


def test_the_builds_own_environments_are_not_scanned(tools: FakeTools, source: str) -> None:
    # A triggered build's /workspace has no .git (so no .gitignore) and holds the virtualenvs the build
    # installed: the first full simulated build scanned 58,433 files and failed on 1,077 third-party findings.
    assert clean(tools).run("run-semgrep-scan.sh", "prod", source).returncode == 0
    argv = tools.calls("semgrep")[0].argv
    assert {"--exclude=.venv", "--exclude=.venv-tools", "--exclude=.tools"} <= set(argv)


def test_findings_fail_naming_path_line_and_rule_never_the_code(tools: FakeTools, source: str) -> None:
    tools.on("semgrep", ["scan"], writes={"@--output": fx.text(STEM, "report-findings.json")}, exit=1)
    result = clean(tools).run("run-semgrep-scan.sh", "dev", source)
    assert result.returncode == 1
    violations = fx.evidence_failed(tools, GATE)
    assert len(violations) == 19
    assert "semgrep: bad/app/export.py:18 phi-in-log-call" in violations
    assert any(v.endswith(" tls-verification-disabled") for v in violations)
    assert not any("requests.get" in v or "SYNTHETIC" in v for v in violations)


def test_errors_in_the_report_fail_although_semgrep_exits_0(tools: FakeTools, source: str) -> None:
    tools.on("semgrep", ["scan"], writes={"@--output": fx.text(STEM, "report-errors.json")}, exit=0)
    result = clean(tools).run("run-semgrep-scan.sh", "prod", source)
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == ["semgrep error (warn): PartialParsing in clean/app/broken.py"]


@pytest.mark.parametrize("code", [2, 7])
def test_semgrep_error_exit_fails(tools: FakeTools, source: str, code: int) -> None:
    tools.on("semgrep", ["scan"], exit=code, stderr="[ERROR] invalid configuration file\n")
    result = clean(tools).run("run-semgrep-scan.sh", "prod", source)
    assert result.returncode == 1
    assert f"semgrep: semgrep failed (exit {code}): [ERROR] invalid configuration file" in result.reason


@pytest.mark.parametrize(
    ("writes", "reason"),
    [
        ({}, "report semgrep.json is missing"),
        ({"@--output": ""}, "report semgrep.json is empty"),
        ({"@--output": '{"results": [}'}, "is malformed JSON"),
        ({"@--output": '{"results": []}'}, "does not have the expected shape"),
        ({"@--output": '{"results": [], "errors": [], "paths": {"scanned": []}}'}, "scanned no file"),
    ],
)
def test_missing_empty_or_malformed_report_fails(
    tools: FakeTools, source: str, writes: dict[str, str], reason: str
) -> None:
    tools.on("semgrep", ["scan"], writes=writes)
    result = clean(tools).run("run-semgrep-scan.sh", "prod", source)
    assert result.returncode == 1 and reason in result.reason
    fx.evidence_failed(tools, GATE)


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        (bundle(age_days=20), "semgrep rules bundle: 20 days old"),
        (bundle(packs=("security-audit", "python", "bandit")), "manifest does not list p/secrets"),
        ({**bundle(), "bandit.yml": ""}, "bandit.yml (p/bandit) is missing or empty"),
        ({"security-audit.yml": "rules: []\n"}, "manifest.json is missing"),
    ],
)
def test_incomplete_or_stale_rules_bundle_is_refused(
    tools: FakeTools, source: str, files: dict[str, str], reason: str
) -> None:
    tools.on("gcloud", ["storage", "cp"], writes=files)
    result = clean(tools).run("run-semgrep-scan.sh", "prod", source)
    assert result.returncode == 1 and reason in result.reason
    assert tools.calls("semgrep") == []


def test_rules_bundle_copy_failure_fails(tools: FakeTools, source: str) -> None:
    tools.on("gcloud", ["storage", "cp"], exit=1, stderr="ERROR: (gcloud.storage.cp) not found\n")
    result = clean(tools).run("run-semgrep-scan.sh", "prod", source)
    assert result.returncode == 1 and "semgrep rules bundle: gcloud storage cp failed (exit 1)" in result.reason


def test_missing_semgrep_fails(tools: FakeTools, source: str) -> None:
    tools.remove("semgrep")
    result = tools.run("run-semgrep-scan.sh", "prod", source)
    assert result.returncode == 1 and "required tool 'semgrep' is not installed" in result.reason


@pytest.mark.parametrize("args", [(), ("prod",), ("qa", "."), ("prod", "no-such-dir"), ("prod", "")])
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run("run-semgrep-scan.sh", *args)
    assert result.returncode == 2
    assert result.reason == "usage: run-semgrep-scan.sh ENV SOURCE_DIR"


def test_project_id_is_required_for_the_rules_bundle(tools: FakeTools, source: str) -> None:
    result = clean(tools).run("run-semgrep-scan.sh", "prod", source, env={"PROJECT_ID": ""})
    assert result.returncode == 2 and "PROJECT_ID='' is malformed" in result.stderr
    assert tools.calls() == []
