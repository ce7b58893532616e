"""Render the pipeline to `cloudbuild.yaml`, and the drift build to `drift.cloudbuild.yaml`:
deterministic, byte for byte, for the same model.

The integrator's Delivery component imports `rendered()` and `content_hash()` (for the trigger) and
`pipeline.substitutions.SUBSTITUTIONS`; the drift component `drift_content_hash()`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from pipeline.contract import DRIFT_CONFIG_NAME
from pipeline.definition import pipeline
from pipeline.drift_definition import drift_pipeline
from pipeline.model import Pipeline

ROOT = Path(__file__).resolve().parents[1]
CONFIG_NAME = "cloudbuild.yaml"

HEADER = """\
# GENERATED FILE: do not edit by hand.
# Source: the pipeline/ package (stages in pipeline/stages/, images in pipeline/images.py).
# Regenerate with `python -m pipeline render` (or `make render`) and commit the result;
# `python -m pipeline check` fails when this file differs from the generator's output or
# breaks a Cloud Build schema, substitution, graph or policy rule.
"""
DRIFT_HEADER = """\
# GENERATED FILE: do not edit by hand.
# The daily drift build of each stack (pipeline/drift_definition.py): read-only previews, no deploy.
# Regenerate with `python -m pipeline render` (or `make render`) and commit the result;
# `python -m pipeline check` fails when this file differs from the generator's output or
# breaks a Cloud Build schema, substitution, graph, policy or drift rule.
"""


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (inline shell) as literal blocks, so they read as the shell they are."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: dict[str, Any]) -> str:
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1 << 16)
    return text


def render(model: Pipeline, header: str = HEADER) -> str:
    lines = dump(model.to_dict()).splitlines()
    firsts = {stage.steps[0].id: stage.name for stage in model.stages if stage.steps}
    out: list[str] = []
    for line in lines:
        if line.startswith("- id: ") and line[len("- id: ") :] in firsts:
            out.append(f"# Stage: {firsts[line[len('- id: ') :]]}")
        out.append(line)
    return header + "\n".join(out) + "\n"


def rendered() -> str:
    """The full text of cloudbuild.yaml as the generator produces it."""
    return render(pipeline())


def content_hash() -> str:
    """sha256 (hex) of `rendered()`."""
    return hashlib.sha256(rendered().encode("utf-8")).hexdigest()


def rendered_drift() -> str:
    """The full text of drift.cloudbuild.yaml as the generator produces it."""
    return render(drift_pipeline(), DRIFT_HEADER)


def drift_content_hash() -> str:
    """sha256 (hex) of `rendered_drift()`, carried by the drift trigger."""
    return hashlib.sha256(rendered_drift().encode("utf-8")).hexdigest()


def write(root: Path = ROOT) -> Path:
    path = root / CONFIG_NAME
    # Bytes: LF line endings on every platform, the same bytes `check` compares against.
    path.write_bytes(rendered().encode("utf-8"))
    return path


def write_drift(root: Path = ROOT) -> Path:
    path = root / DRIFT_CONFIG_NAME
    path.write_bytes(rendered_drift().encode("utf-8"))
    return path
