"""The expectations per table. Regular expressions stay within what both RE2 (BigQuery) and Python accept.

Curated columns are those of infra/data/warehouse/schema.py; the pipeline identity reads them in clear (it
is a full reader for backups). The checks hold under masking too (SHA-256 MRNs stay unique, year-masked
dates stay in range), so an identity with masked access gets the same verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from great_expectations.expectations.core.expect_column_pair_values_a_to_be_greater_than_b import (
    ExpectColumnPairValuesAToBeGreaterThanB,
)
from great_expectations.expectations.core.expect_column_values_to_be_between import ExpectColumnValuesToBeBetween
from great_expectations.expectations.core.expect_column_values_to_be_in_set import ExpectColumnValuesToBeInSet
from great_expectations.expectations.core.expect_column_values_to_be_unique import ExpectColumnValuesToBeUnique
from great_expectations.expectations.core.expect_column_values_to_match_regex import ExpectColumnValuesToMatchRegex
from great_expectations.expectations.core.expect_column_values_to_not_be_in_set import ExpectColumnValuesToNotBeInSet
from great_expectations.expectations.core.expect_column_values_to_not_be_null import ExpectColumnValuesToNotBeNull
from great_expectations.expectations.core.expect_column_values_to_not_match_regex import (
    ExpectColumnValuesToNotMatchRegex,
)
from great_expectations.expectations.core.expect_compound_columns_to_be_unique import ExpectCompoundColumnsToBeUnique
from great_expectations.expectations.core.expect_table_columns_to_match_set import ExpectTableColumnsToMatchSet
from great_expectations.expectations.core.expect_table_row_count_to_be_between import ExpectTableRowCountToBeBetween
from great_expectations.expectations.expectation import Expectation

from workloads.quality.tables import AGGREGATES, DEIDENTIFIED_ROWS, ENCOUNTERS, PATIENTS, Table, restricted_zip3

EARLIEST_BIRTH = date(1900, 1, 1)
EARLIEST_SERVICE = date(2000, 1, 1)
MIN_CELL_SIZE = 11
SSN = r"[0-9]{3}-[0-9]{2}-[0-9]{4}"
ENCOUNTER_CLASSES = ("inpatient", "outpatient", "emergency")
# The Spark job's outputs (hipaa_spark DEIDENTIFIED_COLUMNS and AGGREGATE_COLUMNS; tests/workloads/test_contract.py).
ROW_COLUMNS = (
    "patient_key",
    "facility_id",
    "patient_zip3",
    "age_years",
    "admit_year",
    "discharge_year",
    "length_of_stay_days",
    "encounter_class",
    "primary_diagnosis_code",
)
AGGREGATE_COLUMNS = (
    "facility_id",
    "service_month",
    "patient_zip3",
    "encounter_count",
    "patient_count",
    "mean_length_of_stay_days",
)


def has_rows() -> Expectation:
    """First in every suite: the runner reads its observed count to tell "no rows" from a pass."""
    return ExpectTableRowCountToBeBetween(min_value=1)


def not_null(*columns: str) -> list[Expectation]:
    return [ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def no_ssn(*columns: str) -> list[Expectation]:
    return [ExpectColumnValuesToNotMatchRegex(column=c, regex=SSN) for c in columns]


def zip3_generalized(column: str) -> list[Expectation]:
    return [
        ExpectColumnValuesToMatchRegex(column=column, regex=r"^[0-9]{3}$"),
        ExpectColumnValuesToNotBeInSet(column=column, value_set=list(restricted_zip3())),
    ]


def curated_patients(today: date) -> list[Expectation]:
    """Every patient identifiable and linkable: the job keys on the MRN and joins on patient_id."""
    return [
        has_rows(),
        *not_null("patient_id", "mrn", "facility_id", "facility_region"),
        ExpectColumnValuesToBeUnique(column="patient_id"),
        ExpectColumnValuesToBeUnique(column="mrn"),
        ExpectColumnValuesToBeBetween(column="date_of_birth", min_value=EARLIEST_BIRTH, max_value=today),
    ]


def curated_encounters(today: date) -> list[Expectation]:
    return [
        has_rows(),
        *not_null("encounter_id", "patient_id", "facility_id", "facility_region", "admit_date"),
        ExpectColumnValuesToBeUnique(column="encounter_id"),
        ExpectColumnValuesToBeInSet(column="encounter_class", value_set=list(ENCOUNTER_CLASSES)),
        ExpectColumnValuesToBeBetween(column="admit_date", min_value=EARLIEST_SERVICE, max_value=today),
        ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="discharge_date", column_B="admit_date", or_equal=True, ignore_row_if="either_value_is_missing"
        ),
        ExpectColumnValuesToBeBetween(column="length_of_stay_days", min_value=0),
    ]


def deidentified_rows(today: date) -> list[Expectation]:
    return [
        has_rows(),
        ExpectTableColumnsToMatchSet(column_set=list(ROW_COLUMNS), exact_match=True),
        *not_null("patient_key", "facility_id", "patient_zip3", "admit_year"),
        ExpectColumnValuesToMatchRegex(column="patient_key", regex=r"^[0-9a-f]{64}$"),
        *zip3_generalized("patient_zip3"),
        ExpectColumnValuesToBeBetween(column="age_years", min_value=0, max_value=90),
        ExpectColumnValuesToBeBetween(column="admit_year", min_value=EARLIEST_SERVICE.year, max_value=today.year),
        ExpectColumnValuesToBeBetween(column="length_of_stay_days", min_value=0),
        *no_ssn("patient_key", "facility_id", "patient_zip3", "encounter_class", "primary_diagnosis_code"),
    ]


def facility_aggregates(today: date) -> list[Expectation]:
    return [
        has_rows(),
        ExpectTableColumnsToMatchSet(column_set=list(AGGREGATE_COLUMNS), exact_match=True),
        *not_null("facility_id", "service_month", "patient_zip3", "encounter_count"),
        ExpectCompoundColumnsToBeUnique(column_list=["facility_id", "service_month", "patient_zip3"]),
        *zip3_generalized("patient_zip3"),
        ExpectColumnValuesToBeBetween(column="encounter_count", min_value=MIN_CELL_SIZE),
        ExpectColumnValuesToBeBetween(column="service_month", min_value=EARLIEST_SERVICE, max_value=today),
        *no_ssn("facility_id", "patient_zip3"),
    ]


SUITES = {
    PATIENTS: curated_patients,
    ENCOUNTERS: curated_encounters,
    DEIDENTIFIED_ROWS: deidentified_rows,
    AGGREGATES: facility_aggregates,
}


def suite_for(table: Table, today: date) -> Sequence[Expectation]:
    return SUITES[table](today)
