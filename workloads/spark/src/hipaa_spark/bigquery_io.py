"""Spark BigQuery connector options for reading encounters and writing the de-identified tables."""

from __future__ import annotations

import re
from typing import Protocol

from pyspark.sql import DataFrame, SparkSession

_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_DATASET = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,1023}$")
_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,1023}$")
_KMS_KEY = re.compile(r"^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z0-9-]+/keyRings/[\w-]+/cryptoKeys/[\w-]+$")


def require(name: str, value: str, pattern: re.Pattern[str]) -> str:
    if not pattern.match(value):
        raise ValueError(f"{name}={value!r} is malformed")
    return value


def table_id(project: str, dataset: str, table: str) -> str:
    return ".".join(
        (
            require("project", project, _PROJECT),
            require("dataset", dataset, _DATASET),
            require("table", table, _TABLE),
        )
    )


def read_options(project: str, dataset: str, table: str, materialization_dataset: str) -> dict[str, str]:
    """Read through the Storage Read API; views (the authorized views over curated data) are materialized
    into a short-lived staging dataset, never into the de-identified one."""
    return {
        "table": table_id(project, dataset, table),
        "parentProject": project,
        "viewsEnabled": "true",
        "materializationProject": project,
        "materializationDataset": require("materialization dataset", materialization_dataset, _DATASET),
        "readDataFormat": "ARROW",
    }


def write_options(project: str, dataset: str, table: str, kms_key: str | None) -> dict[str, str]:
    """Direct write (Storage Write API): no copy of the data passes through a GCS bucket."""
    options = {
        "table": table_id(project, dataset, table),
        "parentProject": project,
        "writeMethod": "direct",
        "createDisposition": "CREATE_IF_NEEDED",
    }
    if kms_key is not None:
        options["destinationTableKmsKeyName"] = require("kms key", kms_key, _KMS_KEY)
    return options


class TableIO(Protocol):
    def read(self, spark: SparkSession, options: dict[str, str]) -> DataFrame: ...

    def write(self, frame: DataFrame, options: dict[str, str]) -> None: ...


class BigQueryIO:
    """The connector itself (bundled with Dataproc 2.1 and later images)."""

    def read(self, spark: SparkSession, options: dict[str, str]) -> DataFrame:
        return spark.read.format("bigquery").options(**options).load()

    def write(self, frame: DataFrame, options: dict[str, str]) -> None:
        frame.write.format("bigquery").options(**options).mode("overwrite").save()
