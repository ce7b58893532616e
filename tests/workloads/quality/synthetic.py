"""Synthetic tables shaped like the BigQuery ones (curated patients and encounters, de-identified outputs)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.data_context.data_context.abstract_data_context import AbstractDataContext

from workloads.quality.tables import AGGREGATES, DEIDENTIFIED_ROWS, ENCOUNTERS, PATIENTS, Table


def patients(rows: int = 3) -> pd.DataFrame:
    """Curated patients as infra/data/warehouse/schema.py defines them; made-up values (000 SSNs, 555 phones)."""
    return pd.DataFrame(
        {
            "patient_id": [f"PAT-{n:05d}" for n in range(rows)],
            "mrn": [f"MRN-{n:06d}" for n in range(rows)],
            "ssn": [f"000-00-{n:04d}" for n in range(rows)],
            "given_name": ["Test"] * rows,
            "family_name": [f"Patient {n}" for n in range(rows)],
            "date_of_birth": [date(1980, 1, 1)] * rows,
            "sex": ["F"] * rows,
            "postal_code": ["94110"] * rows,
            "phone": ["555-0100"] * rows,
            "email": [f"patient{n}@example.test" for n in range(rows)],
            "facility_id": ["FAC-001"] * rows,
            "facility_region": ["west"] * rows,
            "ingestion_date": [date(2024, 6, 1)] * rows,
        }
    )


def encounters(rows: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "encounter_id": [f"ENC-{n:05d}" for n in range(rows)],
            "patient_id": [f"PAT-{n:05d}" for n in range(rows)],
            "facility_id": ["FAC-001"] * rows,
            "facility_region": ["west"] * rows,
            "encounter_class": ["inpatient", "outpatient", "emergency"][:rows] + ["inpatient"] * max(0, rows - 3),
            "primary_diagnosis_code": ["J10.1"] * rows,
            "admit_date": [date(2024, 3, 1)] * rows,
            "discharge_date": [date(2024, 3, 4)] * rows,
            "length_of_stay_days": [3] * rows,
            "ingestion_date": [date(2024, 6, 1)] * rows,
        }
    )


def deidentified(rows: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_key": [hashlib.sha256(f"k{n}".encode()).hexdigest() for n in range(rows)],
            "facility_id": ["FAC-001"] * rows,
            "patient_zip3": ["941", "000", "100"][:rows] + ["941"] * max(0, rows - 3),
            "age_years": [44, 90, 3][:rows] + [30] * max(0, rows - 3),
            "admit_year": [2024] * rows,
            "discharge_year": [2024] * rows,
            "length_of_stay_days": [3] * rows,
            "encounter_class": ["inpatient"] * rows,
            "primary_diagnosis_code": ["J10.1"] * rows,
        }
    )


def aggregates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "facility_id": ["FAC-001", "FAC-001", "FAC-002"],
            "service_month": [date(2024, 3, 1), date(2024, 4, 1), date(2024, 3, 1)],
            "patient_zip3": ["941", "941", "000"],
            "encounter_count": [12, 11, 40],
            "patient_count": [10, 11, 31],
            "mean_length_of_stay_days": [2.5, 3.0, 1.0],
        }
    )


@dataclass
class PandasSource:
    """The tests' stand-in for BigQuery: one in-memory frame per table."""

    frames: dict[Table, pd.DataFrame] = field(
        default_factory=lambda: {
            PATIENTS: patients(),
            ENCOUNTERS: encounters(),
            DEIDENTIFIED_ROWS: deidentified(),
            AGGREGATES: aggregates(),
        }
    )

    def label(self, table: Table) -> str:
        return f"synthetic_{table.role}.{table.name}"

    def batch(self, context: AbstractDataContext, table: Table) -> tuple[BatchDefinition[Any], dict[str, Any]]:
        source = context.data_sources.add_pandas(name=f"pandas-{table.name}")
        asset = source.add_dataframe_asset(name=table.name)
        return asset.add_batch_definition_whole_dataframe(name="whole-frame"), {"dataframe": self.frames[table]}
