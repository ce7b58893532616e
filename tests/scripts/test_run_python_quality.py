"""run-python-quality.sh: Pylint, Mypy, Bandit and Safety decide from their reports, fail closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts import scanner_fixtures as fx
from tests.scripts.fakes import FakeTools, Result

STEM = "run-python-quality"
DB_URI = "gs://nwh-analytics-prd-artifacts/safety-db"
GATE = "python-quality"
Case = tuple[str, list[str], dict[str, object], str]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """Two synthetic Python files: what `find` counts; the fakes answer for the tools."""
    package = tmp_path / "src" / "app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Synthetic."""\n', encoding="utf-8")
    (package / "scores.py").write_text("VALUE = 1\n", encoding="utf-8")
    return tmp_path / "src"


def clean(tools: FakeTools) -> FakeTools:
    """Every tool answers clean, unless a case put its own rule first."""
    tools.on("pylint", ["--output-format=json2"], writes={"@--output": fx.text(STEM, "pylint-clean.json")})
    tools.on("mypy", ["--strict"], stdout=fx.text(STEM, "mypy-clean.txt"))
    tools.on("bandit", ["-f", "json"], writes={"@-o": fx.text(STEM, "bandit-clean.json")})
    tools.on("gcloud", ["storage", "cp", "-r", f"{DB_URI}/*"], writes=fx.safety_database(age_days=1))
    tools.on("safety", ["check", "--db"], writes={"@--save-json": fx.text(STEM, "safety-clean.json")})
    return tools


def run(tools: FakeTools, source: Path, env: str = "prod", extra: dict[str, str] | None = None) -> Result:
    return tools.run("run-python-quality.sh", env, DB_URI, str(source), env=extra)


CHECKED = 2 + len(fx.REQUIREMENT_FILES)


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def test_clean_code_and_dependencies_pass_with_files_and_requirements_counted(tools: FakeTools, source: Path) -> None:
    result = run(clean(tools), source)
    assert result.returncode == 0, result.stderr
    assert result.reason == f"run-python-quality.sh: PASS: python-quality: {CHECKED} checked, 0 violations"
    fx.evidence_ok(tools, GATE, CHECKED)
    assert tools.called("bandit", "--severity-level", "medium", "--confidence-level", "medium")
    assert tools.called("pylint", "--fail-under=9.0")
    assert len([c for c in tools.calls("safety") if "--db" in c.argv]) == len(fx.REQUIREMENT_FILES)
    assert not any("--full-report" in call.argv for call in tools.calls("safety"))


def test_pylint_errors_fail_naming_file_line_and_message_id(tools: FakeTools, source: Path) -> None:
    tools.on("pylint", ["--output-format=json2"], writes={"@--output": fx.text(STEM, "pylint-errors.json")}, exit=2)
    result = run(clean(tools), source)
    assert result.returncode == 1
    violations = fx.evidence_failed(tools, GATE)
    assert "pylint: bad/app/export.py:19 E0602 undefined-variable" in violations
    assert "pylint: score 0 is below 9.0" in violations


def test_pylint_score_below_threshold_fails_even_without_errors(tools: FakeTools, source: Path) -> None:
    report = fx.document(STEM, "pylint-clean.json")
    report["statistics"]["score"] = 8.4
    tools.on("pylint", ["--output-format=json2"], writes={"@--output": fx.dumps(report)}, exit=0)
    result = run(clean(tools), source)
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == ["pylint: score 8.4 is below 9.0"]


def test_mypy_errors_name_place_and_code_never_the_message(tools: FakeTools, source: Path) -> None:
    tools.on("mypy", ["--strict"], stdout=fx.text(STEM, "mypy-errors.txt"), exit=1)
    result = run(clean(tools), source)
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == [
        "mypy: bad/app/export.py:7 [no-untyped-def]",
        "mypy: bad/app/export.py:19 [no-any-return]",
        "mypy: bad/app/export.py:19 [name-defined]",
    ]


def test_bandit_medium_or_higher_findings_fail_and_low_ones_do_not(tools: FakeTools, source: Path) -> None:
    report = fx.document(STEM, "bandit-findings.json")
    low = dict(report["results"][0], issue_severity="LOW", test_id="B101", line_number=99)
    report["results"].append(low)
    tools.on("bandit", ["-f", "json"], writes={"@-o": fx.dumps(report)}, exit=1)
    result = run(clean(tools), source)
    assert result.returncode == 1
    violations = fx.evidence_failed(tools, GATE)
    assert any(v.startswith("bandit: bad/app/export.py:14 B602 ") for v in violations), violations
    assert not any("B101" in v for v in violations)
    assert all("subprocess.call" not in v for v in violations)  # the code snippet is never echoed


def test_bandit_unscannable_file_fails_although_bandit_exits_0(tools: FakeTools, source: Path) -> None:
    report = fx.document(STEM, "bandit-clean.json")
    report["errors"] = [{"filename": "src/app/broken.py", "reason": "syntax error while parsing AST from file"}]
    tools.on("bandit", ["-f", "json"], writes={"@-o": fx.dumps(report)}, exit=0)
    result = run(clean(tools), source)
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == ["bandit: could not scan src/app/broken.py"]


def test_vulnerable_requirement_fails_naming_file_package_and_cve(tools: FakeTools, source: Path) -> None:
    tools.on("safety", ["check"], writes={"@--save-json": fx.text(STEM, "safety-vulnerable.json")}, exit=64, times=1)
    result = run(clean(tools), source)
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == [
        f"safety: {fx.REQUIREMENT_FILES[0]}: insecure-package==0.1.0 vulnerability 25853 (CVE-2021-0000)"
    ]


