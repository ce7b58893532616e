"""A named fault and what it may change: the run's world (under its lock) and the workspace."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.simulate.workspace import RunDir
from pipeline.simulate.world import state as world_state

ALL_ENVIRONMENTS = frozenset({"dev", "staging", "prod"})


@dataclass(frozen=True)
class FaultContext:
    run: RunDir

    def world(self) -> AbstractContextManager[dict[str, Any]]:
        """The world's state under its lock, written back when the block ends normally."""
        return world_state.locked(self.run.world)

    @property
    def workspace(self) -> Path:
        return self.run.workspace


@dataclass(frozen=True)
class Fault:
    name: str
    gate: str  # the step id of the gate that must stop the build
    description: str
    apply: Callable[[FaultContext], None]
    environments: frozenset[str] = field(default=ALL_ENVIRONMENTS)
