"""`python -m hipaa_api` and the image health check, without a network: the server loop and urlopen are replaced."""

from __future__ import annotations

import io
import ssl
from pathlib import Path
from urllib.error import URLError

import pytest
import uvicorn

from hipaa_api import __main__ as entry
from hipaa_api import healthcheck, tls

ENV = {"HIPAA_API_PROJECT": "nwh-analytics-prd", "HIPAA_API_DATASET": "hipaa_prod_deidentified"}


class NoClient:
    def __init__(self, project: str) -> None:
        self.project = project


def test_bad_settings_stop_before_serving(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("HIPAA_API_PROJECT", raising=False)
    monkeypatch.setattr("uvicorn.Server.run", pytest.fail)
    assert entry.main() == 2
    assert "HIPAA_API_PROJECT is not set" in capsys.readouterr().out


def test_serves_tls_1_3_only_without_access_log_or_server_header(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served: list[uvicorn.Config] = []
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("google.cloud.bigquery.Client", NoClient)
    monkeypatch.setattr(tls, "TLS_DIR", tmp_path / "tls")
    monkeypatch.setattr(entry, "write_ephemeral_certificate", lambda: tls.write_ephemeral_certificate(tmp_path / "tls"))
    monkeypatch.setattr("uvicorn.Server.run", lambda server: served.append(server.config))
    assert entry.main() == 0
    (config,) = served
    assert config.port == 8443 and config.access_log is False and config.server_header is False
    assert config.log_config is None
    assert config.ssl is not None and config.ssl.minimum_version == ssl.TLSVersion.TLSv1_3
    # The key was loaded and deleted; only the public certificate stays for the health check.
    assert sorted(p.name for p in (tmp_path / "tls").iterdir()) == ["cert.pem"]


class Response(io.BytesIO):
    def __init__(self, status: int) -> None:
        super().__init__(b"{}")
        self.status = status


@pytest.mark.parametrize(("answer", "code"), [(Response(200), 0), (Response(503), 1), (URLError("refused"), 1)])
def test_healthcheck(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, answer: Response | Exception, code: int) -> None:
    cert_path, _ = tls.write_ephemeral_certificate(tmp_path)
    monkeypatch.setattr(healthcheck, "client_context", lambda: tls.client_context(cert_path))

    def urlopen(url: str, timeout: float, context: ssl.SSLContext) -> Response:
        assert url == "https://localhost:8443/healthz"
        assert context.minimum_version == ssl.TLSVersion.TLSv1_3 and context.check_hostname
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    assert healthcheck.main() == code


def test_healthcheck_fails_without_the_servers_certificate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(healthcheck, "client_context", lambda: tls.client_context(tmp_path / "missing.pem"))
    monkeypatch.setattr("urllib.request.urlopen", pytest.fail)
    assert healthcheck.main() == 1
