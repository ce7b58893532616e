"""The data contract between infra, the Spark job, the quality suites and the API, so none can drift.

Curated side: every column the job selects and every column a curated suite checks exists in the table
infra/data/warehouse/schema.py creates. De-identified side: the job's output columns, the suites'
expectations and the API's query agree, as do the table names and the small-cell floor.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest
from great_expectations.expectations.expectation import Expectation

from hipaa_api.models import MIN_CELL_SIZE as API_MIN_CELL_SIZE
from hipaa_api.models import MonthlyEncounters
from hipaa_api.repository import COLUMNS as API_COLUMNS
from hipaa_api.settings import DEFAULT_TABLE as API_TABLE
from hipaa_spark import aggregate, deidentify, job, safe_harbor, source
from infra.data.warehouse.encryption import ENCRYPTED_COLUMNS
from infra.data.warehouse.schema import TABLES as WAREHOUSE
from workloads.quality import suites, tables

SCHEMA = {spec.table_id: {column.name for column in spec.columns} for spec in WAREHOUSE}
# Every column carrying a policy tag (identifiers and quasi-identifiers alike).
TAGGED = {column.name for spec in WAREHOUSE for column in spec.columns if column.tag is not None}
TODAY = date(2026, 1, 15)


def referenced(expectations: Iterable[Expectation]) -> set[str]:
    """Column names an expectation suite reads, whatever the expectation's argument is called."""
    names: set[str] = set()
    for expectation in expectations:
        config = expectation.configuration.kwargs
        names.update(config[k] for k in ("column", "column_A", "column_B") if k in config)
        names.update(config.get("column_list") or ())
        names.update(config.get("column_set") or ())
    return names


def test_the_job_reads_columns_the_curated_tables_have() -> None:
    assert set(source.ENCOUNTER_COLUMNS) <= SCHEMA[source.ENCOUNTERS_TABLE]
    assert set(source.PATIENT_COLUMNS) <= SCHEMA[source.PATIENTS_TABLE]
    assert source.JOIN_KEY in SCHEMA[source.ENCOUNTERS_TABLE] & SCHEMA[source.PATIENTS_TABLE]


def test_the_direct_identifiers_the_job_drops_are_real_columns() -> None:
    curated = SCHEMA[source.ENCOUNTERS_TABLE] | SCHEMA[source.PATIENTS_TABLE]
    assert set(safe_harbor.DIRECT_IDENTIFIERS) <= curated


@pytest.mark.parametrize("table", [t for t in tables.TABLES if t.role == "curated"], ids=lambda t: t.name)
def test_curated_suites_check_columns_the_tables_have(table: tables.Table) -> None:
    assert table.name in SCHEMA
    checked = referenced(suites.suite_for(table, TODAY))
    assert checked and checked <= SCHEMA[table.name]


def test_no_tagged_column_reaches_a_deidentified_output() -> None:
    # The encrypted columns are tagged too, so no de-identified output carries their ciphertext either.
    assert {(e.table, e.column) for e in ENCRYPTED_COLUMNS} <= {
        (spec.table_id, c.name) for spec in WAREHOUSE for c in spec.columns if c.tag is not None
    }
    for columns in (deidentify.DEIDENTIFIED_COLUMNS, aggregate.AGGREGATE_COLUMNS, API_COLUMNS):
        assert TAGGED.isdisjoint(columns)


def test_outputs_suites_and_api_agree_on_columns() -> None:
    assert suites.ROW_COLUMNS == deidentify.DEIDENTIFIED_COLUMNS
    assert suites.AGGREGATE_COLUMNS == aggregate.AGGREGATE_COLUMNS == API_COLUMNS
    assert set(API_COLUMNS) == set(MonthlyEncounters.model_fields)
    assert referenced(suites.suite_for(tables.DEIDENTIFIED_ROWS, TODAY)) <= set(suites.ROW_COLUMNS)
    assert referenced(suites.suite_for(tables.AGGREGATES, TODAY)) <= set(suites.AGGREGATE_COLUMNS)


def test_outputs_suites_and_api_agree_on_tables_and_cell_floor() -> None:
    assert tables.DEIDENTIFIED_ROWS.name == job.ROWS_TABLE
    assert tables.AGGREGATES.name == job.AGGREGATES_TABLE == API_TABLE
    assert safe_harbor.MIN_CELL_SIZE == suites.MIN_CELL_SIZE == API_MIN_CELL_SIZE
