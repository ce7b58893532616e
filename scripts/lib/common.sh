#!/usr/bin/env bash
# Shared helpers for every script in scripts/: sourced, never run.
# shellcheck shell=bash
#
# A script using this library:
#   SCRIPT_NAME=validate-encryption.sh
#   USAGE="validate-encryption.sh ENV PROJECT_ID KMS_KEYRING REGION"
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#   require_args 4 "$@"; require_environment "$1"; require_match PROJECT_ID "$2" "$RE_PROJECT" ...
#   gate_begin encryption "gcloud/bq/jq"
#   buckets=""; capture_json_array buckets "bucket list" gcloud storage buckets list --format=json
#   (declare a VAR before capture_* fills it, so shellcheck sees the assignment)
#   ... checked 1; violation "bucket b: no CMEK key" ...
#   gate_finish            # writes evidence, exits 0 on pass and 1 on fail
#
# Fail closed: every way out that is not gate_finish with checks done and no violation writes
# evidence with status "fail" and exits non-zero with one line on stderr.

# --- output ---------------------------------------------------------------------------------

# log MESSAGE: progress on stderr. Never pass data values a scan could flag (names and counts only).
log() {
  printf '%s: %s\n' "${SCRIPT_NAME:-${0##*/}}" "$1" >&2
}

# die REASON [CODE]: one line on stderr, fail evidence if a gate is open, exit CODE (default 1).
die() {
  local reason=$1 code=${2:-1}
  printf '%s: FAIL: %s\n' "${SCRIPT_NAME:-${0##*/}}" "$reason" >&2
  if [[ -n "${_GATE_ID:-}" && -z "${_GATE_DONE:-}" ]]; then
    VIOLATIONS+=("$reason")
    _write_evidence fail
  fi
  exit "$code"
}

# usage_error PROBLEM: the problem and the usage line, exit 2 (missing or malformed arguments).
usage_error() {
  printf '%s: %s\nusage: %s\n' "${SCRIPT_NAME:-${0##*/}}" "$1" "${USAGE:-${0##*/} ...}" >&2
  exit 2
}

# --- arguments ------------------------------------------------------------------------------

# require_args N "$@": at least N arguments, none of them empty.
require_args() {
  local want=$1
  shift
  (($# >= want)) || usage_error "expected ${want} arguments, got $#"
  local i
  for ((i = 1; i <= want; i++)); do
    [[ -n "${!i}" ]] || usage_error "argument ${i} is empty"
  done
}

# require_environment VALUE: sets ENVIRONMENT to VALUE if it is dev, staging or prod.
require_environment() {
  case "$1" in
    dev | staging | prod) ENVIRONMENT=$1 ;;
    *) usage_error "ENV must be dev, staging or prod, got '$1'" ;;
  esac
}

# require_match NAME VALUE REGEX: usage error naming the argument when VALUE does not match.
require_match() {
  [[ "$2" =~ $3 ]] || usage_error "${1}='${2}' is malformed"
}

# Formats shared by several scripts, so each argument is validated the same way everywhere.
# shellcheck disable=SC2034  # used by the scripts that source this file
readonly RE_PROJECT='^[a-z][a-z0-9-]{4,28}[a-z0-9]$'
# shellcheck disable=SC2034
readonly RE_REGION='^[a-z]+-[a-z]+[0-9]$'
# shellcheck disable=SC2034
readonly RE_NAME='^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$'
# shellcheck disable=SC2034
readonly RE_DATASET='^[A-Za-z_][A-Za-z0-9_]{0,1023}$'
# shellcheck disable=SC2034
readonly RE_BUCKET='^[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9]$'
# shellcheck disable=SC2034
readonly RE_PERIMETER='^accessPolicies/[0-9]+/servicePerimeters/[A-Za-z0-9_]+$'
# shellcheck disable=SC2034
readonly RE_IMAGE_DIGEST='^[a-z0-9.-]+(:[0-9]+)?/[-a-z0-9._/]+@sha256:[0-9a-f]{64}$'
# shellcheck disable=SC2034
readonly RE_KEYRING='^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z0-9-]+/keyRings/[A-Za-z0-9_-]{1,63}$'
# shellcheck disable=SC2034
readonly RE_CRYPTO_KEY='^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z0-9-]+/keyRings/[A-Za-z0-9_-]{1,63}/cryptoKeys/[A-Za-z0-9_-]{1,63}$'
# shellcheck disable=SC2034
readonly RE_GS_URI='^gs://[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9](/.*)?$'

