"""Turning planned resources into rule inputs, from the mock engine or a saved preview JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.rules import Resource


class PreviewError(Exception):
    """The preview JSON is missing, unreadable or not shaped like `pulumi preview --json`."""


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::<type>::<name>` -> `<stack>`."""
    parts = urn.split("::")
    if len(parts) < 4 or not parts[0].startswith("urn:pulumi:"):
        raise PreviewError(f"not a Pulumi URN: {urn!r}")
    return parts[0][len("urn:pulumi:") :]


def _step_resource(index: int, step: object) -> Resource | None:
    """One step's planned resource; None for deletes, the stack and providers. Malformed: PreviewError."""
    where = f"step {index}"
    if not isinstance(step, Mapping):
        raise PreviewError(f"{where} is not an object")
    if step.get("op") == "delete":
        return None
    state = step.get("newState")
    if not isinstance(state, Mapping):
        raise PreviewError(f"{where} has no newState object")
    type_token, urn, inputs = state.get("type"), state.get("urn"), state.get("inputs", {})
    if not isinstance(type_token, str) or not type_token:
        raise PreviewError(f"{where}: newState.type is not a type token (got {json.dumps(type_token)})")
    if not isinstance(urn, str):
        raise PreviewError(f"{where}: newState.urn is not a string (got {json.dumps(urn)})")
    try:
        stack_of(urn)
    except PreviewError as error:
        raise PreviewError(f"{where}: newState.urn is {error}") from None
    if inputs is None:
        inputs = {}
    if not isinstance(inputs, Mapping):
        raise PreviewError(f"{where}: newState.inputs is not an object")
    protect = state.get("protect", False)
    if not isinstance(protect, bool):
        raise PreviewError(f"{where}: newState.protect is not true or false (got {json.dumps(protect)})")
    dependencies = state.get("dependencies", [])
    if dependencies is None:
        dependencies = []
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise PreviewError(f"{where}: newState.dependencies is not a list of URNs")
    if type_token == "pulumi:pulumi:Stack" or type_token.startswith("pulumi:providers:"):
        return None
    return Resource(
        type=type_token,
        name=urn.rsplit("::", maxsplit=1)[-1],
        urn=urn,
        inputs=inputs,
        protect=protect,
        dependencies=tuple(dependencies),
    )


def from_preview(document: Mapping[str, Any]) -> list[Resource]:
    steps = document.get("steps")
    if not isinstance(steps, list):
        raise PreviewError(f"steps is {'missing' if steps is None else 'not a list'}")
    if not steps:
        raise PreviewError("preview JSON has no steps")
    resources = [r for index, step in enumerate(steps) if (r := _step_resource(index, step)) is not None]
    stacks = sorted({stack_of(r.urn) for r in resources})
    if len(stacks) > 1:
        raise PreviewError(f"steps belong to more than one stack: {', '.join(stacks)}")
    return resources


def load_preview(path: Path) -> tuple[str, list[Resource]]:
    """Read a preview file; returns the stack (from the URNs) and its resources."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PreviewError(f"{path}: no such file") from None
    except (OSError, json.JSONDecodeError) as error:
        raise PreviewError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(document, Mapping):
        raise PreviewError(f"{path}: top level is not an object")
    try:
        resources = from_preview(document)
    except PreviewError as error:
        raise PreviewError(f"{path}: {error}") from None
    if not resources:
        raise PreviewError(f"{path}: no resources besides the stack and providers")
    return stack_of(resources[0].urn), resources


def to_preview(resources: list[Resource]) -> dict[str, Any]:
    """The `pulumi preview --json` shape, for `python -m infra plan --json`."""
    steps = [
        {
            "op": "create",
            "urn": r.urn,
            "newState": {
                "type": r.type,
                "urn": r.urn,
                "inputs": dict(r.inputs),
                "protect": r.protect,
                # The engine leaves the field out when empty (omitempty), and so do we.
                **({"dependencies": list(r.dependencies)} if r.dependencies else {}),
            },
        }
        for r in resources
    ]
    return {"steps": steps, "changeSummary": {"create": len(steps)}}
