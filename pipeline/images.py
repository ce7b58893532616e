"""Every image the pipeline uses, pinned, in one table.

Step images are Google's Cloud SDK image or tool images pulled through the environment's Artifact
Registry remote repositories (the private pool has no route to Docker Hub or GHCR). Tool images
marked `extract` are never run as a step: the toolchain step copies their static binary into
/workspace/bin, so every script step gets bash, jq, gcloud and its tool in one container.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.substitutions import DOCKERHUB_MIRROR, GHCR_MIRROR, IMAGES_REPOSITORY, PHI_SCANNER_IMAGE_TAG


@dataclass(frozen=True)
class Image:
    ref: str
    purpose: str
    # For tools the toolchain step copies out: the path of the static binary (or directory of
    # binaries) inside the image, and the command line that proves the copy runs.
    extract: str | None = None
    smoke_test: str | None = None


IMAGES: dict[str, Image] = {
    "cloud-sdk": Image(
        "gcr.io/google.com/cloudsdktool/cloud-sdk:540.0.0",
        "bash, gcloud, bq, gsutil, kubectl, docker CLI, python3, make: script steps, venv, builds",
    ),
    "jq": Image(f"{GHCR_MIRROR}/jqlang/jq:1.7.1", "jq for scripts/lib/common.sh", "/jq", "jq --version"),
    "trivy": Image(
        f"{DOCKERHUB_MIRROR}/aquasec/trivy:0.58.1", "container scan", "/usr/local/bin/trivy", "trivy --version"
    ),
    "cosign": Image(
        f"{GHCR_MIRROR}/sigstore/cosign/cosign:v2.4.1", "image signing", "/ko-app/cosign", "cosign version"
    ),
    "pulumi": Image(
        f"{DOCKERHUB_MIRROR}/pulumi/pulumi-base:3.272.0",
        "pulumi CLI, same version as the SDK pin",
        "/pulumi/bin/.",
        "pulumi version",
    ),
    "checkov": Image(f"{DOCKERHUB_MIRROR}/bridgecrew/checkov:3.3.30", "Checkov on manifests and Dockerfiles"),
    "semgrep": Image(f"{DOCKERHUB_MIRROR}/semgrep/semgrep:1.185.0", "SAST with the repository's rules"),
    "prowler": Image(f"{DOCKERHUB_MIRROR}/toniblyx/prowler:5.0.0", "Prowler hipaa_gcp compliance scan"),
    "zap": Image(f"{GHCR_MIRROR}/zaproxy/zaproxy:2.15.0", "OWASP ZAP DAST of the internal API"),
    # Built by this build (step build-phi-scanner-image) from the Cloud SDK image above, with the
    # pinned spaCy model baked in; the tag is unique per build in a repository of immutable tags.
    "phi-scanner": Image(PHI_SCANNER_IMAGE_TAG, "the PHI gates: Presidio with the pinned spaCy English model"),
}

# Where a step image may come from: Google's own images, the environment's pull-through mirrors,
# or its images repository (images this build built from the repository, tagged per build).
ALLOWED_IMAGE_PREFIXES: tuple[str, ...] = (
    "gcr.io/cloud-builders/",
    "gcr.io/google.com/cloudsdktool/",
    f"{DOCKERHUB_MIRROR}/",
    f"{GHCR_MIRROR}/",
    f"{IMAGES_REPOSITORY}/",
)


def image(key: str) -> str:
    return IMAGES[key].ref


def extracted() -> tuple[tuple[str, Image], ...]:
    return tuple((key, img) for key, img in IMAGES.items() if img.extract is not None)
