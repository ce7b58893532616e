"""The pipeline's ten substitutions, Cloud Build's built-ins, and the names derived from them.

The trigger (infra, Delivery component) fills every substitution from the stack. The defaults here
exist only so a hand-run `gcloud builds submit` without values cannot reach anything real: each one
is malformed on purpose (upper case, `.invalid`, non-numeric ids), so the private pool name is
refused at submission and every script refuses its arguments with a usage error naming them.
"""

from __future__ import annotations

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

# Names derived from the substitutions (docs/contracts.md), written once.
ENV = "${_ENVIRONMENT}"
REGION = "${_DATAPROC_REGION}"
SIGNING_KEY = "${_KMS_KEYRING}/cryptoKeys/image-signing"
ATTESTOR = "projects/$PROJECT_ID/attestors/hipaa-${_ENVIRONMENT}-pipeline"
DATAPROC_CLUSTER = "hipaa-${_ENVIRONMENT}-dataproc"
SUBNET = "hipaa-${_ENVIRONMENT}-private"
WORKER_POOL = "projects/$PROJECT_ID/locations/${_DATAPROC_REGION}/workerPools/hipaa-${_ENVIRONMENT}-build-pool"
BACKEND_URL = "gs://${_SECURITY_PROJECT_ID}-pulumi-state"
SAFETY_DB_URI = "gs://$PROJECT_ID-artifacts/safety-db"
ARTIFACTS_PREFIX = "gs://$PROJECT_ID-artifacts/builds/$BUILD_ID"
MAIN_PY_URI = f"{ARTIFACTS_PREFIX}/spark/main.py"
# Tags are immutable in the images repository: one tag per build, and the commit leads it.
API_IMAGE_TAG = "${_ARTIFACT_REGISTRY}/hipaa-${_ENVIRONMENT}-images/hipaa-api:$SHORT_SHA-$BUILD_ID"
# The PHI scanner's image (pipeline/phi/image), built by this build for its own PHI gates.
PHI_SCANNER_IMAGE_TAG = "${_ARTIFACT_REGISTRY}/hipaa-${_ENVIRONMENT}-images/phi-scanner:$SHORT_SHA-$BUILD_ID"
IMAGES_REPOSITORY = "${_ARTIFACT_REGISTRY}/hipaa-${_ENVIRONMENT}-images"
DOCKERHUB_MIRROR = "${_ARTIFACT_REGISTRY}/hipaa-${_ENVIRONMENT}-dockerhub-mirror"
GHCR_MIRROR = "${_ARTIFACT_REGISTRY}/hipaa-${_ENVIRONMENT}-ghcr-mirror"
GCR_MIRROR = "${_ARTIFACT_REGISTRY}/hipaa-${_ENVIRONMENT}-gcr-mirror"
PYPI_MIRROR = "https://${_DATAPROC_REGION}-python.pkg.dev/$PROJECT_ID/hipaa-${_ENVIRONMENT}-pypi-mirror/simple/"
REPORT_URI = "gs://${_COMPLIANCE_BUCKET}/reports/$BUILD_ID/"
