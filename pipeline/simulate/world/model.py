"""What every world builder shares: the stack's names and the planned resources by type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

CREATED = "2026-01-12T10:00:00.000Z"
COMPUTE = "https://www.googleapis.com/compute/v1"


@dataclass(frozen=True)
class Env:
    """The stack as the world needs it, from the trigger the program plans."""

    environment: str
    project: str
    security_project: str
    siem_project: str
    region: str
    number: Callable[[str], str]  # the mock engine's project numbers

    @property
    def project_number(self) -> str:
        return self.number(self.project)

    @property
    def zone(self) -> str:
        return f"{self.region}-a"

    @property
    def keyring(self) -> str:
        return f"projects/{self.project}/locations/{self.region}/keyRings/hipaa-{self.environment}-keyring"

    def key(self, purpose: str) -> str:
        return f"{self.keyring}/cryptoKeys/{purpose}"


@dataclass(frozen=True)
class Planned:
    type: str
    name: str
    inputs: Mapping[str, Any]


class Resources:
    def __init__(self, resources: list[Planned]) -> None:
        self.all = resources

    def of(self, type_token: str) -> list[Mapping[str, Any]]:
        return [r.inputs for r in self.all if r.type == type_token]

    def named(self, type_token: str) -> list[Planned]:
        return [r for r in self.all if r.type == type_token]


def later(days: float) -> str:
    return (datetime.now(tz=UTC) + timedelta(days=days)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> str:
    return later(0)


def number(value: Any) -> int:
    """The engine passes numbers as floats (2190.0); the APIs print integers."""
    return int(float(value))


def labels(inputs: Mapping[str, Any]) -> dict[str, str]:
    return dict(inputs.get("labels") or {})
