#!/usr/bin/env bash
# Gate prowler: Prowler's HIPAA framework for Google Cloud against the environment project. Any
# FAIL finding fails the gate. In dev only, a FAIL may be accepted by an entry of the
# version-controlled security/prowler/exceptions-dev.json (check id + resource + reason + expiry
# date); an expired entry no longer applies, and staging and prod accept no exception at all.
#
# Prowler 5.x:
#   prowler gcp --project-id PROJECT_ID --compliance hipaa_gcp --output-formats json-ocsf
#       --output-directory <private dir> --output-filename prowler --no-banner
# writes <dir>/prowler.ocsf.json, an array of OCSF Detection Findings (status_code PASS, FAIL or
# MANUAL; metadata.event_code is the check id; resources[].uid the resource). Prowler exits 0 with
# no failed finding, 3 with failed findings, anything else (1 exception, 2 bad arguments) is a tool
# error. The report decides either way: a FAIL in it fails the gate even after exit 0.
# checked = PASS + FAIL findings; MANUAL requirements are logged (they need a person, not a scan).
set -Eeuo pipefail
SCRIPT_NAME=run-prowler-hipaa.sh
USAGE="run-prowler-hipaa.sh ENV PROJECT_ID"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/scanners.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/scanners.sh"

readonly EXCEPTIONS_FILE="security/prowler/exceptions-dev.json"

require_args 2 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
PROJECT=$2

gate_begin prowler "prowler/jq"
require_tool prowler jq
work=""
make_workdir work

# Exceptions: dev only, and only well-formed ones; a broken file fails rather than excepting nothing
# (or everything) by accident.
echo '{"exceptions": []}' >"$work/exceptions.json"
if [[ "$ENVIRONMENT" == dev ]]; then
  require_report "prowler exceptions" "$REPO_ROOT/$EXCEPTIONS_FILE" '
    (.exceptions | type == "array") and all(.exceptions[];
      (.check_id | type == "string" and length > 0) and (.resource | type == "string" and length > 0)
      and (.reason | type == "string" and length > 0)
      and (.expires | type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")))'
  cp "$REPO_ROOT/$EXCEPTIONS_FILE" "$work/exceptions.json"
fi

mkdir -p "$work/out"
# shellcheck disable=SC2329  # invoked through run_scanner
prowler_in_workdir() (cd "$work" && prowler gcp --project-id "$PROJECT" --compliance hipaa_gcp \
  --output-formats json-ocsf --output-directory out --output-filename prowler --no-banner)
rc=0
run_scanner rc "$work/prowler.out" "$work/prowler.err" prowler_in_workdir
[[ "$rc" == 0 || "$rc" == 3 ]] || tool_failed prowler prowler "$rc" "$work/prowler.err"
report="$work/out/prowler.ocsf.json"
require_report prowler "$report" \
  'type == "array" and all(.[]; (.status_code | type == "string") and (.metadata.event_code | type == "string"))'
decided=$(jq '[.[] | select(.status_code == "PASS" or .status_code == "FAIL")] | length' "$report")
((decided > 0)) || die "prowler: no PASS or FAIL finding for ${PROJECT} (nothing was checked)"
checked "$decided"

today=$(date -u +%Y-%m-%d)
# A FAIL finding, checked against the exceptions: excepted ones are logged, the rest are violations.
# shellcheck disable=SC2016  # $names in the quotes are jq variables
judged=$(jq -r --slurpfile allowed "$work/exceptions.json" --arg today "$today" '
  .[] | select(.status_code == "FAIL")
  | .metadata.event_code as $check
  | ((.resources // [])[0] | .uid // .name // "unknown resource") as $resource
  | ([$allowed[0].exceptions[] | select(.check_id == $check and .resource == $resource)]
     | sort_by(.expires) | last) as $exception
  | if $exception == null then "FAIL\tprowler: \($check) on \($resource) (\(.severity // "unknown") severity)"
    elif $exception.expires < $today then "FAIL\tprowler: \($check) on \($resource) (exception expired \($exception.expires))"
    else "EXCEPTED\t\($check) on \($resource) until \($exception.expires)"
    end' "$report") || die "prowler: could not read the report"
failed=0
while IFS=$'\t' read -r verdict text; do
  case "$verdict" in
    FAIL) violation "$text" ;;
    EXCEPTED) log "dev exception applied: ${text}" ;;
    *) continue ;;
  esac
  failed=$((failed + 1))
done <<<"$judged"
if ((rc == 3 && failed == 0)); then
  violation "prowler: exit 3 (failed findings) but its report lists no FAIL"
fi
log "prowler: ${decided} findings decided, $(jq '[.[] | select(.status_code == "MANUAL")] | length' "$report") manual requirements"

gate_finish
