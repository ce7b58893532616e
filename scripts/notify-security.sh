#!/usr/bin/env bash
# Tells the security team about this deployment: a Pub/Sub message on
# projects/SECURITY_PROJECT_ID/topics/hipaa-deployments with the verdict of the uploaded report.
# The verdict is read from the uploaded report.json at REPORT_URI (what the auditor sees, and proof
# the upload exists), not from a local copy. The message is PHI-scanned before it is published;
# a finding or a failed publish fails the step (exit 1), and so does a FAIL verdict, once published
# (exit 3: the pipeline lets a refused build's notification go on to its deploy verdict step).
# Needs COMMIT_SHA in the environment (the build's $COMMIT_SHA).
set -Eeuo pipefail
SCRIPT_NAME=notify-security.sh
USAGE="notify-security.sh ENV SECURITY_PROJECT_ID REPORT_URI   (REPORT_URI: gs://COMPLIANCE_BUCKET/reports/BUILD_ID)"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/pipeline.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pipeline.sh"

require_args 3 "$@"
require_environment "$1"
require_match SECURITY_PROJECT_ID "$2" "$RE_PROJECT"
require_match REPORT_URI "$3" "$RE_REPORT_URI"
security_project=$2
report_uri=${3%/}
topic=$(hipaa_security_topic "$security_project")

require_tool gcloud jq "${PYTHON:-python3}"
require_build_id
[[ "$report_uri" == */reports/"${BUILD_ID}" ]] || usage_error "REPORT_URI='$3' is not the report of build ${BUILD_ID}"
[[ "${COMMIT_SHA:-}" =~ ^[0-9a-f]{40}$ ]] || die "COMMIT_SHA is not set to the build's 40-character commit SHA"
work=""
make_workdir work

report=""
capture_json report "report download" gcloud storage cat "${report_uri}/report.json"
verdict=$(jq -r 'if type == "object" then .verdict // empty else empty end' <<<"$report")
[[ "$verdict" == PASS || "$verdict" == FAIL ]] || die "report ${report_uri}/report.json has no PASS or FAIL verdict"
jq -e --arg build "$BUILD_ID" --arg env "$ENVIRONMENT" '.build_id == $build and .environment == $env' \
  >/dev/null <<<"$report" || die "report ${report_uri}/report.json is not the report of ${ENVIRONMENT} build ${BUILD_ID}"
verdict=${verdict,,}

message="${work}/message.json"
notify_rc=0
pipeline_python -m pipeline.notify --environment "$ENVIRONMENT" --build-id "$BUILD_ID" --commit "$COMMIT_SHA" \
  --verdict "$verdict" --report-uri "$report_uri" --out "$message" >/dev/null 2>"${work}/notify.err" || notify_rc=$?
((notify_rc == 0)) || die "message: pipeline.notify failed (exit ${notify_rc}): $(tail -n 1 "${work}/notify.err")"

PHI_FINDINGS=0
PHI_SUMMARY=""
phi_scan "${work}/phi.json" "$message"
if ((PHI_FINDINGS > 0)); then
  while IFS= read -r finding; do
    log "PHI found: ${finding}"
  done < <(phi_finding_lines "${work}/phi.json" "${work}/")
  die "PHI found in the notification (${PHI_FINDINGS} finding(s)); nothing was published"
fi
log "PHI scan of the message: ${PHI_SUMMARY}, 0 finding(s)"

published=""
capture_json published "publish to ${topic}" gcloud pubsub topics publish "$topic" \
  --message="$(jq -c . "$message")" --attribute="environment=${ENVIRONMENT},verdict=${verdict}" --format=json
message_id=$(jq -r 'if (.messageIds | type) == "array" then .messageIds[0] // empty else empty end' <<<"$published")
[[ -n "$message_id" ]] || die "publish to ${topic}: no message id came back"
log "published ${verdict} for ${ENVIRONMENT} build ${BUILD_ID} to ${topic} (message ${message_id})"
[[ "$verdict" == pass ]] || die "the compliance report of build ${BUILD_ID} says FAIL (the security team was notified)" 3
