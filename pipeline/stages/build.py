"""Build and sign: the PySpark wheel, the API container on its hardened base, and its signature.

Both builds hand their results on through $OUTPUT_DIR (`spark-wheel`, `api-image`). The image is
signed only after Trivy passed it, so an attestation never exists for an image that failed the scan.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.model import Stage
from pipeline.steps import API_IMAGE_REF, script_step, shell_step
from pipeline.substitutions import API_IMAGE_TAG, ARTIFACTS_PREFIX, ATTESTOR, DOCKERHUB_MIRROR, ENV, SIGNING_KEY

SPARK_WHEEL = "build-spark-wheel"
API_IMAGE = "build-api-image"
IMAGE_SIGNING = "image-signing"


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
    image = shell_step(
        API_IMAGE,
        (
            f'set -Eeuo pipefail; mkdir -p "$$OUTPUT_DIR"; ref="{API_IMAGE_TAG}"',
            'gcloud auth configure-docker "${_DATAPROC_REGION}-docker.pkg.dev" --quiet',
            f'docker build --pull --build-arg "BASE_REGISTRY={DOCKERHUB_MIRROR}"'
            ' --label "org.opencontainers.image.revision=$COMMIT_SHA" -t "$$ref" workloads/api',
            'docker push "$$ref" && docker inspect --format \'{{index .RepoDigests 0}}\' "$$ref"'
            ' >"$$OUTPUT_DIR/api-image"',
        ),
        wait_for=(after,),
        timeout=1200,
    )
    return Stage("build", (wheel, image))


def sign_stage(after: Sequence[str]) -> Stage:
    sign = script_step(
        IMAGE_SIGNING,
        "sign-image.sh",
        (ENV, "$PROJECT_ID", API_IMAGE_REF, SIGNING_KEY, ATTESTOR),
        wait_for=after,
        timeout=600,
    )
    return Stage("sign", (sign,))
