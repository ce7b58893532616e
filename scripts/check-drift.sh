#!/usr/bin/env bash
# Gate drift-check, run once a day by each stack's drift trigger (drift.cloudbuild.yaml): does the
# environment still match its stack? Read-only: nothing here changes the cloud or the state.
#   1. pulumi refresh --preview-only --expect-no-changes --json: a resource changed or deleted by
#      hand since the last deploy shows as a refresh step that is not "same".
#   2. pulumi preview --expect-no-changes --json: the program, at the ref the last deploy built,
#      would change something (a hand-made change the refresh alone does not surface, or a deploy
#      that never finished).
# Both print one preview document ({"steps": [...], "changeSummary": {...}}). Every step whose op
# is not "same" (or a refresh step with a diff) is a violation naming the op and the URN; a change
# summary counting changes the steps do not name is one too. --expect-no-changes makes pulumi exit
# non-zero on drift: a non-zero exit with drift listed is drift, without it a tool failure.
# Values are never printed: URNs name resources, not data. checked = resources previewed (stack
# and providers left out). Both run as the deployer account the deploy impersonates, so they see
# what it sees. The gate's one-line FAIL ("check-drift.sh: FAIL: drift-check: ...") is what the
# infrastructure-drift alert (infra/security/security_alerts.py) counts in the build logs.
set -Eeuo pipefail
SCRIPT_NAME=check-drift.sh
USAGE="check-drift.sh ENV BACKEND_URL"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/deploy.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/deploy.sh"
# shellcheck source=lib/scanners.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/scanners.sh"

readonly PREVIEW_SHAPE='(.steps | type == "array") and ((.changeSummary // {}) | type == "object")'
# Steps that are drift: anything but "same"; a refresh step only when it carries a diff.
# shellcheck disable=SC2016  # $stage in the quotes is a jq variable
readonly DRIFTED='.steps[]
  | select(.op != "same" and (.op != "refresh" or ((.diffReasons // []) + (.detailedDiff // {} | keys) | length > 0)))
  | "drift (\($stage)): \(.op) \(.urn // "a step without urn")"'
readonly CHANGES='[(.changeSummary // {}) | to_entries[] | select(.key != "same") | .value | numbers] | add // 0'

require_args 2 "$@"
require_environment "$1"
require_match BACKEND_URL "$2" "$RE_GS_URI"
BACKEND_URL=$2

gate_begin drift-check "pulumi/jq"
require_deployer
require_tool pulumi jq
work=""
make_workdir work
cd "$REPO_ROOT"

# The private pool has no route to the internet: no update check against Pulumi's servers.
export PULUMI_SKIP_UPDATE_CHECK=true
run_quiet "pulumi login" pulumi login --non-interactive "$BACKEND_URL"

# drift_stage NAME ARGS...: one read-only pulumi command; records each drifted step as a violation.
drift_stage() {
  local name=$1 report="$work/$1.json" rc=0 changes
  shift
  run_scanner rc "$report" "$work/$name.err" env GOOGLE_IMPERSONATE_SERVICE_ACCOUNT="$DEPLOYER_ACCOUNT" \
    pulumi "$@" --stack "$ENVIRONMENT" --expect-no-changes --json --non-interactive --suppress-outputs
  [[ -s "$report" ]] || tool_failed "pulumi $name" pulumi "$rc" "$work/$name.err"
  require_report "pulumi $name" "$report" "$PREVIEW_SHAPE"
  # shellcheck disable=SC2016  # $stage and $stack in the quotes are jq variables
  violations_from "pulumi $name" "$report" \
    '.steps[] | select((.urn // "") | startswith("urn:pulumi:" + $stack + "::") | not)
     | "pulumi \($stage): step \(.urn // "without urn") is not of stack \($stack)"' \
    --arg stack "$ENVIRONMENT" --arg stage "$name"
  violations_from "pulumi $name" "$report" "$DRIFTED" --arg stage "$name"
  local named=$VIOLATIONS_ADDED
  changes=$(jq -r "$CHANGES" "$report") || die "pulumi ${name}: could not read its change summary"
  if ((named == 0 && changes > 0)); then
    violation "drift (${name}): the change summary counts ${changes} change(s) no step names"
  fi
  if ((rc != 0 && named == 0 && changes == 0)); then
    tool_failed "pulumi $name" pulumi "$rc" "$work/$name.err"
  fi
  DRIFT_RESOURCES=$(jq '[.steps[] | (.newState.type // .oldState.type // "")
    | select(. != "pulumi:pulumi:Stack" and (startswith("pulumi:providers:") | not))] | length' "$report")
}

drift_stage refresh refresh --preview-only
refreshed=$DRIFT_RESOURCES
drift_stage preview preview
((refreshed > 0 || DRIFT_RESOURCES > 0)) || die "stack ${ENVIRONMENT}: no resources previewed (nothing to check)"
checked "$((refreshed > DRIFT_RESOURCES ? refreshed : DRIFT_RESOURCES))"
log "drift-check: stack ${ENVIRONMENT}: ${refreshed} resources refreshed, ${DRIFT_RESOURCES} previewed"
gate_finish
