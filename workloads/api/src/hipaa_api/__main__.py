"""`python -m hipaa_api`: validate settings, then serve with Uvicorn (access log off, JSON logs on)."""

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


def main() -> int:
    configure_logging()
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as error:
        logging.getLogger(LOGGER).error("configuration error: %s", error, extra={"event": "startup"})
        return 2
    client = bigquery.Client(project=settings.project)
    app = create_app(BigQueryAggregates(client, settings.table_id))
    uvicorn.run(
        app,
        host="0.0.0.0",  # noqa: S104  # nosec B104 - the pod IP; NetworkPolicy limits who reaches it
        port=settings.port,
        access_log=False,
        log_config=None,
        server_header=False,
        date_header=False,
        proxy_headers=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
