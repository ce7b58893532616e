#!/usr/bin/env bash
# Refuses a build that does not run on the environment's private pool: one submitted by hand with
# --worker-pool of another pool, or on Cloud Build's default pool (public workers, outside the
# perimeter). Reads the running build's own record: gcloud's projection, no jq (the Cloud SDK image).
# Exit 0: the build runs on POOL; 1: refused, naming the pool it runs on; 2: usage.
set -Eeuo pipefail
SCRIPT_NAME="require-private-pool.sh"
USAGE="require-private-pool.sh ENV POOL   (POOL: projects/PROJECT/locations/REGION/workerPools/NAME)"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/pipeline.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pipeline.sh"

require_args 2 "$@"
require_environment "$1"
shift
require_match POOL "$1" '^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z]+-[a-z]+[0-9]/workerPools/[a-z][a-z0-9-]{0,62}$'
require_tool gcloud
require_build_id
pool=""
running_build_value pool "build pool" options.pool.name
# Only the pool's path is echoed, once it has that shape; anything else is not what was asked for.
[[ "$pool" =~ ^projects/[^[:space:]]+$ ]] || pool="${pool:+an unreadable answer}"
[[ "$pool" == "$1" ]] || die "build ${BUILD_ID} runs on '${pool:-the default pool}', not the private pool $1"
log "build ${BUILD_ID} runs on the private pool $1"
