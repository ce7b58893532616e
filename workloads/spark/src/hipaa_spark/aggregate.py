"""Encounters per facility, month and three-digit ZIP, with small cells suppressed."""

from __future__ import annotations

from collections.abc import Iterable

from pyspark.sql import DataFrame
from pyspark.sql import functions as sf

from hipaa_spark.deidentify import (
    drop_direct_identifiers,
    generalize_dates,
    generalize_zip,
    pseudonymize_mrn,
    with_service_month,
)
from hipaa_spark.safe_harbor import MIN_CELL_SIZE

AGGREGATE_KEYS = ("facility_id", "service_month", "patient_zip3")
AGGREGATE_COLUMNS = (
    *AGGREGATE_KEYS,
    "encounter_count",
    "patient_count",
    "mean_length_of_stay_days",
)


def aggregate_by_facility_month(
    encounters: DataFrame,
    key: bytes,
    restricted_zip3: Iterable[str],
    min_cell_size: int = MIN_CELL_SIZE,
) -> DataFrame:
    """One row per facility, admission month and ZIP3; cells under `min_cell_size` encounters are dropped."""
    if min_cell_size < 1:
        raise ValueError(f"min_cell_size must be at least 1, got {min_cell_size}")
    rows = with_service_month(pseudonymize_mrn(encounters, key))
    rows = generalize_zip(generalize_dates(drop_direct_identifiers(rows)), restricted_zip3)
    cells = rows.groupBy(*AGGREGATE_KEYS).agg(
        sf.count(sf.lit(1)).alias("encounter_count"),
        sf.countDistinct("patient_key").alias("patient_count"),
        sf.avg("length_of_stay_days").alias("mean_length_of_stay_days"),
    )
    return cells.where(sf.col("encounter_count") >= min_cell_size).select(*AGGREGATE_COLUMNS)
