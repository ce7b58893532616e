"""The job end to end over a fake table IO holding curated-shaped tables: arguments, outputs, counts, failures."""

from __future__ import annotations

import runpy
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as sf

from hipaa_spark.job import AGGREGATES_TABLE, ROWS_TABLE, main, parse_args
from tests.workloads.spark.conftest import TEST_KEY, encounter
from tests.workloads.spark.curated import ciphertext, curated_frames

MAIN_PY = Path(__file__).resolve().parents[3] / "workloads" / "spark" / "main.py"
VERSION = "projects/nwh-analytics-prd/secrets/hipaa-prod-mrn-hmac-key/versions/1"
ARGS = [
    "--project=nwh-analytics-prd",
    "--dataset=hipaa_prod_curated",
    "--output-dataset=hipaa_prod_deidentified",
    "--materialization-dataset=hipaa_prod_staging",
    f"--hmac-key-version={VERSION}",
    "--min-cell-size=12",
]


@dataclass
class FakeTableIO:
    encounters: DataFrame
    patients: DataFrame
    reads: list[dict[str, str]] = field(default_factory=list)
    writes: dict[str, DataFrame] = field(default_factory=dict)

    def read(self, spark: SparkSession, options: dict[str, str]) -> DataFrame:
        self.reads.append(options)
        tables = {"hipaa_prod_curated.encounters": self.encounters, "hipaa_prod_curated.patients": self.patients}
        return tables[options["table"].split(".", 1)[1]]

    def write(self, frame: DataFrame, options: dict[str, str]) -> None:
        self.writes[options["table"]] = frame


def has_mrn(clear: str) -> Column:
    """Rows of the patient with this synthetic MRN, as curated stores it (ciphertext)."""
    return sf.col("mrn").eqNullSafe(sf.lit(ciphertext(clear)))


def key_for(version: str) -> bytes:
    assert version == VERSION
    return TEST_KEY


def fake_io(spark: SparkSession, rows: list[tuple[object, ...]]) -> FakeTableIO:
    return FakeTableIO(*curated_frames(spark, rows))


def test_reads_both_curated_tables_and_writes_both_outputs(spark: SparkSession) -> None:
    io = fake_io(spark, [encounter(n, mrn=f"MRN-{n % 3}") for n in range(12)])
    assert main(ARGS, spark=spark, io=io, key_reader=key_for) == 0
    assert [r["table"] for r in io.reads] == [
        "nwh-analytics-prd.hipaa_prod_curated.encounters",
        "nwh-analytics-prd.hipaa_prod_curated.patients",
    ]
    assert {r["materializationDataset"] for r in io.reads} == {"hipaa_prod_staging"}
    rows = io.writes[f"nwh-analytics-prd.hipaa_prod_deidentified.{ROWS_TABLE}"]
    cells = io.writes[f"nwh-analytics-prd.hipaa_prod_deidentified.{AGGREGATES_TABLE}"]
    assert rows.count() == 12 and [(c.encounter_count, c.patient_count) for c in cells.collect()] == [(12, 3)]


def test_empty_source_fails_and_writes_nothing(spark: SparkSession, caplog: pytest.LogCaptureFixture) -> None:
    io = fake_io(spark, [])
    assert main(ARGS, spark=spark, io=io, key_reader=key_for) == 1
    assert io.writes == {}
    assert "hipaa_prod_curated.encounters joined to patients has no rows" in caplog.text


def test_encounters_without_a_patient_are_counted_not_published(
    spark: SparkSession, caplog: pytest.LogCaptureFixture
) -> None:
    io = fake_io(spark, [encounter(n, mrn=f"MRN-{n % 3}") for n in range(12)])
    io.patients = io.patients.filter(~has_mrn("MRN-0"))
    assert main(ARGS, spark=spark, io=io, key_reader=key_for) == 0
    assert io.writes[f"nwh-analytics-prd.hipaa_prod_deidentified.{ROWS_TABLE}"].count() == 8
    assert "left out 4 encounter(s) with no patient row" in caplog.text
    assert "MRN-0" not in caplog.text


def test_a_repeated_patient_fails_before_anything_is_written(
    spark: SparkSession, caplog: pytest.LogCaptureFixture
) -> None:
    io = fake_io(spark, [encounter(n, mrn=f"MRN-{n % 3}") for n in range(12)])
    io.patients = io.patients.union(io.patients.filter(has_mrn("MRN-1")))
    assert main(ARGS, spark=spark, io=io, key_reader=key_for) == 1
    assert "repeats 4 encounter row(s): patient_id repeats in patients" in caplog.text
    assert io.writes == {}


def test_missing_and_repeated_patients_cannot_cancel_out(spark: SparkSession, caplog: pytest.LogCaptureFixture) -> None:
    io = fake_io(spark, [encounter(n, mrn=f"MRN-{n % 3}") for n in range(12)])
    # MRN-0's 4 encounters lose their patient, MRN-1's 4 are doubled: as many rows as encounters.
    io.patients = io.patients.filter(~has_mrn("MRN-0")).union(io.patients.filter(has_mrn("MRN-1")))
    assert main(ARGS, spark=spark, io=io, key_reader=key_for) == 1
    assert "repeats 4 encounter row(s)" in caplog.text and io.writes == {}


def test_missing_curated_column_fails_the_job(spark: SparkSession, caplog: pytest.LogCaptureFixture) -> None:
    io = fake_io(spark, [encounter(1)])
    io.patients = io.patients.drop("date_of_birth")
    assert main(ARGS, spark=spark, io=io, key_reader=key_for) == 1
    assert "FAIL: patients lacks column(s) date_of_birth" in caplog.text and io.writes == {}


def test_key_errors_fail_the_job(spark: SparkSession, caplog: pytest.LogCaptureFixture) -> None:
    def refuse(version: str) -> bytes:
        raise ValueError(f"hmac key {version}: payload checksum mismatch")

    io = fake_io(spark, [encounter(1)])
    assert main(ARGS, spark=spark, io=io, key_reader=refuse) == 1
    assert "FAIL: hmac key" in caplog.text and io.reads == []


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("--materialization-dataset=hipaa_prod_deidentified", "--materialization-dataset must differ"),
        ("--output-dataset=hipaa_prod_curated", "--output-dataset must differ"),
        ("--min-cell-size=10", "never lower it below 11"),
    ],
)
def test_unsafe_arguments_are_refused(override: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args([*ARGS, override])
    assert exited.value.code == 2 and message in capsys.readouterr().err


def test_missing_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(ARGS[1:])
    assert exited.value.code == 2 and "--project" in capsys.readouterr().err


def test_main_file_runs_the_job_cli(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(MAIN_PY), run_name="__main__")
    assert exited.value.code == 2 and "--hmac-key-version" in capsys.readouterr().err