# require_tool NAME...: each tool must be on PATH; a missing tool is a failure, never a skip.
require_tool() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "required tool '${tool}' is not installed"
  done
}

is_prod() {
  [[ "${ENVIRONMENT:-}" == prod ]]
}

# --- running tools --------------------------------------------------------------------------

# capture_json VAR WHAT CMD [ARGS...]: run CMD, keep its stdout in VAR when it is valid JSON.
# Fails (one line naming WHAT) when CMD exits non-zero, prints nothing, or prints malformed JSON.
capture_json() {
  local __var=$1 __what=$2
  shift 2
  _capture_checked "$__var" "$__what" true "" "$@"
}

# _capture_checked VAR WHAT FILTER EXPECTED CMD [ARGS...]: one jq run both parses the output and
# tests FILTER on it: exit 1 means valid JSON that fails FILTER, anything else non-zero is malformed.
_capture_checked() {
  local __var=$1 __what=$2 __filter=$3 __expected=$4 __out __rc=0
  shift 4
  _run_or_die "$__what" __out "$@"
  [[ -n "${__out//[[:space:]]/}" ]] || die "${__what}: $1 printed nothing"
  jq -e "$__filter" >/dev/null 2>&1 <<<"$__out" || __rc=$?
  ((__rc != 1)) || die "${__what}: expected ${__expected}"
  ((__rc == 0)) || die "${__what}: $1 printed malformed JSON"
  printf -v "$__var" '%s' "$__out"
}

# capture_json_array VAR WHAT CMD [ARGS...]: as capture_json, and the JSON must be an array.
capture_json_array() {
  local __var=$1 __what=$2
  shift 2
  _capture_checked "$__var" "$__what" 'type == "array"' "a JSON array" "$@"
}

# capture_text VAR WHAT CMD [ARGS...]: run CMD, keep its stdout in VAR; fail when it exits non-zero.
capture_text() {
  local __var=$1 __what=$2
  shift 2
  local __out
  _run_or_die "$__what" __out "$@"
  printf -v "$__var" '%s' "$__out"
}

# run_quiet WHAT CMD [ARGS...]: run a command whose output is not needed; fail naming WHAT.
run_quiet() {
  local what=$1 __ignored
  shift
  _run_or_die "$what" __ignored "$@"
}

# _run_or_die WHAT VAR CMD [ARGS...]: stdout into VAR; on a non-zero exit, die with the first
# line of the tool's stderr (tool errors name resources, not data values).
_run_or_die() {
  local __what=$1 __into=$2
  shift 2
  local __captured __rc=0 __first=""
  [[ -n "${_TOOL_STDERR:-}" ]] || { _TOOL_STDERR=$(mktemp) && on_exit "rm -f '${_TOOL_STDERR}'"; }
  __captured=$("$@" 2>"$_TOOL_STDERR") || __rc=$?
  if ((__rc != 0)); then
    IFS= read -r __first <"$_TOOL_STDERR" || true
    die "${__what}: $1 failed (exit ${__rc})${__first:+: ${__first:0:200}}"
  fi
  printf -v "$__into" '%s' "$__captured"
}

# --- cleanup --------------------------------------------------------------------------------

_CLEANUPS=()

# on_exit COMMAND: run COMMAND (a string, evaluated) when the script exits, last added first.
on_exit() {
  _CLEANUPS+=("$1")
}

# make_workdir VAR: a private temporary directory removed at exit.
make_workdir() {
  local __dir
  __dir=$(mktemp -d)
  on_exit "rm -rf '${__dir}'"
  printf -v "$1" '%s' "$__dir"
}

