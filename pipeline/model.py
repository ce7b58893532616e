"""A small typed model of a Cloud Build config: steps grouped in stages, and the build around them.

`to_dict` gives the Cloud Build API's JSON/YAML shape (camelCase keys, durations as `"600s"`), with a
fixed key order so rendering is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]


def duration(seconds: int) -> str:
    return f"{seconds}s"


@dataclass(frozen=True)
class Step:
    """One Cloud Build step. Either `args` (with an optional `entrypoint`) or `script`, never both."""

    id: str
    name: str
    timeout_seconds: int
    entrypoint: str | None = None
    args: tuple[str, ...] = ()
    script: str | None = None
    env: tuple[str, ...] = ()
    secret_env: tuple[str, ...] = ()
    wait_for: tuple[str, ...] = ()
    dir: str | None = None
    # Cloud Build lets the build go on when this step fails (allowFailure) or exits with one of these
    # codes (allowExitCodes); the step's status is still FAILURE. Only gates whose evidence a verdict
    # step reads may use them (checked).
    allow_failure: bool = False
    allow_exit_codes: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.script is not None and (self.args or self.entrypoint):
            raise ValueError(f"step {self.id}: a step with script may not also have args or entrypoint")
        if self.allow_failure and self.allow_exit_codes:
            raise ValueError(f"step {self.id}: allowExitCodes would override allowFailure; set one")
        if self.timeout_seconds <= 0:
            raise ValueError(f"step {self.id}: timeout must be positive, got {self.timeout_seconds}")

    def to_dict(self) -> Json:
        out: Json = {"id": self.id, "name": self.name}
        if self.entrypoint is not None:
            out["entrypoint"] = self.entrypoint
        if self.args:
            out["args"] = list(self.args)
        if self.script is not None:
            out["script"] = self.script
        if self.dir is not None:
            out["dir"] = self.dir
        if self.env:
            out["env"] = list(self.env)
        if self.secret_env:
            out["secretEnv"] = list(self.secret_env)
        if self.wait_for:
            out["waitFor"] = list(self.wait_for)
        if self.allow_failure:
            out["allowFailure"] = True
        if self.allow_exit_codes:
            out["allowExitCodes"] = list(self.allow_exit_codes)
        out["timeout"] = duration(self.timeout_seconds)
        return out


@dataclass(frozen=True)
class Stage:
    """A named group of steps (a stage family of the requirement); rendered as a comment-free run."""

    name: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Secret:
    """A Secret Manager version exposed to steps that list `env` in their secretEnv."""

    version_name: str
    env: str


@dataclass(frozen=True)
class Pipeline:
    stages: tuple[Stage, ...]
    substitutions: dict[str, str]
    options: Json
    timeout_seconds: int
    secrets: tuple[Secret, ...] = ()

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for stage in self.stages for step in stage.steps)

    def to_dict(self) -> Json:
        out: Json = {"steps": [step.to_dict() for step in self.steps]}
        out["timeout"] = duration(self.timeout_seconds)
        out["substitutions"] = dict(self.substitutions)
        out["options"] = self.options
        if self.secrets:
            out["availableSecrets"] = {
                "secretManager": [{"versionName": s.version_name, "env": s.env} for s in self.secrets]
            }
        return out
