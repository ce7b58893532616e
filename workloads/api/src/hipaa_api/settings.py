"""Configuration from the environment, validated up front: a bad value stops the server naming the variable."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_TABLE = "facility_monthly_encounters"
DEFAULT_PORT = 8443
_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_DATASET = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,1023}$")


class SettingsError(ValueError):
    """A missing or malformed environment variable."""


@dataclass(frozen=True)
class Settings:
    project: str
    dataset: str
    table: str
    port: int

    @property
    def table_id(self) -> str:
        return f"{self.project}.{self.dataset}.{self.table}"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        return cls(
            project=_required(env, "HIPAA_API_PROJECT", _PROJECT),
            dataset=_required(env, "HIPAA_API_DATASET", _DATASET),
            table=_matching("HIPAA_API_TABLE", env.get("HIPAA_API_TABLE", DEFAULT_TABLE), _DATASET),
            port=_port(env.get("HIPAA_API_PORT", str(DEFAULT_PORT))),
        )


def _required(env: Mapping[str, str], name: str, pattern: re.Pattern[str]) -> str:
    if not env.get(name):
        raise SettingsError(f"{name} is not set")
    return _matching(name, env[name], pattern)


def _matching(name: str, value: str, pattern: re.Pattern[str]) -> str:
    if not pattern.match(value):
        raise SettingsError(f"{name}={value!r} is malformed")
    return value


def _port(value: str) -> int:
    if not value.isdigit() or not 1024 <= int(value) <= 65535:
        raise SettingsError(f"HIPAA_API_PORT={value!r} must be an unprivileged port (1024-65535)")
    return int(value)
