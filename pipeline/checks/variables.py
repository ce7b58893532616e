"""Substitutions: every `$NAME`/`${NAME}` declared or built in, shell variables escaped, none unused."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.checks.text import label, steps, strings
from pipeline.model import Json
from pipeline.substitutions import BUILTINS, SUBSTITUTIONS, UNSET

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_USER_KEY = re.compile(r"^_[A-Z0-9_]+$")


def scan(text: str) -> Iterator[tuple[str | None, str | None]]:
    """(name, None) for each substitution reference in text, (None, problem) for a malformed `$`."""
    i = 0
    while i < len(text):
        if text[i] != "$":
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if nxt == "$":
            i += 2
        elif nxt == "{":
            end = text.find("}", i + 2)
            inner = text[i + 2 : end] if end != -1 else text[i + 2 :]
            if end != -1 and _NAME.fullmatch(inner):
                yield inner, None
            else:
                yield None, f"'${{{inner}' is not a plain substitution (write $$ for shell expansions)"
            i = end + 1 if end != -1 else len(text)
        else:
            match = _NAME.match(text, i + 1)
            if match:
                yield match.group(0), None
                i = match.end()
            else:
                yield None, f"bare '$' before {nxt or 'end of text'!r} (write $$ for the shell)"
                i += 1


def _declared(build: Json) -> dict[str, object]:
    subs = build.get("substitutions")
    return dict(subs) if isinstance(subs, dict) else {}


def _places(build: Json) -> Iterator[tuple[str, str]]:
    """(where, text) for every string Cloud Build substitutes into (all but the substitutions map)."""
    for index, step in enumerate(steps(build)):
        for text in strings(step):
            yield label(step, index), text
    for key, value in build.items():
        if key not in ("steps", "substitutions"):
            for text in strings(value):
                yield key, text


def references(build: Json) -> list[str]:
    declared = _declared(build)
    findings: list[str] = []
    for where, text in _places(build):
        for name, problem in scan(text):
            if problem:
                findings.append(f"[substitution] {where}: {problem}")
            elif name is not None and name.startswith("_"):
                if name not in declared:
                    findings.append(f"[substitution] {where}: ${name} is used but not declared in substitutions")
            elif name is not None and name not in BUILTINS:
                findings.append(
                    f"[substitution] {where}: ${name} is neither a declared substitution nor a built-in"
                    f" (a shell variable must be written $${name})"
                )
    return sorted(set(findings), key=findings.index)


def declared_used(build: Json) -> list[str]:
    """Each declared key well-formed and passed to at least one step."""
    used = {name for step in steps(build) for text in strings(step) for name, _ in scan(text) if name}
    findings = []
    for key in _declared(build):
        if not _USER_KEY.match(key):
            findings.append(f"[substitution] key {key!r} does not match ^_[A-Z0-9_]+$")
        elif key not in used:
            findings.append(f"[substitution] {key} is declared but no step uses it")
    return findings


def required_declared(build: Json) -> list[str]:
    declared = _declared(build)
    return [
        f"[substitution] required substitution {key} is not declared" for key in SUBSTITUTIONS if key not in declared
    ]


def safe_defaults(build: Json) -> list[str]:
    """Defaults must not reach anything real: `_ENVIRONMENT` is dev, every other one is marked UNSET."""
    findings = []
    for key, value in _declared(build).items():
        if key == "_ENVIRONMENT":
            if value != "dev":
                findings.append(f"[substitution] default of _ENVIRONMENT is {value!r}, must be 'dev'")
        elif not isinstance(value, str) or UNSET not in value:
            findings.append(
                f"[substitution] default of {key} ({value!r}) could reach a real resource; use an {UNSET} value"
            )
    return findings
