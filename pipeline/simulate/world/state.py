"""The world's state file, read and written under an exclusive lock (steps run in parallel)."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

STATE = "state.json"
LOCK = "state.lock"
CALLS = "calls.jsonl"
UNMODELLED = "unmodelled.jsonl"
ERRORS = "errors.jsonl"
GCS = "gcs"

State = dict[str, Any]


@contextmanager
def locked(world: Path, write: bool = True) -> Iterator[State]:
    """The state, under the lock for the whole block; written back when the block ends normally."""
    with (world / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state: State = json.loads((world / STATE).read_text(encoding="utf-8"))
        yield state
        if write:
            temporary = world / f"{STATE}.{os.getpid()}"
            temporary.write_text(json.dumps(state), encoding="utf-8")
            temporary.replace(world / STATE)


def read(world: Path) -> State:
    with locked(world, write=False) as state:
        return state


def save(world: Path, state: State) -> None:
    world.mkdir(parents=True, exist_ok=True)
    (world / STATE).write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    (world / GCS).mkdir(exist_ok=True)


def append(world: Path, name: str, record: dict[str, Any]) -> None:
    """One JSON line to a world journal (calls, unmodelled commands); O_APPEND lines do not interleave."""
    line = (json.dumps(record) + "\n").encode("utf-8")
    descriptor = os.open(world / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def journal(world: Path, name: str) -> list[dict[str, Any]]:
    path = world / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
