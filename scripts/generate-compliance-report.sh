#!/usr/bin/env bash
# The HIPAA compliance report of this build: pipeline.report over every gate's evidence, a PHI scan
# of everything about to leave the build (the rendered report and the evidence copies next to it),
# upload to gs://COMPLIANCE_BUCKET/reports/$BUILD_ID/, and a listing that proves the upload. A
# report that says FAIL is uploaded too (an auditor needs it, a refused build's most of all) and then
# fails this step with exit 3, so the pipeline can let the notification follow a recorded FAIL
# (allowExitCodes) while any other failure (exit 1: no report, or one not proven uploaded) stops it.
set -Eeuo pipefail
SCRIPT_NAME=generate-compliance-report.sh
USAGE="generate-compliance-report.sh ENV COMPLIANCE_BUCKET"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/pipeline.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pipeline.sh"

require_args 2 "$@"
require_environment "$1"
require_match COMPLIANCE_BUCKET "$2" "$RE_BUCKET"
bucket=$2

require_tool gcloud jq "${PYTHON:-python3}"
require_build_id
[[ -n "${EVIDENCE_DIR:-}" ]] || die "EVIDENCE_DIR is not set"
[[ -d "$EVIDENCE_DIR" ]] || die "EVIDENCE_DIR ${EVIDENCE_DIR} is not a directory"
work=""
make_workdir work
out="${work}/report"

# 1. The report. Exit 1 is a FAIL verdict, still a report; anything else is no report at all.
report_rc=0
pipeline_python -m pipeline.report --evidence "$EVIDENCE_DIR" --out "$out" \
  --environment "$ENVIRONMENT" --build-id "$BUILD_ID" >"${work}/report.out" 2>"${work}/report.err" || report_rc=$?
((report_rc == 0 || report_rc == 1)) ||
  die "report generation failed (exit ${report_rc}): $(head -c 300 "${work}/report.err" | head -n 1)"
verdict=$(jq -r '.verdict // empty' "${out}/report.json" 2>/dev/null || true)
case "${verdict}:${report_rc}" in
  PASS:0 | FAIL:1) ;;
  *) die "report.json verdict '${verdict}' does not match the report's exit ${report_rc}" ;;
esac
log "$(head -n 1 "${work}/report.out")"

# 2. Nothing leaves the build unscanned: a finding blocks the whole upload.
PHI_FINDINGS=0
PHI_SUMMARY=""
phi_scan "${work}/phi.json" "$out"
log "PHI scan of the report: ${PHI_SUMMARY}, ${PHI_FINDINGS} finding(s)"
if ((PHI_FINDINGS > 0)); then
  while IFS= read -r finding; do
    log "PHI found: ${finding}"
  done < <(phi_finding_lines "${work}/phi.json" "${out}/")
  die "PHI found in the report or its evidence (${PHI_FINDINGS} finding(s)); nothing was uploaded"
fi

# 3. Upload: the report at the top, the evidence it links under evidence/.
destination="gs://${bucket}/reports/${BUILD_ID}"
run_quiet "report upload" gcloud storage cp "${out}/report.json" "${out}/report.md" "${out}/report.html" \
  "${destination}/"
evidence_files=()
while IFS= read -r -d '' file; do
  evidence_files+=("$file")
done < <(find "${out}/evidence" -maxdepth 1 -type f -print0 | sort -z)
if ((${#evidence_files[@]} > 0)); then
  run_quiet "evidence upload" gcloud storage cp "${evidence_files[@]}" "${destination}/evidence/"
fi

# 4. Proof: every file is listed at its name with its size.
listing=""
capture_json_array listing "upload check" gcloud storage objects list "${destination}/**" --format=json
find "$out" -type f -printf '%P\t%s\n' | LC_ALL=C sort >"${work}/expected.tsv"
unproven=$(jq -r --arg prefix "reports/${BUILD_ID}/" --rawfile expected "${work}/expected.tsv" '
  (map(select(type == "object") | {key: (.name | tostring), value: (.size | tostring)}) | from_entries) as $listed
  | [$expected | split("\n")[] | select(length > 0) | split("\t") | select($listed[$prefix + .[0]] != .[1]) | .[0]]
  | first // empty' <<<"$listing")
[[ -z "$unproven" ]] ||
  die "upload check: ${destination}/${unproven} is missing or differs in size after the upload"
log "uploaded $(wc -l <"${work}/expected.tsv") file(s) to ${destination}/ and checked them by listing"

if [[ "$verdict" == FAIL ]]; then
  die "compliance report verdict FAIL for ${ENVIRONMENT} build ${BUILD_ID}: ${destination}/report.md" 3
fi
log "compliance report verdict PASS for ${ENVIRONMENT} build ${BUILD_ID}: ${destination}/report.md"
