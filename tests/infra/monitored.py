"""Build one component under the mock engine and keep what `recording.record` cannot see: `protect`.

The SDK passes resource options to the monitor, not to the mocks, so this records through
`infra.mockrun.RecordingMonitor` (the same monitor the offline plan uses).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra.mockrun import PlanMocks, RecordingMonitor
from infra.rules import Resource


def record_protected(build: Callable[[], object]) -> list[Resource]:
    """Run `build` to completion; every resource it registered, with inputs and its protect flag."""
    asyncio.set_event_loop(asyncio.new_event_loop())
    mocks = PlanMocks()
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="hipaa", stack="test", preview=False, monitor=monitor)
    pulumi.runtime.settings.SETTINGS.rpc_manager.clear()

    def run() -> None:
        build()

    _sync_await(run_pulumi_func(run))
    return [
        Resource(
            type=urn.split("::")[2].split("$")[-1],
            name=urn.split("::")[-1],
            urn=urn,
            inputs=monitor.inputs.get(urn, {}),
            protect=urn in monitor.protected,
        )
        for urn in monitor.order
    ]
