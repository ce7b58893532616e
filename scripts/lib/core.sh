#!/usr/bin/env bash
# The base every script in scripts/ sources first: sourced, never run. What it holds, by purpose:
#   output          log, die, usage_error: one line on stderr, never a data value
#   arguments       require_args, require_environment, require_match and the shared formats (RE_*),
#                   require_tool (its calls are each script's tool declaration), is_prod
#   running tools   capture_json, capture_json_array, capture_text, run_quiet: a tool that fails,
#                   prints nothing or prints malformed JSON stops the script naming what it asked
#   cleanup         on_exit, make_workdir, and the EXIT/ERR traps that keep a gate fail-closed
# It also sources facts.sh (names and lists generated from the Python program) and gate.sh
# (evidence and the prod approval). Other libraries, sourced by the scripts that need them:
#   live.sh      judging live listings (validate-*.sh, configure-monitoring.sh, deploys)
#   inventory.sh comparing live listings with the expected inventory generated from the plan (validate-*.sh)
#   scanners.sh  running scanners and reading their reports (run-*.sh)
#   deploy.sh    deploy-time helpers (deployer account, scratch names)
#   dataproc.sh  the Dataproc cluster shape; pipeline.sh  the Python gates of pipeline/
# shellcheck shell=bash
#
# A script using these libraries:
#   SCRIPT_NAME=validate-encryption.sh
#   USAGE="validate-encryption.sh ENV PROJECT_ID KMS_KEYRING REGION"
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
#   require_args 4 "$@"; require_environment "$1"; require_match PROJECT_ID "$2" "$RE_PROJECT" ...
#   gate_begin encryption "gcloud/bq/jq"
#   buckets=""; capture_json_array buckets "bucket list" gcloud storage buckets list --format=json
#   (declare a VAR before capture_* fills it, so shellcheck sees the assignment)
#   ... checked 1; violation "bucket b: no CMEK key" ...
#   gate_finish            # writes evidence, exits 0 on pass and 1 on fail
#
# Fail closed: every way out that is not gate_finish with checks done and no violation writes
# evidence with status "fail" and exits non-zero with one line on stderr.
[[ -z "${_HIPAA_CORE_SH:-}" ]] || return 0
readonly _HIPAA_CORE_SH=1

# This library's folder, found without a `dirname` process: every script start sources it (the
# script tests start scripts thousands of times). A path without a slash is in the working folder.
_HIPAA_LIB_DIR=${BASH_SOURCE[0]%/*}
[[ "$_HIPAA_LIB_DIR" != "${BASH_SOURCE[0]}" ]] || _HIPAA_LIB_DIR=.
readonly _HIPAA_LIB_DIR

# shellcheck source=facts.sh
source "${_HIPAA_LIB_DIR}/facts.sh"

# The repository the scripts belong to (the pipeline runs them from /workspace, tests from a copy).
REPO_ROOT=$(cd "${_HIPAA_LIB_DIR}/../.." && pwd)
# shellcheck disable=SC2034  # read by the scripts that source this file
readonly REPO_ROOT

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
    _write_evidence fail # only after gate_begin
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

# require_environment VALUE: sets ENVIRONMENT to VALUE if it is one of HIPAA_ENVIRONMENTS (facts.sh).
require_environment() {
  local known all_but_last
  for known in "${HIPAA_ENVIRONMENTS[@]}"; do
    if [[ "$1" == "$known" ]]; then
      ENVIRONMENT=$1
      return 0
    fi
  done
  all_but_last="${HIPAA_ENVIRONMENTS[*]:0:${#HIPAA_ENVIRONMENTS[@]}-1}"
  usage_error "ENV must be ${all_but_last// /, } or ${HIPAA_ENVIRONMENTS[-1]}, got '$1'"
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
  require_tool jq
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
    _write_evidence fail # only after gate_begin
    ((rc != 0)) || rc=1
  fi
  exit "$rc"
}
trap _on_exit EXIT
trap 'die "unexpected failure at line ${LINENO}: ${BASH_COMMAND}"' ERR

# shellcheck source=gate.sh
source "${_HIPAA_LIB_DIR}/gate.sh"
