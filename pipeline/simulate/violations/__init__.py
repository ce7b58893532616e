"""Named faults: each changes the world, the build request or the workspace in one way, and names
the gate that must stop the build for it.

A fault is a small function over a FaultContext (the run's world state, under its lock, and the
scratch workspace). `--violation NAME` applies one; `--list-violations` prints the registry.
Repository faults (platform.py has the world's, repository.py the workspace's) plant a file in the
workspace exactly as a commit would hold it, so the same fault in the repository itself stops the
build without any flag.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.simulate.violations import build_request, platform, repository
from pipeline.simulate.violations.fault import ALL_ENVIRONMENTS, Fault, FaultContext
from pipeline.simulate.workspace import RunDir

__all__ = ["ALL_ENVIRONMENTS", "Fault", "FaultContext", "UnknownFaultError", "apply_faults", "lookup", "registry"]


class UnknownFaultError(Exception):
    pass


def registry() -> dict[str, Fault]:
    faults = [*build_request.FAULTS, *platform.FAULTS, *repository.FAULTS]
    return {f.name: f for f in faults}


def lookup(names: Sequence[str]) -> list[Fault]:
    known = registry()
    missing = [n for n in names if n not in known]
    if missing:
        raise UnknownFaultError(f"unknown violation {missing[0]!r} (see --list-violations)")
    return [known[n] for n in names]


def apply_faults(faults: Sequence[Fault], run: RunDir) -> None:
    context = FaultContext(run)
    for fault in faults:
        fault.apply(context)
