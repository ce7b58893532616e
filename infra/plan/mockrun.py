"""Run Pulumi code under the SDK's mock engine: the whole program for a stack, or one component.

No cloud and no Pulumi CLI: resources are recorded as the engine would see them (type token, the
engine's URN, camelCase inputs, protect flag, ignored changes), answered by `infra.plan.mocks`.
`python -m infra plan`, every plan tool and the tests run Pulumi code through `record` here and
nowhere else. It waits through the SDK's public `pulumi.runtime.test`; the one SDK internal it
relies on is the mock monitor's gRPC request shape (`RecordingMonitor`), which
tests/infra/plan/test_mockrun.py pins so an SDK upgrade that changes it fails loudly.
"""

from __future__ import annotations

import asyncio
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from infra.plan.mocks import PlanMocks
from infra.plan.stack_file import stack_config as read_stack_config
from infra.rules import Resource

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROJECT_NAME = "hipaa"


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, keeping what it drops: protect, dependencies and the order of registration."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.protected: set[str] = set()
        self.order: list[str] = []
        self.inputs: dict[str, dict[str, Any]] = {}
        self.ignored: dict[str, list[str]] = {}
        # Mock URN -> the mock URNs it waits for: explicit depends_on (a component expanded to its
        # resources by the SDK) and every resource an input's Output came from.
        self.dependencies: dict[str, list[str]] = {}
        # The SDK's mock URN names only the immediate parent's type; the engine names the whole chain
        # of parent types (`Platform$Component$gcp:...`). Kept per mock URN, providers included.
        self.engine_urns: dict[str, str] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            self.engine_urns[response.urn] = self._engine_urn(response.urn, request.parent, request.type)
            self.order.append(response.urn)
            self.inputs[response.urn] = dict(rpc.deserialize_properties(request.object))
            if request.protect:
                self.protected.add(response.urn)
            if request.ignoreChanges:
                self.ignored[response.urn] = list(request.ignoreChanges)
            if request.dependencies:
                self.dependencies[response.urn] = list(request.dependencies)
        return response

    def _engine_urn(self, mock_urn: str, parent: str, type_token: str) -> str:
        """The URN the Pulumi engine gives this registration: stack, project, parent chain, name."""
        prefix, _, _, name = mock_urn.split("::", 3)
        parent_urn = self.engine_urns.get(parent, "")
        qualified = f"{parent_urn.split('::')[2]}${type_token}" if parent_urn else type_token
        return f"{prefix}::{mock_urn.split('::')[1]}::{qualified}::{name}"

    def _engine_dependencies(self, urn: str) -> tuple[str, ...]:
        """What `urn` waits for, as engine URNs, providers left out, in a stable order."""
        return tuple(
            sorted(
                self.engine_urns[d]
                for d in set(self.dependencies.get(urn, ()))
                if d in self.engine_urns and "::pulumi:providers:" not in d
            )
        )

    def recorded(self) -> list[Resource]:
        """Everything registered, in order, as the rules see it (providers left out)."""
        recorded: list[Resource] = []
        for urn in self.order:
            type_token = urn.split("::")[2].split("$")[-1]
            if type_token.startswith("pulumi:providers:"):
                continue
            recorded.append(
                Resource(
                    type=type_token,
                    name=urn.split("::")[-1],
                    urn=self.engine_urns[urn],
                    inputs=self.inputs.get(urn, {}),
                    protect=urn in self.protected,
                    dependencies=self._engine_dependencies(urn),
                )
            )
        return recorded


def stack_config(stack: str, root: Path | None = None) -> dict[str, str]:
    """The stack file's `config:` block as the engine passes it (infra/plan/stack_file.py); a broken
    file raises ConfigError naming it."""
    return read_stack_config(stack, PROJECT_ROOT if root is None else root)


def fresh_event_loop() -> None:
    """A new event loop per run. A run that failed (a test of a bad config does) leaves tasks
    pending on its loop; cancel them and close it, rather than leak them to interpreter exit."""
    try:
        previous = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        previous = None
    if previous is not None and not previous.is_closed() and not previous.is_running():
        pending = asyncio.all_tasks(previous)
        for task in pending:
            task.cancel()
        if pending:
            previous.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        previous.close()
    asyncio.set_event_loop(asyncio.new_event_loop())


def record(
    build: Callable[[], object],
    mocks: pulumi.runtime.Mocks | None = None,
    *,
    stack: str = "test",
    preview: bool = False,
) -> RecordingMonitor:
    """Run `build` under the mock engine until every registration and output has resolved.

    `pulumi.runtime.test` clears the SDK's pending RPCs and tracked outputs (an output left by an
    earlier run belongs to a loop that never runs again) and waits for what `build` starts.
    """
    fresh_event_loop()
    engine_mocks = mocks if mocks is not None else PlanMocks()
    monitor = RecordingMonitor(engine_mocks)
    pulumi.runtime.set_mocks(engine_mocks, project=PROJECT_NAME, stack=stack, preview=preview, monitor=monitor)

    def run() -> None:
        build()

    pulumi.runtime.test(run)()  # type: ignore[no-untyped-call]  # the SDK leaves it untyped
    return monitor


def run_stack(stack: str, config: dict[str, str] | None = None, root: Path | None = None) -> RecordingMonitor:
    """Run `__main__.py` for a stack under mocks, with its stack file's config (or `config`)."""
    values = stack_config(stack, root) if config is None else config
    pulumi.runtime.set_all_config(values)
    program = str((PROJECT_ROOT if root is None else root) / "__main__.py")
    return record(lambda: runpy.run_path(program, run_name="__main__"), stack=stack, preview=True)


def run_program(stack: str, config: dict[str, str] | None = None, root: Path | None = None) -> list[Resource]:
    """Every resource (providers left out) the program registers for a stack, in order."""
    return run_stack(stack, config, root).recorded()
