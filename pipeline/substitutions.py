"""The pipeline's ten substitutions, Cloud Build's built-ins, and the names derived from them.

The trigger (infra, Delivery component) fills every substitution from the stack. The defaults here
exist only so a hand-run `gcloud builds submit` without values cannot reach anything real: each one
is malformed on purpose (upper case, `.invalid`, non-numeric ids), so the private pool name is
refused at submission and every script refuses its arguments with a usage error naming them.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra import naming

UNSET = "UNSET"

SUBSTITUTIONS: dict[str, str] = {
    "_ENVIRONMENT": "dev",
    "_ARTIFACT_REGISTRY": f"{UNSET}.invalid/{UNSET}",
    "_GKE_CLUSTER": UNSET,
    "_DATAPROC_REGION": UNSET,
    "_BIGQUERY_DATASET": f"{UNSET}-dataset",
    "_KMS_KEYRING": f"projects/{UNSET}/locations/{UNSET}/keyRings/{UNSET}",
    "_VPC_SC_PERIMETER": f"accessPolicies/{UNSET}/servicePerimeters/{UNSET}",
    "_COMPLIANCE_BUCKET": UNSET,
    "_SECURITY_PROJECT_ID": UNSET,
    "_SIEM_PROJECT_ID": UNSET,
}

# Cloud Build's built-in substitutions (FACTS.md): the first four always, the rest on triggered builds
# (an unavailable one becomes an empty string).
BUILTINS: frozenset[str] = frozenset(
    {
        "PROJECT_ID",
        "BUILD_ID",
        "PROJECT_NUMBER",
        "LOCATION",
        "TRIGGER_NAME",
        "COMMIT_SHA",
        "REVISION_ID",
        "SHORT_SHA",
        "REPO_NAME",
        "REPO_FULL_NAME",
        "BRANCH_NAME",
        "TAG_NAME",
        "REF_NAME",
        "TRIGGER_BUILD_CONFIG_PATH",
        "SERVICE_ACCOUNT_EMAIL",
        "SERVICE_ACCOUNT",
    }
)


@dataclass(frozen=True)
class _BuildStack:
    """The stack as the build sees it: substitutions stand in for the values, so every platform name
    below comes from infra/naming.py, the functions the components are named with, not a copy."""

    environment: str = "${_ENVIRONMENT}"
    project_id: str = "$PROJECT_ID"
    region: str = "${_DATAPROC_REGION}"
    is_prod: bool = False  # no name depends on it; naming.Stack asks for it


_BUILD = _BuildStack()

# Names derived from the substitutions (docs/contracts.md), written once.
ENV = _BUILD.environment
REGION = _BUILD.region
SIGNING_KEY = "${_KMS_KEYRING}/cryptoKeys/image-signing"
ATTESTOR = f"projects/$PROJECT_ID/attestors/{naming.attestor_name(_BUILD)}"
DATAPROC_CLUSTER = naming.dataproc_cluster_name(_BUILD)
SUBNET = naming.subnet_name(_BUILD)
WORKER_POOL = naming.build_pool_path(_BUILD)
VERTEX_ENDPOINT = naming.vertex_endpoint_name(_BUILD)
VERTEX_MODEL = naming.vertex_model_id(_BUILD)
BACKEND_URL = "gs://${_SECURITY_PROJECT_ID}-pulumi-state"
SAFETY_DB_URI = "gs://$PROJECT_ID-artifacts/safety-db"
ARTIFACTS_PREFIX = "gs://$PROJECT_ID-artifacts/builds/$BUILD_ID"
MAIN_PY_URI = f"{ARTIFACTS_PREFIX}/spark/main.py"
IMAGES_REPOSITORY = f"${{_ARTIFACT_REGISTRY}}/{naming.docker_repository(_BUILD)}"
# Tags are immutable in the images repository: one tag per build, and the commit leads it.
API_IMAGE_TAG = f"{IMAGES_REPOSITORY}/hipaa-api:$SHORT_SHA-$BUILD_ID"
# The PHI scanner's image (pipeline/phi/image), built by this build for its own PHI gates.
PHI_SCANNER_IMAGE_TAG = f"{IMAGES_REPOSITORY}/phi-scanner:$SHORT_SHA-$BUILD_ID"
DOCKERHUB_MIRROR = f"${{_ARTIFACT_REGISTRY}}/{naming.docker_mirror_repository(_BUILD, 'dockerhub')}"
GHCR_MIRROR = f"${{_ARTIFACT_REGISTRY}}/{naming.docker_mirror_repository(_BUILD, 'ghcr')}"
GCR_MIRROR = f"${{_ARTIFACT_REGISTRY}}/{naming.docker_mirror_repository(_BUILD, 'gcr')}"
PYPI_MIRROR = f"https://{REGION}-python.pkg.dev/$PROJECT_ID/{naming.python_mirror_repository(_BUILD)}/simple/"
REPORT_URI = "gs://${_COMPLIANCE_BUCKET}/reports/$BUILD_ID/"
