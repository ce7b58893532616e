"""Run the suites against a data source and reduce GX's results to names and counts (never data values)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import great_expectations as gx
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
from great_expectations.data_context.data_context.abstract_data_context import AbstractDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.datasource.fluent.bigquery_datasource import BigQueryDatasource

from workloads.quality.suites import suite_for
from workloads.quality.tables import Role, Table


class QualityError(Exception):
    """The suites could not run (connection, configuration, nothing to validate): never a pass."""


@dataclass(frozen=True)
class Failure:
    expectation: str
    column: str | None


@dataclass(frozen=True)
class TableResult:
    table: str
    rows: int
    evaluated: int
    failed: tuple[Failure, ...]


@dataclass
class Report:
    tables: list[TableResult] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return bool(self.tables) and not any(t.failed for t in self.tables)


class TableSource(Protocol):
    """Where each table's batch comes from: BigQuery in the pipeline, pandas frames in tests."""

    def batch(self, context: AbstractDataContext, table: Table) -> tuple[BatchDefinition[Any], dict[str, Any]]: ...

    def label(self, table: Table) -> str: ...


class BigQuerySource:
    """`bigquery://project/dataset` through great_expectations[bigquery] (sqlalchemy-bigquery)."""

    def __init__(self, project: str, datasets: Mapping[Role, str]) -> None:
        self.project = project
        self.datasets = datasets

    def label(self, table: Table) -> str:
        return f"{self.datasets[table.role]}.{table.name}"

    def batch(self, context: AbstractDataContext, table: Table) -> tuple[BatchDefinition[Any], dict[str, Any]]:
        name = f"bigquery-{table.role}"
        if name not in context.data_sources.all():
            connection = f"bigquery://{self.project}/{self.datasets[table.role]}"
            context.data_sources.add_bigquery(name=name, connection_string=connection)
        datasource = context.data_sources.get(name)
        if not isinstance(datasource, BigQueryDatasource):
            raise QualityError(f"data source {name} is not a BigQuery source")
        asset = datasource.add_table_asset(name=table.name, table_name=table.name)
        return asset.add_batch_definition_whole_table(name="whole-table"), {}


def new_context() -> AbstractDataContext:
    """In memory, no analytics, no progress bars in the build log."""
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def raised(info: Any) -> bool:
    """GX reports exceptions either at the top level or per metric, keyed by metric id."""
    if not isinstance(info, dict):
        return False
    return bool(info.get("raised_exception")) or any(raised(value) for value in info.values())


def summarize(label: str, result: ExpectationSuiteValidationResult) -> TableResult:
    rows: int | None = None
    failed: list[Failure] = []
    for outcome in result.results:
        config = outcome.expectation_config
        if config is None:
            raise QualityError(f"{label}: a result without its expectation")
        if raised(outcome.exception_info):
            raise QualityError(f"{label}: {config.type} could not be evaluated")
        if config.type == "expect_table_row_count_to_be_between":
            rows = int(outcome.result["observed_value"])
        if not outcome.success:
            failed.append(Failure(config.type, config.kwargs.get("column")))
    if rows is None:
        raise QualityError(f"{label}: the suite did not count rows")
    if rows == 0:
        raise QualityError(f"{label}: no rows; validating nothing is not a pass")
    return TableResult(label, rows, len(result.results), tuple(failed))


def validate(source: TableSource, tables: tuple[Table, ...], today: date) -> Report:
    context = new_context()
    report = Report()
    for table in tables:
        label = source.label(table)
        suite = context.suites.add(gx.ExpectationSuite(name=f"{table.name}-suite"))
        for expectation in suite_for(table, today):
            suite.add_expectation(expectation)
        batch, parameters = source.batch(context, table)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{table.name}-validation", data=batch, suite=suite)
        )
        # BASIC keeps GX's per-expectation results small; unexpected values it lists are never reported.
        report.tables.append(summarize(label, definition.run(batch_parameters=parameters, result_format="BASIC")))
    return report
