"""Curated tables shaped exactly as infra/data/warehouse/schema.py creates them, filled with synthetic values."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import (
    BinaryType,
    DataType,
    DateType,
    DecimalType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from infra.data.warehouse.schema import TABLES, column_type
from tests.workloads.spark.conftest import SOURCE_SCHEMA

SPARK_TYPES: dict[str, DataType] = {
    "STRING": StringType(),
    "DATE": DateType(),
    "INT64": LongType(),
    "NUMERIC": DecimalType(38, 9),
    "TIMESTAMP": TimestampType(),
    "BYTES": BinaryType(),
}
LOADED = date(2024, 6, 1)


def curated_schema(table: str) -> StructType:
    (spec,) = [t for t in TABLES if t.table_id == table]
    return StructType([StructField(c.name, SPARK_TYPES[column_type(spec, c, "curated")]) for c in spec.columns])


def ciphertext(clear: str) -> bytes:
    """A stand-in for BigQuery's deterministic AEAD output: BYTES, equal for equal input, not the clear value."""
    return b"\x01AEAD" + hashlib.sha256(clear.encode("utf-8")).digest()


def split(joined: Sequence[tuple[object, ...]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Joined source rows back into curated encounter and patient rows, with every other column filled."""
    encounters: list[dict[str, Any]] = []
    patients: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(joined):
        source: dict[str, Any] = dict(zip(SOURCE_SCHEMA.fieldNames(), row, strict=True))
        common = {"facility_id": source["facility_id"], "facility_region": "west", "ingestion_date": LOADED}
        stay = (source["discharge_date"] - source["admit_date"]).days
        encounters.append({**source, **common, "length_of_stay_days": stay})
        patients[source["patient_id"]] = {
            **source,
            **common,
            # Curated holds ciphertext for these (infra/data/warehouse/encryption.py).
            "mrn": ciphertext(source["mrn"]),
            "ssn": ciphertext(f"000-00-{number:04d}"),  # 000 area numbers are never issued
            "given_name": "Test",
            "family_name": f"Patient {number}",
            "sex": "F",
            "phone": "555-0100",
            "email": f"patient{number}@example.test",
        }
    return encounters, patients


def frame(spark: SparkSession, table: str, rows: Sequence[dict[str, Any]]) -> DataFrame:
    schema = curated_schema(table)
    return spark.createDataFrame([tuple(r[f] for f in schema.fieldNames()) for r in rows], schema)


def curated_frames(spark: SparkSession, joined: Sequence[tuple[object, ...]]) -> tuple[DataFrame, DataFrame]:
    """(encounters, patients) as the job reads them from the curated dataset."""
    encounters, patients = split(joined)
    return frame(spark, "encounters", encounters), frame(spark, "patients", list(patients.values()))
