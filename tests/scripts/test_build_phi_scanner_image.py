"""build-phi-scanner-image.sh: the model wheel checked against its pin before any build, the context
assembled, the image built through build-api-image.sh and its digest handed on as phi-scanner-image."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline.phi.model_pin import MODEL, MODEL_WHEEL
from tests.scripts.fakes import FakeTools, Result

COMMIT = "0123456789abcdef0123456789abcdef01234567"
REPOSITORY = "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/phi-scanner"
REF = f"{REPOSITORY}:0123456-b-123"
DIGEST = f"{REPOSITORY}@sha256:{'c' * 64}"
MODEL_URI = f"gs://nwh-analytics-prd-artifacts/models/{MODEL_WHEEL}"
INDEX = "https://us-central1-python.pkg.dev/nwh-analytics-prd/hipaa-prod-pypi-mirror/simple/"
BASE = "gcr.io/google.com/cloudsdktool/cloud-sdk:540.0.0"
WHEEL_BYTES = "a stand-in for the model wheel\n"
PINNED = hashlib.sha256(WHEEL_BYTES.encode()).hexdigest()


def registry(tools: FakeTools, wheel: str = WHEEL_BYTES, copy_exit: int = 0) -> FakeTools:
    tools.on("gcloud", ["storage", "cp", MODEL_URI, "-"], stdout=wheel, exit=copy_exit)
    tools.on("gcloud", ["auth", "print-access-token"], stdout="ya29.fake-token\n")
    tools.on("gcloud", ["auth", "configure-docker"], stderr="Adding credentials\n")
    tools.on("docker", ["build"], stderr="#1 [internal] load build definition from Dockerfile\n")
    tools.on("docker", ["push", REF], stdout="digest: sha256:cc size: 1\n")
    tools.on("docker", ["inspect", "--format", "{{index .RepoDigests 0}}", REF], stdout=f"{DIGEST}\n")
    return tools


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return registry(FakeTools(tmp_path))


def run(tools: FakeTools, *args: str, sha256: str = PINNED) -> Result:
    words = args or ("prod", REF, COMMIT, MODEL_URI, sha256, INDEX, BASE)
    return tools.run("build-phi-scanner-image.sh", *words, env={"OUTPUT_DIR": str(tools.root / "outputs")})


def test_the_pinned_wheel_is_built_into_the_image_and_the_digest_handed_on(tools: FakeTools) -> None:
    result = run(tools)
    assert result.returncode == 0, result.stderr
    assert (tools.root / "outputs" / "phi-scanner-image").read_text(encoding="utf-8") == f"{DIGEST}\n"
    assert not (tools.root / "outputs" / "api-image").exists()
    build = next(c.argv for c in tools.calls("docker") if c.argv[0] == "build")
    build_args = [build[i + 1] for i, word in enumerate(build) if word == "--build-arg"]
    assert build_args == [
        f"BASE_IMAGE={BASE}",
        f"MODEL_WHEEL={MODEL_WHEEL}",
        f"MODEL_SHA256={PINNED}",
        f"PIP_INDEX_URL={INDEX}",
    ]
    assert build[-3:-1] == ["-t", REF] and build[-1].endswith("/context")


def test_a_wheel_that_differs_from_the_pin_stops_before_any_build(tools: FakeTools) -> None:
    other = hashlib.sha256(b"the genuine wheel").hexdigest()
    result = run(tools, sha256=other)
    assert result.returncode == 1
    assert result.reason.startswith(f"build-phi-scanner-image.sh: FAIL: model wheel: {MODEL_WHEEL} has sha256 ")
    assert f"not the pinned {other}; refusing to build" in result.reason
    assert not tools.called("docker", "build")


@pytest.mark.parametrize(
    ("wheel", "copy_exit", "reason"),
    [("", 1, f"gcloud storage cp {MODEL_URI} failed (exit 1)"), ("", 0, f"{MODEL_URI} is empty")],
    ids=["unreadable", "empty"],
)
def test_an_unreadable_or_empty_wheel_stops_before_any_build(
    tmp_path: Path, wheel: str, copy_exit: int, reason: str
) -> None:
    tools = registry(FakeTools(tmp_path), wheel=wheel, copy_exit=copy_exit)
    result = run(tools)
    assert result.returncode == 1 and result.reason == f"build-phi-scanner-image.sh: FAIL: model wheel: {reason}"
    assert not tools.called("docker", "build")


@pytest.mark.parametrize(
    ("position", "value", "problem"),
    [
        (3, "https://github.com/explosion/x.whl", "MODEL_URI"),
        (3, "gs://bucket/models/model.tar.gz", "MODEL_URI"),
        (4, "293E9547", "MODEL_SHA256"),
        (6, "cloud-sdk:latest", "BASE_IMAGE"),
    ],
    ids=["model-not-in-a-bucket", "model-not-a-wheel", "hash-malformed", "base-unqualified"],
)
def test_bad_arguments_are_usage_errors(tools: FakeTools, position: int, value: str, problem: str) -> None:
    words = ["prod", REF, COMMIT, MODEL_URI, PINNED, INDEX, BASE]
    words[position] = value
    result = run(tools, *words)
    assert result.returncode == 2 and problem in result.stderr
    assert tools.calls() == []


def test_the_dockerfile_needs_every_pin_from_the_build() -> None:
    text = (Path(__file__).resolve().parents[2] / "pipeline/phi/image/Dockerfile").read_text(encoding="utf-8")
    for argument in ("BASE_IMAGE", "PIP_INDEX_URL", "MODEL_WHEEL", "MODEL_SHA256"):
        assert f"ARG {argument}\n" in text  # declared without a default: a build that omits it fails
    assert "sha256sum --check --strict" in text and "RUN --network=none" in text
    assert f"PHI_SPACY_MODEL={MODEL}" in text and f"spacy.load('{MODEL}')" in text
