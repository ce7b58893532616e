#!/usr/bin/env bash
# Gate python-quality: Pylint, Mypy and Bandit over the given source directories, Safety over the
# pinned requirement files against the vulnerability database mirrored inside the perimeter.
#
# Every tool writes a machine-readable report into a private work directory and the gate decides
# from the report, never from the exit code alone; a missing, empty or malformed report, or an
# exit code the tool documents as an error, fails the gate. The thresholds live here:
#   Pylint 4.x  --output-format=json2; score >= PYLINT_MIN_SCORE and no message of type error or
#               fatal. Exit status is a bit mask; bit 32 (usage error) is a tool error.
#   Mypy 2.x    --strict; any error fails. Exit 0 clean, 1 errors, 2 crash or bad usage. The
#               summary line ("Success: ... in N source files" / "Found N errors ...") must be
#               there, so an empty run cannot pass.
#   Bandit 1.9  -f json with --severity-level medium --confidence-level medium (the old -ll -ii):
#               any issue of at least MEDIUM severity and MEDIUM confidence fails, and so does every
#               entry of its "errors" array (a file it could not scan: Bandit exits 0 then).
#   Safety 3.2.11 `safety check` (requirements/tools/safety.txt, with click<8.2, typer<0.13,
#               marshmallow<4). Later 3.x releases (checked: 3.8.1) open a TLS probe to
#               platform.safetycli.com before any command and die without a route out, even with
#               --db; 3.2.11 reads a local database directory (insecure.json, insecure_full.json,
#               schema 2.0.0) and exits 0 clean, 64 vulnerabilities found, anything else an error
#               (67 database not loadable, 69 malformed database, ...). --full-report is refused
#               together with --output json (exit 2), and JSON is the full report anyway; the report
#               is written with --save-json because 3.2.11 prints a deprecation banner on stdout.
#               SAFETY_API_KEY is removed from its environment: with a key Safety ignores --db and
#               goes online. It runs from the work directory, so a .safety-policy.yml in the
#               repository cannot ignore findings; an ignored vulnerability fails the gate anyway.
# The database comes from SAFETY_DB_URI (gcloud storage cp -r) and is refused when its metadata is
# missing, of another schema, or older than SAFETY_DB_MAX_AGE_DAYS.
# checked = Python files linted + requirement files audited.
set -Eeuo pipefail
SCRIPT_NAME=run-python-quality.sh
USAGE="run-python-quality.sh ENV SAFETY_DB_URI SOURCE_DIR..."
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/scanners.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/scanners.sh"

readonly PYLINT_MIN_SCORE=9.0
readonly SAFETY_DB_MAX_AGE_DAYS=14
readonly SAFETY_DB_SCHEMA=2.0.0

require_args 3 "$@"
require_environment "$1"
require_match SAFETY_DB_URI "$2" "$RE_GS_URI"
SAFETY_DB_URI=${2%/}
shift 2
SOURCE_DIRS=("$@")
for dir in "${SOURCE_DIRS[@]}"; do
  [[ "$dir" != -* && -d "$dir" ]] || usage_error "SOURCE_DIR='${dir}' is not a directory"
done

gate_begin python-quality "pylint/mypy/bandit/safety/jq"
require_tool pylint mypy bandit safety gcloud jq
work=""
make_workdir work

