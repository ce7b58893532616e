"""`python -m pipeline check`: the committed cloudbuild.yaml and drift.cloudbuild.yaml are the
generator's output and pass every rule (schema, substitutions, graph, scripts, policy; for the drift
build, the drift rules that keep it from deploying)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from pipeline import checks
from pipeline.contract import DRIFT_CONFIG_NAME
from pipeline.model import Json
from pipeline.render import CONFIG_NAME, ROOT, rendered, rendered_drift

RuleSet = Callable[[Json, Path], list[str]]


def _first_difference(committed: bytes, generated: bytes) -> int:
    # Split on b"\n" only: a CRLF line must differ from its LF twin, so no newline translation.
    ours, theirs = committed.split(b"\n"), generated.split(b"\n")
    for number, (a, b) in enumerate(zip(ours, theirs, strict=False), start=1):
        if a != b:
            return number
    return min(len(ours), len(theirs)) + 1


def check_file(root: Path, name: str, generated_text: str, rules: RuleSet) -> list[str]:
    """One line per finding for the committed file `name`: stale, unreadable, or breaking a rule."""
    path = root / name
    if not path.is_file():
        return [f"[committed] {name} is missing; run `python -m pipeline render`"]
    # Bytes, not read_text: text mode would translate CRLF and CR to LF and hide such hand edits.
    committed = path.read_bytes()
    findings: list[str] = []
    generated = generated_text.encode("utf-8")
    if committed != generated:
        line = _first_difference(committed, generated)
        findings.append(
            f"[committed] {name} differs from the generator's output from line {line}"
            " (edited by hand or stale); run `python -m pipeline render`"
        )
    try:
        build = yaml.safe_load(committed.decode("utf-8"))
    except UnicodeDecodeError as error:
        return [*findings, f"[yaml] {name} is not UTF-8: {error.reason} at byte {error.start}"]
    except yaml.YAMLError as error:
        return [*findings, f"[yaml] {name} is not valid YAML: {str(error).splitlines()[0]}"]
    if not isinstance(build, dict):
        return [*findings, f"[yaml] {name} is not a mapping"]
    return findings + rules(build, root)


def check(root: Path = ROOT) -> list[str]:
    """One line per finding; empty when the committed cloudbuild.yaml is current and breaks no rule."""
    return check_file(root, CONFIG_NAME, rendered(), checks.run)


def check_drift(root: Path = ROOT) -> list[str]:
    """The same for drift.cloudbuild.yaml, against the drift build's rules."""
    return check_file(root, DRIFT_CONFIG_NAME, rendered_drift(), checks.run_drift)
