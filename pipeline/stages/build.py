"""Build and sign: the PySpark wheel, the API container on its hardened base, and its signature.

Both builds hand their results on through $OUTPUT_DIR (`spark-wheel`, `api-image`). The image is
signed only after Trivy passed it, so an attestation never exists for an image that failed the scan.

The private pool has no route out, so the image build reads everything through Artifact Registry:
its bases from the Docker Hub and gcr.io pull-through mirrors (same digests as upstream), its Python
packages from the PyPI mirror, whose short-lived token reaches pip as a BuildKit secret (a private
netrc file, mounted for one RUN and never written to a layer or the build log). The images
repository has immutable tags, so the tag is unique per build (`<SHORT_SHA>-<BUILD_ID>`) and still
names the commit; the full commit is the image's `org.opencontainers.image.revision` label.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.contract import VERDICT_SCRIPT
from pipeline.images import image as image_ref
from pipeline.model import Stage
from pipeline.phi.model_pin import MODEL_SHA256, MODEL_URI
from pipeline.steps import API_IMAGE_REF, script_step, shell_step
from pipeline.substitutions import (
    API_IMAGE_TAG,
    ARTIFACTS_PREFIX,
    ATTESTOR,
    DOCKERHUB_MIRROR,
    ENV,
    GCR_MIRROR,
    PHI_SCANNER_IMAGE_TAG,
    PYPI_MIRROR,
    SIGNING_KEY,
)

SPARK_WHEEL = "build-spark-wheel"
API_IMAGE = "build-api-image"
PHI_SCANNER_IMAGE = "build-phi-scanner-image"
IMAGE_SIGNING = "image-signing"
API_CONTEXT = "workloads/api"
# The Dockerfile's base-registry arguments: the public default and the mirror path that serves it.
BASE_REGISTRIES = {
    "PYTHON_REGISTRY": f"{DOCKERHUB_MIRROR}/library",  # docker.io/library (official images)
    "DISTROLESS_REGISTRY": f"{GCR_MIRROR}/distroless",  # gcr.io/distroless
}


def build_stage(after: str, venv: str) -> Stage:
    wheel = shell_step(
        SPARK_WHEEL,
        (
            f'set -Eeuo pipefail; mkdir -p "$$OUTPUT_DIR" dist/spark; dest="{ARTIFACTS_PREFIX}/spark"',
            ".venv/bin/pip wheel --no-deps --no-build-isolation --wheel-dir dist/spark workloads/spark",
            'wheel=$$(find dist/spark -name \'*.whl\'); gcloud storage cp "$$wheel" workloads/spark/main.py "$$dest/"',
            'printf \'%s\\n\' "$$dest/$${wheel##*/}" >"$$OUTPUT_DIR/spark-wheel"',
        ),
        wait_for=(venv,),
        timeout=600,
    )
    # scripts/build-api-image.sh: the mirror token only as a BuildKit secret, the tag refused without
    # a commit, and the pushed digest handed on in $OUTPUT_DIR/api-image.
    image = script_step(
        API_IMAGE,
        "build-api-image.sh",
        (
            ENV,
            API_IMAGE_TAG,
            "$COMMIT_SHA",
            API_CONTEXT,
            PYPI_MIRROR,
            *(f"{name}={value}" for name, value in BASE_REGISTRIES.items()),
        ),
        wait_for=(after,),
        timeout=1200,
    )
    return Stage("build", (wheel, image))


def scanner_image_stage(after: str) -> Stage:
    """The PHI gates' image: the Cloud SDK image plus Presidio and the spaCy model, checked against its
    pinned hash (pipeline/phi/model_pin.py); its digest is handed on in $OUTPUT_DIR/phi-scanner-image."""
    step = script_step(
        PHI_SCANNER_IMAGE,
        "build-phi-scanner-image.sh",
        (ENV, PHI_SCANNER_IMAGE_TAG, "$COMMIT_SHA", MODEL_URI, MODEL_SHA256, PYPI_MIRROR, image_ref("cloud-sdk")),
        wait_for=(after,),
        timeout=1800,
    )
    return Stage("PHI scanner image", (step,))


def sign_stage(after: Sequence[str]) -> Stage:
    # Trivy may fail without stopping the build (its evidence says so), so the signature waits for its
    # verdict: no attestation for an image Trivy did not pass.
    sign = script_step(
        IMAGE_SIGNING,
        "sign-image.sh",
        (ENV, "$PROJECT_ID", API_IMAGE_REF, SIGNING_KEY, ATTESTOR),
        wait_for=after,
        timeout=600,
        wrapper=(VERDICT_SCRIPT, ENV, *after, "--"),
        allow_failure=True,
    )
    return Stage("sign", (sign,))
