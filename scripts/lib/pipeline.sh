#!/usr/bin/env bash
# The Python gates of the pipeline package (pipeline.phi, pipeline.report, pipeline.notify) as
# the scripts call them. Sourced after core.sh, never run.
# shellcheck shell=bash
[[ -z "${_HIPAA_PIPELINE_SH:-}" ]] || return 0
readonly _HIPAA_PIPELINE_SH=1

_PIPELINE_ROOT=$REPO_ROOT  # core.sh, sourced first, found it
readonly RE_BUILD_ID='^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'
# shellcheck disable=SC2034  # used by the scripts that source this file
readonly RE_REPORT_URI='^gs://[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9]/reports/[A-Za-z0-9][A-Za-z0-9._-]{0,127}/?$'

# pipeline_python ARGS...: the project's Python ($PYTHON, else python3) with the repository importable.
pipeline_python() {
  PYTHONPATH="${_PIPELINE_ROOT}${PYTHONPATH:+:${PYTHONPATH}}" "${PYTHON:-python3}" "$@"
}

# require_build_id: BUILD_ID (from the build's env) is set and safe to put in filters and paths.
require_build_id() {
  [[ -n "${BUILD_ID:-}" ]] || die "BUILD_ID is not set"
  [[ "$BUILD_ID" =~ $RE_BUILD_ID ]] || die "BUILD_ID is malformed"
}

# phi_scan RESULT_JSON [--pattern-only] [--exemptions FILE ROOT] PATH...: the PHI gate over PATHs.
# Sets PHI_FINDINGS (count) and PHI_SUMMARY (mode and counts) and leaves the scan's JSON in
# RESULT_JSON. With --exemptions, the reviewed exact synthetic values FILE lists (paths relative to
# ROOT) are counted, not found; --pattern-only leaves out the spaCy model's names (for code). A scan
# that cannot run, scans nothing, or disagrees with its own exit code dies: a scan that did not
# happen is never clean.
phi_scan() {
  require_tool jq
  local result=$1 rc=0 err first
  local -a options=()
  shift
  while (($# > 0)); do
    case $1 in
      --pattern-only) options+=("$1") && shift ;;
      --exemptions)
        (($# >= 4)) || die "phi_scan: --exemptions needs FILE, ROOT and a path to scan"
        options+=(--exemptions "$2" --root "$3") && shift 3
        ;;
      *) break ;;
    esac
  done
  (($# > 0)) || die "phi_scan: no path to scan"
  err=$(mktemp)
  pipeline_python -m pipeline.phi scan --json "$result" "${options[@]}" -- "$@" >/dev/null 2>"$err" || rc=$?
  first=$(head -c 300 "$err" | head -n 1)
  rm -f "$err"
  ((rc == 0 || rc == 1)) || die "PHI scan could not run (exit ${rc})${first:+: ${first}}"
  # Slurped: jq 1.6 -e exits 0 on an empty file, which would read as a clean scan.
  jq -e -s 'length == 1 and (.[0] | (.mode | type == "string") and (.findings | type == "array")
            and (.files_scanned | type == "number" and . >= 0 and floor == .))' "$result" >/dev/null 2>&1 ||
    die "PHI scan wrote no result or a malformed one"
  # A scan of nothing is never clean, whatever its exit code says.
  [[ "$(jq '.files_scanned' "$result")" != 0 ]] || die "PHI scan scanned no file; a scan of nothing is never clean"
  PHI_FINDINGS=$(jq '.findings | length' "$result")
  if ((rc == 0 && PHI_FINDINGS > 0 || rc == 1 && PHI_FINDINGS == 0)); then
    die "PHI scan exit ${rc} disagrees with its ${PHI_FINDINGS} finding(s)"
  fi
  # shellcheck disable=SC2034  # read by the scripts that source this file
  PHI_SUMMARY=$(jq -r '"mode \(.mode), \(.files_scanned) file(s) scanned, \(.files_skipped // 0) binary skipped"
    + (if (.exempted // 0) > 0 then ", \(.exempted) reviewed synthetic value(s) exempted" else "" end)' "$result")
}

# phi_finding_lines RESULT_JSON [PREFIX]: one line per finding, `path:line:column: TYPE (score S)`,
# PREFIX stripped from paths (the column locates it in a one-line JSON file). Never the matched text:
# the scan does not record it.
phi_finding_lines() {
  require_tool jq
  jq -r --arg prefix "${2:-}" \
    '.findings[] | "\(.path | ltrimstr($prefix)):\(.line):\(.column): \(.entity_type) (score \(.score))"' "$1"
}
