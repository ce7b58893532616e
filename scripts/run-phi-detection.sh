#!/usr/bin/env bash
# Gate phi-detection: a Presidio PHI scan of this build's log (read back from Cloud Logging, where
# the build logs) and of the test outputs, evidence and outputs the build produced, before any of
# it leaves the build. Any finding blocks the build; evidence names file, line, column, entity type
# and score, never the matched text.
#
# The same scan runs twice: as gate phi-detection before any deploy, and as gate phi-log-scan
# (PHI_GATE_ID=phi-log-scan) after every other step, just before the compliance report and the
# notification leave the build, so the log of the deploy and post-deploy steps is scanned too.
# Cloud Logging ingests with a delay, so the final scan first waits until the log shows the PASS
# line of every gate whose evidence passed (re-reading it up to PHI_LOG_READS times, every
# PHI_LOG_RETRY_SECONDS); a log that never catches up fails: an incomplete log is not a clean one.
# PHI_SOURCE_DATA=DIR (the phi-detection step: /workspace) adds every file committed with the source
# under DIR (binaries are skipped and counted): a committed file holding PHI must not build. Data files
# (csv, tsv, json, jsonl, ndjson, txt, yaml) are scanned with the log, model included; code and prose
# (every other file) in a second, pattern-only scan, as a model reads identifiers in code as people's
# names. tests/ (synthetic values by design), hidden directories (.git, the virtualenvs, .tools, the
# linters' caches), bytecode and package metadata, and what the build wrote (evidence, outputs, bin,
# build, dist) are left out. The reviewed exact synthetic values in DIR/security/phi-exemptions.json
# (PHI_EXEMPTIONS to override; pipeline/phi/exemptions.py) are counted, not found; a missing or
# malformed exemptions file fails the gate.
set -Eeuo pipefail
SCRIPT_NAME=run-phi-detection.sh
USAGE="run-phi-detection.sh ENV PATH...   (files or directories to scan along with the build log; PHI_GATE_ID=phi-log-scan for the final scan)"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/pipeline.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/pipeline.sh"

require_args 2 "$@"
require_environment "$1"
shift
for ((i = 1; i <= $#; i++)); do
  [[ -n "${!i}" ]] || usage_error "PATH argument ${i} is empty"
done

GATE_ID=${PHI_GATE_ID:-phi-detection}
case "$GATE_ID" in
  phi-detection | phi-log-scan) ;;
  *) usage_error "PHI_GATE_ID must be phi-detection or phi-log-scan, got '${GATE_ID}'" ;;
esac
gate_begin "$GATE_ID" "presidio/gcloud/jq"
require_tool gcloud jq "${PYTHON:-python3}"
require_build_id
[[ -n "${PROJECT_ID:-}" ]] || die "PROJECT_ID is not set"
work=""
make_workdir work
build_log="${work}/build-${BUILD_ID}.log"

# read_build_log: the build's own log so far into $build_log. An empty answer is not a clean log:
# it is a log we could not read.
read_build_log() {
  local entries=""
  capture_json_array entries "build log" gcloud logging read \
    "resource.type=\"build\" AND resource.labels.build_id=\"${BUILD_ID}\"" \
    --project="$PROJECT_ID" --order=asc --freshness=2d --format=json
  jq -e 'length > 0' >/dev/null <<<"$entries" ||
    die "build log: Cloud Logging has no entry for build ${BUILD_ID}, so the log cannot be shown to be clean"
  jq -e 'all(.[]; type == "object")' >/dev/null <<<"$entries" || die "build log: entries are not JSON objects"
  (
    umask 077
    jq -r '.[] | .textPayload // ((.jsonPayload // .protoPayload) | select(. != null) | tojson) // empty' \
      <<<"$entries" >"$build_log"
  )
  [[ -s "$build_log" ]] || die "build log: no entry of build ${BUILD_ID} carries a text or JSON payload"
  log "build log: $(jq length <<<"$entries") entries from Cloud Logging"
}

# passed_gates: GATES gets the ids of the gates whose evidence in EVIDENCE_DIR says pass (this gate
# excluded). Malformed evidence fails: the report would refuse it too.
GATES=()
passed_gates() {
  local file gate
  shopt -s nullglob
  for file in "$EVIDENCE_DIR"/*.json; do
    [[ "${file##*/}" != "${GATE_ID}.json" ]] || continue
    gate=$(jq -r 'if type == "object" and .status == "pass" then .gate // "" else "" end' "$file" 2>/dev/null) ||
      die "evidence ${file##*/} is malformed JSON"
    [[ -z "$gate" ]] || GATES+=("$gate")
  done
  shopt -u nullglob
}

