"""The committed URN snapshot of each stack: what `pulumi up` would delete if it left the plan.

A resource's URN is its identity to the engine (stack, project, the chain of parent types, logical
name). A change of type token, logical name or parent gives a new URN, and `pulumi up` then deletes
the old resource and creates a new one: for a protected prod key ring or dataset that is a refused
update, for anything else a silent replacement. The snapshot holds every URN a stack plans; the
check fails when one of them is gone, and when the plan has URNs the snapshot does not know (so the
snapshot stays complete). It changes only through `python -m infra urns --stack <env> --write`, which
refuses to drop URNs unless told `--accept-removed` (an intended rename uses a Pulumi alias instead).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from infra.plan.mockrun import PROJECT_ROOT

SNAPSHOT_DIR = PROJECT_ROOT / "infra" / "plan" / "snapshots"
_HEADER = (
    "# Every URN the {stack} stack's program registers, as the Pulumi engine forms them (parent type chain).\n"
    "# A URN missing from the plan means a resource would be deleted and recreated: add a Pulumi alias.\n"
    "# Regenerate only on purpose: python -m infra urns --stack {stack} --write\n"
)


class SnapshotError(Exception):
    """The snapshot file is missing or unreadable."""


@dataclass(frozen=True)
class UrnDrift:
    """How a plan differs from its stack's snapshot."""

    missing: tuple[str, ...]
    added: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.missing and not self.added


def snapshot_path(stack: str, directory: Path | None = None) -> Path:
    return (directory or SNAPSHOT_DIR) / f"{stack}.urns"


def read_snapshot(stack: str, directory: Path | None = None) -> tuple[str, ...]:
    path = snapshot_path(stack, directory)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise SnapshotError(f"{path.name}: cannot read the URN snapshot ({error.strerror})") from None
    urns = tuple(line for line in lines if line and not line.startswith("#"))
    malformed = [urn for urn in urns if not urn.startswith(f"urn:pulumi:{stack}::")]
    if not urns or malformed:
        raise SnapshotError(f"{path.name}: not a URN snapshot of stack {stack}")
    return urns


def render(stack: str, urns: Iterable[str]) -> str:
    return _HEADER.format(stack=stack) + "".join(f"{urn}\n" for urn in sorted(set(urns)))


def compare(snapshot: Iterable[str], planned: Iterable[str]) -> UrnDrift:
    known, now = set(snapshot), set(planned)
    return UrnDrift(missing=tuple(sorted(known - now)), added=tuple(sorted(now - known)))


def describe(stack: str, drift: UrnDrift) -> list[str]:
    """One line per problem, the first saying what to do."""
    lines: list[str] = []
    if drift.missing:
        lines.append(
            f"{len(drift.missing)} URN(s) of the {stack} snapshot are gone from the plan: pulumi up would "
            "delete and recreate them; keep the name and parent, or add a Pulumi alias"
        )
        lines.extend(f"  missing {urn}" for urn in drift.missing)
    if drift.added:
        lines.append(
            f"{len(drift.added)} planned URN(s) are not in the {stack} snapshot: "
            f"run python -m infra urns --stack {stack} --write"
        )
        lines.extend(f"  new {urn}" for urn in drift.added)
    return lines


def command(stack: str, write: bool, accept_removed: bool) -> int:
    """`python -m infra urns --stack S [--write [--accept-removed]]`: check (default) or regenerate."""
    from infra.plan.mockrun import run_stack

    planned = run_stack(stack).engine_urns.values()
    try:
        drift = compare(read_snapshot(stack), planned)
    except SnapshotError as error:
        if not write:
            print(f"error: {error}", file=sys.stderr)
            return 2
        drift = UrnDrift(missing=(), added=tuple(sorted(set(planned))))
    if write:
        if drift.missing and not accept_removed:
            for line in describe(stack, UrnDrift(drift.missing, ())):
                print(line, file=sys.stderr)
            print("refused: pass --accept-removed only when deleting these resources is intended", file=sys.stderr)
            return 1
        snapshot_path(stack).write_text(render(stack, planned), encoding="utf-8")
        print(f"wrote {snapshot_path(stack)} ({len(set(planned))} URNs)")
        return 0
    if not drift.clean:
        for line in describe(stack, drift):
            print(line, file=sys.stderr)
        return 1
    print(f"{snapshot_path(stack).name}: all {len(set(planned))} URNs of stack {stack} match the snapshot")
    return 0
