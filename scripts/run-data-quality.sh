#!/usr/bin/env bash
# data-quality gate: the Great Expectations suites of workloads/quality against the BigQuery tables
# (curated patients and encounters, the de-identified rows and aggregates). A failed expectation, a suite that cannot
# run, or a table with no rows blocks the build. Evidence names tables and rules, never data values.
set -Eeuo pipefail
SCRIPT_NAME=run-data-quality.sh
USAGE="run-data-quality.sh ENV PROJECT_ID BIGQUERY_DATASET"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

require_args 3 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match BIGQUERY_DATASET "$3" "$RE_DATASET"
project=$2
dataset=$3
python=${PYTHON:-python3}

gate_begin data-quality "great_expectations"
require_tool jq "$python"
workdir=""
make_workdir workdir
report="${workdir}/quality.json"

# The suite prints per-table PASS/FAIL lines (names only) to stderr; its exit code is 0, 1 or 2.
rc=0
PYTHONPATH="${ROOT}${PYTHONPATH:+:${PYTHONPATH}}" \
  "$python" -m workloads.quality --project "$project" --dataset "$dataset" --json "$report" >&2 || rc=$?
case "$rc" in
  0 | 1) ;;
  2)
    reason=$(jq -r '.error // empty' "$report" 2>/dev/null || true)
    die "suites could not run: ${reason:-no report, see the log above}"
    ;;
  *) die "python -m workloads.quality exited ${rc}" ;;
esac

[[ -s "$report" ]] || die "the suite exited ${rc} but wrote no report"
jq -e '(.status | type == "string") and (.tables | type == "array")' "$report" >/dev/null 2>&1 ||
  die "the suite's report is malformed"
(($(jq '.tables | length' "$report") > 0)) || die "the suite validated no table"

while IFS=$'\t' read -r table evaluated rows; do
  [[ "$evaluated" =~ ^[0-9]+$ && "$rows" =~ ^[0-9]+$ ]] || die "report: table ${table} lacks counts"
  ((rows > 0)) || die "${table}: no rows; validating nothing is not a pass"
  checked "$evaluated"
done < <(jq -r '.tables[] | [.table, .evaluated, .rows] | @tsv' "$report")

while IFS= read -r message; do
  violation "$message"
done < <(jq -r '.tables[] | .table as $t | .failed[]
  | "\($t): \(.expectation) failed\(if .column then " on column \(.column)" else "" end)"' "$report")

# The exit code, the status and the failures must tell the same story; otherwise trust none of them.
status=$(jq -r '.status' "$report")
if ((${#VIOLATIONS[@]} == 0)); then expected="0 pass"; else expected="1 fail"; fi
[[ "${rc} ${status}" == "$expected" ]] ||
  die "exit ${rc} and status '${status}' disagree with ${#VIOLATIONS[@]} failed expectation(s)"
gate_finish
