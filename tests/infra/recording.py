"""Fixtures for component tests: a stack's config, and one component built under the mock engine.

Components are run through `infra.plan.mockrun.record`, the runner `python -m infra plan` uses.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import pulumi

from infra.config import PlatformConfig, build_config
from infra.plan.mockrun import RecordingMonitor, stack_config
from infra.plan.mockrun import record as record_with
from infra.plan.mocks import KEY_VERSION_CALL, MOCK_SIGNING_PEM, PlanMocks
from infra.rules import Resource

TEST_PEM = MOCK_SIGNING_PEM


class RecordingMocks(PlanMocks):
    """PlanMocks whose KMS key version may carry no public key (the failure the registry refuses)."""

    def __init__(self, pem: str | None = TEST_PEM) -> None:
        self.pem = pem

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == KEY_VERSION_CALL:
            return self.key_version(dict(args.args), self.pem), []
        return super().call(args)


def raw(stack: str = "prod") -> dict[str, Any]:
    """The stack file's hipaa: values without the namespace, as the program sees them."""
    return {k.split(":", 1)[1]: v for k, v in stack_config(stack).items() if k.startswith("hipaa:")}


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
    return record_with(build, RecordingMocks(pem))


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
    # Everything else (protect, what it waits for) stays as planned.
    return dataclasses.replace(resource, inputs=inputs)
