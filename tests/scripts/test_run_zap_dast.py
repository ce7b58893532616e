"""run-zap-dast.sh: ZAP against the internal API; FAIL alerts block everywhere, WARN ones in prod."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts import scanner_fixtures as fx
from tests.scripts.fakes import FakeTools, Result

STEM = "run-zap-dast"
GATE = "dast"
API = "https://hipaa-api.hipaa.svc.cluster.local"
EVALUATED = 64
SCANNER = {"dev": "zap-baseline.py", "staging": "zap-api-scan.py", "prod": "zap-api-scan.py"}


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def answer(tools: FakeTools, env: str, name: str, exit: int = 0) -> FakeTools:
    summary = {"clean": "summary-clean.txt", "warn": "summary-warn.txt"}.get(name, "summary-fail.txt")
    return tools.on(
        SCANNER[env],
        ["-t"],
        writes={"@-J": fx.text(STEM, f"report-{name}.json")},
        stdout=fx.text(STEM, summary),
        exit=exit,
    )


def run(tools: FakeTools, env: str, url: str = API) -> Result:
    work = tools.root / "zap-wrk"
    work.mkdir(exist_ok=True)
    return tools.run("run-zap-dast.sh", env, url, env={"ZAP_WORK_DIR": str(work)})


def test_dev_runs_the_baseline_scan_and_passes_clean(tools: FakeTools) -> None:
    result = run(answer(tools, "dev", "clean"), "dev")
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, EVALUATED)
    argv = tools.calls("zap-baseline.py")[0].argv
    assert argv[:2] == ["-t", API]
    assert argv[argv.index("-c") + 1].endswith("/rules.tsv") and argv[argv.index("-J") + 1].endswith("/report.json")
    assert list((tools.root / "zap-wrk").iterdir()) == []  # the private scan directory is removed


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_staging_and_prod_run_the_api_scan_on_the_openapi_document(tools: FakeTools, env: str) -> None:
    result = run(answer(tools, env, "clean"), env)
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, EVALUATED)
    argv = tools.calls("zap-api-scan.py")[0].argv
    assert argv[:4] == ["-t", f"{API}/openapi.json", "-f", "openapi"]
    assert tools.calls("zap-baseline.py") == []


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_fail_alerts_fail_naming_plugin_and_risk_never_the_uri(tools: FakeTools, env: str) -> None:
    result = run(answer(tools, env, "fail", exit=1), env)
    assert result.returncode == 1
    violations = fx.evidence_failed(tools, GATE)
    assert "zap: alert 10021 X-Content-Type-Options Header Missing (risk Low (Medium)) on 4 instance(s)" in violations
    assert "zap: alert 40018 SQL Injection (risk High (Medium)) on 1 instance(s)" in violations
    assert not any("/v1/records" in v or "synthetic-evidence" in v for v in violations)
    assert ("WARN is not accepted in prod" in " ".join(violations)) == (env == "prod")


@pytest.mark.parametrize("env", ["dev", "staging"])
def test_warnings_pass_outside_prod(tools: FakeTools, env: str) -> None:
    result = run(answer(tools, env, "warn", exit=2), env)
    assert result.returncode == 0, result.stderr
    assert "warning: zap: alert 10038" in result.stderr


def test_warnings_fail_in_prod(tools: FakeTools) -> None:
    result = run(answer(tools, "prod", "warn", exit=2), "prod")
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == [
        "zap: alert 10038 Content Security Policy (CSP) Header Not Set (risk Medium (High)) on 3 instance(s): "
        "WARN is not accepted in prod"
    ]


def test_high_risk_alert_fails_even_when_its_rule_is_warn_and_zap_exits_0(tools: FakeTools) -> None:
    result = run(answer(tools, "staging", "high-warn-rule", exit=0), "staging")
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == [
        "zap: alert 10202 Absence of Anti-CSRF Tokens (risk High (Medium)) on 2 instance(s)"
    ]


def test_exit_1_without_a_failing_alert_fails(tools: FakeTools) -> None:
    result = run(answer(tools, "dev", "clean", exit=1), "dev")
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == ["zap-baseline.py: exit 1 (FAIL) but its report has no failing alert"]


@pytest.mark.parametrize("code", [3, 99])
def test_zap_errors_fail(tools: FakeTools, code: int) -> None:
    tools.on("zap-api-scan.py", ["-t"], exit=code, stderr="Failed to access the OpenAPI definition\n")
    result = run(tools, "prod")
    assert result.returncode == 1
    assert f"zap-api-scan.py: zap-api-scan.py failed (exit {code}): Failed to access" in result.reason


@pytest.mark.parametrize(
    ("writes", "stdout", "reason"),
    [
        ({}, "FAIL-NEW: 0\tWARN-NEW: 0\tINFO: 0\tIGNORE: 0\tPASS: 5\n", "report report.json is missing"),
        ({"@-J": ""}, "", "report report.json is empty"),
        ({"@-J": "{site"}, "", "report.json is malformed JSON"),
        ({"@-J": '{"alerts": []}'}, "", "report.json does not have the expected shape"),
        ({"@-J": '{"site": []}'}, "", "the report has no scanned site"),
        ({"@-J": fx.text(STEM, "report-clean.json")}, "", "no summary line in its output"),
    ],
)
def test_missing_empty_or_malformed_report_fails(
    tools: FakeTools, writes: dict[str, str], stdout: str, reason: str
) -> None:
    tools.on("zap-baseline.py", ["-t"], writes=writes, stdout=stdout)
    result = run(tools, "dev")
    assert result.returncode == 1 and reason in result.reason
    fx.evidence_failed(tools, GATE)


def test_missing_zap_work_directory_fails(tools: FakeTools) -> None:
    result = tools.run("run-zap-dast.sh", "dev", API, env={"ZAP_WORK_DIR": str(tools.root / "absent")})
    assert result.returncode == 1 and "ZAP work directory" in result.reason


def test_missing_scanner_fails(tools: FakeTools) -> None:
    tools.remove("zap-api-scan.py")
    result = run(tools, "prod")
    assert result.returncode == 1 and "required tool 'zap-api-scan.py' is not installed" in result.reason


@pytest.mark.parametrize(
    "url",
    [
        "http://10.20.0.15:8080",
        "https://172.20.1.2",
        "http://192.168.4.4/api",
        "https://api.hipaa.internal",
        "http://api.local",
    ],
)
def test_internal_urls_are_accepted(tools: FakeTools, url: str) -> None:
    assert run(answer(tools, "dev", "clean"), "dev", url).returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("prod",),
        ("qa", API),
        ("prod", "https://api.example.com"),
        ("prod", "http://8.8.8.8"),
        ("prod", "http://172.32.0.1"),
        ("prod", "http://10.0.0.256"),
        ("prod", "ftp://10.0.0.1"),
        ("prod", "http://user@10.0.0.1"),
        ("prod", "https://hipaa-api.hipaa.svc.cluster.local.evil.com"),
        ("prod", ""),
    ],
)
def test_missing_malformed_or_public_target_exits_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run("run-zap-dast.sh", *args)
    assert result.returncode == 2
    assert result.reason == "usage: run-zap-dast.sh ENV TARGET_URL"
    assert tools.calls() == []
