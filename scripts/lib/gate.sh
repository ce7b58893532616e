#!/usr/bin/env bash
# Gates and evidence, and the prod approval check: sourced by core.sh, never run on its own.
# A gate opens with gate_begin, counts what it inspected with checked, records each broken rule with
# violation, and ends with gate_finish, which writes the evidence JSON ($EVIDENCE_DIR/<gate>.json)
# and exits 0 only when something was checked and nothing was violated.
# shellcheck shell=bash
[[ -z "${_HIPAA_GATE_SH:-}" ]] || return 0
readonly _HIPAA_GATE_SH=1

# --- gates and evidence ---------------------------------------------------------------------

VIOLATIONS=()
CHECKED=0

# gate_begin GATE_ID TOOL: open the gate whose evidence this script writes.
gate_begin() {
  _GATE_ID=$1
  _GATE_TOOL=$2
  _GATE_DONE=
  VIOLATIONS=()
  CHECKED=0
  [[ -n "${EVIDENCE_DIR:-}" ]] || die "EVIDENCE_DIR is not set"
  mkdir -p "$EVIDENCE_DIR" || die "cannot create EVIDENCE_DIR ${EVIDENCE_DIR}"
}

# checked [N]: N more things were actually inspected (default 1).
checked() {
  CHECKED=$((CHECKED + ${1:-1}))
}

# violation MESSAGE: a rule was broken. Name the resource and the rule, never a data value.
violation() {
  VIOLATIONS+=("$1")
  log "violation: $1"
}

_write_evidence() {
  local status=$1 finished_at inventory=null
  _GATE_DONE=1
  # After _GATE_DONE: a missing jq dies without trying to write evidence again.
  require_tool jq
  TZ=UTC printf -v finished_at '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  # A gate that read the expected inventory (inventory.sh) also says what it compared with it.
  if [[ -n "${_INVENTORY_GATE:-}" ]]; then inventory=$(_inventory_evidence) || inventory=null; fi
  # One jq run: the violations arrive as positional arguments, so no message is ever parsed as JSON.
  jq -n \
    --arg gate "$_GATE_ID" \
    --arg status "$status" \
    --arg environment "${ENVIRONMENT:-unknown}" \
    --arg build_id "${BUILD_ID:-local}" \
    --argjson checked "$CHECKED" \
    --arg tool "$_GATE_TOOL" \
    --arg finished_at "$finished_at" \
    --argjson inventory "$inventory" \
    '{gate: $gate, status: $status, environment: $environment, build_id: $build_id,
      checked: $checked, violations: $ARGS.positional, tool: $tool, finished_at: $finished_at}
     + if $inventory == null then {} else {inventory: $inventory} end' \
    --args "${VIOLATIONS[@]}" >"${EVIDENCE_DIR}/${_GATE_ID}.json"
}

# gate_finish: pass only when something was checked and nothing was violated; exits either way.
gate_finish() {
  [[ -z "${_INVENTORY_GATE:-}" ]] || inventory_complete
  if ((CHECKED == 0)); then
    die "${_GATE_ID}: nothing was checked, refusing to pass"
  fi
  if ((${#VIOLATIONS[@]} > 0)); then
    _write_evidence fail
    printf '%s: FAIL: %s: %d violation(s) in %d checked\n' \
      "${SCRIPT_NAME:-${0##*/}}" "$_GATE_ID" "${#VIOLATIONS[@]}" "$CHECKED" >&2
    exit 1
  fi
  _write_evidence pass
  printf '%s: PASS: %s: %d checked, 0 violations\n' "${SCRIPT_NAME:-${0##*/}}" "$_GATE_ID" "$CHECKED" >&2
  exit 0
}

# --- production approval --------------------------------------------------------------------

# running_build_value VAR WHAT FIELD: one field of the running build ($BUILD_ID, in $BUILD_REGION when
# set: a private pool's builds are regional) through gcloud's value() projection, so the first steps
# need no jq; a failed describe dies naming WHAT.
running_build_value() {
  local __region=()
  require_tool gcloud
  [[ -z "${BUILD_REGION:-}" ]] || __region=(--region "$BUILD_REGION")
  capture_text "$1" "$2" gcloud builds describe "$BUILD_ID" "${__region[@]}" --format="value($3)"
}

# require_prod_approval: in prod, the running build must have been approved; refuse otherwise.
# Reads BUILD_ID (and BUILD_REGION for regional builds in a private pool) from the environment.
# gcloud's own projection reads the state (no jq: verify-release.sh runs it on the Cloud SDK image,
# before the toolchain step installs jq). gcloud prints an empty line when the build has no
# approval; only the one word APPROVED passes, anything else (empty, several lines, text) refuses.
require_prod_approval() {
  is_prod || return 0
  [[ -n "${BUILD_ID:-}" ]] || die "prod deploy outside a build: BUILD_ID is not set"
  local state
  running_build_value state "build approval" approval.state
  [[ "$state" != APPROVED ]] || {
    log "build ${BUILD_ID} is approved for prod"
    return 0
  }
  [[ -n "$state" ]] || state=NONE
  # The state is a Cloud Build enum word; other output is not echoed (it was not what we asked for).
  [[ "$state" =~ ^[A-Z_]{1,40}$ ]] || state="unreadable (not one approval state)"
  die "prod deploy refused: build ${BUILD_ID} approval state is ${state}, not APPROVED"
}
