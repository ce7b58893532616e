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


def from_preview(document: Mapping[str, Any]) -> list[Resource]:
    steps = document.get("steps")
    if not isinstance(steps, list) or not steps:
        raise PreviewError("preview JSON has no steps")
    resources: list[Resource] = []
    for index, step in enumerate(steps):
        state = step.get("newState") if isinstance(step, Mapping) else None
        if step.get("op") == "delete" if isinstance(step, Mapping) else False:
            continue
        if not isinstance(state, Mapping) or "type" not in state or "urn" not in state:
            raise PreviewError(f"step {index} has no newState with type and urn")
        if state["type"] in ("pulumi:pulumi:Stack",) or state["type"].startswith("pulumi:providers:"):
            continue
        urn = str(state["urn"])
        resources.append(
            Resource(
                type=str(state["type"]),
                name=urn.rsplit("::", maxsplit=1)[-1],
                urn=urn,
                inputs=state.get("inputs") or {},
                protect=bool(state.get("protect", False)),
            )
        )
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
    resources = from_preview(document)
    if not resources:
        raise PreviewError(f"{path}: no resources besides the stack and providers")
    return stack_of(resources[0].urn), resources


def to_preview(resources: list[Resource]) -> dict[str, Any]:
    """The `pulumi preview --json` shape, for `python -m infra plan --json`."""
    steps = [
        {
            "op": "create",
            "urn": r.urn,
            "newState": {"type": r.type, "urn": r.urn, "inputs": dict(r.inputs), "protect": r.protect},
        }
        for r in resources
    ]
    return {"steps": steps, "changeSummary": {"create": len(steps)}}
