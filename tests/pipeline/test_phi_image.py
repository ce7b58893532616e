"""The PHI gates run in the scanner image this build builds, with the spaCy model pinned by hash."""

from __future__ import annotations

import re
import shlex

from pipeline.definition import pipeline
from pipeline.images import IMAGES
from pipeline.phi.model_pin import MODEL, MODEL_SHA256, MODEL_URL, MODEL_VERSION, MODEL_WHEEL
from pipeline.render import ROOT
from pipeline.stages.build import PHI_SCANNER_IMAGE

STEPS = {step.id: step.to_dict() for step in pipeline().steps}


def arguments(step_id: str) -> list[str]:
    return shlex.split(STEPS[step_id]["args"][1].split(" exec ", 1)[1])


def test_both_phi_gates_run_in_the_scanner_image_built_before_them() -> None:
    scanner = IMAGES["phi-scanner"].ref
    assert scanner.startswith("${_ARTIFACT_REGISTRY}/hipaa-${_ENVIRONMENT}-images/phi-scanner:$SHORT_SHA-$BUILD_ID")
    assert STEPS["phi-detection"]["name"] == STEPS["phi-log-scan"]["name"] == scanner
    assert PHI_SCANNER_IMAGE in STEPS["phi-detection"]["waitFor"]
    assert "waitFor" not in STEPS["phi-log-scan"]  # every earlier step, the image build included
    # No build virtualenv on PATH: the image's own, with the model, is the one that runs.
    assert "/workspace/.venv" not in STEPS["phi-detection"]["args"][1]


def test_the_image_build_gets_the_pinned_model_and_the_cloud_sdk_base() -> None:
    script, *args = arguments(PHI_SCANNER_IMAGE)
    assert script == "scripts/build-phi-scanner-image.sh"
    assert args[1] == IMAGES["phi-scanner"].ref and args[2] == "$COMMIT_SHA"
    assert args[3] == f"gs://$PROJECT_ID-artifacts/models/{MODEL_WHEEL}"
    assert args[4] == MODEL_SHA256 and args[6] == IMAGES["cloud-sdk"].ref
    # docker and its buildx plugin reach the Cloud SDK image through the toolchain step.
    assert STEPS[PHI_SCANNER_IMAGE]["waitFor"] == ["toolchain"]


def test_the_pin_is_the_official_release_wheel_for_the_pinned_spacy() -> None:
    assert re.fullmatch("[0-9a-f]{64}", MODEL_SHA256)
    assert (
        f"https://github.com/explosion/spacy-models/releases/download/{MODEL}-{MODEL_VERSION}/{MODEL_WHEEL}"
    ) == MODEL_URL
    spacy_pin = re.search(r"^spacy==(\d+\.\d+)\.\d+$", (ROOT / "requirements/pipeline.txt").read_text(), re.M)
    assert spacy_pin and MODEL_VERSION.startswith(spacy_pin.group(1) + ".")  # models match spaCy's minor version
