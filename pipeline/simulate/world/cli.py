"""The fake CLIs' dispatcher: a command line is routed by its command words to one handler.

Every call is journalled (calls.jsonl); a command line no handler models exits 1 with
`fake world: unmodelled command: ...` and is journalled in unmodelled.jsonl too, so a run lists
everything the world could not answer. A command line the real CLI's parser would refuse exits 2.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pipeline.simulate.world import state as world_state
from pipeline.simulate.world.args import UsageError

Handler = Callable[["Call"], int]
Table = dict[tuple[str, ...], Handler]
UNMODELLED_EXIT = 1


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


def _table(tool: str, argv: list[str]) -> Table:
    from pipeline.simulate.world.commands import table

    return table(tool, argv)


def _route(tool: str, argv: list[str], table: Table) -> tuple[tuple[str, ...], list[str], list[str]] | None:
    globals_: list[str] = []
    words = list(argv)
    if tool == "bq":
        while words and words[0].startswith("--"):
            globals_.append(words.pop(0))
    for command in sorted(table, key=len, reverse=True):
        if tuple(words[: len(command)]) == command:
            return command, words[len(command) :], globals_
    return None


def main(world: Path, tool: str, argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    record = {"tool": tool, "argv": argv, "at": time.time()}
    world_state.append(world, world_state.CALLS, record)
    handlers = _table(tool, argv)
    routed = _route(tool, argv, handlers)
    if routed is None:
        world_state.append(world, world_state.UNMODELLED, record)
        err.write(f"fake world: unmodelled command: {tool} {' '.join(argv)}\n")
        return UNMODELLED_EXIT
    command, rest, globals_ = routed
    call = Call(world, tool, command, rest, out, err, globals_)
    try:
        return call_handler(call, handlers[command])
    except UsageError as error:
        err.write(f"ERROR: ({call.scope}) {error}\n")
        return 2
    except RefusedError as error:
        err.write(f"ERROR: ({call.scope}) {error}\n")
        return 1
    except (KeyError, IndexError, TypeError, ValueError, OSError) as error:  # a world bug, never a silent pass
        world_state.append(world, world_state.ERRORS, {**record, "error": f"{type(error).__name__}: {error}"})
        err.write(f"fake world: error answering {tool} {' '.join(argv)[:120]}: {type(error).__name__}: {error}\n")
        return 1


def call_handler(call: Call, handler: Handler) -> int:
    return handler(call)


def lines(text: str) -> Iterator[str]:
    yield from (line for line in text.splitlines() if line.strip())
