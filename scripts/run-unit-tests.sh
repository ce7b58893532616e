#!/usr/bin/env bash
# Gate unit-tests: the repository's pytest suite passes and covers more than MIN_COVERAGE percent.
# The requirement is coverage above 85%, so MIN_COVERAGE below 85 is refused as a usage error, and
# coverage equal to MIN_COVERAGE fails (pytest-cov's own floor lets it through; the JSON check does not).
#
#   "${PYTHON:-python3}" -m pytest -n auto --dist loadgroup --cov --cov-report=json:<coverage.json>
#       --cov-fail-under=MIN_COVERAGE --junitxml <junit.xml>
# One worker per core, grouped as `make test` groups them (the pool's e2-standard-8 has eight).
# pytest exits 0 all passed, 1 failures (or coverage below the floor), 2 interrupted, 3 internal
# error, 4 usage error, 5 no tests collected: 2-4 are tool errors, 5 fails as "nothing ran". The
# gate then reads both reports, whatever the exit code said: zero tests run fails, any failed or
# errored test case fails (named by its class and test name, never its message, which can quote
# values), and totals.percent_covered not above MIN_COVERAGE fails. Both reports stay in
# $OUTPUT_DIR/test-results/ for the PHI scan and the compliance report. checked = tests run.
set -Eeuo pipefail
SCRIPT_NAME=run-unit-tests.sh
USAGE="run-unit-tests.sh ENV MIN_COVERAGE"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/scanners.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/scanners.sh"

readonly COVERAGE_FLOOR=85

require_args 2 "$@"
require_environment "$1"
require_match MIN_COVERAGE "$2" '^[0-9]{1,3}$'
MIN_COVERAGE=$((10#$2))
((MIN_COVERAGE >= COVERAGE_FLOOR && MIN_COVERAGE < 100)) ||
  usage_error "MIN_COVERAGE='${2}' must be an integer from ${COVERAGE_FLOOR} to 99: coverage must be above it (above 85% is required)"

gate_begin unit-tests "pytest/pytest-cov/jq"
PY=${PYTHON:-python3}
require_tool "$PY" jq
# The suite runs Checkov and Semgrep from their own virtualenvs (make .venv-tools/.installed
# .tools/semgrep/.installed) and starts a local Spark session (Java 17); without them those tests
# fail, so say so before running anything.
require_tool "${REPO_ROOT}/.venv-tools/bin/checkov" "${REPO_ROOT}/.tools/semgrep/bin/semgrep" java
[[ -n "${OUTPUT_DIR:-}" ]] || die "OUTPUT_DIR is not set"
mkdir -p "$OUTPUT_DIR/test-results"
results=$(cd "$OUTPUT_DIR/test-results" && pwd) # pytest runs from the repository root below
junit="$results/junit.xml"
coverage="$results/coverage.json"
rm -f "$junit" "$coverage" # a previous run's reports must never be read as this one's
work=""
make_workdir work
cd "$REPO_ROOT"

rc=0
run_scanner rc "$work/pytest.out" "$work/pytest.err" "$PY" -m pytest -n auto --dist loadgroup --cov \
  "--cov-report=json:${coverage}" "--cov-fail-under=${MIN_COVERAGE}" --junitxml "$junit" -p no:cacheprovider
case "$rc" in
  0 | 1) ;;
  5) die "pytest collected no tests (exit 5): nothing ran" ;;
  *) tool_failed pytest pytest "$rc" "$work/pytest.err" ;;
esac

# --- junit XML: how many tests ran, which failed -------------------------------------------------
[[ -s "$junit" ]] || die "pytest: report junit.xml is missing or empty"
suites=$(grep -oE '<testsuite [^>]*>' "$junit" || true)
[[ -n "$suites" ]] || die "pytest: report junit.xml has no testsuite (malformed)"
sum_attribute() {
  local total=0 value
  while IFS= read -r value; do
    total=$((total + value))
  done < <(grep -oE " $1=\"[0-9]+\"" <<<"$suites" | grep -oE '[0-9]+')
  printf '%s' "$total"
}
tests=$(sum_attribute tests)
failed=$(($(sum_attribute failures) + $(sum_attribute errors)))
skipped=$(sum_attribute skipped)
ran=$((tests - skipped))
((ran > 0)) || die "pytest: zero tests ran (${tests} collected, ${skipped} skipped)"
checked "$ran"
listed=0
while IFS= read -r case_name; do
  [[ -n "$case_name" ]] || continue
  violation "pytest: ${case_name} failed"
  listed=$((listed + 1))
done < <(grep -oE '<testcase classname="[^"]*" name="[^"]*"[^>]*[^/]><(failure|error)[ >]' "$junit" |
  sed -E 's/^<testcase classname="([^"]*)" name="([^"]*)".*$/\1::\2/' || true)
((failed == listed)) || violation "pytest: ${failed} tests failed or errored (${listed} named)"

# --- coverage JSON ---------------------------------------------------------------------------
require_report coverage "$coverage" '(.totals.percent_covered | type == "number") and (.files | type == "object")'
percent=$(jq -r '.totals.percent_covered' "$coverage")
if awk -v p="$percent" -v min="$MIN_COVERAGE" 'BEGIN { exit !(p <= min) }'; then
  violation "coverage: $(printf '%.2f' "$percent")% is not above the required ${MIN_COVERAGE}%"
fi
if ((rc == 1 && ${#VIOLATIONS[@]} == 0)); then
  violation "pytest: exit 1 but neither a failed test nor low coverage is in its reports"
fi
log "pytest: ${ran} tests ran, ${failed} failed, coverage $(printf '%.2f' "$percent")%"

gate_finish
