"""run-data-quality.sh: the data-quality gate over a fake `python -m workloads.quality`.

PYTHON points at a small fake interpreter that records its arguments, writes the report JSON it is
given to the path after --json, and exits with the given code; the real suite is tested in
tests/workloads/quality. The gate must pass only on a consistent, non-empty, all-green report.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.scripts.fakes import FakeTools

SCRIPT = "run-data-quality.sh"
ARGS = ("prod", "nwh-analytics-prd", "hipaa_prod_curated")
RAW_SSN = "000-12-3456"  # synthetic
FAKE_PYTHON = f"""#!{sys.executable}
import json, os, sys
with open(os.environ["FAKE_PYTHON_LOG"], "w", encoding="utf-8") as log:
    json.dump(sys.argv[1:], log)
report = os.environ.get("FAKE_REPORT")
if report is not None:
    with open(sys.argv[sys.argv.index("--json") + 1], "w", encoding="utf-8") as out:
        out.write(report)
sys.stderr.write("PASS hipaa_prod_curated.encounters: 12 expectations, 0 failed\\n")
sys.exit(int(os.environ.get("FAKE_EXIT", "0")))
"""


def table(
    name: str, evaluated: int = 12, rows: int = 100, failed: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"table": name, "rows": rows, "evaluated": evaluated, "failed": failed or []}


def report(status: str, *tables: dict[str, Any], error: str | None = None) -> str:
    return json.dumps({"status": status, "tables": list(tables), "error": error})


GOOD = report(
    "pass",
    table("hipaa_prod_curated.patients", 7),
    table("hipaa_prod_curated.encounters", 12),
    table("hipaa_prod_deidentified.encounters_safe_harbor", 16),
    table("hipaa_prod_deidentified.facility_monthly_encounters", 13),
)


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def run(tools: FakeTools, *args: str, exit: int = 0, report: str | None = GOOD) -> Any:
    fake = tools.root / "fake-python"
    fake.write_text(FAKE_PYTHON, encoding="utf-8")
    fake.chmod(0o755)
    env = {"PYTHON": str(fake), "FAKE_PYTHON_LOG": str(tools.root / "python-argv.json"), "FAKE_EXIT": str(exit)}
    if report is not None:
        env["FAKE_REPORT"] = report
    return tools.run(SCRIPT, *args, env=env)


def python_argv(tools: FakeTools) -> list[str]:
    argv: list[str] = json.loads((tools.root / "python-argv.json").read_text(encoding="utf-8"))
    return argv


def test_pass_counts_every_expectation(tools: FakeTools) -> None:
    result = run(tools, *ARGS)
    assert result.returncode == 0, result.stderr
    evidence = tools.evidence_of("data-quality")
    assert evidence["status"] == "pass" and evidence["checked"] == 48 and evidence["violations"] == []
    assert evidence["tool"] == "great_expectations" and evidence["environment"] == "prod"
    argv = python_argv(tools)
    assert argv[:6] == ["-m", "workloads.quality", "--project", "nwh-analytics-prd", "--dataset", "hipaa_prod_curated"]
    assert argv[6] == "--json"
    assert result.reason == "run-data-quality.sh: PASS: data-quality: 48 checked, 0 violations"


def test_failed_expectations_block_and_are_named(tools: FakeTools) -> None:
    failed: list[dict[str, Any]] = [
        {"expectation": "expect_column_values_to_not_match_regex", "column": "primary_diagnosis_code"},
        {"expectation": "expect_compound_columns_to_be_unique", "column": None, "partial_unexpected_list": [RAW_SSN]},
    ]
    body = report("fail", table("hipaa_prod_curated.encounters"), table("d.t", failed=failed))
    result = run(tools, *ARGS, exit=1, report=body)
    assert result.returncode == 1
    evidence = tools.evidence_of("data-quality")
    assert evidence["status"] == "fail" and evidence["checked"] == 24
    assert evidence["violations"] == [
        "d.t: expect_column_values_to_not_match_regex failed on column primary_diagnosis_code",
        "d.t: expect_compound_columns_to_be_unique failed",
    ]
    assert RAW_SSN not in result.stderr and RAW_SSN not in json.dumps(evidence)


def test_suite_error_fails_with_its_reason(tools: FakeTools) -> None:
    body = report("error", error="hipaa_prod_curated.encounters: no rows; validating nothing is not a pass")
    result = run(tools, *ARGS, exit=2, report=body)
    assert result.returncode == 1
    assert result.reason.endswith(
        "suites could not run: hipaa_prod_curated.encounters: no rows; validating nothing is not a pass"
    )
    assert tools.evidence_of("data-quality")["status"] == "fail"


@pytest.mark.parametrize(
    ("exit", "body", "reason"),
    [
        (2, None, "suites could not run: no report, see the log above"),
        (137, GOOD, "python -m workloads.quality exited 137"),
        (0, None, "the suite exited 0 but wrote no report"),
        (0, "{not json", "the suite's report is malformed"),
        (0, json.dumps({"status": "pass"}), "the suite's report is malformed"),
        (0, report("pass"), "the suite validated no table"),
        (0, report("pass", table("d.t", rows=0)), "d.t: no rows; validating nothing is not a pass"),
        (0, report("pass", {"table": "d.t", "failed": []}), "report: table d.t lacks counts"),
        (0, report("pass", table("d.t", evaluated=0)), "nothing was checked, refusing to pass"),
        (1, GOOD, "exit 1 and status 'pass' disagree with 0 failed expectation(s)"),
        (0, report("pass", table("d.t", failed=[{"expectation": "e", "column": None}])), "exit 0 and status 'pass'"),
    ],
)
def test_anything_but_a_consistent_green_report_fails(
    tools: FakeTools, exit: int, body: str | None, reason: str
) -> None:
    result = run(tools, *ARGS, exit=exit, report=body)
    assert result.returncode == 1
    assert reason in result.reason
    assert tools.evidence_of("data-quality")["status"] == "fail"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (ARGS[:2], "expected 3 arguments, got 2"),
        (("qa", *ARGS[1:]), "ENV must be dev, staging or prod, got 'qa'"),
        (("dev", "Bad_Project", "hipaa_dev_curated"), "PROJECT_ID='Bad_Project' is malformed"),
        (("dev", "nwh-analytics-dev", "hipaa-dev-curated"), "BIGQUERY_DATASET='hipaa-dev-curated' is malformed"),
    ],
)
def test_bad_arguments_are_usage_errors(tools: FakeTools, args: tuple[str, ...], reason: str) -> None:
    result = run(tools, *args)
    assert result.returncode == 2
    assert reason in result.stderr and "usage: run-data-quality.sh ENV PROJECT_ID BIGQUERY_DATASET" in result.stderr
    assert not (tools.root / "python-argv.json").exists()


def test_missing_interpreter_fails_closed(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, *ARGS, env={"PYTHON": str(tools.root / "no-such-python")})
    assert result.returncode == 1 and "is not installed" in result.reason
    assert tools.evidence_of("data-quality")["status"] == "fail"
