"""Structured JSON logs that cannot carry PHI: route templates and status codes, never paths or query values."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGER = "hipaa_api"
# The only fields a record may carry beyond the message; anything else passed in `extra` is dropped.
ALLOWED_FIELDS = ("event", "method", "route", "status", "duration_ms", "error")
UNMATCHED_ROUTE = "<unmatched>"
SECURITY_HEADERS = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
)


class JsonFormatter(logging.Formatter):
    """One JSON object a line, in the field names Cloud Logging reads (`severity`, `message`, `time`)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in ALLOWED_FIELDS if hasattr(record, name)})
        return json.dumps(entry, separators=(",", ":"))


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Uvicorn's access log prints the raw path and query string: it stays off.
    logging.getLogger("uvicorn.access").disabled = True


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class RequestLogMiddleware:
    """Logs one line per request and adds security headers; errors are logged by type, not by message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger(LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        fields: dict[str, Any] = {"event": "request", "method": scope["method"]}
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:
            fields["error"] = type(error).__name__
            raise
        finally:
            fields.update(
                route=route_template(scope),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            self.log.info("request", extra=fields)
