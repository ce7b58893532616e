"""Which resources a component registers with `protect`: the SDK's mocks drop that flag, the monitor keeps it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra.mockrun import PlanMocks, RecordingMonitor


def protected_names(build: Callable[[], object]) -> dict[str, bool]:
    """Logical name -> protect flag for every resource `build` registers (components included)."""
    asyncio.set_event_loop(asyncio.new_event_loop())
    mocks = PlanMocks()
    monitor = RecordingMonitor(mocks)
    # The tracked-outputs set outlives set_mocks; a task left by an earlier run belongs to a loop that
    # never runs again, and waiting on it would hang this run (the SDK's own test decorator clears it too).
    pulumi.runtime.settings.SETTINGS.outputs.clear()
    pulumi.runtime.set_mocks(mocks, project="hipaa", stack="test", preview=False, monitor=monitor)
    pulumi.runtime.settings.SETTINGS.rpc_manager.clear()

    def run() -> None:
        build()

    _sync_await(run_pulumi_func(run))
    return {urn.split("::")[-1]: urn in monitor.protected for urn in monitor.order}
