#!/usr/bin/env bash
# Toolchain: copy the static binaries of pinned tool images (jq, Trivy, Cosign, the Pulumi CLI)
# into BIN_DIR, so every later script step gets bash, jq, gcloud and its tool in one container
# (none of the upstream tool images has all three: Trivy's is Alpine, Cosign's and jq's distroless).
#
# For each IMAGE PATH_IN_IMAGE SMOKE_COMMAND triple:
#   docker create IMAGE none          never started (the trailing word is a dummy command), so a
#                                     distroless or FROM-scratch image still yields its binary
#   docker cp <id>:PATH_IN_IMAGE BIN_DIR/   (a path ending in /. copies a directory's contents)
#   docker rm <id>
#   BIN_DIR/<first word of SMOKE_COMMAND> <other words>   must exit 0, or the copy is refused
# Images must be pinned (a version tag other than latest, or a digest). ENV is checked like every
# script's, so the step has the same shape as every other script step.
set -Eeuo pipefail
SCRIPT_NAME=install-toolchain.sh
USAGE="install-toolchain.sh ENV BIN_DIR IMAGE PATH_IN_IMAGE SMOKE_COMMAND [IMAGE PATH_IN_IMAGE SMOKE_COMMAND]..."
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/scanners.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/scanners.sh"

readonly RE_PINNED_IMAGE='^[a-z0-9._-]+(:[0-9]+)?/[-A-Za-z0-9._/]+(:[A-Za-z0-9_.-]+|@sha256:[0-9a-f]{64})$'
readonly RE_IMAGE_PATH='^/[A-Za-z0-9._/-]*$'
readonly RE_SMOKE='^[A-Za-z0-9._-]+( [-A-Za-z0-9._=]+)*$'

require_args 5 "$@"
require_environment "$1"
BIN_DIR=$2
shift 2
(($# % 3 == 0)) || usage_error "expected IMAGE PATH_IN_IMAGE SMOKE_COMMAND triples after BIN_DIR, got $# arguments"
for ((i = 1; i <= $#; i += 3)); do
  image=${!i} path_arg=$((i + 1)) smoke_arg=$((i + 2))
  require_match IMAGE "$image" "$RE_PINNED_IMAGE"
  [[ "$image" != *:latest ]] || usage_error "IMAGE='${image}' is not pinned (latest)"
  require_match PATH_IN_IMAGE "${!path_arg}" "$RE_IMAGE_PATH"
  require_match SMOKE_COMMAND "${!smoke_arg}" "$RE_SMOKE"
done

require_tool docker
mkdir -p "$BIN_DIR" || die "cannot create ${BIN_DIR}"
work=""
make_workdir work

# take IMAGE PATH: copy PATH out of IMAGE into BIN_DIR; the container is removed either way.
take() {
  local image=$1 path=$2 container="" rc=0
  capture_text container "docker create ${image}" docker create "$image" none
  container=${container//[[:space:]]/}
  [[ "$container" =~ ^[0-9a-f]{12,64}$ ]] || die "docker create ${image}: printed no container id"
  docker cp "${container}:${path}" "${BIN_DIR}/" >/dev/null 2>"$work/cp.err" || rc=$?
  docker rm "$container" >/dev/null 2>&1 || log "could not remove container ${container:0:12} of ${image}"
  ((rc == 0)) || tool_failed "docker cp ${path} from ${image}" docker "$rc" "$work/cp.err"
}

# smoke COMMAND: its first word must be an executable copied into BIN_DIR, and it must run.
smoke() {
  local -a words
  read -r -a words <<<"$1"
  [[ -f "${BIN_DIR}/${words[0]}" && -x "${BIN_DIR}/${words[0]}" ]] ||
    die "${words[0]}: no executable in ${BIN_DIR} after the copy"
  run_quiet "smoke test '${1}'" "${BIN_DIR}/${words[0]}" "${words[@]:1}"
}

args=("$@")
for ((i = 0; i < ${#args[@]}; i += 3)); do
  take "${args[i]}" "${args[i + 1]}"
done
for ((i = 0; i < ${#args[@]}; i += 3)); do
  smoke "${args[i + 2]}"
done
log "$((${#args[@]} / 3)) tools installed in ${BIN_DIR}"
