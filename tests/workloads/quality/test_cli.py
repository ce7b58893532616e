"""`python -m workloads.quality`: exit codes, the JSON report, and no data value in either output."""

from __future__ import annotations

import argparse
import json
import runpy
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.workloads.quality.synthetic import PandasSource
from workloads.quality.cli import main, parse_args
from workloads.quality.runner import BigQuerySource, TableSource
from workloads.quality.tables import AGGREGATES, DEIDENTIFIED_ROWS, ENCOUNTERS, PATIENTS

ARGS = ["--project", "nwh-analytics-prd", "--dataset", "hipaa_prod_curated"]
RAW_SSN = "000-12-3456"  # synthetic, never a real number


def run(tmp_path: Path, source: PandasSource | Exception, *extra: str) -> tuple[int, dict[str, Any]]:
    def factory(args: argparse.Namespace) -> TableSource:
        if isinstance(source, Exception):
            raise source
        return source

    out = tmp_path / "quality.json"
    code = main([*ARGS, "--json", str(out), *extra], source_factory=factory)
    return code, json.loads(out.read_text(encoding="utf-8"))


def test_pass(tmp_path: Path) -> None:
    code, report = run(tmp_path, PandasSource())
    assert code == 0 and report["status"] == "pass" and report["error"] is None
    assert report["datasets"] == {"curated": "hipaa_prod_curated", "deidentified": "hipaa_prod_deidentified"}
    assert [t["failed"] for t in report["tables"]] == [[], [], [], []]
    assert all(t["evaluated"] > 0 and t["rows"] == 3 for t in report["tables"])


def test_failure_exits_1_and_names_rule_not_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = PandasSource()
    source.frames[DEIDENTIFIED_ROWS].at[1, "primary_diagnosis_code"] = RAW_SSN
    code, report = run(tmp_path, source)
    assert code == 1 and report["status"] == "fail"
    assert report["tables"][2]["failed"] == [
        {"expectation": "expect_column_values_to_not_match_regex", "column": "primary_diagnosis_code"}
    ]
    err = capsys.readouterr().err
    assert "FAIL synthetic_deidentified.encounters_safe_harbor" in err
    assert RAW_SSN not in err and RAW_SSN not in json.dumps(report)


def test_zero_rows_exits_2(tmp_path: Path) -> None:
    source = PandasSource()
    source.frames[ENCOUNTERS] = source.frames[ENCOUNTERS].iloc[0:0]
    code, report = run(tmp_path, source)
    assert code == 2 and report["status"] == "error" and "no rows" in report["error"]


def test_connection_failure_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run(tmp_path, ConnectionError("bigquery.googleapis.com unreachable\ntrace"))
    assert code == 2 and report["error"] == "ConnectionError: bigquery.googleapis.com unreachable"
    assert "data-quality: ERROR: ConnectionError" in capsys.readouterr().err


def test_unwritable_report_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "missing-dir" / "quality.json"
    assert main([*ARGS, "--json", str(out)], source_factory=lambda args: PandasSource()) == 2
    assert "cannot write" in capsys.readouterr().err


def test_explicit_deidentified_dataset(tmp_path: Path) -> None:
    _, report = run(tmp_path, PandasSource(), "--deidentified-dataset", "custom_deid")
    assert report["datasets"]["deidentified"] == "custom_deid"


def never_called(args: argparse.Namespace) -> TableSource:
    raise AssertionError("bad arguments must stop before any data source is opened")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--project", "Bad_Project", "--dataset", "hipaa_prod_curated"], "--project='Bad_Project' is malformed"),
        (["--project", "nwh-analytics-prd", "--dataset", "a.b"], "--dataset='a.b' is malformed"),
        (["--project", "nwh-analytics-prd", "--dataset", "warehouse"], "--deidentified-dataset is required"),
        ([*ARGS, "--deidentified-dataset", "x-y"], "--deidentified-dataset='x-y' is malformed"),
    ],
)
def test_bad_arguments_exit_2_naming_the_argument(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv, source_factory=never_called) == 2
    assert message in capsys.readouterr().err


def test_missing_argument_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(["--project", "nwh-analytics-prd"])
    assert exited.value.code == 2


def test_module_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["workloads.quality", "--project", "BAD", "--dataset", "hipaa_dev_curated"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("workloads.quality", run_name="__main__")
    assert exited.value.code == 2


def test_bigquery_source_names_tables_by_dataset() -> None:
    source = BigQuerySource("nwh-analytics-prd", {"curated": "hipaa_prod_curated", "deidentified": "hipaa_prod_deid"})
    assert source.label(PATIENTS) == "hipaa_prod_curated.patients"
    assert source.label(ENCOUNTERS) == "hipaa_prod_curated.encounters"
    assert source.label(AGGREGATES) == "hipaa_prod_deid.facility_monthly_encounters"
