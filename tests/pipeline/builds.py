"""Small hand-built Cloud Build dicts for testing one rule at a time."""

from __future__ import annotations

from typing import Any

from pipeline.contract import STEP_ENV

IMAGE = "gcr.io/google.com/cloudsdktool/cloud-sdk:540.0.0"


def step(step_id: str, shell: str = "true", wait_for: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """A step running `shell` through `bash -c`, with the contract environment and a timeout."""
    out: dict[str, Any] = {
        "id": step_id,
        "name": IMAGE,
        "entrypoint": "bash",
        "args": ["-c", shell],
        "env": list(STEP_ENV),
        "timeout": "60s",
    }
    if wait_for is not None:
        out["waitFor"] = wait_for
    out.update(extra)
    return out


def calls(step_id: str, script: str, wait_for: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return step(step_id, f'exec scripts/{script} "${{_ENVIRONMENT}}"', wait_for, **extra)


def build(*steps: dict[str, Any], **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"steps": list(steps), "timeout": "3600s", "substitutions": {"_ENVIRONMENT": "dev"}}
    out.update(extra)
    return out
