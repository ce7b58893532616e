#!/usr/bin/env bash
# Monitoring gate: the HIPAA log-based metrics (monitoring/ENV/metrics/*.json) and their alert
# policies (monitoring/ENV/policies/*.json) exist in the environment project and notify the security
# team through a Pub/Sub channel to projects/SECURITY_PROJECT_ID/topics/hipaa-deployments. The
# definitions are exported from the Monitoring component (python -m infra monitoring-export), so
# they name the same objects `pulumi up` creates and this gate verifies what Pulumi made.
#
# Idempotent: lists what exists, creates only what is missing (the channel from
# monitoring/ENV/channels/hipaa-deployments.json), then lists again and fails when anything is still
# missing, disabled, not notifying the channel, or differs from the shipped definition. Existing
# objects are never changed or re-enabled here: a disabled alert or a changed filter is someone's
# decision that the security team must see, so it fails the gate instead. It changes the project,
# so in prod it first requires the build's approval (require_prod_approval).
# shellcheck disable=SC2016  # $names in single quotes are jq variables
set -Eeuo pipefail
SCRIPT_NAME=configure-monitoring.sh
USAGE="configure-monitoring.sh ENV PROJECT_ID SECURITY_PROJECT_ID"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"

require_args 3 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match SECURITY_PROJECT_ID "$3" "$RE_PROJECT"
PROJECT=$2 SECURITY_PROJECT=$3
[[ "$SECURITY_PROJECT" != "$PROJECT" ]] || usage_error "SECURITY_PROJECT_ID must be a separate project, not ${PROJECT}"
TOPIC=$(hipaa_security_topic "$SECURITY_PROJECT")

gate_begin monitoring "gcloud/jq"
require_tool gcloud jq
# MONITORING_DIR only for tests of broken definitions; the pipeline uses the repository's.
DEFINITIONS=$(cd "${MONITORING_DIR:-$(dirname "${BASH_SOURCE[0]}")/../monitoring/${ENVIRONMENT}}" 2>/dev/null && pwd) ||
  die "monitoring definitions for ${ENVIRONMENT} not found"

