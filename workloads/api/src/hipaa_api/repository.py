"""Where aggregates come from: an interface the app depends on, and its BigQuery implementation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Protocol

from google.api_core.exceptions import GoogleAPIError
from google.auth.exceptions import GoogleAuthError
from google.cloud import bigquery
from requests import RequestException

from hipaa_api.models import MIN_CELL_SIZE, MonthlyEncounters

QUERY_TIMEOUT_SECONDS = 20.0
# What "cannot reach the table" looks like: an API error, credentials that cannot be obtained or refreshed
# (metadata server, Workload Identity), or the HTTP transport failing (DNS, connection, timeout).
UNREACHABLE = (GoogleAPIError, GoogleAuthError, RequestException)
COLUMNS = (
    "facility_id",
    "service_month",
    "patient_zip3",
    "encounter_count",
    "patient_count",
    "mean_length_of_stay_days",
)


class AggregatesRepository(Protocol):
    def monthly_encounters(self, facility_id: str, first_month: date, last_month: date) -> list[MonthlyEncounters]:
        """Cells of one facility with service_month in [first_month, last_month] (first days of months)."""
        ...

    def ready(self) -> bool:
        """Whether the aggregates table can be reached right now."""
        ...


class QueryClient(Protocol):
    """The part of google.cloud.bigquery.Client this repository uses."""

    def query(self, query: str, *, job_config: bigquery.QueryJobConfig, timeout: float) -> Any: ...

    def get_table(self, table: str, *, timeout: float) -> Any: ...


def to_model(row: Mapping[str, Any]) -> MonthlyEncounters:
    month: date = row["service_month"]
    return MonthlyEncounters(
        facility_id=row["facility_id"],
        service_month=f"{month.year:04d}-{month.month:02d}",
        patient_zip3=row["patient_zip3"],
        encounter_count=row["encounter_count"],
        patient_count=row["patient_count"],
        mean_length_of_stay_days=row["mean_length_of_stay_days"],
    )


class BigQueryAggregates:
    """Parameterized queries only; the table id comes from validated settings, never from a request."""

    def __init__(self, client: QueryClient, table_id: str) -> None:
        self._client = client
        self._table_id = table_id

    def monthly_encounters(self, facility_id: str, first_month: date, last_month: date) -> list[MonthlyEncounters]:
        sql = (
            f"SELECT {', '.join(COLUMNS)} FROM `{self._table_id}` "  # noqa: S608  # nosec B608 - validated id; values are parameters
            "WHERE facility_id = @facility_id AND service_month BETWEEN @first_month AND @last_month "
            "AND encounter_count >= @min_cell_size ORDER BY service_month, patient_zip3"
        )
        config = bigquery.QueryJobConfig(
            query_parameters=[
                bigquery.ScalarQueryParameter("facility_id", "STRING", facility_id),
                bigquery.ScalarQueryParameter("first_month", "DATE", first_month),
                bigquery.ScalarQueryParameter("last_month", "DATE", last_month),
                bigquery.ScalarQueryParameter("min_cell_size", "INT64", MIN_CELL_SIZE),
            ],
            labels={"workload": "hipaa-api"},
        )
        job = self._client.query(sql, job_config=config, timeout=QUERY_TIMEOUT_SECONDS)
        rows: Iterable[Mapping[str, Any]] = job.result(timeout=QUERY_TIMEOUT_SECONDS)
        return [to_model(row) for row in rows]

    def ready(self) -> bool:
        try:
            self._client.get_table(self._table_id, timeout=5.0)
        except UNREACHABLE:
            return False
        return True
