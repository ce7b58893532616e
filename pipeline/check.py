"""`python -m pipeline check`: the committed cloudbuild.yaml is the generator's output and passes
every rule (schema, substitutions, graph, scripts, policy)."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline import checks
from pipeline.render import CONFIG_NAME, ROOT, rendered


def _first_difference(committed: bytes, generated: bytes) -> int:
    # Split on b"\n" only: a CRLF line must differ from its LF twin, so no newline translation.
    ours, theirs = committed.split(b"\n"), generated.split(b"\n")
    for number, (a, b) in enumerate(zip(ours, theirs, strict=False), start=1):
        if a != b:
            return number
    return min(len(ours), len(theirs)) + 1


def check(root: Path = ROOT) -> list[str]:
    """One line per finding; empty when the committed file is current and breaks no rule."""
    path = root / CONFIG_NAME
    if not path.is_file():
        return [f"[committed] {CONFIG_NAME} is missing; run `python -m pipeline render`"]
    # Bytes, not read_text: text mode would translate CRLF and CR to LF and hide such hand edits.
    committed = path.read_bytes()
    findings: list[str] = []
    generated = rendered().encode("utf-8")
    if committed != generated:
        line = _first_difference(committed, generated)
        findings.append(
            f"[committed] {CONFIG_NAME} differs from the generator's output from line {line}"
            " (edited by hand or stale); run `python -m pipeline render`"
        )
    try:
        build = yaml.safe_load(committed.decode("utf-8"))
    except UnicodeDecodeError as error:
        return [*findings, f"[yaml] {CONFIG_NAME} is not UTF-8: {error.reason} at byte {error.start}"]
    except yaml.YAMLError as error:
        return [*findings, f"[yaml] {CONFIG_NAME} is not valid YAML: {str(error).splitlines()[0]}"]
    if not isinstance(build, dict):
        return [*findings, f"[yaml] {CONFIG_NAME} is not a mapping"]
    return findings + checks.run(build, root)
