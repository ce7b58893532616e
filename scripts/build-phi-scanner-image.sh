#!/usr/bin/env bash
# Build the PHI scanner's image (pipeline/phi/image/Dockerfile): Presidio with the official spaCy
# English model baked in, pinned by hash, so the PHI gates find names with a language model and
# never download one. Pushed to this environment's images repository; its digest is handed on in
# $OUTPUT_DIR/phi-scanner-image.
#
# The private pool cannot reach GitHub, where the model wheel is published: an operator copies it
# unchanged to MODEL_URI (the artifacts bucket). The wheel is checked against MODEL_SHA256 here and
# again inside the build; a wheel with another hash fails the build before anything is installed.
#   gcloud storage cp MODEL_URI -          (the wheel, into a private build context)
#   build-api-image.sh ENV IMAGE_REF COMMIT_SHA <context> PIP_INDEX_URL BASE_IMAGE=... MODEL_WHEEL=...
#       MODEL_SHA256=...                   (mirror token as a BuildKit secret, push, digest)
set -Eeuo pipefail
SCRIPT_NAME="build-phi-scanner-image.sh"
USAGE="build-phi-scanner-image.sh ENV IMAGE_REF COMMIT_SHA MODEL_URI MODEL_SHA256 PIP_INDEX_URL BASE_IMAGE"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"

readonly RE_MODEL_URI='^gs://[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9]/([^[:space:]]+/)?[A-Za-z0-9_.-]+-py3-none-any\.whl$'
readonly RE_SHA256='^[0-9a-f]{64}$'
readonly RE_BASE_IMAGE='^[a-z0-9.-]+(:[0-9]+)?/[-a-z0-9._/]+(:[A-Za-z0-9_.-]+|@sha256:[0-9a-f]{64})$'
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${HERE}/.." && pwd)"
readonly HERE ROOT

require_args 7 "$@"
require_environment "$1"
MODEL_URI=$4
MODEL_SHA256=$5
BASE_IMAGE=$7
require_match MODEL_URI "$MODEL_URI" "$RE_MODEL_URI"
require_match MODEL_SHA256 "$MODEL_SHA256" "$RE_SHA256"
require_match BASE_IMAGE "$BASE_IMAGE" "$RE_BASE_IMAGE"
require_tool gcloud sha256sum
[[ -n "${OUTPUT_DIR:-}" ]] || die "OUTPUT_DIR is not set"

work=""
make_workdir work
context="${work}/context"
wheel="${MODEL_URI##*/}"
mkdir -p "${context}/requirements" "${context}/pipeline"
rc=0
gcloud storage cp "$MODEL_URI" - >"${context}/${wheel}" || rc=$?
((rc == 0)) || die "model wheel: gcloud storage cp ${MODEL_URI} failed (exit ${rc})"
[[ -s "${context}/${wheel}" ]] || die "model wheel: ${MODEL_URI} is empty"
actual=$(sha256sum "${context}/${wheel}")
actual=${actual%% *}
[[ "$actual" == "$MODEL_SHA256" ]] ||
  die "model wheel: ${wheel} has sha256 ${actual}, not the pinned ${MODEL_SHA256}; refusing to build"
log "model wheel ${wheel}: sha256 matches the pin"

cp "${ROOT}/pipeline/phi/image/Dockerfile" "${context}/Dockerfile"
cp "${ROOT}/requirements/pipeline.txt" "${ROOT}/requirements/constraints.txt" "${context}/requirements/"
cp "${ROOT}/pipeline/__init__.py" "${context}/pipeline/"
cp -R "${ROOT}/pipeline/phi" "${context}/pipeline/phi"
rm -rf "${context}/pipeline/phi/image"
find "${context}/pipeline" -name __pycache__ -prune -exec rm -rf {} +

IMAGE_OUTPUT=phi-scanner-image "${HERE}/build-api-image.sh" "$1" "$2" "$3" "$context" "$6" \
  "BASE_IMAGE=${BASE_IMAGE}" "MODEL_WHEEL=${wheel}" "MODEL_SHA256=${MODEL_SHA256}"
