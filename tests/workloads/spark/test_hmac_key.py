"""The HMAC key from Secret Manager: pinned version, CRC32C verified, long enough, never echoed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import google_crc32c
import pytest

from hipaa_spark.hmac_key import read_hmac_key

VERSION = "projects/nwh-analytics-prd/secrets/hipaa-prod-mrn-hmac-key/versions/3"
KEY = b"k" * 32


@dataclass
class Payload:
    data: bytes
    data_crc32c: int | None


@dataclass
class Response:
    payload: Payload


@dataclass
class FakeSecretManager:
    payload: Payload
    requests: list[dict[str, str]] = field(default_factory=list)

    def access_secret_version(self, *, request: dict[str, str]) -> Any:
        self.requests.append(request)
        return Response(self.payload)


def test_reads_the_named_version() -> None:
    client = FakeSecretManager(Payload(KEY, google_crc32c.value(KEY)))
    assert read_hmac_key(VERSION, client) == KEY
    assert client.requests == [{"name": VERSION}]


@pytest.mark.parametrize(
    "version",
    [
        "projects/p/secrets/s/versions/latest",
        "projects/p/secrets/s",
        "hipaa-prod-mrn-hmac-key",
        "projects/p/secrets/s/versions/0",
    ],
)
def test_unpinned_or_malformed_version_is_refused(version: str) -> None:
    with pytest.raises(ValueError, match="is malformed"):
        read_hmac_key(version, FakeSecretManager(Payload(KEY, google_crc32c.value(KEY))))


@pytest.mark.parametrize("crc", [None, 12345])
def test_checksum_mismatch_is_refused(crc: int | None) -> None:
    with pytest.raises(ValueError, match="checksum mismatch") as raised:
        read_hmac_key(VERSION, FakeSecretManager(Payload(KEY, crc)))
    assert "kkkk" not in str(raised.value)


def test_short_key_is_refused() -> None:
    short = b"s" * 16
    with pytest.raises(ValueError, match="16 bytes, at least 32"):
        read_hmac_key(VERSION, FakeSecretManager(Payload(short, google_crc32c.value(short))))
