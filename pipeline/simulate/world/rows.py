"""Synthetic table contents for the fake BigQuery: what earlier builds left in the environment.

Made-up values only (000 SSNs, 555 phones, example.test emails, `Test` names). The curated tables
follow the planned schemas; the de-identified outputs follow the Spark job's columns
(hipaa_spark) and the rules the data-quality suites check, so a compliant world passes them and a
violation changes one value. Dates are ISO strings (the JSON bq prints).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

FACILITIES = ("FAC-001", "FAC-002", "FAC-003")
REGIONS = ("northeast", "south", "west")
CLASSES = ("inpatient", "outpatient", "emergency")
ZIP3 = ("941", "100", "606", "750")
PATIENTS = 36
ENCOUNTERS = 180
MONTHS = 6


def curated_patients() -> list[dict[str, Any]]:
    return [
        {
            "patient_id": f"PAT-{n:05d}",
            "mrn": f"MRN-{n:06d}",
            "ssn": f"000-00-{n:04d}",
            "given_name": "Test",
            "family_name": f"Patient {n}",
            "date_of_birth": (date(1950, 1, 1) + timedelta(days=397 * n)).isoformat(),
            "sex": "FM"[n % 2],
            "postal_code": f"{ZIP3[n % len(ZIP3)]}10",
            "phone": "555-0100",
            "email": f"patient{n}@example.test",
            "facility_id": FACILITIES[n % len(FACILITIES)],
            "facility_region": REGIONS[n % len(REGIONS)],
            "ingestion_date": "2026-01-05",
        }
        for n in range(PATIENTS)
    ]


def curated_encounters() -> list[dict[str, Any]]:
    rows = []
    for n in range(ENCOUNTERS):
        admit = date(2025, 7, 1) + timedelta(days=n % (MONTHS * 30))
        stay = n % 5
        rows.append(
            {
                "encounter_id": f"ENC-{n:06d}",
                "patient_id": f"PAT-{n % PATIENTS:05d}",
                "facility_id": FACILITIES[n % len(FACILITIES)],
                "facility_region": REGIONS[n % len(REGIONS)],
                "encounter_class": CLASSES[n % len(CLASSES)],
                "primary_diagnosis_code": "J10.1",
                "admit_date": admit.isoformat(),
                "discharge_date": (admit + timedelta(days=stay)).isoformat(),
                "length_of_stay_days": stay,
                "ingestion_date": "2026-01-05",
            }
        )
    return rows


def deidentified_rows() -> list[dict[str, Any]]:
    return [
        {
            "patient_key": hashlib.sha256(f"synthetic-key-{n % PATIENTS}".encode()).hexdigest(),
            "facility_id": FACILITIES[n % len(FACILITIES)],
            "patient_zip3": ZIP3[n % len(ZIP3)],
            "age_years": 20 + n % 60,
            "admit_year": 2025,
            "discharge_year": 2025,
            "length_of_stay_days": n % 5,
            "encounter_class": CLASSES[n % len(CLASSES)],
            "primary_diagnosis_code": "J10.1",
        }
        for n in range(ENCOUNTERS)
    ]


def facility_aggregates() -> list[dict[str, Any]]:
    """One cell per facility and month (ZIP3 generalised to one cell per facility), each above the
    minimum cell size; encounter counts follow patient counts, so a regression on them explains it."""
    rows = []
    for month in range(MONTHS):
        for index, facility in enumerate(FACILITIES):
            patients = 11 + 3 * month + 5 * index
            rows.append(
                {
                    "facility_id": facility,
                    "service_month": date(2025, 7 + month, 1).isoformat(),
                    "patient_zip3": ZIP3[index],
                    "encounter_count": patients + 2 + (month + index) % 3,
                    "patient_count": patients,
                    "mean_length_of_stay_days": 1.5 + 0.25 * ((month + index) % 4),
                }
            )
    return rows


def for_table(dataset_role: str, table: str) -> list[dict[str, Any]] | None:
    makers = {
        ("curated", "patients"): curated_patients,
        ("curated", "encounters"): curated_encounters,
        ("deidentified", "encounters_safe_harbor"): deidentified_rows,
        ("deidentified", "facility_monthly_encounters"): facility_aggregates,
    }
    maker = makers.get((dataset_role, table))
    return maker() if maker else None
