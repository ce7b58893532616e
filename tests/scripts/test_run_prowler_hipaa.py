"""run-prowler-hipaa.sh: Prowler's HIPAA framework; FAIL findings block, dev exceptions expire."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.scripts import scanner_fixtures as fx
from tests.scripts.fakes import PROJECT_ROOT, FakeTools

STEM = "run-prowler-hipaa"
GATE = "prowler"
PROJECT = "nwh-analytics-prd"
REPORT = "out/prowler.ocsf.json"
BASTION = f"projects/{PROJECT}/instances/hipaa-prod-bastion"
SCRATCH = f"projects/{PROJECT}/datasets/hipaa_prod_scratch"
FAIL_VIOLATIONS = [
    f"prowler: compute_instance_public_ip on {BASTION} (High severity)",
    f"prowler: bigquery_dataset_cmk_encryption on {SCRATCH} (Medium severity)",
]


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def with_exceptions(tmp_path: Path, exceptions: list[dict[str, str]] | str) -> str:
    """A copy of scripts/ next to its own security/prowler/exceptions-dev.json; returns the script path."""
    content = exceptions if isinstance(exceptions, str) else json.dumps({"exceptions": exceptions})
    scripts = fx.scripts_copy(tmp_path / "repo", {"security/prowler/exceptions-dev.json": content})
    return str(scripts / "run-prowler-hipaa.sh")


def day(offset: int) -> str:
    return (datetime.now(UTC) + timedelta(days=offset)).strftime("%Y-%m-%d")


def test_passing_project_passes_counting_pass_and_fail_findings(tools: FakeTools) -> None:
    tools.on("prowler", ["gcp", "--project-id", PROJECT], writes={REPORT: fx.text(STEM, "findings-pass.json")})
    result = tools.run("run-prowler-hipaa.sh", "prod", PROJECT)
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, 3)
    argv = tools.calls("prowler")[0].argv
    assert argv[argv.index("--compliance") + 1] == "hipaa_gcp"
    assert argv[argv.index("--output-formats") + 1] == "json-ocsf" and "--no-banner" in argv


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_fail_findings_fail_listing_check_and_resource(tools: FakeTools, env: str) -> None:
    tools.on("prowler", ["gcp"], writes={REPORT: fx.text(STEM, "findings-fail.json")}, exit=3)
    result = tools.run("run-prowler-hipaa.sh", env, PROJECT)
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == FAIL_VIOLATIONS
    assert result.reason == "run-prowler-hipaa.sh: FAIL: prowler: 2 violation(s) in 5 checked"


def test_fail_in_the_report_fails_even_when_prowler_exits_0(tools: FakeTools) -> None:
    tools.on("prowler", ["gcp"], writes={REPORT: fx.text(STEM, "findings-fail.json")}, exit=0)
    assert tools.run("run-prowler-hipaa.sh", "prod", PROJECT).returncode == 1
    assert fx.evidence_failed(tools, GATE) == FAIL_VIOLATIONS


def test_dev_exception_accepts_only_its_check_on_its_resource(tools: FakeTools, tmp_path: Path) -> None:
    script = with_exceptions(
        tmp_path,
        [
            {
                "check_id": "compute_instance_public_ip",
                "resource": BASTION,
                "reason": "break-glass VM, ticket SEC-1",
                "expires": day(30),
            }
        ],
    )
    tools.on("prowler", ["gcp"], writes={REPORT: fx.text(STEM, "findings-fail.json")}, exit=3)
    result = tools.run(script, "dev", PROJECT)
    assert result.returncode == 1
    assert fx.evidence_failed(tools, GATE) == FAIL_VIOLATIONS[1:]
    assert f"dev exception applied: compute_instance_public_ip on {BASTION} until {day(30)}" in result.stderr


def test_dev_exceptions_covering_every_fail_pass(tools: FakeTools, tmp_path: Path) -> None:
    script = with_exceptions(
        tmp_path,
        [
            {"check_id": "compute_instance_public_ip", "resource": BASTION, "reason": "SEC-1", "expires": day(0)},
            {"check_id": "bigquery_dataset_cmk_encryption", "resource": SCRATCH, "reason": "SEC-2", "expires": day(7)},
        ],
    )
    tools.on("prowler", ["gcp"], writes={REPORT: fx.text(STEM, "findings-fail.json")}, exit=3)
    result = tools.run(script, "dev", PROJECT)
    assert result.returncode == 0, result.stderr
    fx.evidence_ok(tools, GATE, 5)


def test_expired_exception_no_longer_applies(tools: FakeTools, tmp_path: Path) -> None:
    script = with_exceptions(
        tmp_path,
        [{"check_id": "compute_instance_public_ip", "resource": BASTION, "reason": "SEC-1", "expires": day(-1)}],
    )
    tools.on("prowler", ["gcp"], writes={REPORT: fx.text(STEM, "findings-fail.json")}, exit=3)
    assert tools.run(script, "dev", PROJECT).returncode == 1
    assert fx.evidence_failed(tools, GATE)[0] == (
        f"prowler: compute_instance_public_ip on {BASTION} (exception expired {day(-1)})"
    )


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_exceptions_never_apply_outside_dev(tools: FakeTools, tmp_path: Path, env: str) -> None:
    script = with_exceptions(
        tmp_path,
        [{"check_id": "compute_instance_public_ip", "resource": BASTION, "reason": "SEC-1", "expires": day(30)}],
    )
    tools.on("prowler", ["gcp"], writes={REPORT: fx.text(STEM, "findings-fail.json")}, exit=3)
    assert tools.run(script, env, PROJECT).returncode == 1
    assert fx.evidence_failed(tools, GATE) == FAIL_VIOLATIONS


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"exceptions": [{"check_id": "x", "resource": "r", "reason": "", "expires": day(3)}]}),
        json.dumps({"exceptions": [{"check_id": "x", "resource": "r", "reason": "why", "expires": "next week"}]}),
        json.dumps([]),
    ],
)
def test_malformed_exceptions_file_fails_in_dev(tools: FakeTools, tmp_path: Path, content: str) -> None:
    script = with_exceptions(tmp_path, content)
    result = tools.run(script, "dev", PROJECT)
    assert result.returncode == 1 and "prowler exceptions: report exceptions-dev.json" in result.reason
    assert tools.calls("prowler") == []


def test_shipped_exceptions_file_is_well_formed_and_grants_nothing() -> None:
    shipped = json.loads((PROJECT_ROOT / "security/prowler/exceptions-dev.json").read_text(encoding="utf-8"))
    assert shipped["exceptions"] == []


@pytest.mark.parametrize("code", [1, 2])
def test_prowler_errors_fail(tools: FakeTools, code: int) -> None:
    tools.on("prowler", ["gcp"], exit=code, stderr="CRITICAL: GCP credentials not found\n")
    result = tools.run("run-prowler-hipaa.sh", "prod", PROJECT)
    assert result.returncode == 1
    assert f"prowler: prowler failed (exit {code}): CRITICAL: GCP credentials not found" in result.reason


@pytest.mark.parametrize(
    ("writes", "reason"),
    [
        ({}, "report prowler.ocsf.json is missing"),
        ({REPORT: ""}, "report prowler.ocsf.json is empty"),
        ({REPORT: "[{"}, "prowler.ocsf.json is malformed JSON"),
        ({REPORT: '{"findings": []}'}, "does not have the expected shape"),
        ({REPORT: "[]"}, "no PASS or FAIL finding"),
    ],
)
def test_missing_empty_or_malformed_report_fails(tools: FakeTools, writes: dict[str, str], reason: str) -> None:
    tools.on("prowler", ["gcp"], writes=writes)
    result = tools.run("run-prowler-hipaa.sh", "prod", PROJECT)
    assert result.returncode == 1 and reason in result.reason
    fx.evidence_failed(tools, GATE)


def test_exit_3_without_a_fail_in_the_report_fails(tools: FakeTools) -> None:
    tools.on("prowler", ["gcp"], writes={REPORT: fx.text(STEM, "findings-pass.json")}, exit=3)
    assert tools.run("run-prowler-hipaa.sh", "prod", PROJECT).returncode == 1
    assert fx.evidence_failed(tools, GATE) == ["prowler: exit 3 (failed findings) but its report lists no FAIL"]


def test_missing_prowler_fails(tools: FakeTools) -> None:
    tools.remove("prowler")
    result = tools.run("run-prowler-hipaa.sh", "prod", PROJECT)
    assert result.returncode == 1 and "required tool 'prowler' is not installed" in result.reason


@pytest.mark.parametrize("args", [(), ("prod",), ("qa", PROJECT), ("prod", "Bad_Project"), ("prod", "")])
def test_missing_or_malformed_arguments_exit_2(tools: FakeTools, args: tuple[str, ...]) -> None:
    result = tools.run("run-prowler-hipaa.sh", *args)
    assert result.returncode == 2
    assert result.reason == "usage: run-prowler-hipaa.sh ENV PROJECT_ID"
