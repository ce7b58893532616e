"""Safe Harbor de-identification of encounter rows: plain functions from DataFrame to DataFrame.

The input is `source.join_patients`' output: curated encounters with the patient's MRN, birth date
and postal code.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf
from pyspark.sql.types import StringType

from hipaa_spark.safe_harbor import AGE_TOP_CODE, DIRECT_IDENTIFIERS, SUPPRESSED_ZIP3

MIN_KEY_BYTES = 32
# What a de-identified encounter row may contain; anything else in the source never passes through.
DEIDENTIFIED_COLUMNS = (
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
_ZIP = r"^([0-9]{3})[0-9]{2}(-?[0-9]{4})?$"


def pseudonymize_mrn(encounters: DataFrame, key: bytes) -> DataFrame:
    """`patient_key`: HMAC-SHA256 of the MRN under a secret key, so patients link across rows but not back.

    Curated stores the MRN as deterministic AEAD ciphertext (BYTES): equal MRNs give equal ciphertext, so
    the HMAC of the ciphertext links a patient's rows just as well, and the job never needs to decrypt.
    A clear (STRING) MRN is hashed as its UTF-8 bytes.

    A Python UDF rather than Spark's sha2 over key-padded literals: literals would put the key into
    query plans, which Spark prints to its event log and history server.
    """
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"HMAC key must be at least {MIN_KEY_BYTES} bytes, got {len(key)}")

    def keyed_hash(mrn: bytes | bytearray | str | None) -> str | None:
        if mrn is None:
            return None
        message = mrn.encode("utf-8") if isinstance(mrn, str) else bytes(mrn)
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    keyed = sf.udf(keyed_hash, StringType())
    return encounters.withColumn("patient_key", keyed(sf.col("mrn")))


def drop_direct_identifiers(encounters: DataFrame) -> DataFrame:
    return encounters.drop(*DIRECT_IDENTIFIERS)


def age_in_years(birth: Column, on: Column) -> Column:
    """Completed years between two dates (a birthday counts only once it has been reached)."""
    return sf.floor(sf.months_between(on, birth) / 12).cast("int")


def generalize_dates(encounters: DataFrame) -> DataFrame:
    """Dates become years; age at admission is top-coded at 90; birth date (and birth year) go."""
    age = age_in_years(sf.col("date_of_birth"), sf.col("admit_date"))
    return (
        # when/otherwise, not least(): least() skips nulls and would turn an unknown age into 90.
        encounters.withColumn("age_years", sf.when(age >= AGE_TOP_CODE, sf.lit(AGE_TOP_CODE)).otherwise(age))
        .withColumn("admit_year", sf.year("admit_date"))
        .withColumn("discharge_year", sf.year("discharge_date"))
        .withColumn("length_of_stay_days", sf.datediff("discharge_date", "admit_date"))
        .drop("date_of_birth", "admit_date", "discharge_date")
    )


def zip3(postal_code: Column, restricted: Iterable[str]) -> Column:
    """First three digits of a 5- or 9-digit ZIP; 000 for a restricted prefix or anything unparseable."""
    prefix = sf.regexp_extract(sf.trim(postal_code), _ZIP, 1)
    restricted_list = sorted(restricted)
    return (
        sf.when(postal_code.isNull() | (prefix == ""), sf.lit(SUPPRESSED_ZIP3))
        .when(prefix.isin(restricted_list), sf.lit(SUPPRESSED_ZIP3))
        .otherwise(prefix)
    )


def generalize_zip(encounters: DataFrame, restricted: Iterable[str]) -> DataFrame:
    return encounters.withColumn("patient_zip3", zip3(sf.col("postal_code"), restricted)).drop("postal_code")


def with_service_month(encounters: DataFrame) -> DataFrame:
    """First day of the admission month, for aggregation only: it never reaches a row-level output."""
    return encounters.withColumn("service_month", sf.trunc("admit_date", "month"))


def deidentify(encounters: DataFrame, key: bytes, restricted_zip3: Iterable[str]) -> DataFrame:
    """Row-level Safe Harbor output: pseudonymous key, generalized dates and ZIP, allow-listed columns only."""
    keyed = pseudonymize_mrn(encounters, key)
    generalized = generalize_zip(generalize_dates(drop_direct_identifiers(keyed)), restricted_zip3)
    return generalized.select(*DEIDENTIFIED_COLUMNS)
