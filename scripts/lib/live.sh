#!/usr/bin/env bash
# Judging live listings of the cloud (gcloud, bq): sourced after core.sh by the validate-*.sh gates,
# configure-monitoring.sh and the deploys that re-check what they changed. Each helper fails closed:
# a listing that cannot be read, or has an unexpected shape, stops the gate without echoing data.
#   judge               map a listing to {checked, violations} in one jq run and record both
#   capture_bq_list     a `bq ls` listing, where bq prints nothing or a sentence for "none"
#   project_number      a project's number (perimeters and egress rules name projects by it)
#   json_fields         several values out of one JSON document in one jq run
#   kms_key_in_keyring  whether a key (or key version) belongs to a keyring
#   check_audit_config  Cloud Audit Logs for allServices, all three types, nobody exempted
#   check_perimeter     the perimeter is regular, enforced, holds the project and restricts
#                       REQUIRED_RESTRICTED_SERVICES (facts.sh)
# shellcheck shell=bash
[[ -z "${_HIPAA_LIVE_SH:-}" ]] || return 0
readonly _HIPAA_LIVE_SH=1


# judge WHAT JSON PROGRAM [JQ_ARGS...]: PROGRAM maps JSON to {checked: N, violations: [...]}; counts
# N as checked and records every violation. One jq run per listing; a JSON shape PROGRAM cannot
# read fails closed without echoing jq's error (which can quote data values).
judge() {
  require_tool jq
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
  require_tool jq
  local __var=$1 __what=$2 __listing
  shift 2
  capture_text __listing "$__what" "$@"
  if [[ -z "${__listing//[[:space:]]/}" || "$__listing" == "No row access policies found." ]]; then
    __listing='[]'
  fi
  jq -e 'type == "array"' >/dev/null 2>&1 <<<"$__listing" || die "${__what}: $1 printed malformed JSON"
  printf -v "$__var" '%s' "$__listing"
}

# project_number VAR PROJECT_ID: the project's number (VPC-SC and egress rules name projects by it),
# asked once per project and script (the gate and its inventory both need it).
declare -A _PROJECT_NUMBERS=()
project_number() {
  require_tool jq
  local __pn_json __pn_number=${_PROJECT_NUMBERS[$2]:-}
  if [[ -z "$__pn_number" ]]; then
    capture_json __pn_json "project ${2}" gcloud projects describe "$2" --format=json
    __pn_number=$(jq -r '.projectNumber // empty' <<<"$__pn_json" 2>/dev/null) || true
    [[ "$__pn_number" =~ ^[0-9]+$ ]] || die "project ${2}: gcloud printed no projectNumber"
    _PROJECT_NUMBERS[$2]=$__pn_number
  fi
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

# check_perimeter PERIMETER PROJECT_NUMBER: the perimeter exists (describe fails otherwise), is a
# regular perimeter, is enforced (its `status`; an explicit dry-run `spec` alone is tolerated in
# dev only), holds the project and restricts REQUIRED_RESTRICTED_SERVICES. Leaves the configuration
# it judged in PERIMETER_CONFIG ({} when none is enforced) for further checks, and the whole
# described perimeter in PERIMETER_JSON (for the inventory comparison).
# shellcheck disable=SC2016  # $names in single quotes are jq variables
check_perimeter() {
  require_tool jq
  local name=$1 number=$2 perimeter judged mode
  capture_json perimeter "perimeter ${name}" gcloud access-context-manager perimeters describe "$name" --format=json
  # shellcheck disable=SC2034  # read by the gates that compare it with the inventory
  PERIMETER_JSON=$perimeter
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
  require_tool jq
  local __json=$1 __what=$2 __filter=$3 __line
  shift 3
  __line=$(jq -r "${__filter} | map(if . == null then \"\" else tostring end) | join(\"\\u001f\")" <<<"$__json" 2>/dev/null) ||
    die "${__what}: unexpected JSON shape"
  IFS=$'\x1f' read -r "$@" <<<"$__line"
}