def test_safety_runs_without_the_api_key_so_the_mirror_is_used(tools: FakeTools, source: Path) -> None:
    # The fake names a file after $SAFETY_API_KEY as Safety sees it: unset, it expands to nothing.
    probe = str(tools.root / "key-$SAFETY_API_KEY")
    seen = tools.root / "key-"
    tools.on("safety", ["check", "--db"], writes={"@--save-json": fx.text(STEM, "safety-clean.json"), probe: "x"})
    result = run(clean(tools), source, env="dev", extra={"SAFETY_API_KEY": "k-123"})
    assert result.returncode == 0, result.stderr
    assert seen.exists() and not (tools.root / "key-k-123").exists()
    assert tools.called("safety", "--db", "--disable-audit-and-monitor")


@pytest.mark.parametrize(
    ("database", "reason"),
    [
        (fx.safety_database(age_days=15), "safety database insecure.json: 15 days old, older than the 14 days allowed"),
        (fx.safety_database(age_days=1, schema="1.0.0"), "schema 1.0.0, Safety 3.2 reads 2.0.0 only"),
        ({"insecure.json": fx.safety_database(1)["insecure.json"]}, "insecure_full.json is missing"),
        ({**fx.safety_database(1), "insecure.json": '{"meta": {}, "vulnerable_packages": {}}'}, "schema none"),
    ],
)
def test_stale_missing_or_foreign_database_is_refused(
    tools: FakeTools, source: Path, database: dict[str, str], reason: str
) -> None:
    tools.on("gcloud", ["storage", "cp"], writes=database)
    result = run(clean(tools), source)
    assert result.returncode == 1
    assert reason in result.reason
    assert not tools.calls("safety")
    fx.evidence_failed(tools, GATE)


def test_database_copy_failure_fails(tools: FakeTools, source: Path) -> None:
    tools.on("gcloud", ["storage", "cp"], exit=1, stderr="ERROR: (gcloud.storage.cp) 403 denied\n")
    result = run(clean(tools), source)
    assert result.returncode == 1
    assert "safety database: gcloud storage cp failed (exit 1): ERROR: (gcloud.storage.cp) 403" in result.reason


@pytest.mark.parametrize(
    "case",
    [
        ("pylint", ["--output-format=json2"], {"exit": 32, "stderr": "usage: pylint"}, "pylint failed (exit 32)"),
        ("mypy", ["--strict"], {"exit": 2, "stdout": "mypy: can't read file\n"}, "mypy: mypy failed (exit 2)"),
        ("bandit", ["-f"], {"exit": 2, "stderr": "bandit: error: bad args"}, "bandit: bandit failed (exit 2)"),
        ("safety", ["check"], {"exit": 67, "stderr": "Unable to load DB"}, "(exit 67): Unable to load DB"),
    ],
)
def test_tool_errors_fail(tools: FakeTools, source: Path, case: Case) -> None:
    tool, match, answer, reason = case
    tools.on(tool, match, **answer)  # type: ignore[arg-type]
    result = run(clean(tools), source)
    assert result.returncode == 1
    assert reason in result.reason
    fx.evidence_failed(tools, GATE)


@pytest.mark.parametrize(
    "case",
    [
        ("pylint", ["--output-format=json2"], {}, "pylint: report pylint.json is missing"),
        ("pylint", ["--output-format=json2"], {"writes": {"@--output": ""}}, "pylint: report pylint.json is empty"),
        ("pylint", ["--output-format=json2"], {"writes": {"@--output": "{oops"}}, "is malformed JSON"),
        ("pylint", ["--output-format=json2"], {"writes": {"@--output": "[]"}}, "does not have the expected shape"),
        ("mypy", ["--strict"], {"stdout": ""}, "mypy: output has no summary line"),
        ("mypy", ["--strict"], {"stdout": "Success: no issues found in 0 source files\n"}, "checked no source file"),
        ("bandit", ["-f"], {"writes": {"@-o": '{"results": []}'}}, "bandit: report bandit.json does not have"),
        ("safety", ["check"], {"exit": 0}, "report safety-0.json is missing"),
        ("safety", ["check"], {"writes": {"@--save-json": "DEPRECATED banner"}}, "safety-0.json is malformed JSON"),
    ],
)
def test_missing_empty_or_malformed_reports_fail(tools: FakeTools, source: Path, case: Case) -> None:
    tool, match, answer, reason = case
    tools.on(tool, match, **answer)  # type: ignore[arg-type]
    result = run(clean(tools), source)
    assert result.returncode == 1
    assert reason in result.reason
    fx.evidence_failed(tools, GATE)


def test_report_not_made_from_the_mirror_fails(tools: FakeTools, source: Path) -> None:
    report = fx.document(STEM, "safety-clean.json")
    report["report_meta"]["local_database_path"] = None
    tools.on("safety", ["check"], writes={"@--save-json": fx.dumps(report)})
    result = run(clean(tools), source)
    assert result.returncode == 1
    assert "was not made from the mirrored database" in result.reason


def test_missing_scanner_fails_never_skips(tools: FakeTools, source: Path) -> None:
    tools.remove("bandit")
    result = run(clean(tools), source)
    assert result.returncode == 1
    assert result.reason.endswith("required tool 'bandit' is not installed")
    fx.evidence_failed(tools, GATE)


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("prod", DB_URI),
        ("qa", DB_URI, "src"),
        ("prod", "https://example.invalid/db", "src"),
        ("prod", "", "src"),
        ("prod", DB_URI, "no-such-dir"),
        ("prod", DB_URI, "--recursive"),
    ],
)
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run("run-python-quality.sh", *args)
    assert result.returncode == 2
    assert result.reason == "usage: run-python-quality.sh ENV SAFETY_DB_URI SOURCE_DIR..."
    assert tools.calls() == []
