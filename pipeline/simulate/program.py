"""The one door to the Pulumi program: the stack's offline plan under the SDK's mock engine.

Everything the simulator knows about a stack (its trigger, its projects, the resources the fake
world starts from) comes from this plan, so the simulated build runs against the platform this
program defines. This is the only import of the infra package, so a move there changes one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class PlannedResource(Protocol):
    """What the mock engine records per resource (infra.rules.Resource)."""

    @property
    def type(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def urn(self) -> str: ...

    @property
    def inputs(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Plan:
    stack: str
    resources: tuple[PlannedResource, ...]
    # The mock engine's project numbers (a stable hash of the id), so the world's numbers are the
    # ones the plan's perimeter and service-agent emails already name.
    project_number: Callable[[str], str]

    def of_type(self, type_token: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_token]


def offline_plan(stack: str, resources: tuple[PlannedResource, ...] | None = None) -> Plan:
    """The stack's plan: the real __main__.py under mocks, or `resources` already planned (tests)."""
    from infra.plan.mockrun import run_program
    from infra.plan.mocks import project_number

    planned = tuple(run_program(stack)) if resources is None else resources
    return Plan(stack=stack, resources=planned, project_number=project_number)
