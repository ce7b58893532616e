#!/usr/bin/env bash
# Gate iac-validation: the Pulumi counterparts of the requirement's Terraform stages.
#   terraform fmt        -> ruff format --check infra policypack __main__.py
#   validate / tflint    -> ruff check and mypy --strict over the same program
#   Checkov HIPAA policy -> the project's policy pack (every policy mandatory) in pulumi preview
#   plan                 -> pulumi preview --stack ENV --json, then the same HIPAA rules over the
#                           saved preview with `python -m infra check` (exit 1 violations, 2 malformed)
#
# Ruff (--output-format json for both commands) exits 0 clean, 1 findings, 2 error; mypy exits 0,
# 1 errors, 2 error. `pulumi login BACKEND_URL` (a gs:// state bucket) then
#   pulumi preview --stack ENV --policy-pack policypack --json --non-interactive > $OUTPUT_DIR/preview.json
# A mandatory policy violation makes the preview exit non-zero. Pulumi 3.x does not serialise
# policy-violation events into preview --json (pkg/backend/display/json.go skips them; see
# pulumi/pulumi#18851), so the gate fails on the exit code, on every diagnostic of severity error
# or starting "mandatory:", and then re-checks the preview with the same rules (infra/rules) offline.
# The preview must be of stack ENV (every URN) and must have resources; preview.json stays in
# OUTPUT_DIR for the deploy step. checked = resources in the preview's steps (not the stack or
# provider resources). The preview reads the cloud as the deployer account the deploy step uses
# (GOOGLE_IMPERSONATE_SERVICE_ACCOUNT, for the preview alone), so both see the same resources.
set -Eeuo pipefail
SCRIPT_NAME=run-iac-validation.sh
USAGE="run-iac-validation.sh ENV BACKEND_URL"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/deploy.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/deploy.sh"
# shellcheck source=lib/scanners.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/scanners.sh"

readonly PROGRAM=(infra policypack __main__.py)
# Diagnostics that stop a deployment: errors and mandatory policy violations. Named by the
# resource's name and the first line of the message, cut at 160 characters.
readonly ERROR_DIAGNOSTICS='
  | select(.severity == "error" or (.message // "" | test("^\\s*mandatory:")))
  | "pulumi preview: \(.urn // "stack" | split("::") | last): \(.message // "" | split("\n")
    | map(select(test("\\S"))) | first // "" | .[0:160])"'

require_args 2 "$@"
require_environment "$1"
require_match BACKEND_URL "$2" "$RE_GS_URI"
BACKEND_URL=$2

gate_begin iac-validation "ruff/mypy/pulumi/jq"
require_deployer
PY=${PYTHON:-python3}
require_tool ruff mypy pulumi jq "$PY"
[[ -n "${OUTPUT_DIR:-}" ]] || die "OUTPUT_DIR is not set"
mkdir -p "$OUTPUT_DIR"
OUTPUT_DIR=$(cd "$OUTPUT_DIR" && pwd) # the program runs from the repository root below
preview="$OUTPUT_DIR/preview.json"
rm -f "$preview" # an earlier build's preview must never be checked as this one's
work=""
make_workdir work
cd "$REPO_ROOT"

# ruff_stage WHAT REPORT ARGS...: a ruff command with JSON output; every diagnostic is a violation.
ruff_stage() {
  local what=$1 report=$2 rc=0
  shift 2
  run_scanner rc "$report" "$work/ruff.err" ruff "$@" --output-format json "${PROGRAM[@]}"
  ((rc <= 1)) || tool_failed "$what" ruff "$rc" "$work/ruff.err"
  require_report "$what" "$report" 'type == "array"'
  # shellcheck disable=SC2016  # $root in the quotes is a jq variable
  violations_from "$what" "$report" \
    '.[] | "\($stage): \(.filename | ltrimstr($root + "/")):\(.location.row // 0) \(.code // "syntax")"' \
    --arg stage "$what" --arg root "$REPO_ROOT"
  if ((rc == 1 && VIOLATIONS_ADDED == 0)); then
    violation "${what}: exit 1 but its report lists nothing"
  fi
}
ruff_stage "ruff format" "$work/ruff-format.json" format --check --no-cache
ruff_stage "ruff check" "$work/ruff-check.json" check --no-cache

rc=0
run_scanner rc "$work/mypy.txt" "$work/mypy.err" mypy --strict --no-pretty --no-color-output \
  --show-error-codes "${PROGRAM[@]}"
((rc <= 1)) || tool_failed mypy mypy "$rc" "$work/mypy.err"
mypy_verdict mypy "$rc" "$work/mypy.txt"

run_quiet "pulumi login" pulumi login --non-interactive "$BACKEND_URL"
rc=0
run_scanner rc "$preview" "$work/preview.err" env GOOGLE_IMPERSONATE_SERVICE_ACCOUNT="$DEPLOYER_ACCOUNT" \
  pulumi preview --stack "$ENVIRONMENT" --policy-pack policypack --json --non-interactive
if ((rc != 0)); then
  # The engine's own diagnostics say which resource or policy stopped it, when the JSON made it out.
  if [[ -s "$preview" ]] && jq -e '.diagnostics | type == "array"' "$preview" >/dev/null 2>&1; then
    violations_from "pulumi preview" "$preview" "(.diagnostics // [])[] ${ERROR_DIAGNOSTICS}"
  fi
  tool_failed "pulumi preview" pulumi "$rc" "$work/preview.err"
fi
require_report "pulumi preview" "$preview" '(.steps | type == "array")'
violations_from "pulumi preview" "$preview" "(.diagnostics // [])[] ${ERROR_DIAGNOSTICS}"
# shellcheck disable=SC2016  # $stack in the quotes is a jq variable
violations_from "pulumi preview" "$preview" \
  '.steps[] | select((.urn // "") | startswith("urn:pulumi:" + $stack + "::") | not)
   | "pulumi preview: step \(.urn // "without urn") is not of stack \($stack)"' --arg stack "$ENVIRONMENT"
resources=$(jq '[.steps[] | (.newState.type // .oldState.type // "")
  | select(. != "pulumi:pulumi:Stack" and (startswith("pulumi:providers:") | not))] | length' "$preview")
((resources > 0)) || die "pulumi preview: no resources in the preview (nothing to check)"
checked "$resources"

rc=0
run_scanner rc "$work/check.txt" "$work/check.err" "$PY" -m infra check "$preview"
case "$rc" in
  0) ;;
  1)
    listed=0
    while IFS= read -r line; do
      violation "infra check: ${line#violation }"
      listed=$((listed + 1))
    done < <(grep '^violation ' "$work/check.txt" || true)
    ((listed > 0)) || violation "infra check: exit 1 but no violation listed"
    ;;
  2) die "infra check: preview.json is malformed ($(first_line "$work/check.err"))" ;;
  *) tool_failed "infra check" "$PY -m infra" "$rc" "$work/check.err" ;;
esac
log "iac-validation: ${resources} resources previewed for stack ${ENVIRONMENT}"

gate_finish
