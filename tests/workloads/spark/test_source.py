"""The join of curated encounters and patients: real curated columns in, only the needed ones out."""

from __future__ import annotations

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as sf

from hipaa_spark.source import SOURCE_COLUMNS, join_patients
from tests.workloads.spark.conftest import encounter
from tests.workloads.spark.curated import ciphertext, curated_frames


def test_each_encounter_gets_its_patients_attributes(spark: SparkSession) -> None:
    rows = [encounter(1, mrn="MRN-0001"), encounter(2, mrn="MRN-0002", postal_code="10001")]
    encounters, patients = curated_frames(spark, rows)
    joined = join_patients(encounters, patients)
    assert tuple(joined.columns) == SOURCE_COLUMNS
    got = {r.encounter_id: (bytes(r.mrn), r.postal_code) for r in joined.collect()}
    # The MRN arrives as curated stores it: ciphertext, never the clear value.
    assert got == {"ENC-00001": (ciphertext("MRN-0001"), "94110"), "ENC-00002": (ciphertext("MRN-0002"), "10001")}


def test_no_other_patient_column_enters_the_job(spark: SparkSession) -> None:
    encounters, patients = curated_frames(spark, [encounter(1)])
    assert {"ssn", "given_name", "family_name", "phone", "email"}.isdisjoint(
        join_patients(encounters, patients).columns
    )


def test_encounter_without_a_patient_is_left_out(spark: SparkSession) -> None:
    encounters, patients = curated_frames(spark, [encounter(1, mrn="MRN-0001"), encounter(2, mrn="MRN-0002")])
    only_first = patients.where(patients["mrn"].eqNullSafe(sf.lit(ciphertext("MRN-0001"))))
    assert [r.encounter_id for r in join_patients(encounters, only_first).collect()] == ["ENC-00001"]


def test_missing_column_is_named(spark: SparkSession) -> None:
    encounters, patients = curated_frames(spark, [encounter(1)])
    with pytest.raises(ValueError, match=r"^patients lacks column\(s\) mrn, postal_code$"):
        join_patients(encounters, patients.drop("mrn", "postal_code"))