py_files=()
mapfile -t py_files < <(find "${SOURCE_DIRS[@]}" -type f -name '*.py' | sort)
((${#py_files[@]} > 0)) || die "no Python file under ${SOURCE_DIRS[*]}"
log "${#py_files[@]} Python files under ${SOURCE_DIRS[*]}"

# --- Pylint -----------------------------------------------------------------------------------
rc=0
run_scanner rc "$work/pylint.out" "$work/pylint.err" pylint --recursive=y --score=y \
  --output-format=json2 --output "$work/pylint.json" --fail-under="$PYLINT_MIN_SCORE" "${SOURCE_DIRS[@]}"
((rc < 32)) || tool_failed pylint pylint "$rc" "$work/pylint.err"
pylint_lines=""
read_report pylint_lines pylint "$work/pylint.json" \
  '(.messages | type == "array") and (.statistics.score | type == "number")
   and (.statistics.modulesLinted | type == "number")' \
  '([.statistics.modulesLinted, .statistics.score] | @tsv),
   (.messages[] | select(.type == "error" or .type == "fatal")
     | "pylint: \(.path):\(.line) \(.messageId) \(.symbol)")'
IFS=$'\t' read -r linted score <<<"${pylint_lines%%$'\n'*}"
((linted > 0)) || die "pylint: linted no module"
[[ "$pylint_lines" != *$'\n'* ]] || record_violations "${pylint_lines#*$'\n'}"
if awk -v s="$score" -v min="$PYLINT_MIN_SCORE" 'BEGIN { exit !(s < min) }'; then
  violation "pylint: score ${score} is below ${PYLINT_MIN_SCORE}"
fi

# --- Mypy -------------------------------------------------------------------------------------
rc=0
run_scanner rc "$work/mypy.txt" "$work/mypy.err" mypy --strict --no-pretty --no-color-output \
  --show-error-codes "${SOURCE_DIRS[@]}"
((rc <= 1)) || tool_failed mypy mypy "$rc" "$work/mypy.err"
mypy_verdict mypy "$rc" "$work/mypy.txt"

# --- Bandit -----------------------------------------------------------------------------------
rc=0
run_scanner rc "$work/bandit.out" "$work/bandit.err" bandit -r "${SOURCE_DIRS[@]}" -f json \
  -o "$work/bandit.json" --severity-level medium --confidence-level medium -q
((rc <= 1)) || tool_failed bandit bandit "$rc" "$work/bandit.err"
bandit_lines=""
# shellcheck disable=SC2016  # $level in the quotes is a jq variable
read_report bandit_lines bandit "$work/bandit.json" \
  '(.results | type == "array") and (.errors | type == "array") and (.metrics | type == "object")' '
  def rank: . as $level | {"LOW": 1, "MEDIUM": 2, "HIGH": 3} | .[$level // ""] // 0;
  ([([.metrics | keys[] | select(. != "_totals")] | length), (.results | length)] | @tsv),
  (.errors[] | "bandit: could not scan \(.filename)"),
  (.results[] | select((.issue_severity | rank) >= 2 and (.issue_confidence | rank) >= 2)
    | "bandit: \(.filename):\(.line_number) \(.test_id) \(.test_name) (\(.issue_severity) severity, \(.issue_confidence) confidence)")'
IFS=$'\t' read -r scanned issues <<<"${bandit_lines%%$'\n'*}"
((scanned > 0)) || die "bandit: scanned no file"
[[ "$bandit_lines" != *$'\n'* ]] || record_violations "${bandit_lines#*$'\n'}"
if ((rc == 1 && issues == 0)); then
  violation "bandit: exit 1 (issues found) but its report lists none"
fi
checked "${#py_files[@]}"

# --- Safety -----------------------------------------------------------------------------------
requirements=()
requirement_files requirements
db="$work/safety-db"
mkdir -p "$db"
# shellcheck disable=SC2329  # invoked through run_scanner
copy_database() (cd "$db" && gcloud storage cp -r "${SAFETY_DB_URI}/*" .)
rc=0
run_scanner rc "$work/copy.out" "$work/copy.err" copy_database
((rc == 0)) || tool_failed "safety database" "gcloud storage cp" "$rc" "$work/copy.err"
meta=""
for name in insecure.json insecure_full.json; do
  read_report meta "safety database ${name}" "$db/$name" \
    '(.meta | type == "object") and (.vulnerable_packages | type == "object")' \
    '[(.meta.schema_version // "none"), (.meta.timestamp // "none")] | @tsv'
  IFS=$'\t' read -r schema stamp <<<"$meta"
  [[ "$schema" == "$SAFETY_DB_SCHEMA" ]] ||
    die "safety database ${name}: schema ${schema}, Safety 3.2 reads ${SAFETY_DB_SCHEMA} only"
  require_fresh "safety database ${name}" "$stamp" "$SAFETY_DB_MAX_AGE_DAYS"
done

# shellcheck disable=SC2329  # invoked through run_scanner
safety_check() (cd "$work" && env -u SAFETY_API_KEY safety --disable-optional-telemetry check --db "$db" \
  --output json --save-json "$1" --disable-audit-and-monitor -r "$REPO_ROOT/$2")
lines=""
for index in "${!requirements[@]}"; do
  file=${requirements[index]}
  report="$work/safety-${index}.json"
  rc=0
  run_scanner rc "$work/safety.out" "$work/safety.err" safety_check "$report" "$file"
  [[ "$rc" == 0 || "$rc" == 64 ]] || tool_failed "safety ${file}" safety "$rc" "$work/safety.err"
  # One read: the figures on the first line, then one line per finding.
  # shellcheck disable=SC2016  # $names in the quotes are jq variables
  read_report lines "safety ${file}" "$report" \
    '(.vulnerabilities | type == "array") and (.report_meta | type == "object")' '
    def cve: (.CVE // "no CVE") | if type == "object" then (.name // "no CVE") else . end;
    ([(.report_meta.local_database_path // "none"), (.report_meta.packages_found // 0),
      (.vulnerabilities | length)] | @tsv),
    (.vulnerabilities[] | "safety: \($file): \(.package_name)==\(.analyzed_version) vulnerability \(.vulnerability_id) (\(cve))"),
    ((.ignored_vulnerabilities // [])[] | "safety: \($file): \(.package_name) vulnerability \(.vulnerability_id) was ignored; exceptions are not allowed")
  ' --arg file "$file"
  IFS=$'\t' read -r database packages listed <<<"${lines%%$'\n'*}"
  # A report made without --db (or with an API key) names no local database: it came from the internet.
  [[ "$database" == */safety-db ]] || die "safety ${file}: the report was not made from the mirrored database"
  ((packages > 0)) || die "safety ${file}: found no package to audit"
  [[ "$lines" != *$'\n'* ]] || record_violations "${lines#*$'\n'}"
  if ((rc == 64 && listed == 0)); then
    violation "safety: ${file}: exit 64 (vulnerabilities found) but its report lists none"
  fi
  checked 1
done

gate_finish
