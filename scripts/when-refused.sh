#!/usr/bin/env bash
# Runs SCRIPT (with its arguments) only for a refused build: one whose pre-deploy gates did not all
# leave evidence that they passed. The refused build's record (the final PHI log scan, the compliance
# report, the security notification) is then written before the verdict step stops the build; a
# build whose gates passed writes the same record after its deploys, and this step does nothing.
#   python -m pipeline.verdict --evidence $EVIDENCE_DIR --environment ENV --build-id $BUILD_ID
# Exit: 0 when the gates passed (SCRIPT not run); otherwise SCRIPT's own exit code, since it is
# exec'd. A verdict that cannot be reached counts as refused: the record is written either way.
set -Eeuo pipefail
SCRIPT_NAME=when-refused.sh
USAGE="when-refused.sh ENV scripts/SCRIPT.sh [ARG...]"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/pipeline.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pipeline.sh"

require_args 2 "$@"
require_environment "$1"
require_match SCRIPT "$2" '^scripts/[a-z0-9-]+\.sh$'
target="${REPO_ROOT}/$2"
[[ "$2" != "scripts/${SCRIPT_NAME}" ]] || usage_error "SCRIPT may not be ${SCRIPT_NAME} itself"
[[ -f "$target" && -x "$target" ]] || usage_error "SCRIPT='$2' is not an executable script of this repository"
require_tool "${PYTHON:-python3}"
require_build_id

rc=0
if [[ -n "${EVIDENCE_DIR:-}" && -d "$EVIDENCE_DIR" ]]; then
  pipeline_python -m pipeline.verdict --evidence "$EVIDENCE_DIR" --environment "$ENVIRONMENT" \
    --build-id "$BUILD_ID" >/dev/null 2>&1 || rc=$?
else
  rc=1
fi
if ((rc == 0)); then
  log "every pre-deploy gate passed: ${2#scripts/} runs after the deploys, not here"
  exit 0
fi
log "pre-deploy gates did not all pass (verdict exit ${rc}): running ${2#scripts/} for the refused build"
exec "$target" "${@:3}"
