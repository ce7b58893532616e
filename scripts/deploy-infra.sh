#!/usr/bin/env bash
# `pulumi up` of the environment's stack against the state in BACKEND_URL, with the HIPAA policy
# pack loaded and a preview first. Reads pulumi's engine events (`--json` prints one event per
# line) and fails on any policy violation (advisory ones included), any error diagnostic, a failed
# resource operation, a possibly corrupt state, or a non-zero exit. checked = resources in the
# update's summary. The build account holds no admin role: the provider impersonates the deployer
# account (GOOGLE_IMPERSONATE_SERVICE_ACCOUNT, set for `pulumi up` alone), while the CLI itself
# reads the state bucket and the secrets key as the build account.
set -Eeuo pipefail
SCRIPT_NAME=deploy-infra.sh
USAGE="deploy-infra.sh ENV BACKEND_URL"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/deploy.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/deploy.sh"

PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

require_args 2 "$@"
require_environment "$1"
require_match BACKEND_URL "$2" "$RE_GS_URI"
BACKEND_URL=$2
POLICY_PACK=${POLICY_PACK_DIR:-${PROJECT_ROOT}/policypack}

require_tool pulumi jq
gate_begin deploy-infra "pulumi/jq"
require_prod_approval
require_deployer

[[ -f "${POLICY_PACK}/PulumiPolicy.yaml" ]] ||
  die "policy pack ${POLICY_PACK} is missing (no PulumiPolicy.yaml): refusing to deploy without the HIPAA policies"

# The private pool has no route to the internet: no update check against Pulumi's servers.
export PULUMI_SKIP_UPDATE_CHECK=true
run_quiet "pulumi login" pulumi login "$BACKEND_URL"

workdir=""
make_workdir workdir
# Not through capture_json: pulumi exits non-zero on a mandatory policy violation, and its events
# are still needed to name the violation in the evidence. Every check capture_json makes (exit code,
# empty output, malformed JSON) is made below.
rc=0
log "pulumi up --stack ${ENVIRONMENT} with policy pack ${POLICY_PACK##*/} as ${DEPLOYER_ACCOUNT}"
GOOGLE_IMPERSONATE_SERVICE_ACCOUNT="$DEPLOYER_ACCOUNT" pulumi up --stack "$ENVIRONMENT" --cwd "$PROJECT_ROOT" \
  --yes --skip-preview=false --policy-pack "$POLICY_PACK" --json --non-interactive --suppress-outputs \
  --message "Cloud Build ${BUILD_ID:-local}" >"${workdir}/events.jsonl" 2>"${workdir}/stderr" || rc=$?
first_error=$(head -c 200 "${workdir}/stderr" | head -n 1)

[[ -n "$(tr -d '[:space:]' <"${workdir}/events.jsonl")" ]] ||
  die "pulumi up printed no events (exit ${rc})${first_error:+: ${first_error}}"
events=$(jq -s . "${workdir}/events.jsonl" 2>/dev/null) || die "pulumi up printed malformed JSON (exit ${rc})"
jq -e 'all(.[]; type == "object")' >/dev/null <<<"$events" || die "pulumi up printed events that are not JSON objects"

findings=$(jq -r '.[] |
  if .policyEvent then .policyEvent
    | "policy \(.policyName) (\(.policyPackName), \(.enforcementLevel)) flagged \(.resourceUrn // "the stack")"
  elif (.diagnosticEvent.severity // "") == "error" then "pulumi error on \(.diagnosticEvent.urn // "the stack")"
  elif .resOpFailedEvent then "\(.resOpFailedEvent.metadata.op) failed on \(.resOpFailedEvent.metadata.urn)"
  else empty end' <<<"$events" 2>/dev/null) || die "pulumi up printed events of an unexpected shape"
while IFS= read -r finding; do
  [[ -z "$finding" ]] || violation "$finding"
done <<<"$findings"
# Operators need the provider's words; they go to the log, not into the evidence.
first_diagnostic=$(jq -r '[.[] | .diagnosticEvent // empty | select(.severity == "error") | .message][0] // empty
  | split("\n")[0][:200]' <<<"$events" 2>/dev/null || true)
[[ -z "$first_diagnostic" ]] || log "first error: ${first_diagnostic}"

summary=$(jq -c '[.[] | .summaryEvent // empty | select(.isPreview == false)] | last // empty' <<<"$events")
((rc == 0)) || die "pulumi up failed (exit ${rc})${first_error:+: ${first_error}}"
[[ -n "$summary" ]] || die "pulumi up printed no update summary"
[[ "$(jq -r '.maybeCorrupt' <<<"$summary")" != true ]] || violation "stack ${ENVIRONMENT}: state may be corrupt after the update"
resources=$(jq -r '.resourceChanges // {} | [.[] | numbers] | add // 0' <<<"$summary")
checked "$resources"
log "update summary: $(jq -c '.resourceChanges' <<<"$summary")"
gate_finish
