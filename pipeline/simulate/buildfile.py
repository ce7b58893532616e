"""Read a Cloud Build config file and refuse it where Cloud Build would refuse it at submission.

The file must parse as the API's `Build` message (google-cloud-build's own types, as `pipeline
check` validates it), and meet the limits the service enforces (FACTS.md): at most 100 steps, unique
ids, `waitFor` naming only earlier ids, `script` never with `args` or `entrypoint`, timeouts at most
24 h and no step's above the build's.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from google.protobuf.json_format import ParseError  # type: ignore[import-untyped]

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    from google.cloud.devtools.cloudbuild_v1.types import Build

MAX_STEPS = 100
MAX_TIMEOUT = 24 * 3600.0
DEFAULT_BUILD_TIMEOUT = 600.0  # Cloud Build's default when the config sets none
START_AT_ONCE = "-"
_DURATION = re.compile(r"^([0-9]+(?:\.[0-9]{1,9})?)s$")


class BuildFileError(Exception):
    """The config would be refused at submission; the message says why in one line."""


@dataclass(frozen=True)
class StepSpec:
    """One step as written (before substitution)."""

    index: int
    id: str
    name: str
    entrypoint: str | None
    args: tuple[str, ...]
    script: str | None
    env: tuple[str, ...]
    secret_env: tuple[str, ...]
    dir: str
    wait_for: tuple[str, ...] | None  # None: absent (wait for every earlier step)
    timeout: float | None
    allow_failure: bool
    allow_exit_codes: tuple[int, ...]
    automap_substitutions: bool | None

    @property
    def label(self) -> str:
        """How Cloud Build's log names the step: `Step #3 - "toolchain"`."""
        return f'Step #{self.index} - "{self.id}"'


@dataclass(frozen=True)
class BuildFile:
    steps: tuple[StepSpec, ...]
    timeout: float
    substitutions: dict[str, str]
    options: dict[str, Any]
    available_secrets: dict[str, Any]


def duration(value: Any, where: str) -> float:
    """`600s` (the API's Duration JSON form) in seconds."""
    match = _DURATION.match(str(value))
    if not match:
        raise BuildFileError(f"{where}: timeout {value!r} is not a duration like 600s")
    seconds = float(match.group(1))
    if seconds <= 0 or seconds > MAX_TIMEOUT:
        raise BuildFileError(f"{where}: timeout {value} is outside (0s, 24h]")
    return seconds


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BuildFileError(f"{where}: must be a list of strings")
    return tuple(value)


def _step(index: int, raw: dict[str, Any], seen: set[str]) -> StepSpec:
    step_id = str(raw.get("id") or f"Step #{index}")
    where = f"step {step_id}"
    if step_id in seen:
        raise BuildFileError(f"{where}: duplicate step id")
    if raw.get("script") is not None and (raw.get("args") or raw.get("entrypoint")):
        raise BuildFileError(f"{where}: script cannot be used with args or entrypoint")
    wait_for = _strings(raw.get("waitFor"), f"{where} waitFor") if "waitFor" in raw else None
    for dependency in wait_for or ():
        if dependency != START_AT_ONCE and dependency not in seen:
            raise BuildFileError(f"{where}: waitFor {dependency!r} is not the id of an earlier step")
    return StepSpec(
        index=index,
        id=step_id,
        name=str(raw["name"]),
        entrypoint=raw.get("entrypoint"),
        args=_strings(raw.get("args"), f"{where} args"),
        script=raw.get("script"),
        env=_strings(raw.get("env"), f"{where} env"),
        secret_env=_strings(raw.get("secretEnv"), f"{where} secretEnv"),
        dir=str(raw.get("dir") or ""),
        wait_for=wait_for or None,  # absent or empty: every earlier step
        timeout=duration(raw["timeout"], where) if "timeout" in raw else None,
        allow_failure=bool(raw.get("allowFailure", False)),
        allow_exit_codes=tuple(int(code) for code in raw.get("allowExitCodes") or ()),
        automap_substitutions=raw.get("automapSubstitutions"),
    )


def parse(document: Any) -> BuildFile:
    """A parsed config (the YAML's object) as a BuildFile, or BuildFileError."""
    if not isinstance(document, dict):
        raise BuildFileError("the config is not a YAML mapping")
    try:
        Build.from_json(json.dumps(document), ignore_unknown_fields=False)
    except (ParseError, TypeError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BuildFileError(f"not a valid Cloud Build Build message: {reason}") from None
    raw_steps = document.get("steps") or []
    if not raw_steps:
        raise BuildFileError("the config has no steps")
    if len(raw_steps) > MAX_STEPS:
        raise BuildFileError(f"{len(raw_steps)} steps, Cloud Build allows at most {MAX_STEPS}")
    seen: set[str] = set()
    steps = []
    for index, raw in enumerate(raw_steps):
        step = _step(index, raw, seen)
        seen.add(step.id)
        steps.append(step)
    build_timeout = duration(document["timeout"], "build") if "timeout" in document else DEFAULT_BUILD_TIMEOUT
    for step in steps:
        if step.timeout is not None and step.timeout > build_timeout:
            raise BuildFileError(f"step {step.id}: timeout {step.timeout:g}s exceeds the build's {build_timeout:g}s")
    return BuildFile(
        steps=tuple(steps),
        timeout=build_timeout,
        substitutions={str(k): str(v) for k, v in (document.get("substitutions") or {}).items()},
        options=dict(document.get("options") or {}),
        available_secrets=dict(document.get("availableSecrets") or {}),
    )


def load(path: Path) -> BuildFile:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BuildFileError(f"{path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise BuildFileError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from None
    return parse(document)
