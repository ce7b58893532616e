"""The Dataproc job: read curated encounters and patients, write Safe Harbor rows and facility-month aggregates."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession

from hipaa_spark.aggregate import aggregate_by_facility_month
from hipaa_spark.bigquery_io import BigQueryIO, TableIO, read_options, write_options
from hipaa_spark.deidentify import deidentify
from hipaa_spark.hmac_key import read_hmac_key
from hipaa_spark.safe_harbor import MIN_CELL_SIZE, restricted_zip3
from hipaa_spark.source import ENCOUNTERS_TABLE, PATIENTS_TABLE, join_patients

LOG = logging.getLogger("hipaa_spark")
ROWS_TABLE = "encounters_safe_harbor"
AGGREGATES_TABLE = "facility_monthly_encounters"


@dataclass(frozen=True)
class JobArgs:
    project: str
    dataset: str
    output_dataset: str
    materialization_dataset: str
    hmac_key_version: str
    encounters_table: str
    patients_table: str
    min_cell_size: int
    kms_key: str | None


def parse_args(argv: Sequence[str]) -> JobArgs:
    parser = argparse.ArgumentParser(prog="hipaa_spark", description=__doc__)
    parser.add_argument("--project", required=True, help="project holding the datasets (and billed for reads)")
    parser.add_argument("--dataset", required=True, help="curated dataset to read encounters and patients from")
    parser.add_argument("--output-dataset", required=True, help="de-identified dataset to write to")
    parser.add_argument(
        "--materialization-dataset", required=True, help="short-lived dataset where views are materialized"
    )
    parser.add_argument(
        "--hmac-key-version", required=True, help="Secret Manager version: projects/P/secrets/S/versions/N"
    )
    parser.add_argument("--encounters-table", default=ENCOUNTERS_TABLE, help="curated encounters table (or view)")
    parser.add_argument("--patients-table", default=PATIENTS_TABLE, help="curated patients table (or view)")
    parser.add_argument("--min-cell-size", type=int, default=MIN_CELL_SIZE, help="smallest aggregate cell published")
    parser.add_argument(
        "--kms-key", default=None, help="CMEK for the tables the job creates (else the dataset default)"
    )
    parsed = parser.parse_args(list(argv))
    if parsed.materialization_dataset == parsed.output_dataset:
        parser.error("--materialization-dataset must differ from --output-dataset: it holds identified rows")
    if parsed.min_cell_size < MIN_CELL_SIZE:
        parser.error(f"--min-cell-size may raise the suppression floor, never lower it below {MIN_CELL_SIZE}")
    if parsed.dataset == parsed.output_dataset:
        parser.error("--output-dataset must differ from --dataset: de-identified data lives apart")
    return JobArgs(
        project=parsed.project,
        dataset=parsed.dataset,
        output_dataset=parsed.output_dataset,
        materialization_dataset=parsed.materialization_dataset,
        hmac_key_version=parsed.hmac_key_version,
        encounters_table=parsed.encounters_table,
        patients_table=parsed.patients_table,
        min_cell_size=parsed.min_cell_size,
        kms_key=parsed.kms_key,
    )


def transform(source: DataFrame, key: bytes, min_cell_size: int) -> dict[str, DataFrame]:
    """The two outputs of the joined source (`join_patients`), by table name."""
    restricted = restricted_zip3()
    return {
        ROWS_TABLE: deidentify(source, key, restricted),
        AGGREGATES_TABLE: aggregate_by_facility_month(source, key, restricted, min_cell_size),
    }


def run(spark: SparkSession, args: JobArgs, key: bytes, io: TableIO) -> dict[str, int]:
    """Read, transform, write; returns rows written per table (counts only, never values)."""

    def read(table: str) -> DataFrame:
        return io.read(spark, read_options(args.project, args.dataset, table, args.materialization_dataset))

    encounters = read(args.encounters_table)
    # Cached: both outputs read the joined rows.
    source = join_patients(encounters, read(args.patients_table)).cache()
    joined = f"{args.dataset}.{args.encounters_table} joined to {args.patients_table}"
    joined_rows = source.count()
    if joined_rows == 0:
        raise RuntimeError(f"{joined} has no rows: nothing to de-identify")
    # The inner join leaves out encounters without a patient row (they cannot be pseudonymized) and
    # would repeat encounters of a duplicated patient_id, doubling their counts: say the first, refuse
    # the second. Counted separately, so a few of each cannot cancel out.
    joined_encounters = source.select("encounter_id").distinct().count()
    if joined_rows > joined_encounters:
        repeated = joined_rows - joined_encounters
        raise RuntimeError(f"{joined} repeats {repeated} encounter row(s): patient_id repeats in patients")
    left_out = encounters.count() - joined_encounters
    if left_out:
        LOG.warning("left out %d encounter(s) with no patient row: they cannot be pseudonymized", left_out)
    written: dict[str, int] = {}
    for table, frame in transform(source, key, args.min_cell_size).items():
        output = frame.cache()
        io.write(output, write_options(args.project, args.output_dataset, table, args.kms_key))
        written[table] = output.count()
        LOG.info("wrote %d rows to %s.%s", written[table], args.output_dataset, table)
    return written


def main(
    argv: Sequence[str],
    *,
    spark: SparkSession | None = None,
    io: TableIO | None = None,
    key_reader: Callable[[str], bytes] = read_hmac_key,
) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    args = parse_args(argv)
    try:
        key = key_reader(args.hmac_key_version)
        session = spark or SparkSession.builder.appName("hipaa-deidentify").getOrCreate()
        session.conf.set("spark.sql.session.timeZone", "UTC")
        run(session, args, key, io or BigQueryIO())
    except (ValueError, RuntimeError) as error:
        LOG.error("FAIL: %s", error)
        return 1
    return 0