_on_exit() {
  local rc=$? i
  for ((i = ${#_CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${_CLEANUPS[i]}" || true
  done
  if [[ -n "${_GATE_ID:-}" && -z "${_GATE_DONE:-}" ]]; then
    VIOLATIONS+=("script ended before the gate finished (exit ${rc})")
    _write_evidence fail
    ((rc != 0)) || rc=1
  fi
  exit "$rc"
}
trap _on_exit EXIT
trap 'die "unexpected failure at line ${LINENO}: ${BASH_COMMAND}"' ERR

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
  local status=$1 finished_at
  _GATE_DONE=1
  TZ=UTC printf -v finished_at '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  # One jq run: the violations arrive as positional arguments, so no message is ever parsed as JSON.
  jq -n \
    --arg gate "$_GATE_ID" \
    --arg status "$status" \
    --arg environment "${ENVIRONMENT:-unknown}" \
    --arg build_id "${BUILD_ID:-local}" \
    --argjson checked "$CHECKED" \
    --arg tool "$_GATE_TOOL" \
    --arg finished_at "$finished_at" \
    '{gate: $gate, status: $status, environment: $environment, build_id: $build_id,
      checked: $checked, violations: $ARGS.positional, tool: $tool, finished_at: $finished_at}' \
    --args "${VIOLATIONS[@]}" >"${EVIDENCE_DIR}/${_GATE_ID}.json"
}

# gate_finish: pass only when something was checked and nothing was violated; exits either way.
gate_finish() {
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

# require_prod_approval: in prod, the running build must have been approved; refuse otherwise.
# Reads BUILD_ID (and BUILD_REGION for regional builds in a private pool) from the environment.
require_prod_approval() {
  is_prod || return 0
  [[ -n "${BUILD_ID:-}" ]] || die "prod deploy outside a build: BUILD_ID is not set"
  local build state region_args=()
  [[ -z "${BUILD_REGION:-}" ]] || region_args=(--region "$BUILD_REGION")
  capture_json build "build approval" gcloud builds describe "$BUILD_ID" "${region_args[@]}" --format=json
  state=$(jq -r '.approval.state // "NONE"' <<<"$build")
  [[ "$state" == APPROVED ]] || die "prod deploy refused: build ${BUILD_ID} approval state is ${state}, not APPROVED"
  log "build ${BUILD_ID} is approved for prod"
}

# === Validation helpers (scan-scripts branch: validate-*.sh, configure-monitoring.sh) =========
# Shared by the compliance-validation scripts; each helper fails closed like the ones above.

# judge WHAT JSON PROGRAM [JQ_ARGS...]: PROGRAM maps JSON to {checked: N, violations: [...]}; counts
# N as checked and records every violation. One jq run per listing; a JSON shape PROGRAM cannot
# read fails closed without echoing jq's error (which can quote data values).
judge() {
  local __what=$1 __json=$2 __program=$3 __out __count __line
  shift 3
  __out=$(jq -r "$@" "(${__program}) | (.checked | tostring), .violations[]" <<<"$__json" 2>/dev/null) ||
    die "${__what}: unexpected JSON shape"
  {
    IFS= read -r __count || true
    while IFS= read -r __line; do
      [[ -z "$__line" ]] || violation "$__line"
    done
  } <<<"$__out"
  [[ "$__count" =~ ^[0-9]+$ ]] || die "${__what}: unexpected JSON shape"
  checked "$__count"
}

# capture_bq_list VAR WHAT CMD [ARGS...]: a `bq ls --format=json` listing into VAR as a JSON array.
# bq prints nothing for an empty listing and a sentence for a table without row access policies
# (bq 2.1 frontend/command_list.py); both mean []. Anything else must be a JSON array.
capture_bq_list() {
  local __var=$1 __what=$2 __listing
  shift 2
  capture_text __listing "$__what" "$@"
  if [[ -z "${__listing//[[:space:]]/}" || "$__listing" == "No row access policies found." ]]; then
    __listing='[]'
  fi
  jq -e 'type == "array"' >/dev/null 2>&1 <<<"$__listing" || die "${__what}: $1 printed malformed JSON"
  printf -v "$__var" '%s' "$__listing"
}

# project_number VAR PROJECT_ID: the project's number (VPC-SC and egress rules name projects by it).
project_number() {
  local __pn_json __pn_number
  capture_json __pn_json "project ${2}" gcloud projects describe "$2" --format=json
  __pn_number=$(jq -r '.projectNumber // empty' <<<"$__pn_json" 2>/dev/null) || true
  [[ "$__pn_number" =~ ^[0-9]+$ ]] || die "project ${2}: gcloud printed no projectNumber"
  printf -v "$1" '%s' "$__pn_number"
}

# check_audit_config IAM_POLICY_JSON PROJECT_ID: Cloud Audit Logs for allServices with ADMIN_READ,
# DATA_READ and DATA_WRITE (auditConfigs of `gcloud projects get-iam-policy`), nobody exempted.
# shellcheck disable=SC2016  # $names in single quotes are jq variables
check_audit_config() {
  judge "audit config of ${2}" "$1" '
    [.auditConfigs[]? | select(.service == "allServices") | .auditLogConfigs[]?] as $configs
    | {checked: 1,
       violations: (
         [("ADMIN_READ", "DATA_READ", "DATA_WRITE") as $type
          | select([$configs[] | select(.logType == $type)] | length == 0)
          | "project \($project): audit log \($type) is not enabled for allServices"]
         + [[.auditConfigs[]? | .auditLogConfigs[]? | .exemptedMembers[]?] | length
            | select(. > 0) | "project \($project): \(.) member(s) exempted from audit logging"])}' \
    --arg project "$2"
}

# Services a HIPAA perimeter must restrict: every API that stores, processes or keys the data.
# shellcheck disable=SC2034
readonly REQUIRED_RESTRICTED_SERVICES='["bigquery.googleapis.com","storage.googleapis.com","dataproc.googleapis.com","aiplatform.googleapis.com","container.googleapis.com","cloudkms.googleapis.com","logging.googleapis.com","pubsub.googleapis.com","artifactregistry.googleapis.com","cloudbuild.googleapis.com","secretmanager.googleapis.com"]'

# check_perimeter PERIMETER PROJECT_NUMBER: the perimeter exists (describe fails otherwise), is a
# regular perimeter, is enforced (its `status`; an explicit dry-run `spec` alone is tolerated in
# dev only), holds the project and restricts REQUIRED_RESTRICTED_SERVICES. Leaves the configuration
# it judged in PERIMETER_CONFIG ({} when none is enforced) for further checks.
# shellcheck disable=SC2016  # $names in single quotes are jq variables
check_perimeter() {
  local name=$1 number=$2 perimeter judged mode
  capture_json perimeter "perimeter ${name}" gcloud access-context-manager perimeters describe "$name" --format=json
  # First line: which configuration is in force; second: that configuration.
  judged=$(jq -r -c 'if (.perimeterType // "PERIMETER_TYPE_REGULAR") != "PERIMETER_TYPE_REGULAR" then "bridge", {}
                     elif .status != null then "status", .status elif .spec != null then "spec", .spec
                     else "none", {} end' <<<"$perimeter" 2>/dev/null) || die "perimeter ${name}: unexpected JSON shape"
  mode=${judged%%$'\n'*}
  PERIMETER_CONFIG='{}'
  case "$mode" in
    status) PERIMETER_CONFIG=${judged#*$'\n'} ;;
    spec)
      if [[ "${ENVIRONMENT:-}" == dev ]]; then
        log "perimeter ${name}: dry-run configuration only, tolerated in dev"
        PERIMETER_CONFIG=${judged#*$'\n'}
      else
        violation "perimeter ${name}: dry-run configuration only, not enforced (tolerated in dev only)"
      fi
      ;;
    bridge) violation "perimeter ${name}: is a bridge, not a regular perimeter" ;;
    *) violation "perimeter ${name}: has no enforced configuration" ;;
  esac
  checked 1
  [[ "$PERIMETER_CONFIG" != '{}' ]] || return 0
  judge "perimeter ${name}" "$PERIMETER_CONFIG" '
    {checked: (1 + ($required | length)),
     violations: (
       [select((.resources // []) | index("projects/" + $number) | not)
        | "perimeter \($name): does not contain project number \($number)"]
       + [$required[] as $service | select((.restrictedServices // []) | index($service) | not)
          | "perimeter \($name): does not restrict \($service)"])}' \
    --arg name "$name" --arg number "$number" --argjson required "$REQUIRED_RESTRICTED_SERVICES"
}

# --- deploy helpers (deploy-scripts block: deploy-vertex, backup-restore, dataproc scripts) -------

# env_keyring PROJECT_ID REGION: the environment's keyring as infra/naming.py::keyring_path names it.
env_keyring() {
  printf 'projects/%s/locations/%s/keyRings/hipaa-%s-keyring' "$1" "$2" "${ENVIRONMENT:?ENVIRONMENT is not set}"
}

# require_deployer: sets DEPLOYER_ACCOUNT to the service account `pulumi preview` and `pulumi up`
# impersonate, as infra/naming.py::deployer_account_email names it (hipaa-<env>-deployer in the
# build's project, PROJECT_ID). The build account holds serviceAccountTokenCreator on it alone.
require_deployer() {
  [[ "${PROJECT_ID:-}" =~ $RE_PROJECT ]] ||
    die "PROJECT_ID='${PROJECT_ID:-}' is not a project id: cannot name the deployer account to impersonate"
  # shellcheck disable=SC2034  # read by the scripts that call this
  DEPLOYER_ACCOUNT="hipaa-${ENVIRONMENT:?ENVIRONMENT is not set}-deployer@${PROJECT_ID}.iam.gserviceaccount.com"
}

# kms_key_in_keyring KEY KEYRING: whether KEY is a crypto key (or one of its versions) of KEYRING.
kms_key_in_keyring() {
  local rest=${1#"$2/cryptoKeys/"}
  [[ -n "$2" && "$rest" != "$1" && "$rest" =~ ^[A-Za-z0-9_-]{1,63}(/cryptoKeyVersions/[0-9]+)?$ ]]
}

# run_suffix: a short lowercase id from BUILD_ID, so names of scratch resources trace back to the build.
run_suffix() {
  local id=${BUILD_ID:-local}
  id=${id,,}
  id=${id//[^a-z0-9]/}
  [[ -n "$id" ]] || id=local
  printf '%s' "${id:0:8}"
}

# json_fields JSON WHAT 'FILTER' VAR...: one jq run for several values. FILTER yields an array with
# one entry per VAR; each VAR gets its entry as text ("" for null, "true"/"false" for booleans).
# Dies naming WHAT when the JSON does not have the shape FILTER expects.
json_fields() {
  local __json=$1 __what=$2 __filter=$3 __line
  shift 3
  __line=$(jq -r "${__filter} | map(if . == null then \"\" else tostring end) | join(\"\\u001f\")" <<<"$__json" 2>/dev/null) ||
    die "${__what}: unexpected JSON shape"
  IFS=$'\x1f' read -r "$@" <<<"$__line"
}

# === Scanner helpers (added with the scanner scripts; used by several run-*.sh) ===============
#
# Scanners are never trusted by their exit code alone: each writes a machine-readable report
# into a private work directory, the report must exist, be non-empty and well-formed JSON of the
# expected shape, and the gate decides from what the report says.

# The repository the scripts belong to (the pipeline runs them from /workspace, tests from a copy).
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034  # read by the scripts that source this file
readonly REPO_ROOT

# run_scanner RC_VAR OUT ERR CMD [ARGS...]: run CMD with stdout into OUT and stderr into ERR and
# keep its exit code in RC_VAR instead of failing: the caller tells findings from tool errors.
run_scanner() {
  local __rc_var=$1 __out=$2 __err=$3 __rc=0
  shift 3
  "$@" >"$__out" 2>"$__err" || __rc=$?
  printf -v "$__rc_var" '%s' "$__rc"
}

# first_line FILE: the first non-blank line of FILE, at most 200 characters (for a reason line).
first_line() {
  [[ -s "$1" ]] || return 0
  grep -m 1 -v '^[[:space:]]*$' "$1" | head -c 200 || true
}

# tool_failed WHAT TOOL RC ERRFILE: die naming the tool, its exit code and its first stderr line.
tool_failed() {
  local detail
  detail=$(first_line "$4")
  die "${1}: ${2} failed (exit ${3})${detail:+: ${detail}}"
}

# require_report WHAT FILE JQ_SHAPE: FILE must exist, be non-empty, parse as JSON and satisfy the
# jq filter JQ_SHAPE (which must yield true); fails closed naming WHAT otherwise.
require_report() {
  local what=$1 file=$2 shape=$3 errors
  [[ -e "$file" ]] || die "${what}: report ${file##*/} is missing"
  [[ -s "$file" ]] || die "${what}: report ${file##*/} is empty"
  # One jq run: --slurp reads every document (exactly one is allowed), a parse error is malformed
  # JSON, a shape filter that is false or cannot apply (try ... catch false) is the wrong shape.
  if ! errors=$(jq -e -s "length == 1 and (.[0] | try (${shape}) catch false)" "$file" 2>&1 >/dev/null); then
    [[ "$errors" != *"parse error"* ]] || die "${what}: report ${file##*/} is malformed JSON"
    die "${what}: report ${file##*/} does not have the expected shape"
  fi
}

# require_fresh WHAT EPOCH_SECONDS MAX_DAYS: refuse data older than MAX_DAYS (or from the future).
require_fresh() {
  local what=$1 stamp=$2 max_days=$3 now age_days
  [[ "$stamp" =~ ^[0-9]+$ ]] || die "${what}: no valid timestamp in its metadata"
  now=$(date -u +%s)
  ((stamp <= now + 3600)) || die "${what}: timestamp lies in the future"
  age_days=$(((now - stamp) / 86400))
  ((age_days <= max_days)) || die "${what}: ${age_days} days old, older than the ${max_days} days allowed"
}

# requirement_files VAR: the pinned requirement files of the repository (as the Makefile installs
# them), as paths relative to REPO_ROOT, into the array VAR. Fails when there are none.
requirement_files() {
  local -n __files=$1
  local file
  __files=()
  for file in "$REPO_ROOT"/requirements.txt "$REPO_ROOT"/requirements/*.txt; do
    if [[ -f "$file" ]]; then __files+=("${file#"$REPO_ROOT"/}"); fi
  done
  ((${#__files[@]} > 0)) || die "no pinned requirement files under ${REPO_ROOT}"
}

# violations_from WHAT FILE FILTER [JQ_ARGS...]: record every line the jq FILTER prints over FILE
# as a violation and set VIOLATIONS_ADDED to their number. A jq error fails the gate: a filter
# that cannot run must never read as "no findings".
VIOLATIONS_ADDED=0
violations_from() {
  local what=$1 file=$2 filter=$3 lines line
  shift 3
  lines=$(jq -r "$@" "$filter" "$file" 2>/dev/null) || die "${what}: could not read the report ${file##*/}"
  VIOLATIONS_ADDED=0
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    violation "$line"
    VIOLATIONS_ADDED=$((VIOLATIONS_ADDED + 1))
  done <<<"$lines"
}

# mypy_verdict WHAT RC OUTPUT_FILE: judge a `mypy --no-pretty --show-error-codes` run from its
# plain output. Exit 0 needs "Success: no issues found in N source files" with N > 0; exit 1 needs
# "Found N errors ..." and records each error by place and code only (mypy messages can quote
# literal values from the code); anything else is a tool error or malformed output.
mypy_verdict() {
  local what=$1 rc=$2 output=$3 summary errors listed=0 line
  local re_success='^Success: no issues found in ([0-9]+) source files?$'
  local re_found='^Found ([0-9]+) errors? in [0-9]+ files? \(checked ([0-9]+) source files?\)$'
  local re_error='^(.+):([0-9]+): error: .*\[([a-z0-9-]+)\]$'
  summary=$(grep -v '^[[:space:]]*$' "$output" | tail -n 1 || true)
  if [[ "$summary" =~ $re_success ]]; then
    ((rc == 0)) || die "${what}: exit ${rc} contradicts its success summary"
    ((BASH_REMATCH[1] > 0)) || die "${what}: checked no source file"
  elif [[ "$summary" =~ $re_found ]]; then
    errors=${BASH_REMATCH[1]}
    ((rc == 1)) || die "${what}: exit ${rc} contradicts its error summary"
    while IFS= read -r line; do
      if [[ "$line" =~ $re_error ]]; then
        violation "${what}: ${BASH_REMATCH[1]}:${BASH_REMATCH[2]} [${BASH_REMATCH[3]}]"
        listed=$((listed + 1))
      fi
    done <"$output"
    ((listed > 0)) || violation "${what}: ${errors} errors reported"
  else
    die "${what}: output has no summary line (empty or malformed)"
  fi
}

# read_report VAR WHAT FILE SHAPE FILTER [JQ_ARGS...]: require_report and a read of the report in
# one jq run (jq's start-up is most of a scanner script's time): FILE must hold one JSON document
# for which SHAPE is true; FILTER's raw output over it goes into VAR. Fails closed naming WHAT.
read_report() {
  local __var=$1 what=$2 file=$3 shape=$4 filter=$5 __out __errors __stderr
  shift 5
  [[ -e "$file" ]] || die "${what}: report ${file##*/} is missing"
  [[ -s "$file" ]] || die "${what}: report ${file##*/} is empty"
  __stderr=$(mktemp)
  if ! __out=$(jq -r -s "$@" "if length != 1 then error(\"@shape\") else .[0] end
      | if (try (${shape}) catch false) then (${filter}) else error(\"@shape\") end" "$file" 2>"$__stderr"); then
    __errors=$(head -c 300 "$__stderr")
    rm -f "$__stderr"
    [[ "$__errors" != *"parse error"* ]] || die "${what}: report ${file##*/} is malformed JSON"
    [[ "$__errors" != *"@shape"* ]] || die "${what}: report ${file##*/} does not have the expected shape"
    die "${what}: could not read the report ${file##*/}"
  fi
  rm -f "$__stderr"
  printf -v "$__var" '%s' "$__out"
}

# record_violations LINES: every non-empty line of LINES is a violation; VIOLATIONS_ADDED counts them.
record_violations() {
  local line
  VIOLATIONS_ADDED=0
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    violation "$line"
    VIOLATIONS_ADDED=$((VIOLATIONS_ADDED + 1))
  done <<<"$1"
}
