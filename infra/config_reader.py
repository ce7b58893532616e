"""Reading raw stack values into typed ones, every refusal a ConfigError naming the file and the key.

The message is one line, `Pulumi.<stack>.yaml: hipaa:key=value problem`; `__main__.py` and
`python -m infra plan` print it after `error: ` and exit 2.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from infra.config_checks import cidr_problem, location_problem, unknown_key_problem

NAMESPACE = "hipaa"
_ANY = re.compile(r"")


class ConfigError(Exception):
    """A stack setting is missing or invalid; the message names the key."""


class Reader:
    """Reads raw config values and formats errors as `Pulumi.<stack>.yaml: hipaa:key=value ...`."""

    def __init__(self, stack: str, values: Mapping[str, Any]) -> None:
        self.stack = stack
        self.values = values

    def fail(self, key: str, problem: str) -> ConfigError:
        value = self.values.get(key)
        shown = "" if value is None else f"={value}"
        return ConfigError(f"Pulumi.{self.stack}.yaml: {NAMESPACE}:{key}{shown} {problem}")

    def text(self, key: str, pattern: re.Pattern[str] | None = None, what: str = "") -> str:
        value = self.values.get(key)
        if value is None or str(value).strip() == "":
            raise self.fail(key, "is required but missing")
        if not isinstance(value, str):
            raise self.fail(key, "must be a string")
        if pattern is not None and not pattern.match(value):
            raise self.fail(key, f"is not a valid {what}")
        return value

    def integer(self, key: str, check: Callable[[int], str | None]) -> int:
        raw = self.values.get(key)
        if raw is None:
            raise self.fail(key, "is required but missing")
        try:
            value = int(str(raw))
        except ValueError:
            raise self.fail(key, "is not an integer") from None
        problem = check(value)
        if problem:
            raise self.fail(key, problem)
        return value

    def string_list(self, key: str, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
        raw = self.values.get(key)
        if raw is None:
            raise self.fail(key, "is required but missing")
        if not isinstance(raw, list) or not raw:
            raise self.fail(key, "must be a non-empty list")
        for item in raw:
            if not isinstance(item, str) or not pattern.match(item):
                raise self.fail(key, f"has an invalid {what}: {item!r}")
        return tuple(raw)

    def checked(self, key: str, problem: Callable[[str], str | None]) -> str:
        value = self.text(key)
        found = problem(value)
        if found:
            raise self.fail(key, found)
        return value

    def locations(self, key: str) -> tuple[str, ...]:
        for item in (values := self.string_list(key, _ANY, "location")):
            found = location_problem(item)
            if found:
                raise self.fail(key, found)
        return values

    def network(self, key: str) -> ipaddress.IPv4Network:
        network, problem = cidr_problem(self.text(key))
        if network is None:
            raise self.fail(key, problem or "is not an IPv4 CIDR")
        return network

    def only_known_keys(self, known: Sequence[str]) -> None:
        for key in self.values:
            if key not in known:
                raise self.fail(key, unknown_key_problem(key, known, NAMESPACE))


def parse_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Decode the JSON-encoded object values the Pulumi config API returns as strings."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value[:1] in "[{":
            try:
                values[key] = json.loads(value)
                continue
            except json.JSONDecodeError:
                pass
        values[key] = value
    return values
