"""`python -m hipaa_api` and the image health check, without a network: uvicorn and urlopen are replaced."""

from __future__ import annotations

import io
from typing import Any
from urllib.error import URLError

import pytest

from hipaa_api import __main__ as entry
from hipaa_api import healthcheck

ENV = {"HIPAA_API_PROJECT": "nwh-analytics-prd", "HIPAA_API_DATASET": "hipaa_prod_deidentified"}


class NoClient:
    def __init__(self, project: str) -> None:
        self.project = project


def test_bad_settings_stop_before_serving(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("HIPAA_API_PROJECT", raising=False)
    monkeypatch.setattr("uvicorn.run", pytest.fail)
    assert entry.main() == 2
    assert "HIPAA_API_PROJECT is not set" in capsys.readouterr().out


def test_serves_without_access_log_or_server_header(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("google.cloud.bigquery.Client", NoClient)
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append(kwargs))
    assert entry.main() == 0
    (kwargs,) = calls
    assert kwargs["port"] == 8080 and kwargs["access_log"] is False and kwargs["server_header"] is False
    assert kwargs["log_config"] is None


class Response(io.BytesIO):
    def __init__(self, status: int) -> None:
        super().__init__(b"{}")
        self.status = status


@pytest.mark.parametrize(("answer", "code"), [(Response(200), 0), (Response(503), 1), (URLError("refused"), 1)])
def test_healthcheck(monkeypatch: pytest.MonkeyPatch, answer: Response | Exception, code: int) -> None:
    def urlopen(url: str, timeout: float) -> Response:
        assert url == "http://127.0.0.1:8080/healthz"
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    assert healthcheck.main() == code
