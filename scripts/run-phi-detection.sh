#!/usr/bin/env bash
# Gate phi-detection: a Presidio PHI scan of this build's log (read back from Cloud Logging, where
# the build logs) and of the test outputs, evidence and outputs the build produced, before any of
# it leaves the build. Any finding blocks the build; evidence names file, line, entity type and
# score, never the matched text.
set -Eeuo pipefail
SCRIPT_NAME=run-phi-detection.sh
USAGE="run-phi-detection.sh ENV PATH...   (files or directories to scan along with the build log)"
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/pipeline.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pipeline.sh"

require_args 2 "$@"
require_environment "$1"
shift
for ((i = 1; i <= $#; i++)); do
  [[ -n "${!i}" ]] || usage_error "PATH argument ${i} is empty"
done

gate_begin phi-detection "presidio/gcloud/jq"
require_tool gcloud jq "${PYTHON:-python3}"
require_build_id
[[ -n "${PROJECT_ID:-}" ]] || die "PROJECT_ID is not set"
work=""
make_workdir work

# The build's own log so far. An empty answer is not a clean log: it is a log we could not read.
entries=""
capture_json_array entries "build log" gcloud logging read \
  "resource.type=\"build\" AND resource.labels.build_id=\"${BUILD_ID}\"" \
  --project="$PROJECT_ID" --order=asc --freshness=2d --format=json
jq -e 'length > 0' >/dev/null <<<"$entries" ||
  die "build log: Cloud Logging has no entry for build ${BUILD_ID}, so the log cannot be shown to be clean"
jq -e 'all(.[]; type == "object")' >/dev/null <<<"$entries" || die "build log: entries are not JSON objects"
build_log="${work}/build-${BUILD_ID}.log"
(
  umask 077
  jq -r '.[] | .textPayload // ((.jsonPayload // .protoPayload) | select(. != null) | tojson) // empty' \
    <<<"$entries" >"$build_log"
)
[[ -s "$build_log" ]] || die "build log: no entry of build ${BUILD_ID} carries a text or JSON payload"
log "build log: $(jq length <<<"$entries") entries from Cloud Logging"

result="${work}/phi.json"
PHI_FINDINGS=0
PHI_SUMMARY=""
phi_scan "$result" "$build_log" "$@"
log "PHI scan: ${PHI_SUMMARY}, ${PHI_FINDINGS} finding(s)"
checked "$(jq '.files_scanned' "$result")"
while IFS= read -r finding; do
  violation "PHI found: ${finding}"
done < <(phi_finding_lines "$result" "${work}/")
gate_finish
