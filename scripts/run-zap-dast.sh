#!/usr/bin/env bash
# Gate dast: OWASP ZAP against the API's internal URL. dev runs the passive baseline scan
# (zap-baseline.py); staging and prod run the API scan (zap-api-scan.py) from the API's OpenAPI
# document at TARGET_URL/openapi.json. Both use the rules file we ship, security/zap/rules.tsv,
# which says which alerts FAIL and which only WARN.
#
# The ZAP scripts exit 0 clean, 1 at least one FAIL, 2 WARN only, 3 any other failure. 3 (and any
# unknown code) is a tool error; 1 fails; 2 fails in prod: prod is the last stop before real
# patients' data, so every alert there is either fixed or classified INFO/IGNORE by a reviewed line
# in rules.tsv, never waved through as a warning. The gate reads the JSON report (-J) whatever the
# exit code: a High-risk alert fails in every environment even if rules.tsv calls it WARN, FAIL
# rules fail, WARN rules fail in prod. Alerts are named by plugin id, name, risk and instance count,
# never by URI or evidence (either can carry a value). The scripts resolve -c and -J relative to
# ZAP's work directory (/zap/wrk in the ZAP image, ZAP_WORK_DIR here), so the rules file and report
# live in a private directory below it, removed at exit. checked = rules ZAP evaluated, from its
# summary line (PASS + WARN + FAIL + INFO + IGNORE); a scan with no site in its report or no
# summary checked nothing.
set -Eeuo pipefail
SCRIPT_NAME=run-zap-dast.sh
USAGE="run-zap-dast.sh ENV TARGET_URL"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/scanners.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/scanners.sh"

readonly RULES_FILE="security/zap/rules.tsv"

