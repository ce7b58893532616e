"""The step graph under Cloud Build's rules, its critical path, and a Mermaid picture of it.

Works on steps in their Cloud Build dict form, so the checks judge the committed file itself.
A step's dependencies: its `waitFor` ids; none for `['-']`; every earlier step when `waitFor` is
absent or empty.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")


def parse_duration(value: object) -> float | None:
    """Seconds of a Cloud Build duration (`"600s"`), or None when it is not one."""
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value)
    return float(match.group(1)) if match else None


def step_key(step: dict[str, Any], index: int) -> str:
    step_id = step.get("id")
    return step_id if isinstance(step_id, str) and step_id else f"#{index}"


def dependencies(steps: Sequence[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Each step's direct dependencies; ids that name no step are left out (a rule reports them)."""
    keys = [step_key(step, i) for i, step in enumerate(steps)]
    known = set(keys)
    deps: dict[str, tuple[str, ...]] = {}
    for index, step in enumerate(steps):
        wait_for = step.get("waitFor") or []
        if not wait_for:
            deps[keys[index]] = tuple(keys[:index])
        else:
            deps[keys[index]] = tuple(w for w in wait_for if w != "-" and w in known)
    return deps


def ancestors(deps: dict[str, tuple[str, ...]], key: str) -> set[str]:
    """Every step `key` waits for, directly or through others (safe on cycles)."""
    seen: set[str] = set()
    todo = list(deps.get(key, ()))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(deps.get(current, ()))
    return seen


def find_cycle(deps: dict[str, tuple[str, ...]]) -> list[str] | None:
    """One dependency cycle as a path `[a, b, ..., a]`, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in deps.get(node, ()):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in deps:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


@dataclass(frozen=True)
class PathStats:
    critical_seconds: float
    chain: tuple[str, ...]
    total_seconds: float

    @property
    def ratio(self) -> float:
        return self.critical_seconds / self.total_seconds if self.total_seconds else 0.0


def critical_path(steps: Sequence[dict[str, Any]]) -> PathStats:
    """Longest chain by the sum of step timeouts, against the sum of all step timeouts.

    Raises ValueError on a cycle or a step without a valid timeout: neither has a critical path.
    """
    deps = dependencies(steps)
    cycle = find_cycle(deps)
    if cycle:
        raise ValueError(f"waitFor forms a cycle: {' -> '.join(cycle)}")
    weight: dict[str, float] = {}
    for index, step in enumerate(steps):
        seconds = parse_duration(step.get("timeout"))
        if seconds is None:
            raise ValueError(f"step {step_key(step, index)} has no valid timeout")
        weight[step_key(step, index)] = seconds
    best: dict[str, tuple[float, tuple[str, ...]]] = {}

    def longest_to(key: str) -> tuple[float, tuple[str, ...]]:
        if key not in best:
            before = max((longest_to(dep) for dep in deps[key]), default=(0.0, ()))
            best[key] = (before[0] + weight[key], (*before[1], key))
        return best[key]

    longest = max((longest_to(key) for key in deps), default=(0.0, ()))
    return PathStats(longest[0], longest[1], sum(weight.values()))


def reduced_edges(deps: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """Edges `dep -> step` that no longer path already implies (transitive reduction)."""
    edges: list[tuple[str, str]] = []
    for key, direct in deps.items():
        implied: set[str] = set()
        for dep in direct:
            implied |= ancestors(deps, dep)
        edges.extend((dep, key) for dep in direct if dep not in implied)
    return edges


def _node(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", key)


def mermaid(steps: Sequence[dict[str, Any]]) -> str:
    """The step DAG as a Mermaid flowchart (transitively reduced, so it stays readable)."""
    deps = dependencies(steps)
    lines = ["flowchart TD"]
    lines.extend(f'  {_node(key)}["{key}"]' for key in deps)
    lines.extend(f"  {_node(a)} --> {_node(b)}" for a, b in reduced_edges(deps))
    return "\n".join(lines) + "\n"
