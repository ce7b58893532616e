"""Evidence files for the report tests: the contract's shape, one per gate, easy to spoil."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.gates import GATES

BUILD = "b-123"


def evidence(gate: str, environment: str = "prod", **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "gate": gate,
        "status": "pass",
        "environment": environment,
        "build_id": BUILD,
        "checked": 4,
        "violations": [],
        "tool": "gcloud/jq",
        "finished_at": "2026-11-24T15:00:00Z",
    }
    document.update(changes)
    return document


def write_all(directory: Path, environment: str = "prod", skip: tuple[str, ...] = ()) -> Path:
    """A passing evidence file for every gate (except those skipped)."""
    directory.mkdir(parents=True, exist_ok=True)
    for gate in GATES:
        if gate.id not in skip:
            write(directory, evidence(gate.id, environment))
    return directory


def write(directory: Path, document: dict[str, Any]) -> Path:
    path = directory / f"{document['gate']}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path
