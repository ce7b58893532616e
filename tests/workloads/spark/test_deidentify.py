"""Row-level Safe Harbor de-identification over a local Spark session and synthetic rows."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest
from pyspark.sql import DataFrame, SparkSession

from hipaa_spark.deidentify import DEIDENTIFIED_COLUMNS, deidentify, pseudonymize_mrn
from hipaa_spark.safe_harbor import restricted_zip3
from tests.workloads.spark.conftest import SOURCE_SCHEMA, TEST_KEY, encounter
from tests.workloads.spark.curated import ciphertext


def rows_of(spark: SparkSession, *rows: tuple[object, ...]) -> DataFrame:
    return deidentify(spark.createDataFrame(list(rows), SOURCE_SCHEMA), TEST_KEY, restricted_zip3())


def test_output_has_only_the_allow_listed_columns(encounters: DataFrame) -> None:
    with_extra = encounters.withColumn("free_text_note", encounters["mrn"])
    assert tuple(deidentify(with_extra, TEST_KEY, restricted_zip3()).columns) == DEIDENTIFIED_COLUMNS


def test_no_direct_identifier_value_survives(encounters: DataFrame) -> None:
    source = {value for row in encounters.collect() for value in row.asDict().values() if isinstance(value, str)}
    identifiers = source - {"FAC-001", "J10.1", "inpatient"}
    output = {str(v) for row in deidentify(encounters, TEST_KEY, restricted_zip3()).collect() for v in row}
    assert identifiers.isdisjoint(output)


def test_an_encrypted_mrn_becomes_the_keyed_hmac_of_its_ciphertext(spark: SparkSession) -> None:
    # Curated holds the MRN as deterministic AEAD ciphertext (BYTES); the job hashes it without decrypting.
    sealed = ciphertext("MRN-4242")
    frame = spark.createDataFrame([("ENC-1", sealed), ("ENC-2", sealed)], "encounter_id string, mrn binary")
    keys = {r.patient_key for r in pseudonymize_mrn(frame, TEST_KEY).collect()}
    assert keys == {hmac.new(TEST_KEY, sealed, hashlib.sha256).hexdigest()}


def test_mrn_becomes_the_keyed_hmac(spark: SparkSession) -> None:
    (row,) = rows_of(spark, encounter(1, mrn="MRN-4242")).collect()
    assert row.patient_key == hmac.new(TEST_KEY, b"MRN-4242", hashlib.sha256).hexdigest()


def test_same_patient_links_and_another_key_does_not(encounters: DataFrame) -> None:
    keys = [r.patient_key for r in pseudonymize_mrn(encounters, TEST_KEY).collect()]
    other = [r.patient_key for r in pseudonymize_mrn(encounters, b"another-synthetic-key-0123456789ab").collect()]
    assert len(set(keys)) == 2 and set(keys).isdisjoint(other)


def test_short_key_is_refused(encounters: DataFrame) -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        pseudonymize_mrn(encounters, b"short")


def test_dates_become_years_and_length_of_stay(spark: SparkSession) -> None:
    (row,) = rows_of(spark, encounter(1, admit=date(2023, 12, 30), discharge=date(2024, 1, 2))).collect()
    assert (row.admit_year, row.discharge_year, row.length_of_stay_days) == (2023, 2024, 3)


def test_age_is_top_coded_at_90(spark: SparkSession) -> None:
    cases = [
        (date(1980, 6, 15), date(2024, 6, 14), 43),  # the day before the birthday
        (date(1980, 6, 15), date(2024, 6, 15), 44),
        (date(1934, 6, 16), date(2024, 6, 15), 89),
        (date(1934, 6, 15), date(2024, 6, 15), 90),  # 90 is the top code
        (date(1920, 1, 1), date(2024, 6, 15), 90),  # 104 is aggregated into 90+
        (None, date(2024, 6, 15), None),  # unknown stays unknown, never 90
    ]
    rows = [encounter(n, birth=birth, admit=admit, discharge=admit) for n, (birth, admit, _) in enumerate(cases)]
    assert [r.age_years for r in rows_of(spark, *rows).collect()] == [age for _, _, age in cases]


def test_zip_generalization(spark: SparkSession) -> None:
    zips = ["94110", "94110-1234", "941101234", " 10001 ", "03601", "89301-0001", "9411", "ABCDE", None]
    rows = [encounter(n, postal_code=z) for n, z in enumerate(zips)]
    got = [r.patient_zip3 for r in rows_of(spark, *rows).collect()]
    assert got == ["941", "941", "941", "100", "000", "000", "000", "000", "000"]
