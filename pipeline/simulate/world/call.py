"""One fake CLI call: its command line, the world it reads and changes, and how it answers."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pipeline.simulate.world import state as world_state
from pipeline.simulate.world.args import UsageError

Handler = Callable[["Call"], int]
Table = dict[tuple[str, ...], Handler]


class RefusedError(Exception):
    """The service refuses the request (not found, permission, precondition): exit 1 with its message."""


@dataclass
class Call:
    world: Path
    tool: str
    command: tuple[str, ...]
    argv: list[str]
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    globals: list[str] = field(default_factory=list)  # bq's flags before the command word

    @property
    def scope(self) -> str:
        return ".".join((self.tool, *self.command))

    def state(self, write: bool = True) -> AbstractContextManager[world_state.State]:
        return world_state.locked(self.world, write)

    def emit(self, data: Any, fmt: str | None = "json") -> int:
        self.out.write(render(data, fmt))
        return 0

    def gcs(self) -> Path:
        return self.world / world_state.GCS


def _dotted(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def render(data: Any, fmt: str | None) -> str:
    """gcloud's --format: json (and bq's prettyjson), or value(a.b,...) as tab-separated text."""
    if fmt is None or fmt in ("json", "prettyjson"):
        return json.dumps(data, indent=2, sort_keys=True) + "\n"
    if fmt.startswith("value(") and fmt.endswith(")"):
        keys = [k.strip() for k in fmt[len("value(") : -1].split(",")]
        rows = data if isinstance(data, list) else [data]
        lines = []
        for row in rows:
            cells = [_dotted(row, key) for key in keys]
            lines.append(
                "\t".join("" if c is None else ";".join(map(str, c)) if isinstance(c, list) else str(c) for c in cells)
            )
        return "\n".join(lines) + "\n"
    raise UsageError(f"format [{fmt}] is not modelled by the fake world")
