"""Reading a step's command: its strings, the scripts it calls, its inline shell."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from typing import Any

from pipeline.model import Json

_SCRIPT_CALL = re.compile(r"(?:^|[\s\"'=;(&|])(?:\./)?scripts/([A-Za-z0-9_.-]+\.sh)(?=$|[\s\"';)&|])")
_SHELLS = ("bash", "sh", "/bin/bash", "/bin/sh", "/usr/bin/env")


def steps(build: Json) -> list[Json]:
    raw = build.get("steps")
    return [s for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []


def label(step: Json, index: int) -> str:
    step_id = step.get("id")
    return f"step {step_id}" if isinstance(step_id, str) and step_id else f"step #{index}"


def strings(value: Any) -> Iterator[str]:
    """Every string inside a value (lists and dicts walked, keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)


def command(step: Json) -> str:
    """What the step runs, as one text: entrypoint, args and script."""
    parts = [step.get("entrypoint"), *(step.get("args") or []), step.get("script")]
    return "\n".join(p for p in parts if isinstance(p, str))


def scripts_called(step: Json) -> set[str]:
    return set(_SCRIPT_CALL.findall(command(step)))


def inline_shell(step: Json) -> str | None:
    """The shell text a step runs inline: its `script`, or the argument after `-c` of a shell."""
    script = step.get("script")
    if isinstance(script, str):
        return script
    args = [a for a in (step.get("args") or []) if isinstance(a, str)]
    entry = step.get("entrypoint")
    if isinstance(entry, str) and entry in _SHELLS and "-c" in args:
        index = args.index("-c")
        return args[index + 1] if index + 1 < len(args) else ""
    return None


def script_arguments(step: Json, script: str) -> list[str] | None:
    """The words after `scripts/<script>` in the step's command (quotes removed), or None."""
    text = command(step)
    marker = f"scripts/{script}"
    at = text.find(marker)
    if at < 0:
        return None
    rest = text[at + len(marker) :].lstrip("\"'").split("\n", 1)[0]
    try:
        return shlex.split(rest)
    except ValueError:
        return None
