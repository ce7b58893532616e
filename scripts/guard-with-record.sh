#!/usr/bin/env bash
# Runs one of the build's first guards (verify-release, pool-guard); when it refuses the build, writes
# the refused build's record before the step fails: a report.json and report.md saying FAIL, naming
# the guard and that no gate ran and no deploy started, uploaded to
# gs://COMPLIANCE_BUCKET/reports/$BUILD_ID/, and a `fail` message to the security topic.
# The guards stop the build on purpose (nothing else of a build from the wrong ref, without approval
# or outside the private pool may run), so the refused-* steps that record a gate's refusal never
# start; this is their record. It runs on the Cloud SDK image before any virtualenv exists: gcloud
# and that image's python3 only. The record holds only fixed text and validated names (environment,
# build id, gate id, exit code): never the guard's output, which the build log keeps.
# Exit: the guard's own exit code (0: it passed, nothing recorded), after one FAIL line saying whether the
# record was written; a record that could not be written never changes the refusal.
set -Eeuo pipefail
SCRIPT_NAME="guard-with-record.sh"
USAGE="guard-with-record.sh ENV GATE COMPLIANCE_BUCKET SECURITY_PROJECT_ID scripts/GUARD.sh [ARG...]"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/pipeline.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pipeline.sh"

require_args 5 "$@"
require_environment "$1"
require_match GATE "$2" '^[a-z][a-z0-9-]{1,62}$'
require_match COMPLIANCE_BUCKET "$3" '^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$'
require_match SECURITY_PROJECT_ID "$4" "$RE_PROJECT"
require_match GUARD "$5" '^scripts/[a-z0-9-]+\.sh$'
gate=$2
report_uri="gs://$3/reports"
topic=$(hipaa_security_topic "$4")
guard="${REPO_ROOT}/$5"
[[ "$5" != "scripts/${SCRIPT_NAME}" ]] || usage_error "GUARD may not be ${SCRIPT_NAME} itself"
[[ -f "$guard" && -x "$guard" ]] || usage_error "GUARD='$5' is not an executable script of this repository"
require_tool gcloud python3
require_build_id
report_uri="${report_uri}/${BUILD_ID}"

rc=0
"$guard" "${@:6}" || rc=$?
((rc != 0)) || exit 0

work=""
make_workdir work
# Fixed text and validated names only; json.dumps escapes whatever the names hold.
if ! python3 - "$ENVIRONMENT" "$BUILD_ID" "$gate" "$rc" "$work" <<'PY'; then
import datetime, json, sys
environment, build_id, gate, code, out = sys.argv[1:6]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
reason = f"{gate} refused the build (exit {code}) before any gate ran; its one-line reason is in the build log"
report = {
    "report_version": 1,
    "environment": environment,
    "build_id": build_id,
    "generated_at": now,
    "verdict": "FAIL",
    "deploys": {"allowed": False, "refused_by": [gate]},
    "refused_before_gates": True,
    "summary": {"gates_required": 0, "gates_pass": 0, "gates_fail": 1, "gates_invalid": 0, "gates_missing": 0},
    "gates": [{"id": gate, "status": "fail", "required": True, "reason": reason, "finished_at": now}],
}
with open(f"{out}/report.json", "w", encoding="utf-8") as handle:
    json.dump(report, handle, indent=2)
with open(f"{out}/report.md", "w", encoding="utf-8") as handle:
    handle.write(f"# HIPAA compliance report: {environment} build {build_id}\n\n**Verdict: FAIL**\n\n{reason}. "
                 "No gate ran and no deploy started.\n")
message = {"environment": environment, "build_id": build_id, "verdict": "fail", "refused_by": gate}
with open(f"{out}/message.json", "w", encoding="utf-8") as handle:
    json.dump(message, handle, separators=(",", ":"))
PY
  die "${gate} refused the build (exit ${rc}); its record could not be composed" "$rc"
fi
if ! gcloud storage cp "${work}/report.json" "${work}/report.md" "${report_uri}/" >"${work}/cp.out" 2>&1; then
  die "${gate} refused the build (exit ${rc}); record not uploaded to ${report_uri}/: $(tail -n 1 "${work}/cp.out")" "$rc"
fi
log "refusal record uploaded to ${report_uri}/ (report.json, report.md)"
if ! gcloud pubsub topics publish "$topic" --message="$(<"${work}/message.json")" \
  --attribute="environment=${ENVIRONMENT},verdict=fail" --format=json >"${work}/publish.out" 2>&1; then
  die "${gate} refused the build (exit ${rc}); recorded, but the security topic was not notified: $(tail -n 1 "${work}/publish.out")" "$rc"
fi
log "published fail for ${ENVIRONMENT} build ${BUILD_ID} to ${topic}"
# The step's last line says why it failed, as every failing step's does.
die "${gate} refused the build (exit ${rc}): recorded at ${report_uri}/ and the security team notified" "$rc"
