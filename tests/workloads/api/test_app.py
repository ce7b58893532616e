"""The API through FastAPI's TestClient over a fake repository: routes, validation, health, headers."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from hipaa_api.app import create_app
from tests.workloads.api.fakes import FakeRepository, cell

URL = "/v1/facilities/FAC-001/monthly-encounters"


@pytest.fixture
def repo() -> FakeRepository:
    return FakeRepository(cells=[cell("2024-03"), cell("2024-04", zip3="000")])


@pytest.fixture
def client(repo: FakeRepository) -> TestClient:
    return TestClient(create_app(repo), raise_server_exceptions=False)


def test_monthly_encounters(client: TestClient, repo: FakeRepository) -> None:
    response = client.get(URL, params={"from_month": "2024-01", "to_month": "2024-06"})
    assert response.status_code == 200
    body = response.json()
    assert body["facility_id"] == "FAC-001" and body["from_month"] == "2024-01"
    assert [(i["service_month"], i["patient_zip3"]) for i in body["items"]] == [("2024-03", "941"), ("2024-04", "000")]
    assert repo.asked == [("FAC-001", date(2024, 1, 1), date(2024, 6, 1))]


def test_healthz_checks_nothing_else(repo: FakeRepository, client: TestClient) -> None:
    repo.is_ready = False
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(("ready", "status"), [(True, 200), (False, 503)])
def test_readyz_follows_the_repository(repo: FakeRepository, client: TestClient, ready: bool, status: int) -> None:
    repo.is_ready = ready
    assert client.get("/readyz").status_code == status


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/facilities/fac-001/monthly-encounters", {"from_month": "2024-01", "to_month": "2024-02"}),
        ("/v1/facilities/FAC%20001/monthly-encounters", {"from_month": "2024-01", "to_month": "2024-02"}),
        (URL, {"from_month": "2024-13", "to_month": "2024-12"}),
        (URL, {"from_month": "2024-1", "to_month": "2024-12"}),
        (URL, {"from_month": "2024-01"}),
        (URL, {"from_month": "2024-06", "to_month": "2024-05"}),
        (URL, {"from_month": "2020-01", "to_month": "2023-01"}),
    ],
)
def test_bad_input_is_refused_before_the_repository(
    client: TestClient, repo: FakeRepository, path: str, params: dict[str, str]
) -> None:
    assert client.get(path, params=params).status_code == 422
    assert repo.asked == []


def test_thirty_six_months_is_the_limit(client: TestClient) -> None:
    assert client.get(URL, params={"from_month": "2021-01", "to_month": "2023-12"}).status_code == 200


def test_read_only(client: TestClient) -> None:
    assert client.post(URL, json={}).status_code == 405
    assert client.delete(URL).status_code == 405


def test_security_headers_on_every_response(client: TestClient) -> None:
    for response in (client.get("/healthz"), client.get("/nowhere"), client.get(URL)):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in response.headers["content-security-policy"]


def test_no_interactive_docs_but_an_openapi_document(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert URL.replace("FAC-001", "{facility_id}") in client.get("/openapi.json").json()["paths"]


def test_repository_failure_is_a_500_without_details(client: TestClient, repo: FakeRepository) -> None:
    repo.failure = RuntimeError("query failed for FAC-001")
    response = client.get(URL, params={"from_month": "2024-01", "to_month": "2024-02"})
    assert response.status_code == 500 and "FAC-001" not in response.text
