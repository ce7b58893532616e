"""Resource options the SDK's mocks drop (protect, ignoreChanges), kept by a recording monitor."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra.mockrun import PlanMocks, RecordingMonitor


class _OptionsMonitor(RecordingMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.ignored: dict[str, list[str]] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        self.ignored[response.urn] = list(request.ignoreChanges)
        return response


def _run(build: Callable[[], object]) -> _OptionsMonitor:
    asyncio.set_event_loop(asyncio.new_event_loop())
    mocks = PlanMocks()
    monitor = _OptionsMonitor(mocks)
    # The tracked-outputs set outlives set_mocks; a task left by an earlier run belongs to a loop that
    # never runs again, and waiting on it would hang this run (the SDK's own test decorator clears it too).
    pulumi.runtime.settings.SETTINGS.outputs.clear()
    pulumi.runtime.set_mocks(mocks, project="hipaa", stack="test", preview=False, monitor=monitor)
    pulumi.runtime.settings.SETTINGS.rpc_manager.clear()

    def run() -> None:
        build()

    _sync_await(run_pulumi_func(run))
    return monitor


def protected_names(build: Callable[[], object]) -> dict[str, bool]:
    """Logical name -> protect flag for every resource `build` registers (components included)."""
    monitor = _run(build)
    return {urn.split("::")[-1]: urn in monitor.protected for urn in monitor.order}


def ignored_changes(build: Callable[[], object]) -> dict[str, list[str]]:
    """Logical name -> the properties whose changes Pulumi ignores for that resource."""
    monitor = _run(build)
    return {urn.split("::")[-1]: monitor.ignored.get(urn, []) for urn in monitor.order}