# missing_pass_lines GATE...: the gates whose PASS line (`<script>: PASS: <gate>: `) the log lacks.
missing_pass_lines() {
  local gate
  for gate in "$@"; do
    grep -qF -- ": PASS: ${gate}: " "$build_log" || printf '%s ' "$gate"
  done
}

read_build_log
if [[ "$GATE_ID" == phi-log-scan ]]; then
  reads=${PHI_LOG_READS:-8} pause=${PHI_LOG_RETRY_SECONDS:-15}
  [[ "$reads" =~ ^[1-9][0-9]*$ && "$pause" =~ ^[0-9]+$ ]] ||
    die "PHI_LOG_READS and PHI_LOG_RETRY_SECONDS must be whole numbers (reads at least 1)"
  passed_gates
  ((${#GATES[@]} > 0)) || die "no passed gate in ${EVIDENCE_DIR}: nothing shows the log to be complete"
  missing=$(missing_pass_lines "${GATES[@]}")
  for ((attempt = 1; attempt < reads && ${#missing} > 0; attempt++)); do
    log "build log: waiting for the PASS lines of ${missing% } (read ${attempt} of ${reads})"
    sleep "$pause"
    read_build_log
    missing=$(missing_pass_lines "${GATES[@]}")
  done
  [[ -z "$missing" ]] ||
    die "build log: no PASS line of ${missing% } after ${reads} reads; the log is incomplete, so it cannot be shown to be clean"
  checked "${#GATES[@]}"
  log "build log: complete, PASS lines of ${#GATES[@]} gates present"
fi

source_files=()
data_files=()
code_files=()
exemptions=()
if [[ -n "${PHI_SOURCE_DATA:-}" ]]; then
  [[ -d "$PHI_SOURCE_DATA" ]] || die "PHI_SOURCE_DATA ${PHI_SOURCE_DATA} is not a directory"
  root=${PHI_SOURCE_DATA%/}
  exemption_file=${PHI_EXEMPTIONS:-${root}/security/phi-exemptions.json}
  [[ -f "$exemption_file" ]] || die "PHI exemptions ${exemption_file} not found; without it the committed source cannot be judged"
  # Listed to a file first: a find that fails part-way (an unreadable directory) fails the gate
  # instead of leaving a shorter list that would read as clean.
  find "$root" \( \( -type d -name '.*' ! -path "$root" \) -o -name node_modules -o -name __pycache__ \
    -o -name '*.egg-info' -o -path "$root/tests" -o -path "$root/evidence" -o -path "$root/outputs" \
    -o -path "$root/bin" -o -name build -o -name dist \) -prune -o -type f -print0 >"${work}/source-files" \
    2>"${work}/find.err" || die "PHI_SOURCE_DATA ${PHI_SOURCE_DATA}: listing failed: $(head -n 1 "${work}/find.err")"
  mapfile -d '' source_files <"${work}/source-files"
  ((${#source_files[@]} > 0)) || die "PHI_SOURCE_DATA ${PHI_SOURCE_DATA}: no committed file found; a scan of nothing is never clean"
  for file in "${source_files[@]}"; do
    case ${file##*/} in
      *.csv | *.tsv | *.json | *.jsonl | *.ndjson | *.txt | *.yaml | *.yml) data_files+=("$file") ;;
      *) code_files+=("$file") ;;
    esac
  done
  exemptions=(--exemptions "$exemption_file" "$root")
  log "source: ${#data_files[@]} data and ${#code_files[@]} other committed file(s) under ${PHI_SOURCE_DATA} (tests/ and tool trees left out)"
fi

PHI_FINDINGS=0
PHI_SUMMARY=""
results=("${work}/phi.json")
phi_scan "${results[0]}" "${exemptions[@]}" "$build_log" "$@" "${data_files[@]}"
log "PHI scan: ${PHI_SUMMARY}, ${PHI_FINDINGS} finding(s)"
scanned=$(jq '.files_scanned' "${results[0]}")
if ((${#code_files[@]} > 0)); then
  results+=("${work}/phi-code.json")
  phi_scan "${results[1]}" --pattern-only "${exemptions[@]}" "${code_files[@]}"
  log "PHI scan of code and prose: ${PHI_SUMMARY}, ${PHI_FINDINGS} finding(s)"
  scanned=$((scanned + $(jq '.files_scanned' "${results[1]}")))
fi
checked "$scanned"
for result in "${results[@]}"; do
  while IFS= read -r finding; do
    violation "PHI found: ${finding}"
  done < <(phi_finding_lines "$result" "${work}/")
done
gate_finish
