"""`python -m hipaa_api`: validate settings, then serve TLS 1.3 with Uvicorn (access log off, JSON logs on)."""

from __future__ import annotations

import logging
import os
import sys

import uvicorn
from google.cloud import bigquery

from hipaa_api.app import create_app
from hipaa_api.observability import LOGGER, configure_logging
from hipaa_api.repository import BigQueryAggregates
from hipaa_api.settings import Settings, SettingsError
from hipaa_api.tls import require_tls13, write_ephemeral_certificate


def main() -> int:
    configure_logging()
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as error:
        logging.getLogger(LOGGER).error("configuration error: %s", error, extra={"event": "startup"})
        return 2
    client = bigquery.Client(project=settings.project)
    app = create_app(BigQueryAggregates(client, settings.table_id))
    cert_path, key_path = write_ephemeral_certificate()
    config = uvicorn.Config(
        app,
        host="0.0.0.0",  # noqa: S104  # nosec B104 - the pod IP; NetworkPolicy limits who reaches it
        port=settings.port,
        ssl_certfile=str(cert_path),
        ssl_keyfile=str(key_path),
        access_log=False,
        log_config=None,
        server_header=False,
        date_header=False,
        proxy_headers=False,
    )
    # Loading builds the TLS context from the files; the key then lives only in the server's memory.
    config.load()
    key_path.unlink()
    if config.ssl is None:
        raise RuntimeError("Uvicorn built no TLS context: the API never serves plain HTTP")
    require_tls13(config.ssl)
    uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
