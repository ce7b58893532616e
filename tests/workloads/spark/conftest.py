"""One local Spark session for every Spark test, tuned for small data: one core, one partition, no UI."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from datetime import date

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import DateType, StringType, StructField, StructType

# At least 32 bytes, like the real key; synthetic, never used outside tests.
TEST_KEY = b"synthetic-test-key-0123456789abcdef"

# The joined source (hipaa_spark.source.SOURCE_COLUMNS) that deidentify and aggregate take.
SOURCE_SCHEMA = StructType(
    [
        StructField("encounter_id", StringType()),
        StructField("patient_id", StringType()),
        StructField("facility_id", StringType()),
        StructField("encounter_class", StringType()),
        StructField("primary_diagnosis_code", StringType()),
        StructField("admit_date", DateType()),
        StructField("discharge_date", DateType()),
        StructField("mrn", StringType()),
        StructField("date_of_birth", DateType()),
        StructField("postal_code", StringType()),
    ]
)


def encounter(
    number: int,
    *,
    mrn: str = "MRN-0001",
    postal_code: str | None = "94110",
    birth: date | None = date(1980, 6, 15),
    admit: date = date(2024, 3, 10),
    discharge: date = date(2024, 3, 12),
    facility: str = "FAC-001",
) -> tuple[object, ...]:
    """A synthetic joined row (made-up ids and MRNs), in SOURCE_SCHEMA order."""
    return (
        f"ENC-{number:05d}",
        f"PAT-{mrn}",
        facility,
        "inpatient",
        "J10.1",
        admit,
        discharge,
        mrn,
        birth,
        postal_code,
    )


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("Spark tests need Java 17: no `java` on PATH and JAVA_HOME unset (.ci/run installs a headless JRE)")
    # Python workers must be this interpreter, not whatever `python3` is on PATH.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[1]")
        .appName("hipaa-spark-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.extraJavaOptions", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def encounters(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame([encounter(1), encounter(2, mrn="MRN-0002")], SOURCE_SCHEMA)
