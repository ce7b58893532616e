#!/usr/bin/env bash
# Gate checkov: Checkov's Kubernetes, Dockerfile and secrets checks and the project's HIPAA policies
# over each DIR (the manifests and the Dockerfiles the pipeline deploys and builds). Any failed check
# fails the gate.
#
# The HIPAA policies are Checkov custom checks in security/checkov (one hipaa_checks/ckv_hipaa_<n>_*.py
# per policy CKV_HIPAA_<n>), always loaded with --external-checks-dir; no argument or variable turns
# them off. Checkov only logs a check it cannot import, so the gate fails closed itself: the directory
# must exist and hold policy files, and every declared policy must have been evaluated (passed or
# failed) on something over all DIRs. A HIPAA policy cannot be suppressed: an inline `checkov:skip`
# of one is a violation (other checks' inline skips are reported as counts in the log).
#
# Checkov 3.3, offline: --skip-download (no Prisma Cloud guidelines, severities or custom
# policies), BC_SKIP_MAPPING=TRUE (no guideline mapping download), CKV_SKIP_PACKAGE_UPDATE_CHECK
# (no PyPI version check) and no BC_API_KEY in its environment (nothing is uploaded).
#   -d DIR --framework kubernetes dockerfile secrets --external-checks-dir security/checkov
#   --output json --compact --skip-download
# The JSON is one report per framework (a list when more than one ran), passed checks listed (no
# --quiet: the gate needs them to see which HIPAA policies ran); the counts come from each report's
# summary. A directory with no file Checkov parses yields only a zero summary: that is an error,
# nothing was checked. Checkov exits 0 without and 1 with failed checks, but also 1 when it crashes,
# so exit 1 counts as findings only with a well-formed report; anything else is a tool error.
# Checkov runs from the private work directory, so a .checkov.yaml in the repository cannot
# soft-fail or skip checks behind the gate's back.
# checked = passed + failed checks over all directories.
set -Eeuo pipefail
SCRIPT_NAME=run-checkov.sh
USAGE="run-checkov.sh ENV DIR..."
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/scanners.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/scanners.sh"

require_args 2 "$@"
require_environment "$1"
shift
DIRS=()
for dir in "$@"; do
  [[ "$dir" != -* && -d "$dir" ]] || usage_error "DIR='${dir}' is not a directory"
  DIRS+=("$(cd "$dir" && pwd)")
done

readonly POLICY_DIR="${REPO_ROOT}/security/checkov"
readonly POLICY_FILES="${POLICY_DIR}/hipaa_checks"

gate_begin checkov "checkov/jq"
require_tool checkov jq
work=""
make_workdir work

# The HIPAA policies this gate must run: CKV_HIPAA_<n> for each hipaa_checks/ckv_hipaa_<n>_*.py.
[[ -d "$POLICY_FILES" ]] || die "HIPAA policy directory security/checkov/hipaa_checks is missing"
declare -A DECLARED=()
for file in "$POLICY_FILES"/ckv_hipaa_*.py; do
  [[ -f "$file" ]] || continue
  [[ "${file##*/}" =~ ^ckv_hipaa_([1-9][0-9]*)_[a-z0-9_]+\.py$ ]] ||
    die "HIPAA policy file ${file##*/} is not named ckv_hipaa_<n>_<what>.py"
  DECLARED["CKV_HIPAA_${BASH_REMATCH[1]}"]=1
done
((${#DECLARED[@]} > 0)) || die "no HIPAA policy (ckv_hipaa_<n>_*.py) in security/checkov/hipaa_checks"
: >"$work/hipaa-ran.txt"

# shellcheck disable=SC2329  # invoked through run_scanner
checkov_offline() (cd "$work" && env -u BC_API_KEY BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE \
  checkov -d "$1" --framework kubernetes dockerfile secrets --external-checks-dir "$POLICY_DIR" \
  --output json --compact --skip-download)

for index in "${!DIRS[@]}"; do
  dir=${DIRS[index]}
  name=${dir#"$PWD"/}
  report="$work/checkov-${index}.json"
  rc=0
  run_scanner rc "$report" "$work/checkov.err" checkov_offline "$dir"
  ((rc <= 1)) || tool_failed "checkov ${name}" checkov "$rc" "$work/checkov.err"
  # Exit 1 is findings only with a report; without one it is Checkov crashing.
  if ((rc == 1)) && { [[ ! -s "$report" ]] || ! jq -e . "$report" >/dev/null 2>&1; }; then
    tool_failed "checkov ${name}" checkov "$rc" "$work/checkov.err"
  fi
  require_report "checkov ${name}" "$report" \
    '(if type == "array" then . else [.] end) | all(.[]; type == "object" and ((.summary | type == "object") or has("passed")))'
  jq '[if type == "array" then .[] else . end | select(has("check_type"))]' "$report" >"$work/reports-${index}.json"
  counted=$(jq '[.[].summary | .passed + .failed] | add // 0' "$work/reports-${index}.json")
  ((counted > 0)) || die "checkov ${name}: no file Checkov parses (nothing was checked)"
  checked "$counted"
  # shellcheck disable=SC2016  # $dir in the quotes is a jq variable
  violations_from "checkov ${name}" "$work/reports-${index}.json" '
    (.[] | .results.failed_checks // [] | .[]
      | "checkov: \($dir)\(.file_path) \(.resource) \(.check_id) \(.check_name)"),
    (.[] | .results.skipped_checks // [] | .[] | select(.check_id | startswith("CKV_HIPAA_"))
      | "checkov: \($dir)\(.file_path) \(.resource) \(.check_id) skipped inline: a HIPAA policy cannot be suppressed"),
    (.[] | select(.summary.parsing_errors > 0)
      | "checkov: \($dir): \(.summary.parsing_errors) \(.check_type) file(s) could not be parsed")' --arg dir "$name"
  jq -r '.[].results | (.passed_checks, .failed_checks, .skipped_checks) | .[]?.check_id
    | select(startswith("CKV_HIPAA_"))' "$work/reports-${index}.json" >>"$work/hipaa-ran.txt" ||
    die "checkov ${name}: could not read the HIPAA policies from its report"
  failed=$(jq '[.[].summary.failed] | add // 0' "$work/reports-${index}.json")
  if ((failed > 0 && VIOLATIONS_ADDED == 0)); then
    violation "checkov: ${name}: ${failed} failed checks counted but none listed"
  fi
  if ((rc == 1 && failed == 0)); then
    violation "checkov: ${name}: exit 1 but its report has no failed check"
  fi
  log "checkov ${name}: ${counted} checks, ${failed} failed, $(jq '[.[].summary.skipped] | add // 0' "$work/reports-${index}.json") skipped inline"
done

# Every declared HIPAA policy ran somewhere: one Checkov could not import, or one with nothing to
# judge, must not pass unseen.
declare -A RAN=()
while IFS= read -r id; do RAN["$id"]=1; done <"$work/hipaa-ran.txt"
for id in $(printf '%s\n' "${!DECLARED[@]}" | sort -V); do
  [[ -n "${RAN[$id]:-}" ]] ||
    violation "checkov: HIPAA policy ${id} never ran (Checkov did not load it, or no DIR holds a file it checks)"
done
log "checkov: ${#DECLARED[@]} HIPAA policies declared in security/checkov, ${#RAN[@]} ran"

gate_finish
