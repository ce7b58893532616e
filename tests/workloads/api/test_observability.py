"""Logs: one JSON line per request with the route template and status, never a path or query value."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from hipaa_api.app import create_app
from hipaa_api.observability import LOGGER, JsonFormatter, configure_logging
from tests.workloads.api.fakes import FakeRepository, cell

# A synthetic value that must never reach a log line, in the path and in the query string.
MARKER = "ZZQ9"


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger=LOGGER)
    return caplog


def json_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == LOGGER]


def test_request_line_has_template_and_status_only(records: pytest.LogCaptureFixture) -> None:
    client = TestClient(create_app(FakeRepository(cells=[cell("2024-03")])))
    client.get(f"/v1/facilities/{MARKER}/monthly-encounters", params={"from_month": "2024-01", "to_month": "2024-02"})
    (line,) = json_lines(records)
    assert line["route"] == "/v1/facilities/{facility_id}/monthly-encounters"
    assert (line["event"], line["method"], line["status"], line["severity"]) == ("request", "GET", 200, "INFO")
    assert isinstance(line["duration_ms"], float)
    assert MARKER not in json.dumps(line) and "2024-01" not in json.dumps(line)


def test_validation_failure_logs_no_input(records: pytest.LogCaptureFixture) -> None:
    client = TestClient(create_app(FakeRepository()))
    client.get("/v1/facilities/FAC-001/monthly-encounters", params={"from_month": MARKER, "to_month": MARKER})
    (line,) = json_lines(records)
    assert line["status"] == 422 and MARKER not in json.dumps(line)


def test_unmatched_path_is_not_logged(records: pytest.LogCaptureFixture) -> None:
    TestClient(create_app(FakeRepository())).get(f"/patients/{MARKER}")
    (line,) = json_lines(records)
    assert line["route"] == "<unmatched>" and line["status"] == 404 and MARKER not in json.dumps(line)


def test_exception_logged_by_type_not_message(records: pytest.LogCaptureFixture) -> None:
    repo = FakeRepository(failure=RuntimeError(f"boom {MARKER}"))
    client = TestClient(create_app(repo), raise_server_exceptions=False)
    client.get("/v1/facilities/FAC-001/monthly-encounters", params={"from_month": "2024-01", "to_month": "2024-01"})
    line = json_lines(records)[0]
    assert line["error"] == "RuntimeError" and line["status"] == 500 and MARKER not in json.dumps(line)


def test_formatter_drops_fields_outside_the_allow_list() -> None:
    record = logging.LogRecord(LOGGER, logging.INFO, __file__, 1, "request", None, None)
    record.query = MARKER
    record.status = 200
    line = json.loads(JsonFormatter().format(record))
    assert line["status"] == 200 and "query" not in line


def test_configure_logging_writes_json_and_silences_the_access_log(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging()
    logging.getLogger(LOGGER).info("started", extra={"event": "startup"})
    assert json.loads(capsys.readouterr().out.strip())["event"] == "startup"
    assert logging.getLogger("uvicorn.access").disabled
