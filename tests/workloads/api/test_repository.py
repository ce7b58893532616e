"""The BigQuery repository over a fake client: parameterized SQL, suppression floor, row mapping, readiness."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from google.api_core.exceptions import GoogleAPIError
from google.auth.exceptions import RefreshError, TransportError
from google.cloud import bigquery
from requests import ConnectionError as RequestsConnectionError
from requests import Timeout

from hipaa_api.app import create_app
from hipaa_api.repository import BigQueryAggregates

TABLE = "nwh-analytics-prd.hipaa_prod_deidentified.facility_monthly_encounters"
ROW = {
    "facility_id": "FAC-001",
    "service_month": date(2024, 3, 1),
    "patient_zip3": "941",
    "encounter_count": 14,
    "patient_count": 9,
    "mean_length_of_stay_days": 2.25,
}


@dataclass
class Job:
    rows: list[dict[str, Any]]

    def result(self, *, timeout: float) -> list[dict[str, Any]]:
        return self.rows


@dataclass
class FakeClient:
    rows: list[dict[str, Any]] = field(default_factory=lambda: [ROW])
    queries: list[tuple[str, bigquery.QueryJobConfig]] = field(default_factory=list)
    table_error: Exception | None = None

    def query(self, query: str, *, job_config: bigquery.QueryJobConfig, timeout: float) -> Job:
        self.queries.append((query, job_config))
        return Job(self.rows)

    def get_table(self, table: str, *, timeout: float) -> object:
        assert table == TABLE
        if self.table_error is not None:
            raise self.table_error
        return object()


def test_query_is_parameterized_and_enforces_the_cell_floor() -> None:
    client = FakeClient()
    BigQueryAggregates(client, TABLE).monthly_encounters("FAC-001", date(2024, 1, 1), date(2024, 6, 1))
    ((sql, config),) = client.queries
    assert f"FROM `{TABLE}`" in sql and "FAC-001" not in sql
    assert "encounter_count >= @min_cell_size" in sql
    params = {p.name: (p.type_, p.value) for p in config.query_parameters}
    assert params == {
        "facility_id": ("STRING", "FAC-001"),
        "first_month": ("DATE", date(2024, 1, 1)),
        "last_month": ("DATE", date(2024, 6, 1)),
        "min_cell_size": ("INT64", 11),
    }


def test_rows_become_models() -> None:
    (item,) = BigQueryAggregates(FakeClient(), TABLE).monthly_encounters("FAC-001", date(2024, 3, 1), date(2024, 3, 1))
    assert (item.service_month, item.patient_count, item.encounter_count) == ("2024-03", 9, 14)


def test_ready_when_the_table_is_reachable() -> None:
    assert BigQueryAggregates(FakeClient(), TABLE).ready()


UNREACHABLE = [
    GoogleAPIError("denied"),
    RefreshError("metadata server: no token"),  # type: ignore[no-untyped-call]
    TransportError("metadata server unreachable"),  # type: ignore[no-untyped-call]
    RequestsConnectionError("bigquery.googleapis.com: connection refused"),
    Timeout("read timed out"),
]


@pytest.mark.parametrize("error", UNREACHABLE, ids=lambda e: type(e).__name__)
def test_api_auth_and_transport_errors_make_readiness_503(error: Exception) -> None:
    repo = BigQueryAggregates(FakeClient(table_error=error), TABLE)
    assert not repo.ready()
    response = TestClient(create_app(repo), raise_server_exceptions=False).get("/readyz")
    assert (response.status_code, response.json()) == (503, {"status": "unavailable"})