require_args 2 "$@"
require_environment "$1"
TARGET_URL=${2%/}
re_url='^https?://([a-z0-9.-]+)(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$'
[[ "$TARGET_URL" =~ $re_url ]] || usage_error "TARGET_URL='${2}' is malformed (http(s)://host[:port][/path])"
host=${BASH_REMATCH[1]}
# internal_host HOST: a private IPv4 address or a cluster/VPC-internal DNS name.
internal_host() {
  local octets
  if [[ "$1" =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]]; then
    octets=("${BASH_REMATCH[@]:1}")
    for octet in "${octets[@]}"; do ((10#$octet <= 255)) || return 1; done
    ((octets[0] == 10)) && return 0
    ((octets[0] == 172 && octets[1] >= 16 && octets[1] <= 31)) && return 0
    ((octets[0] == 192 && octets[1] == 168)) && return 0
    return 1
  fi
  [[ "$1" =~ ^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+(internal|svc\.cluster\.local|local)$ ]]
}
internal_host "$host" || usage_error "TARGET_URL host '${host}' is not internal (private IPv4, .internal, .svc.cluster.local or .local)"

gate_begin dast "zap/jq"
if [[ "$ENVIRONMENT" == dev ]]; then
  SCANNER=zap-baseline.py
  scan_args=(-t "$TARGET_URL")
else
  SCANNER=zap-api-scan.py
  scan_args=(-t "${TARGET_URL}/openapi.json" -f openapi)
fi
require_tool "$SCANNER" jq
ZAP_WORK_DIR=${ZAP_WORK_DIR:-/zap/wrk}
[[ -d "$ZAP_WORK_DIR" && -w "$ZAP_WORK_DIR" ]] || die "ZAP work directory ${ZAP_WORK_DIR} is missing or not writable"
[[ -s "$REPO_ROOT/$RULES_FILE" ]] || die "ZAP rules ${RULES_FILE} are missing"
bad_rules=$(awk -F'\t' '!/^#/ && NF > 0 && !($1 ~ /^([0-9]+|\*)$/ && $2 ~ /^(IGNORE|INFO|WARN|FAIL|OUTOFSCOPE)$/)' \
  "$REPO_ROOT/$RULES_FILE" | head -n 1)
[[ -z "$bad_rules" ]] || die "ZAP rules ${RULES_FILE}: malformed line '${bad_rules:0:60}'"
scan_dir=$(mktemp -d "$ZAP_WORK_DIR/dast.XXXXXX")
on_exit "rm -rf '${scan_dir}'"
relative=${scan_dir#"$ZAP_WORK_DIR"/}
cp "$REPO_ROOT/$RULES_FILE" "$scan_dir/rules.tsv"
awk -F'\t' '!/^#/ && NF > 1 { printf "{\"%s\": \"%s\"}\n", $1, $2 }' "$scan_dir/rules.tsv" | jq -s 'add // {}' >"$scan_dir/actions.json"

# shellcheck disable=SC2329  # invoked through run_scanner
zap_in_workdir() (cd "$ZAP_WORK_DIR" && "$SCANNER" "${scan_args[@]}" -c "${relative}/rules.tsv" -J "${relative}/report.json")
rc=0
run_scanner rc "$scan_dir/zap.out" "$scan_dir/zap.err" zap_in_workdir
case "$rc" in
  0 | 1 | 2) ;;
  *) tool_failed "$SCANNER" "$SCANNER" "$rc" "$scan_dir/zap.err" ;;
esac
report="$scan_dir/report.json"
require_report "$SCANNER" "$report" '(.site | type == "array") and all(.site[]; (.alerts // []) | type == "array")'
(($(jq '.site | length' "$report") > 0)) || die "${SCANNER}: the report has no scanned site"
re_summary='FAIL-NEW: ([0-9]+).*WARN-NEW: ([0-9]+).*INFO: ([0-9]+).*IGNORE: ([0-9]+).*PASS: ([0-9]+)'
summary=$(grep -E 'FAIL-NEW: [0-9]+' "$scan_dir/zap.out" | tail -n 1 || true)
[[ "$summary" =~ $re_summary ]] || die "${SCANNER}: no summary line in its output (it evaluated nothing)"
evaluated=$((BASH_REMATCH[1] + BASH_REMATCH[2] + BASH_REMATCH[3] + BASH_REMATCH[4] + BASH_REMATCH[5]))
((evaluated > 0)) || die "${SCANNER}: evaluated no rule"
checked "$evaluated"

# Each alert once: its action from rules.tsv (WARN when unlisted), High risk always FAIL.
judged=$(jq -r --slurpfile actions "$scan_dir/actions.json" '
  [.site[] | (.alerts // [])[]] | group_by(.pluginid)[] | .[0] as $alert
  | (map((.instances // []) | length) | add) as $instances
  | ($actions[0][$alert.pluginid] // "WARN") as $action
  | (if ($alert.riskcode | tostring) == "3" then "FAIL" else $action end) as $verdict
  | "\($verdict)\tzap: alert \($alert.pluginid) \($alert.name // $alert.alert) (risk \($alert.riskdesc // $alert.riskcode)) on \($instances) instance(s)"
' "$report") || die "${SCANNER}: could not read the report"
fails=0
warns=0
while IFS=$'\t' read -r verdict text; do
  case "$verdict" in
    FAIL)
      violation "$text"
      fails=$((fails + 1))
      ;;
    WARN)
      warns=$((warns + 1))
      if is_prod; then violation "${text}: WARN is not accepted in prod"; else log "warning: ${text}"; fi
      ;;
    "") ;;
    *) log "${verdict,,}: ${text}" ;;
  esac
done <<<"$judged"
if ((rc == 1 && fails == 0)); then
  violation "${SCANNER}: exit 1 (FAIL) but its report has no failing alert"
fi
if ((rc == 2)) && is_prod && ((warns == 0)); then
  violation "${SCANNER}: exit 2 (WARN) in prod but its report has no warning alert"
fi
log "${SCANNER}: ${evaluated} rules evaluated, ${fails} failing and ${warns} warning alert types"

gate_finish
