"""The job's input: curated encounters joined to the few patient attributes de-identification needs.

The columns are those infra/data/warehouse/schema.py creates (tests/workloads/test_contract.py holds the
two together). Only the named columns are selected from each table, so nothing else (names, SSNs,
contact details) ever enters the job's plan.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame

ENCOUNTERS_TABLE = "encounters"
PATIENTS_TABLE = "patients"
JOIN_KEY = "patient_id"
ENCOUNTER_COLUMNS = (
    "encounter_id",
    JOIN_KEY,
    "facility_id",
    "encounter_class",
    "primary_diagnosis_code",
    "admit_date",
    "discharge_date",
)
# MRN (its deterministic ciphertext, BYTES) for the keyed pseudonym, birth date for the age, postal code for the ZIP3.
PATIENT_COLUMNS = (JOIN_KEY, "mrn", "date_of_birth", "postal_code")
SOURCE_COLUMNS = (*ENCOUNTER_COLUMNS, *(c for c in PATIENT_COLUMNS if c != JOIN_KEY))


def require_columns(frame: DataFrame, table: str, columns: Sequence[str]) -> None:
    """A clear error naming the missing columns (names only), instead of Spark's analysis trace."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{table} lacks column(s) {', '.join(missing)}")


def join_patients(encounters: DataFrame, patients: DataFrame) -> DataFrame:
    """One row per encounter with its patient's MRN, birth date and postal code.

    An inner join: an encounter whose patient is missing cannot be pseudonymized or aged, so it is
    left out rather than published with a null key. The data-quality suite checks patient_id is
    unique in patients; `job.run` counts the encounters left out and refuses a join that multiplied them.
    """
    require_columns(encounters, ENCOUNTERS_TABLE, ENCOUNTER_COLUMNS)
    require_columns(patients, PATIENTS_TABLE, PATIENT_COLUMNS)
    joined = encounters.select(*ENCOUNTER_COLUMNS).join(patients.select(*PATIENT_COLUMNS), on=JOIN_KEY, how="inner")
    return joined.select(*SOURCE_COLUMNS)
