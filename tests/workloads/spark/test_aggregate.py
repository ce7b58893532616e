"""Facility-month aggregates: counts, distinct patients, Safe Harbor ZIP3 and small-cell suppression."""

from __future__ import annotations

from datetime import date

import pytest
from pyspark.sql import SparkSession

from hipaa_spark.aggregate import AGGREGATE_COLUMNS, aggregate_by_facility_month
from hipaa_spark.safe_harbor import restricted_zip3
from tests.workloads.spark.conftest import SOURCE_SCHEMA, TEST_KEY, encounter


def test_cells_per_facility_month_and_zip3(spark: SparkSession) -> None:
    march = [encounter(n, mrn=f"MRN-{n % 4}", admit=date(2024, 3, n + 1)) for n in range(12)]
    april = [encounter(100 + n, admit=date(2024, 4, 2), discharge=date(2024, 4, 5)) for n in range(11)]
    small = [encounter(200 + n, facility="FAC-002") for n in range(10)]
    source = spark.createDataFrame(march + april + small, SOURCE_SCHEMA)
    cells = aggregate_by_facility_month(source, TEST_KEY, restricted_zip3(), min_cell_size=11)
    assert tuple(cells.columns) == AGGREGATE_COLUMNS
    got = {(r.facility_id, r.service_month, r.patient_zip3): r for r in cells.collect()}
    assert set(got) == {("FAC-001", date(2024, 3, 1), "941"), ("FAC-001", date(2024, 4, 1), "941")}
    first = got[("FAC-001", date(2024, 3, 1), "941")]
    assert (first.encounter_count, first.patient_count) == (12, 4)
    assert got[("FAC-001", date(2024, 4, 1), "941")].mean_length_of_stay_days == 3.0


def test_restricted_zip_is_aggregated_as_000(spark: SparkSession) -> None:
    source = spark.createDataFrame([encounter(n, postal_code="82301") for n in range(3)], SOURCE_SCHEMA)
    (cell,) = aggregate_by_facility_month(source, TEST_KEY, restricted_zip3(), min_cell_size=1).collect()
    assert cell.patient_zip3 == "000"


def test_min_cell_size_must_be_positive(spark: SparkSession) -> None:
    source = spark.createDataFrame([encounter(1)], SOURCE_SCHEMA)
    with pytest.raises(ValueError, match="min_cell_size"):
        aggregate_by_facility_month(source, TEST_KEY, restricted_zip3(), min_cell_size=0)
