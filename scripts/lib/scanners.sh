#!/usr/bin/env bash
# Running scanners and reading their reports: sourced after core.sh by the run-*.sh gates.
# Scanners are never trusted by their exit code alone: each writes a machine-readable report
# into a private work directory, the report must exist, be non-empty and well-formed JSON of the
# expected shape, and the gate decides from what the report says.
#   run_scanner, tool_failed, first_line   run a scanner, tell findings from tool errors
#   require_report, read_report             the report exists, parses, has the expected shape
#   violations_from, record_violations      findings become violations (never their data values)
#   require_fresh                           refuse a stale database or report
#   requirement_files                       the pinned requirement files the Makefile installs
#   mypy_verdict                            judge a mypy run from its summary line
# shellcheck shell=bash
[[ -z "${_HIPAA_SCANNERS_SH:-}" ]] || return 0
readonly _HIPAA_SCANNERS_SH=1


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
  require_tool jq
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
  require_tool jq
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
  require_tool jq
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
