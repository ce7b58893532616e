#!/usr/bin/env bash
# Gate checkov: Checkov's Kubernetes, Dockerfile and secrets checks over each DIR (the manifests
# and the Dockerfiles the pipeline deploys and builds). Any failed check fails the gate.
#
# Checkov 3.3, offline: --skip-download (no Prisma Cloud guidelines, severities or custom
# policies), BC_SKIP_MAPPING=TRUE (no guideline mapping download), CKV_SKIP_PACKAGE_UPDATE_CHECK
# (no PyPI version check) and no BC_API_KEY in its environment (nothing is uploaded).
#   -d DIR --framework kubernetes dockerfile secrets --output json --compact --quiet
# The JSON is one report per framework (a list when more than one ran); with --quiet it lists only
# failed checks, so the counts come from each report's summary. A directory with no file Checkov
# parses yields only a zero summary: that is an error, nothing was checked. Checkov exits 0 without
# and 1 with failed checks, but also 1 when it crashes, so exit 1 counts as findings only with a
# well-formed report; anything else is a tool error. Checkov runs from the private work directory,
# so a .checkov.yaml in the repository cannot soft-fail or skip checks behind the gate's back;
# inline `checkov:skip` annotations are reported as skipped counts in the log.
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

gate_begin checkov "checkov/jq"
require_tool checkov jq
work=""
make_workdir work

# shellcheck disable=SC2329  # invoked through run_scanner
checkov_offline() (cd "$work" && env -u BC_API_KEY BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE \
  checkov -d "$1" --framework kubernetes dockerfile secrets --output json --compact --quiet --skip-download)

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
    (.[] | select(.summary.parsing_errors > 0)
      | "checkov: \($dir): \(.summary.parsing_errors) \(.check_type) file(s) could not be parsed")' --arg dir "$name"
  failed=$(jq '[.[].summary.failed] | add // 0' "$work/reports-${index}.json")
  if ((failed > 0 && VIOLATIONS_ADDED == 0)); then
    violation "checkov: ${name}: ${failed} failed checks counted but none listed"
  fi
  if ((rc == 1 && failed == 0)); then
    violation "checkov: ${name}: exit 1 but its report has no failed check"
  fi
  log "checkov ${name}: ${counted} checks, ${failed} failed, $(jq '[.[].summary.skipped] | add // 0' "$work/reports-${index}.json") skipped inline"
done

gate_finish
