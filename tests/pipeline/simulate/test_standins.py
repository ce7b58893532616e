"""The spaCy model wheel's stand-in: only the pin check of the scanner image's build sees its hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.phi.model_pin import MODEL_SHA256
from pipeline.simulate import buildfile
from pipeline.simulate.standins import MODEL_STAND_IN, MODEL_STAND_IN_SHA256, swap_model_pin

CONFIG = Path(__file__).resolve().parents[3] / "cloudbuild.yaml"


def test_only_the_step_that_checks_the_pin_is_given_the_stand_ins_hash() -> None:
    steps = buildfile.load(CONFIG).steps
    swapped, changed = swap_model_pin(steps)
    assert [line.split(":")[0] for line in changed] == ["build-phi-scanner-image"]
    assert not any(MODEL_SHA256 in arg for step in swapped for arg in step.args)
    for before, after in zip(steps, swapped, strict=True):
        if before.id != "build-phi-scanner-image":
            assert after == before
        else:
            assert [a.replace(MODEL_STAND_IN_SHA256, MODEL_SHA256) for a in after.args] == list(before.args)
    assert hashlib.sha256(MODEL_STAND_IN).hexdigest() == MODEL_STAND_IN_SHA256 != MODEL_SHA256
