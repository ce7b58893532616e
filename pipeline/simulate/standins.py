"""What the simulation stands in for openly, because this machine cannot have the real thing.

The PHI scanner's image bakes in the official spaCy model, pinned by the sha256 of its 400 MB wheel
(pipeline/phi/model_pin.py). An operator copies that wheel into the artifacts bucket; here no model
hub is reachable, so the world's bucket holds a small stand-in wheel instead, and the one step that
checks the pin (build-phi-scanner-image) is given the stand-in's hash in place of the pinned one.
Everything else in that step runs as committed. Each run prints what was stood in for; the PHI gates
then scan with the scanner's pinned requirements (Presidio, spaCy) and no model: pattern-only mode.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from pipeline.phi.model_pin import MODEL_SHA256, MODEL_URI, MODEL_WHEEL
from pipeline.simulate.buildfile import StepSpec

MODEL_STAND_IN = (
    f"simulation stand-in for {MODEL_WHEEL}: model weights cannot be fetched offline; "
    "the image build's pin check runs against this file's own sha256\n"
).encode()
MODEL_STAND_IN_SHA256 = hashlib.sha256(MODEL_STAND_IN).hexdigest()


def model_object(project: str) -> str:
    """The gs:// URI the operator copies the model wheel to, in `project`'s artifacts bucket."""
    return MODEL_URI.replace("$PROJECT_ID", project)


def swap_model_pin(steps: Sequence[StepSpec]) -> tuple[tuple[StepSpec, ...], list[str]]:
    """The steps with the pinned model hash replaced by the stand-in's, and a line per step changed."""
    changed: list[str] = []
    swapped = []
    for original in steps:
        step = original
        if any(MODEL_SHA256 in arg for arg in step.args):
            step = replace(step, args=tuple(arg.replace(MODEL_SHA256, MODEL_STAND_IN_SHA256) for arg in step.args))
            changed.append(
                f"{step.id}: {MODEL_WHEEL} is a stand-in (sha256 {MODEL_STAND_IN_SHA256[:12]}... "
                f"for the pinned {MODEL_SHA256[:12]}...); the PHI gates scan without a model"
            )
        swapped.append(step)
    return tuple(swapped), changed