# --- The shipped definitions: read and checked before anything is created --------------------
shopt -s nullglob
metric_files=("$DEFINITIONS"/metrics/*.json)
policy_files=("$DEFINITIONS"/policies/*.json)
channel_file="$DEFINITIONS/channels/hipaa-deployments.json"
((${#metric_files[@]} > 0 && ${#policy_files[@]} > 0)) || die "no metric or policy definitions under ${DEFINITIONS}"
[[ -f "$channel_file" ]] || die "missing channel definition ${channel_file}"
metric_defs=$(jq -c -n '[inputs | {name, filter}]' "${metric_files[@]}" 2>/dev/null) ||
  die "metric definitions under ${DEFINITIONS}/metrics: malformed JSON"
# Each policy's metric types: a shipped log metric (logging.googleapis.com/user/NAME) or a built-in
# metric such as logging.googleapis.com/exports/error_count.
policy_defs=$(jq -c -n '[inputs | {file: input_filename, displayName,
    types: [.conditions[]?.conditionThreshold.filter // "" | capture("metric\\.type=\"(?<t>[^\"]+)\"").t]}]' \
  "${policy_files[@]}" 2>/dev/null) || die "policy definitions under ${DEFINITIONS}/policies: malformed JSON"
problem=$(jq -r -n --argjson metrics "$metric_defs" --argjson policies "$policy_defs" '
  [($metrics[] | select((.name | type) != "string" or (.filter | type) != "string" or .filter == "")
    | "metric definition \(.name // "without a name"): needs a name and a filter"),
   ($policies[] | select((.displayName | type) != "string" or (.types | length) == 0
                         or any(.types[]; startswith("logging.googleapis.com/user/")
                                and (ltrimstr("logging.googleapis.com/user/") as $m
                                     | $metrics | map(.name) | index($m) | not)))
    | "policy definition \(.displayName // "without a displayName"): must alert on a shipped log metric or a built-in metric")]
  | first // ""')
[[ -z "$problem" ]] || die "$problem"
# It creates the notification channel, log metrics and alert policies: in prod only in an approved
# build. Asked after the local definitions are checked, before the first call that reads the project.
require_prod_approval

work=""
make_workdir work

# --- Notification channel to the security topic ---------------------------------------------
list_channels() {
  capture_json_array channels "notification channels of ${PROJECT}" \
    gcloud beta monitoring channels list --project "$PROJECT" --format=json
  channel=$(jq -r --arg topic "$TOPIC" \
    'first(.[] | select(.type == "pubsub" and .labels.topic == $topic) | .name) // ""' <<<"$channels" 2>/dev/null) ||
    die "notification channels of ${PROJECT}: unexpected JSON shape"
}
channels="" channel=""
list_channels
if [[ -z "$channel" ]]; then
  log "creating the notification channel to ${TOPIC}"
  jq --arg topic "$TOPIC" --arg env "$ENVIRONMENT" '.labels.topic = $topic | .userLabels.environment = $env' \
    "$channel_file" >"${work}/channel.json"
  run_quiet "create notification channel" \
    gcloud beta monitoring channels create --channel-content-from-file="${work}/channel.json" --project "$PROJECT" --format=json
  list_channels
fi
[[ -n "$channel" ]] || die "no notification channel to ${TOPIC} after creating it"

# --- Log-based metrics ------------------------------------------------------------------------
metrics=""
capture_json_array metrics "log metrics of ${PROJECT}" gcloud logging metrics list --project "$PROJECT" --format=json
missing=$(jq -r --argjson defs "$metric_defs" '($defs | map(.name)) - map(.name) | .[]' <<<"$metrics" 2>/dev/null) ||
  die "log metrics of ${PROJECT}: unexpected JSON shape"
while IFS= read -r name; do
  [[ -n "$name" ]] || continue
  log "creating log metric ${name}"
  run_quiet "create log metric ${name}" gcloud logging metrics create "$name" \
    --config-from-file="$DEFINITIONS/metrics/${name}.json" --project "$PROJECT"
done <<<"$missing"
if [[ -n "$missing" ]]; then
  capture_json_array metrics "log metrics of ${PROJECT}" gcloud logging metrics list --project "$PROJECT" --format=json
fi

# --- Alert policies ---------------------------------------------------------------------------
policies=""
capture_json_array policies "alert policies of ${PROJECT}" \
  gcloud alpha monitoring policies list --project "$PROJECT" --format=json
missing=$(jq -r --argjson defs "$policy_defs" \
  '(map(.displayName)) as $present | $defs[] | select(.displayName as $t | $present | index($t) | not) | .file' \
  <<<"$policies" 2>/dev/null) || die "alert policies of ${PROJECT}: unexpected JSON shape"
created=0
while IFS= read -r file; do
  [[ -n "$file" ]] || continue
  log "creating alert policy from ${file##*/}"
  rendered="${work}/${file##*/}"
  jq --arg channel "$channel" --arg env "$ENVIRONMENT" \
    '.notificationChannels = [$channel] | .userLabels.environment = $env' "$file" >"$rendered"
  run_quiet "create alert policy ${file##*/}" \
    gcloud alpha monitoring policies create --policy-from-file="$rendered" --project "$PROJECT" --format=json
  created=$((created + 1))
done <<<"$missing"
if ((created > 0)); then
  capture_json_array policies "alert policies of ${PROJECT}" \
    gcloud alpha monitoring policies list --project "$PROJECT" --format=json
fi

# --- Verify what is there now -----------------------------------------------------------------
judge "monitoring of ${PROJECT}" \
  "{\"channels\":${channels},\"metrics\":${metrics},\"policies\":${policies}}" '
  (.metrics | map({key: .name, value: .}) | from_entries) as $present
  | {checked: (1 + ($metric_defs | length) + ($policy_defs | length)),
     violations: [
       (.channels[] | select(.name == $channel and .enabled == false)
        | "notification channel \($channel): disabled"),
       ($metric_defs[] | .name as $name | $present[$name] as $metric
        | if $metric == null then "log metric \($name): missing after configuring"
          elif $metric.disabled == true then "log metric \($name): disabled"
          elif $metric.filter != .filter then "log metric \($name): filter differs from monitoring/\($env)/metrics/\($name).json"
          else empty end),
       (.policies as $policies | $policy_defs[] | .displayName as $title | .types as $uses
        | [$policies[] | select(.displayName == $title)] as $found
        | if ($found | length) == 0 then "alert policy \($title): missing after configuring"
          else $found[]
            | (select(.enabled != true) | "alert policy \($title): disabled"),
              (select((.notificationChannels // []) | index($channel) | not)
               | "alert policy \($title): does not notify the channel to \($topic)"),
              (select(. as $policy | any($uses[]; . as $type
                       | [$policy.conditions[]?.conditionThreshold.filter // ""
                          | select(contains("metric.type=\"" + $type + "\""))] | length == 0))
               | "alert policy \($title): no longer alerts on its metric")
          end)]}' \
  --arg channel "$channel" --arg topic "$TOPIC" --arg env "$ENVIRONMENT" --argjson metric_defs "$metric_defs" --argjson policy_defs "$policy_defs"

gate_finish
