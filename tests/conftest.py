"""Shared fixtures: the offline plan of each stack, run once per session under the mock engine."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from infra.config import ENVIRONMENTS
from infra.mockrun import run_program
from infra.rules import Resource


@functools.cache
def planned(stack: str) -> tuple[Resource, ...]:
    """Every resource the real program registers for a stack, from its own Pulumi.<stack>.yaml."""
    return tuple(run_program(stack))


def find(resources: tuple[Resource, ...], type_token: str, name: str | None = None) -> list[Resource]:
    """Resources of a type (and, given, a logical name) out of a plan."""
    return [r for r in resources if r.type == type_token and (name is None or r.name == name)]


def one(resources: tuple[Resource, ...], type_token: str, name: str) -> Resource:
    matches = find(resources, type_token, name)
    assert len(matches) == 1, f"expected one {type_token} named {name}, found {len(matches)}"
    return matches[0]


@pytest.fixture(params=ENVIRONMENTS)
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def mocked() -> None:
    """Pulumi's mock engine for tests that build one component directly (testing-unit-py style)."""
    import pulumi

    from infra.mockrun import PlanMocks

    pulumi.runtime.set_mocks(PlanMocks(), project="hipaa", stack="prod", preview=False)


@pytest.fixture
def plan() -> Callable[[str], tuple[Resource, ...]]:
    return planned
