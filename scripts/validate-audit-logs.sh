#!/usr/bin/env bash
# Audit-log gate: the environment project writes Admin Read, Data Read and Data Write audit logs
# for every service, routes them through an enabled sink to a log bucket in the separate SIEM
# project, that bucket keeps them (locked, long enough), and recent entries actually arrived.
#
# Environment-aware: minimum retention is the environment's (dev 30, staging 365, prod 2190
# days, as infra/config.py MIN_LOG_RETENTION_DAYS); the bucket must be locked in staging and
# prod, where a locked retention policy is what makes the audit trail tamper-evident.
# The audit config, the sinks and the SIEM log buckets are also compared with the expected inventory
# (security/inventory/<env>.json): a planned sink that is gone, a destination, filter, retention,
# lock or CMEK key that differs from the plan, and a sink nobody planned (tolerated in dev; Google's
# _Default and _Required are not unmanaged) each fail the gate. Every planned SIEM bucket is read,
# whether or not a sink still routes to it.
# shellcheck disable=SC2016  # $names in single quotes are jq variables
set -Eeuo pipefail
SCRIPT_NAME=validate-audit-logs.sh
USAGE="validate-audit-logs.sh ENV PROJECT_ID SIEM_PROJECT_ID"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
# shellcheck source=lib/inventory.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/inventory.sh"

require_args 3 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match SIEM_PROJECT_ID "$3" "$RE_PROJECT"
PROJECT=$2 SIEM_PROJECT=$3
[[ "$SIEM_PROJECT" != "$PROJECT" ]] || usage_error "SIEM_PROJECT_ID must be a separate project, not ${PROJECT}"

case "$ENVIRONMENT" in
  dev) MIN_RETENTION_DAYS=30 ;;
  staging) MIN_RETENTION_DAYS=365 ;;
  prod) MIN_RETENTION_DAYS=2190 ;;
esac
LOCK_REQUIRED=true
[[ "$ENVIRONMENT" != dev ]] || LOCK_REQUIRED=false
readonly FRESHNESS=1d

gate_begin audit-logs "gcloud/jq"
require_tool gcloud jq
inventory_begin project="$PROJECT" siem_project="$SIEM_PROJECT"

policy=""
capture_json policy "IAM policy of ${PROJECT}" gcloud projects get-iam-policy "$PROJECT" --format=json
check_audit_config "$policy" "$PROJECT"
inventory_compare audit_configs "audit configs of ${PROJECT}" "$(jq -c '.auditConfigs // []' <<<"$policy")" '.service'

# --- Sinks to the SIEM project ----------------------------------------------------------------
sinks=""
capture_json_array sinks "log sinks of ${PROJECT}" gcloud logging sinks list --project "$PROJECT" --format=json
inventory_compare sinks "log sinks of ${PROJECT}" "$sinks" '.name'
# A filter covers audit logs when it is empty (everything) or selects cloudaudit.googleapis.com
# without negating a log name.
readonly SINK_DEFS='
  def to_siem: .destination // "" | test("^[a-z]+\\.googleapis\\.com/projects/" + $siem + "(/|$)");
  def audit_filter: test("cloudaudit\\.googleapis\\.com") and (test("(NOT\\s+|-)\\s*(logName|log_id|LOG_ID)") | not);
  def covers_audit: (.filter // "") | test("^\\s*$") or audit_filter;
  def drops_audit: [.exclusions[]? | select((.disabled // false) == false) | select(.filter // "" | test("cloudaudit"))];
  def log_bucket: .destination // "" | capture("^logging\\.googleapis\\.com/projects/[^/]+/locations/(?<location>[^/]+)/buckets/(?<bucket>[^/]+)$");'
judge "log sinks of ${PROJECT}" "$sinks" "${SINK_DEFS}"'
  [.[] | select(to_siem)] as $siem_sinks
  | {checked: ([$siem_sinks | length, 1] | max),
     violations: (
       [select($siem_sinks | length == 0) | "project \($project): no log sink to the SIEM project \($siem)"]
       + [$siem_sinks[] | .name as $sink
          | (select(.disabled == true) | "sink \($sink): disabled"),
            (select(covers_audit | not) | "sink \($sink): filter does not route cloudaudit.googleapis.com logs"),
            (drops_audit[] | "sink \($sink): exclusion \(.name) drops audit logs"),
            (select([log_bucket] | length == 0)
             | "sink \($sink): destination is not a log bucket, its lock and retention cannot be verified")])}' \
  --arg project "$PROJECT" --arg siem "$SIEM_PROJECT"

destinations=$(jq -r --arg siem "$SIEM_PROJECT" "${SINK_DEFS}"'
  [.[] | select(to_siem and (.disabled != true) and covers_audit and (drops_audit | length == 0))
   | log_bucket | "\(.location) \(.bucket)"] | unique | .[]' <<<"$sinks" 2>/dev/null) ||
  die "log sinks of ${PROJECT}: unexpected JSON shape"

# The planned SIEM buckets too: one no sink routes to any more is still read (and gets no entries).
while IFS= read -r planned; do
  [[ -n "$planned" ]] || continue
  rest=${planned#"projects/${SIEM_PROJECT}/locations/"}
  destinations+=$'\n'"${rest%%/*} ${rest##*/}"
done < <(inventory_ids log_buckets "projects/${SIEM_PROJECT}/locations/")
destinations=$(sort -u <<<"$destinations")

# --- The SIEM log bucket: lock, retention and fresh entries -----------------------------------
log_buckets=""
while read -r location bucket; do
  [[ -n "${bucket:-}" ]] || continue
  described=""
  capture_json described "SIEM log bucket ${bucket}" \
    gcloud logging buckets describe "$bucket" --location "$location" --project "$SIEM_PROJECT" --format=json
  log_buckets+="${log_buckets:+,}${described}"
  judge "SIEM log bucket ${bucket}" "$described" '
    {checked: 1,
     violations: [
       (select((.lifecycleState // "ACTIVE") != "ACTIVE") | "log bucket \($bucket): lifecycle state \(.lifecycleState)"),
       (select($lock and (.locked != true)) | "log bucket \($bucket): not locked (required in \($env))"),
       (select((.retentionDays // 0) < $min)
        | "log bucket \($bucket): retention \(.retentionDays // 0) days, \($env) requires at least \($min)")]}' \
    --arg bucket "$bucket" --arg env "$ENVIRONMENT" --argjson min "$MIN_RETENTION_DAYS" --argjson lock "$LOCK_REQUIRED"

  entries=""
  capture_json_array entries "audit entries in ${bucket}" \
    gcloud logging read "logName:\"projects/${PROJECT}/logs/cloudaudit.googleapis.com\"" \
    --project "$SIEM_PROJECT" --bucket "$bucket" --location "$location" --view _AllLogs \
    --freshness "$FRESHNESS" --limit 1 --format=json
  # Count entries only; their payloads are never printed.
  judge "audit entries in ${bucket}" "$entries" '
    {checked: 1,
     violations: [select([.[] | select(.logName // "" | startswith("projects/\($project)/logs/cloudaudit.googleapis.com"))]
                         | length == 0)
                  | "log bucket \($bucket): no audit entries from \($project) in the last \($freshness)"]}' \
    --arg bucket "$bucket" --arg project "$PROJECT" --arg freshness "$FRESHNESS"
done <<<"$destinations"
inventory_compare log_buckets "SIEM log buckets of ${SIEM_PROJECT}" "[${log_buckets}]" '.name'

gate_finish
