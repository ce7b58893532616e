"""Build one component under Pulumi's mock engine and keep every resource it registered."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from infra.config import PlatformConfig, build_config
from infra.plan.mockrun import KEY_VERSION_CALL, MOCK_SIGNING_PEM, PlanMocks, RecordingMonitor, fresh_event_loop
from infra.rules import Resource
from tests.infra.test_config import raw

TEST_PEM = MOCK_SIGNING_PEM


class RecordingMocks(PlanMocks):
    """PlanMocks whose KMS key version may carry no public key (the failure the registry refuses)."""

    def __init__(self, pem: str | None = TEST_PEM) -> None:
        self.pem = pem

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == KEY_VERSION_CALL:
            return self.key_version(dict(args.args), self.pem), []
        return super().call(args)


def config_for(environment: str) -> PlatformConfig:
    return build_config(environment, raw(environment))


def record(build: Callable[[], object], pem: str | None = TEST_PEM) -> list[Resource]:
    """Run `build` (which creates components) to completion; return what it registered, in order,
    with camelCase inputs and the protect flag, through the same monitor the offline plan uses."""
    return monitored(build, pem).recorded()


def protected_names(build: Callable[[], object]) -> dict[str, bool]:
    """Logical name -> protect flag for every resource `build` registers (components included)."""
    monitor = monitored(build)
    return {urn.split("::")[-1]: urn in monitor.protected for urn in monitor.order}


def ignored_changes(build: Callable[[], object]) -> dict[str, list[str]]:
    """Logical name -> the properties whose changes Pulumi ignores for that resource."""
    monitor = monitored(build)
    return {urn.split("::")[-1]: monitor.ignored.get(urn, []) for urn in monitor.order}


def monitored(build: Callable[[], object], pem: str | None = TEST_PEM) -> RecordingMonitor:
    """Run `build` under the mock engine; the monitor holds every registration and its options."""
    fresh_event_loop()
    mocks = RecordingMocks(pem)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="hipaa", stack="test", preview=False, monitor=monitor)
    pulumi.runtime.settings.SETTINGS.rpc_manager.clear()

    def run() -> None:
        build()

    _sync_await(run_pulumi_func(run))
    return monitor


def only(resources: list[Resource], type_token: str) -> Resource:
    matches = [r for r in resources if r.type == type_token]
    assert len(matches) == 1, f"expected one {type_token}, found {len(matches)}"
    return matches[0]


def of_type(resources: list[Resource], type_token: str) -> list[Resource]:
    return [r for r in resources if r.type == type_token]


def changed(resource: Resource, path: str, value: Any) -> Resource:
    """A copy of `resource` with the input at a dotted path set (None removes it), for rule tests."""
    inputs = copy.deepcopy(dict(resource.inputs))
    *parents, last = path.split(".")
    target = inputs
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    if value is None:
        target.pop(last, None)
    else:
        target[last] = value
    return Resource(resource.type, resource.name, resource.urn, inputs, resource.protect)
