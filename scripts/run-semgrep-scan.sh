#!/usr/bin/env bash
# Gate semgrep: SAST over SOURCE_DIR with the registry packs p/security-audit, p/secrets, p/python
# and p/bandit, and our healthcare rules (security/semgrep/healthcare.yml: PHI in logs, prints and
# exceptions, disabled TLS verification, plain-HTTP endpoints, service account keys in code,
# BigQuery queries built by string formatting, PHI frames written to local CSV, requests without
# timeouts).
#
# The private pool has no route to semgrep.dev, so `--config p/...` cannot work there. The packs
# come from a rules bundle mirrored to gs://$PROJECT_ID-artifacts/semgrep-rules/ by a job outside
# the perimeter: one YAML file per pack (security-audit.yml, secrets.yml, python.yml, bandit.yml,
# as served by https://semgrep.dev/c/p/<pack>) and manifest.json {"fetched_at": <epoch seconds>,
# "packs": ["p/security-audit", ...]}. A bundle that lacks a pack, or is older than
# RULES_MAX_AGE_DAYS, is refused: the gate never runs on our rules alone and calls it a full scan.
#
# Semgrep 1.x: scan --error --metrics=off --disable-version-check --json --output <private file>.
# Exit 0 no findings, 1 findings (--error); anything else is an error (2 fatal, 4 bad pattern,
# 5 unparsable YAML, 7 missing config, ...). Every finding fails the gate (path, line and rule,
# never the matched lines), and so does every entry of the report's "errors" array (a file or rule
# Semgrep could not fully process). checked = files Semgrep reports as scanned.
set -Eeuo pipefail
SCRIPT_NAME=run-semgrep-scan.sh
USAGE="run-semgrep-scan.sh ENV SOURCE_DIR"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/scanners.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/scanners.sh"

readonly PACKS=(security-audit secrets python bandit)
readonly RULES_MAX_AGE_DAYS=14
readonly HEALTHCARE_RULES="security/semgrep/healthcare.yml"
# What the build installs into the workspace (virtualenvs and tool trees): third-party code, not ours.
# Without .git, Semgrep has no .gitignore to skip them by, and scanned 58,433 files of them.
readonly BUILD_ENVIRONMENTS=(.venv .venv-tools .tools)

require_args 2 "$@"
require_environment "$1"
[[ "$2" != -* && -d "$2" ]] || usage_error "SOURCE_DIR='${2}' is not a directory"
SOURCE_DIR=$2

gate_begin semgrep "semgrep/jq"
require_match PROJECT_ID "${PROJECT_ID:-}" "$RE_PROJECT"
require_tool semgrep gcloud jq
[[ -s "$REPO_ROOT/$HEALTHCARE_RULES" ]] || die "healthcare rules ${HEALTHCARE_RULES} are missing"
work=""
make_workdir work
RULES_URI="gs://$(hipaa_bucket_name "$PROJECT_ID" artifacts)/semgrep-rules"

mkdir -p "$work/rules"
# shellcheck disable=SC2329  # invoked through run_scanner
copy_rules() (cd "$work/rules" && gcloud storage cp -r "${RULES_URI}/*" .)
rc=0
run_scanner rc "$work/copy.out" "$work/copy.err" copy_rules
((rc == 0)) || tool_failed "semgrep rules bundle" "gcloud storage cp" "$rc" "$work/copy.err"
require_report "semgrep rules bundle" "$work/rules/manifest.json" \
  '(.fetched_at | type == "number") and (.packs | type == "array")'
require_fresh "semgrep rules bundle" "$(jq -r '.fetched_at' "$work/rules/manifest.json")" "$RULES_MAX_AGE_DAYS"
configs=()
for pack in "${PACKS[@]}"; do
  jq -e --arg pack "p/${pack}" 'any(.packs[]; . == $pack)' "$work/rules/manifest.json" >/dev/null ||
    die "semgrep rules bundle: manifest does not list p/${pack}"
  [[ -s "$work/rules/${pack}.yml" ]] || die "semgrep rules bundle: ${pack}.yml (p/${pack}) is missing or empty"
  configs+=(--config "$work/rules/${pack}.yml")
done
configs+=(--config "$REPO_ROOT/$HEALTHCARE_RULES")

report="$work/semgrep.json"
rc=0
run_scanner rc "$work/semgrep.out" "$work/semgrep.err" env SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off \
  semgrep scan --error --metrics=off --disable-version-check --json --output "$report" "${configs[@]}" \
    "${BUILD_ENVIRONMENTS[@]/#/--exclude=}" "$SOURCE_DIR"
((rc <= 1)) || tool_failed semgrep semgrep "$rc" "$work/semgrep.err"
require_report semgrep "$report" \
  '(.results | type == "array") and (.errors | type == "array") and (.paths.scanned | type == "array")'
scanned=$(jq '.paths.scanned | length' "$report")
((scanned > 0)) || die "semgrep: scanned no file under ${SOURCE_DIR}"
checked "$scanned"
violations_from semgrep "$report" '
  (.results[] | "semgrep: \(.path):\(.start.line) \(.check_id | split(".") | last)"),
  (.errors[] | "semgrep error (\(.level)): \(.type | if type == "array" then .[0] else . end) in \(.path // "a rule")")'
findings=$(jq '.results | length' "$report")
if ((rc == 1 && findings == 0)); then
  violation "semgrep: exit 1 (findings) but its report lists none"
fi
log "semgrep: ${scanned} files, ${findings} findings, rules: ${PACKS[*]} + healthcare"

gate_finish
