#!/usr/bin/env bash
# Build the API image from CONTEXT_DIR, push it to this environment's images repository and hand its
# digest on in $OUTPUT_DIR/api-image (the only reference later steps scan, sign and deploy).
# IMAGE_OUTPUT names another file there, for another image built the same way (build-phi-scanner-image.sh).
#
# The private pool has no route out, so everything comes through Artifact Registry: the bases from
# the mirrors named by the BUILD_ARG=VALUE arguments, Python packages from PIP_INDEX_URL (the PyPI
# mirror). The mirror's short-lived token reaches pip as a BuildKit secret (a netrc file in a
# private work directory, mounted for one RUN, removed on exit), never as a build argument.
#   gcloud auth print-access-token
#   gcloud auth configure-docker <registry host of IMAGE_REF> --quiet
#   ln -s <docker-buildx on PATH> ${DOCKER_CONFIG:-~/.docker}/cli-plugins/docker-buildx
#   DOCKER_BUILDKIT=1 docker build --pull --secret id=netrc,src=<netrc> --build-arg ...
#       --build-arg PIP_INDEX_URL=<index> --label org.opencontainers.image.revision=<COMMIT_SHA>
#       -t IMAGE_REF CONTEXT_DIR
#   docker push IMAGE_REF; docker inspect --format '{{index .RepoDigests 0}}' IMAGE_REF
# The images repository has immutable tags: IMAGE_REF's tag is <short commit>-<build id>, so a
# build without a commit (an empty SHORT_SHA) is refused rather than tagged "-<build id>".
set -Eeuo pipefail
SCRIPT_NAME="build-api-image.sh"
USAGE="build-api-image.sh ENV IMAGE_REF COMMIT_SHA CONTEXT_DIR PIP_INDEX_URL [BUILD_ARG=VALUE]..."
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"

readonly RE_IMAGE_TAG='^([a-z0-9.-]+(:[0-9]+)?)/[-a-z0-9._/]+:([A-Za-z0-9_.-]*)$'
readonly RE_COMMIT_TAG='^[0-9a-f]{7,40}-[A-Za-z0-9_.-]+$'
readonly RE_COMMIT='^[0-9a-f]{40}$'
readonly RE_INDEX_URL='^https://([a-z0-9.-]+)/[^[:space:]]*$'
readonly RE_BUILD_ARG='^[A-Z][A-Z0-9_]*=[^[:space:]]+$'

require_args 5 "$@"
require_environment "$1"
REF=$2
COMMIT=$3
CONTEXT=$4
INDEX_URL=$5
[[ "$REF" =~ $RE_IMAGE_TAG ]] || usage_error "IMAGE_REF='${REF}' is malformed (host/path:tag)"
REGISTRY_HOST=${BASH_REMATCH[1]}
TAG=${BASH_REMATCH[3]}
REPOSITORY=$(hipaa_docker_repository "$ENVIRONMENT")
[[ "$REF" == */"${REPOSITORY}/"* ]] || usage_error "IMAGE_REF='${REF}' is not in the ${REPOSITORY} repository"
[[ "$TAG" =~ $RE_COMMIT_TAG ]] || die "no commit (SHORT_SHA) to tag the image with: tag '${TAG}' is not <short commit>-<build id>"
require_match COMMIT_SHA "$COMMIT" "$RE_COMMIT"
[[ "$TAG" == "${COMMIT:0:7}"* ]] || usage_error "IMAGE_REF tag '${TAG}' does not name commit ${COMMIT:0:7}"
[[ -f "${CONTEXT}/Dockerfile" ]] || usage_error "CONTEXT_DIR='${CONTEXT}' has no Dockerfile"
[[ "$INDEX_URL" =~ $RE_INDEX_URL ]] || usage_error "PIP_INDEX_URL='${INDEX_URL}' is malformed (https://host/...)"
PYPI_HOST=${BASH_REMATCH[1]}
build_args=()
for arg in "${@:6}"; do
  require_match BUILD_ARG "$arg" "$RE_BUILD_ARG"
  [[ "$arg" != PIP_INDEX_URL=* ]] || usage_error "PIP_INDEX_URL is its own argument, not a BUILD_ARG"
  build_args+=(--build-arg "$arg")
done

OUTPUT_NAME=${IMAGE_OUTPUT:-api-image}
[[ "$OUTPUT_NAME" =~ ^[a-z][a-z0-9-]*$ ]] || usage_error "IMAGE_OUTPUT='${OUTPUT_NAME}' is not a file name (a-z, 0-9, -)"
require_tool gcloud docker docker-buildx
[[ -n "${OUTPUT_DIR:-}" ]] || die "OUTPUT_DIR is not set"
mkdir -p "$OUTPUT_DIR" || die "cannot create OUTPUT_DIR ${OUTPUT_DIR}"
work=""
make_workdir work

token=""
capture_text token "mirror token" gcloud auth print-access-token
[[ -n "${token//[[:space:]]/}" ]] || die "mirror token: gcloud printed no access token"
(umask 077 && printf 'machine %s login oauth2accesstoken password %s\n' "$PYPI_HOST" "$token" >"$work/netrc")
unset token
run_quiet "docker credentials for ${REGISTRY_HOST}" gcloud auth configure-docker "$REGISTRY_HOST" --quiet
# Since Docker 23, DOCKER_BUILDKIT=1 docker build needs the buildx plugin where the CLI looks for
# plugins; the toolchain step put the static one on PATH (/workspace/bin).
plugins="${DOCKER_CONFIG:-${HOME}/.docker}/cli-plugins"
{ mkdir -p "$plugins" && ln -sf "$(command -v docker-buildx)" "${plugins}/docker-buildx"; } ||
  die "cannot install the buildx plugin into ${plugins}"

# The build's own output goes to the log (stderr): its progress is what a failed build is read by.
rc=0
DOCKER_BUILDKIT=1 docker build --pull --secret "id=netrc,src=${work}/netrc" "${build_args[@]}" \
  --build-arg "PIP_INDEX_URL=${INDEX_URL}" --label "org.opencontainers.image.revision=${COMMIT}" \
  -t "$REF" "$CONTEXT" >&2 || rc=$?
((rc == 0)) || die "docker build of ${REF} failed (exit ${rc})"
rc=0
docker push "$REF" >&2 || rc=$?
((rc == 0)) || die "docker push of ${REF} failed (exit ${rc})"

pushed=""
capture_text pushed "digest of ${REF}" docker inspect --format '{{index .RepoDigests 0}}' "$REF"
pushed=${pushed//[[:space:]]/}
[[ "$pushed" =~ $RE_IMAGE_DIGEST && "${pushed%@*}" == "${REF%:*}" ]] ||
  die "docker inspect printed no digest of ${REF%:*} for the pushed image"
printf '%s\n' "$pushed" >"${OUTPUT_DIR}/${OUTPUT_NAME}"
log "pushed ${pushed}"
