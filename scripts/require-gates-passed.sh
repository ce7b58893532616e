#!/usr/bin/env bash
# The deploy verdict: exit 0 only when every named gate left evidence in $EVIDENCE_DIR that it passed.
# The gates run with allowFailure (so a refused build still writes its report and notifies), which
# means a failed gate no longer stops the build by itself: this script, in a step that may not fail,
# is what keeps every deploy from starting. With `-- scripts/SCRIPT.sh ARG...` it guards one step
# instead: SCRIPT runs (exec) only once the gates passed, so image-signing never signs an image
# Trivy did not pass.
#   python -m pipeline.verdict --evidence $EVIDENCE_DIR --environment ENV --build-id $BUILD_ID GATE...
# Exit 0: every gate passed (or SCRIPT's own exit code); 1: refused, naming each gate that failed,
# left evidence that does not hold up, or left none (a verdict that could not be reached refuses
# too); 2: usage.
set -Eeuo pipefail
SCRIPT_NAME=require-gates-passed.sh
USAGE="require-gates-passed.sh ENV GATE... [-- scripts/SCRIPT.sh [ARG...]]"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/scanners.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/scanners.sh"
# shellcheck source=lib/pipeline.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pipeline.sh"

require_args 2 "$@"
require_environment "$1"
shift
gates=()
while (($# > 0)) && [[ "$1" != -- ]]; do
  require_match GATE "$1" '^[a-z][a-z0-9-]{1,62}$'
  gates+=("$1")
  shift
done
((${#gates[@]} > 0)) || usage_error "no GATE given"
then_run=()
if (($# > 0)); then
  shift # --
  (($# > 0)) || usage_error "no SCRIPT after --"
  require_match SCRIPT "$1" '^scripts/[a-z0-9-]+\.sh$'
  [[ -f "${REPO_ROOT}/$1" && -x "${REPO_ROOT}/$1" ]] || usage_error "SCRIPT='$1' is not an executable script of this repository"
  then_run=("${REPO_ROOT}/$1" "${@:2}")
fi
require_tool "${PYTHON:-python3}"
require_build_id
[[ -n "${EVIDENCE_DIR:-}" ]] || die "EVIDENCE_DIR is not set"
[[ -d "$EVIDENCE_DIR" ]] || die "EVIDENCE_DIR ${EVIDENCE_DIR} is not a directory: no gate left evidence"
work=""
make_workdir work

rc=0
pipeline_python -m pipeline.verdict --evidence "$EVIDENCE_DIR" --environment "$ENVIRONMENT" --build-id "$BUILD_ID" \
  -- "${gates[@]}" >"${work}/verdict.out" 2>"${work}/verdict.err" || rc=$?
line=$(first_line "${work}/verdict.out")
case "$rc" in
  0) [[ "$line" == "verdict: PASS: "* ]] || die "the verdict exited 0 but did not say PASS" ;;
  1) die "deploys refused: ${line#verdict: FAIL: }" ;;
  *) die "no verdict (exit ${rc}): $(first_line "${work}/verdict.err")" ;;
esac
log "${line#verdict: }"
((${#then_run[@]} > 0)) || exit 0
rm -rf "$work" # exec skips the exit trap that would remove it
exec "${then_run[@]}"
