"""The HMAC key, read from Secret Manager at run time: never an argument, never in the wheel or the logs."""

from __future__ import annotations

import re
from typing import Any, Protocol

import google_crc32c

from hipaa_spark.deidentify import MIN_KEY_BYTES

# A pinned numeric version: `latest` would silently re-key every patient when the secret rotates.
_VERSION = re.compile(r"^projects/[a-z0-9-]+/secrets/[A-Za-z0-9_-]{1,255}/versions/[1-9][0-9]*$")


class SecretReader(Protocol):
    def access_secret_version(self, *, request: dict[str, str]) -> Any: ...


def read_hmac_key(version_name: str, client: SecretReader | None = None) -> bytes:
    """The key bytes, after checking the payload's CRC32C and its length."""
    if not _VERSION.match(version_name):
        raise ValueError(
            f"hmac key version {version_name!r} is malformed: expected projects/P/secrets/S/versions/N (a number)"
        )
    if client is None:
        from google.cloud import secretmanager

        client = secretmanager.SecretManagerServiceClient()
    response = client.access_secret_version(request={"name": version_name})
    data: bytes = response.payload.data
    expected = response.payload.data_crc32c
    if expected is None or google_crc32c.value(data) != int(expected):
        raise ValueError(f"hmac key {version_name}: payload checksum mismatch")
    if len(data) < MIN_KEY_BYTES:
        raise ValueError(f"hmac key {version_name}: {len(data)} bytes, at least {MIN_KEY_BYTES} required")
    return data
