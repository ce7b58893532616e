"""The suites over synthetic tables: clean data passes, and each broken rule is reported by name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import pytest

from tests.workloads.quality.synthetic import PandasSource
from workloads.quality.runner import Failure, QualityError, validate
from workloads.quality.tables import AGGREGATES, DEIDENTIFIED_ROWS, ENCOUNTERS, PATIENTS, TABLES, Table

TODAY = date(2026, 1, 15)


def failures(source: PandasSource, table: Table) -> tuple[Failure, ...]:
    (result,) = validate(source, (table,), TODAY).tables
    return result.failed


def test_clean_tables_pass() -> None:
    report = validate(PandasSource(), TABLES, TODAY)
    assert report.success
    assert [(t.table, t.rows) for t in report.tables] == [
        ("synthetic_curated.patients", 3),
        ("synthetic_curated.encounters", 3),
        ("synthetic_deidentified.encounters_safe_harbor", 3),
        ("synthetic_deidentified.facility_monthly_encounters", 3),
    ]
    assert all(t.evaluated >= 7 for t in report.tables)


def set_value(column: str, value: str | int | date | None, row: int = 0) -> Callable[[pd.DataFrame], None]:
    def change(frame: pd.DataFrame) -> None:
        frame.at[row, column] = value

    return change


def add_column(column: str, value: str) -> Callable[[pd.DataFrame], None]:
    def change(frame: pd.DataFrame) -> None:
        frame[column] = value

    return change


@pytest.mark.parametrize(
    ("table", "change", "expectation", "column"),
    [
        (PATIENTS, set_value("patient_id", "PAT-00001"), "expect_column_values_to_be_unique", "patient_id"),
        (PATIENTS, set_value("mrn", "MRN-000001"), "expect_column_values_to_be_unique", "mrn"),
        (PATIENTS, set_value("mrn", None), "expect_column_values_to_not_be_null", "mrn"),
        (PATIENTS, set_value("facility_region", None), "expect_column_values_to_not_be_null", "facility_region"),
        (PATIENTS, set_value("date_of_birth", date(2030, 1, 1)), "expect_column_values_to_be_between", "date_of_birth"),
        (ENCOUNTERS, set_value("encounter_id", "ENC-00001"), "expect_column_values_to_be_unique", "encounter_id"),
        (ENCOUNTERS, set_value("encounter_id", None), "expect_column_values_to_not_be_null", "encounter_id"),
        (ENCOUNTERS, set_value("patient_id", None), "expect_column_values_to_not_be_null", "patient_id"),
        (ENCOUNTERS, set_value("encounter_class", "home"), "expect_column_values_to_be_in_set", "encounter_class"),
        (ENCOUNTERS, set_value("length_of_stay_days", -1), "expect_column_values_to_be_between", "length_of_stay_days"),
        (ENCOUNTERS, set_value("admit_date", date(1999, 12, 31)), "expect_column_values_to_be_between", "admit_date"),
        (
            ENCOUNTERS,
            set_value("discharge_date", date(2024, 2, 1)),
            "expect_column_pair_values_a_to_be_greater_than_b",
            None,
        ),
        (DEIDENTIFIED_ROWS, add_column("patient_name", ""), "expect_table_columns_to_match_set", None),
        (
            DEIDENTIFIED_ROWS,
            set_value("primary_diagnosis_code", "000-12-3456"),
            "expect_column_values_to_not_match_regex",
            "primary_diagnosis_code",
        ),
        (DEIDENTIFIED_ROWS, set_value("patient_zip3", "94110"), "expect_column_values_to_match_regex", "patient_zip3"),
        (DEIDENTIFIED_ROWS, set_value("patient_zip3", "036"), "expect_column_values_to_not_be_in_set", "patient_zip3"),
        (DEIDENTIFIED_ROWS, set_value("age_years", 95), "expect_column_values_to_be_between", "age_years"),
        (DEIDENTIFIED_ROWS, set_value("patient_key", "MRN-0001"), "expect_column_values_to_match_regex", "patient_key"),
        (AGGREGATES, set_value("encounter_count", 10), "expect_column_values_to_be_between", "encounter_count"),
        (AGGREGATES, set_value("patient_zip3", "9411"), "expect_column_values_to_match_regex", "patient_zip3"),
        (AGGREGATES, set_value("patient_zip3", "893"), "expect_column_values_to_not_be_in_set", "patient_zip3"),
        (
            AGGREGATES,
            set_value("service_month", date(2026, 2, 1)),
            "expect_column_values_to_be_between",
            "service_month",
        ),
    ],
)
def test_each_broken_rule_is_reported(
    table: Table, change: Callable[[pd.DataFrame], None], expectation: str, column: str | None
) -> None:
    source = PandasSource()
    change(source.frames[table])
    assert failures(source, table) == (Failure(expectation, column),)


def test_duplicate_aggregate_cell_is_reported() -> None:
    source = PandasSource()
    source.frames[AGGREGATES].loc[2, ["facility_id", "patient_zip3"]] = ["FAC-001", "941"]
    assert failures(source, AGGREGATES) == (Failure("expect_compound_columns_to_be_unique", None),)


def test_zero_rows_is_an_error_not_a_pass() -> None:
    source = PandasSource()
    source.frames[AGGREGATES] = source.frames[AGGREGATES].iloc[0:0]
    with pytest.raises(QualityError, match="facility_monthly_encounters: no rows"):
        validate(source, TABLES, TODAY)


def test_missing_column_is_an_error() -> None:
    source = PandasSource()
    source.frames[PATIENTS] = source.frames[PATIENTS].drop(columns=["mrn"])
    with pytest.raises(QualityError, match="could not be evaluated"):
        validate(source, TABLES, TODAY)
