"""Every image the pipeline uses, pinned, in one table, with the commands each puts on PATH.

Step images are Google's images or tool images pulled through the environment's Artifact Registry
remote repositories (the private pool has no route to Docker Hub or GHCR). Tool images marked
`extract` are never run as a step: the toolchain step copies their static binary into
/workspace/bin, so every script step gets bash, jq, gcloud and its tool in one container.

`tools` lists only what `inventory_source` (the image's published Dockerfile at the pinned release,
or the nearest one we could read, said so) shows on PATH; a command we could not confirm is left
out, so `python -m pipeline check` (tool provenance) fails closed on a step that relies on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.substitutions import DOCKERHUB_MIRROR, GHCR_MIRROR, IMAGES_REPOSITORY, PHI_SCANNER_IMAGE_TAG

# Commands of Debian's Essential packages (coreutils, findutils, grep, sed, tar, gzip, diffutils,
# bash, dash, debianutils, util-linux, hostname) and mawk (priority required): in every Debian and
# Ubuntu base image, the slim ones included (`dpkg-query -W -f='${Package} ${Essential}'`).
DEBIAN_BASE: frozenset[str] = frozenset(
    {
        *("bash", "sh", "awk", "grep", "sed", "find", "xargs", "tar", "gzip", "diff", "cmp", "hostname"),
        *("cat", "cp", "mv", "rm", "mkdir", "rmdir", "ln", "ls", "chmod", "touch", "mktemp", "date"),
        *("head", "tail", "wc", "sort", "uniq", "cut", "tr", "tee", "env", "printf", "echo", "basename"),
        *("dirname", "realpath", "readlink", "stat", "sleep", "true", "false", "test", "seq", "sha256sum"),
        *("base64", "nproc", "id", "flock", "getopt", "which"),
    }
)
# Alpine's BusyBox applets that scripts use; no bash.
BUSYBOX_BASE: frozenset[str] = (DEBIAN_BASE - {"bash", "getopt", "which", "flock"}) | {"which"}


@dataclass(frozen=True)
class Image:
    ref: str
    purpose: str
    # The commands on PATH in the image (or, for an extracted image, the binaries it yields).
    tools: frozenset[str]
    # Where `tools` was read: the published Dockerfile or manifest, with its version or commit.
    inventory_source: str
    # For tools the toolchain step copies out: the path of the static binary (or directory of
    # binaries) inside the image, and the command line that proves the copy runs.
    extract: str | None = None
    smoke_test: str | None = None


_CLOUD_SDK_SOURCE = (
    "GoogleCloudPlatform/cloud-sdk-docker Dockerfile at e8678db (2025-08-15, unchanged until 2026-04), which"
    " built 540.0.0 (released 2025-09-23): marketplace debian12; apt python3-dev python3-crcmod python3-pip git"
    " gcc curl openssh-client gnupg lsb-release, google-cloud-cli and its components, kubectl,"
    " gke-gcloud-auth-plugin. docker was removed in 531.0.0 (b8db7c9), make in 533.0.0 (3db5d4c); no jq, no"
    " python3-venv. java: Java 17, pulled in by the emulator packages' dependencies (cloud-sdk-docker issue #559,"
    " 2025-05: the latest image ships Java 17; the Java 21 install of #584 was rolled back by #592)"
)

IMAGES: dict[str, Image] = {
    "cloud-sdk": Image(
        "gcr.io/google.com/cloudsdktool/cloud-sdk:540.0.0",
        "bash, gcloud, bq, gsutil, kubectl, python3 (3.11), pip: script steps and virtualenvs",
        DEBIAN_BASE
        | {"python3", "python3.11", "pip", "pip3", "git", "curl", "gcc", "ssh", "gpg", "lsb_release"}
        | {"gcloud", "gsutil", "bq", "kubectl", "gke-gcloud-auth-plugin", "java"},
        _CLOUD_SDK_SOURCE,
    ),
    "docker-builder": Image(
        "gcr.io/cloud-builders/docker:24.0.9",
        "the Docker CLI (and make) on Ubuntu: the toolchain step, which pulls and copies tool images",
        DEBIAN_BASE | {"curl", "make", "docker", "docker-compose"},
        "GoogleCloudPlatform/cloud-builders docker/Dockerfile-base (gcp-runtimes ubuntu_20_0_4; apt curl make"
        " software-properties-common) and docker/Dockerfile-versioned (docker-ce, docker-ce-cli 5:24.0.9-1~ubuntu"
        ".20.04~focal, docker-compose) at b70cb2af; tagged 24.0.9 by docker/cloudbuild.yaml",
    ),
    "jq": Image(
        f"{GHCR_MIRROR}/jqlang/jq:1.7.1",
        "jq for scripts/lib/ (evidence, listings, reports)",
        frozenset({"jq"}),
        "jqlang/jq Dockerfile (1.7.1): a static jq copied to /jq in a FROM scratch image",
        "/jq",
        "jq --version",
    ),
    "trivy": Image(
        f"{DOCKERHUB_MIRROR}/aquasec/trivy:0.58.1",
        "container scan",
        frozenset({"trivy"}),
        "aquasecurity/trivy Dockerfile (0.58.1): Alpine with the static /usr/local/bin/trivy",
        "/usr/local/bin/trivy",
        "trivy --version",
    ),
    "cosign": Image(
        f"{GHCR_MIRROR}/sigstore/cosign/cosign:v2.4.1",
        "image signing",
        frozenset({"cosign"}),
        "sigstore/cosign .ko.yaml (v2.4.1): ko-built static /ko-app/cosign on a distroless base",
        "/ko-app/cosign",
        "cosign version",
    ),
    "pulumi": Image(
        f"{DOCKERHUB_MIRROR}/pulumi/pulumi-base:3.272.0",
        "pulumi CLI, same version as the SDK pin",
        frozenset({"pulumi", "pulumi-language-python"}),
        "pulumi/pulumi-docker-containers docker/base/Dockerfile: /pulumi/bin is the get.pulumi.com 3.272.0"
        " release (the CLI and its language hosts)",
        "/pulumi/bin/.",
        "pulumi version",
    ),
    "docker-cli": Image(
        f"{DOCKERHUB_MIRROR}/library/docker:28.3.1-cli",
        "the static Docker CLI for build-api-image.sh on the Cloud SDK image",
        frozenset({"docker"}),
        "docker-library/docker 28/cli/Dockerfile (DOCKER_VERSION 28.3.1): static /usr/local/bin/docker",
        "/usr/local/bin/docker",
        "docker --version",
    ),
    "docker-buildx": Image(
        f"{DOCKERHUB_MIRROR}/library/docker:28.3.1-cli",
        "the buildx plugin: DOCKER_BUILDKIT=1 docker build (BuildKit secrets) needs it since Docker 23",
        frozenset({"docker-buildx"}),
        "docker-library/docker 28/cli/Dockerfile (DOCKER_BUILDX_VERSION 0.25.0):"
        " /usr/local/libexec/docker/cli-plugins/docker-buildx",
        "/usr/local/libexec/docker/cli-plugins/docker-buildx",
        "docker-buildx version",
    ),
    "checkov": Image(
        f"{DOCKERHUB_MIRROR}/bridgecrew/checkov:3.3.30",
        "Checkov on manifests and Dockerfiles",
        DEBIAN_BASE | {"python", "python3", "pip", "pip3", "git", "ssh", "helm", "kustomize", "checkov"},
        "bridgecrewio/checkov Dockerfile (published as bridgecrew/checkov by .github/workflows/build.yml; its"
        " packages unchanged since cee7797d06, 2025-01): python:3.11-slim, apt git openssh-client, helm,"
        " kustomize, pip install checkov",
    ),
    "zap": Image(
        f"{GHCR_MIRROR}/zaproxy/zaproxy:2.15.0",
        "OWASP ZAP DAST of the internal API",
        DEBIAN_BASE
        | {"python", "python3", "pip", "pip3", "java", "make", "gcc", "wget", "curl", "git", "unzip", "xmlstarlet"}
        | {"aws", "zap.sh", "zap-baseline.py", "zap-api-scan.py", "zap-full-scan.py"},
        "zaproxy/zaproxy docker/Dockerfile-stable at v2.15.0: debian:bullseye-slim, apt openjdk-11-jdk make gcc"
        " wget curl xmlstarlet unzip git python3-pip python-is-python3, pip awscli zaproxy; /zap (zap*.py) on PATH",
    ),
    # Built by this build (step build-phi-scanner-image) FROM the Cloud SDK image above, with the pinned
    # spaCy model baked in; the tag is unique per build in a repository of immutable tags.
    "phi-scanner": Image(
        PHI_SCANNER_IMAGE_TAG,
        "the PHI gates: Presidio with the pinned spaCy English model",
        DEBIAN_BASE
        | {"python3", "python3.11", "pip", "pip3", "git", "curl", "gcc", "ssh", "gpg", "lsb_release"}
        | {"gcloud", "gsutil", "bq", "kubectl", "gke-gcloud-auth-plugin", "java", "python"},
        "pipeline/phi/image/Dockerfile (this repository): FROM the cloud-sdk image above (its tools), plus"
        " /opt/phi/venv/bin first on PATH (python, pip, Presidio, spaCy and en_core_web_lg)",
    ),
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


def tools_of(image_ref: str) -> frozenset[str]:
    """The commands on PATH in the step image with this reference (as a step's `name` gives it).

    An image that is not in the table, or that is only ever extracted from (its binaries are not on
    its PATH, and a FROM scratch image has no shell), provides nothing: fail closed.
    """
    found = [img.tools for img in IMAGES.values() if img.ref == image_ref and img.extract is None]
    return frozenset().union(*found)
