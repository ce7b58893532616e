#!/usr/bin/env bash
# Gate trivy: the pushed image, and the pinned Python requirement files, have no HIGH or CRITICAL
# vulnerability. Container vulnerabilities block deployment.
#
# Trivy 0.50 or later, offline inside the perimeter: the vulnerability databases come from the ghcr mirror
# in Artifact Registry (--db-repository / --java-db-repository, derived from IMAGE_REF's registry
# host and project and the environment), never from ghcr.io.
#   --severity HIGH,CRITICAL --list-all-pkgs --format json --output <private file>
#   --exit-code 5: Trivy's own errors exit 1 (log.Fatal), so findings get a code of their own;
#               0 is clean, 5 is findings, anything else is a tool error.
#   no --ignore-unfixed: a HIGH or CRITICAL without a fixed version still blocks; the answer is a
#               different base image or package, not silence.
#   --ignorefile <empty private file>, run from the work directory: a .trivyignore or trivy.yaml in
#               the repository cannot quietly drop findings.
# Requirement files are scanned one by one with `trivy fs --scanners vuln` after copying each to a
# directory of its own as requirements.txt (Trivy's pip analyzer only reads that file name).
# The report decides: a report without a Results array is malformed; a HIGH/CRITICAL listed in it
# fails the gate whatever the exit code said. checked = packages inspected in the image and in the
# requirement files (--list-all-pkgs); none means nothing was checked.
set -Eeuo pipefail
SCRIPT_NAME=run-trivy-scan.sh
USAGE="run-trivy-scan.sh ENV IMAGE_REF"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/scanners.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/scanners.sh"

readonly FINDINGS_EXIT=5
readonly SEVERITIES=HIGH,CRITICAL

require_args 2 "$@"
require_environment "$1"
require_match IMAGE_REF "$2" "$RE_IMAGE_DIGEST"
IMAGE_REF=$2
registry_host=${IMAGE_REF%%/*}
registry_project=${IMAGE_REF#*/}
registry_project=${registry_project%%/*}
[[ "$registry_host" =~ ^[a-z0-9-]+-docker\.pkg\.dev$ ]] ||
  usage_error "IMAGE_REF='${IMAGE_REF}' is not in Artifact Registry (REGION-docker.pkg.dev/PROJECT/...)"
require_match "IMAGE_REF project" "$registry_project" "$RE_PROJECT"
MIRROR="${registry_host}/${registry_project}/$(hipaa_docker_mirror_repository "$ENVIRONMENT" ghcr)/aquasecurity"

gate_begin trivy "trivy/jq"
require_tool trivy jq
work=""
make_workdir work
: >"$work/trivyignore"
common_flags=(--severity "$SEVERITIES" --exit-code "$FINDINGS_EXIT" --list-all-pkgs --format json
  --db-repository "${MIRROR}/trivy-db" --java-db-repository "${MIRROR}/trivy-java-db"
  --ignorefile "$work/trivyignore" --timeout 20m)

# shellcheck disable=SC2329  # invoked through run_scanner
trivy_in_workdir() (cd "$work" && trivy "$@")

# scan WHAT REPORT LABEL EXPECTED_ARTIFACT TRIVY_ARGS...: run one scan, check its report (about
# EXPECTED_ARTIFACT when that is not empty), record what it found.
scan() {
  local what=$1 report=$2 label=$3 expected_artifact=$4 rc=0 packages listed lines artifact
  shift 4
  run_scanner rc "$work/trivy.out" "$work/trivy.err" trivy_in_workdir "$1" --output "$report" "${@:2}"
  [[ "$rc" == 0 || "$rc" == "$FINDINGS_EXIT" ]] || tool_failed "$what" trivy "$rc" "$work/trivy.err"
  # One read: artifact and package count on the first line, then one line per HIGH/CRITICAL.
  # shellcheck disable=SC2016  # $name in the quotes is a jq variable
  read_report lines "$what" "$report" '.Results | type == "array"' '
    ([(.ArtifactName // ""), ([.Results[] | (.Packages // [])[]] | length)] | @tsv),
    (.Results[] | (.Vulnerabilities // [])[]
      | select(.Severity == "HIGH" or .Severity == "CRITICAL")
      | "trivy: \($name): \(.PkgName) \(.InstalledVersion) \(.VulnerabilityID) (\(.Severity))")
  ' --arg name "$label"
  IFS=$'\t' read -r artifact packages <<<"${lines%%$'\n'*}"
  [[ -z "$expected_artifact" || "$artifact" == "$expected_artifact" ]] ||
    die "${what}: the report is not about ${expected_artifact}"
  ((packages > 0)) || die "${what}: Trivy found no package to check"
  checked "$packages"
  VIOLATIONS_ADDED=0
  [[ "$lines" != *$'\n'* ]] || record_violations "${lines#*$'\n'}"
  listed=$VIOLATIONS_ADDED
  if ((rc == FINDINGS_EXIT && listed == 0)); then
    violation "trivy: ${label}: exit ${FINDINGS_EXIT} (findings) but the report lists no HIGH or CRITICAL vulnerability"
  fi
  log "${what}: ${packages} packages, ${listed} HIGH/CRITICAL vulnerabilities"
}

scan "trivy image" "$work/image.json" "$IMAGE_REF" "$IMAGE_REF" image "${common_flags[@]}" "$IMAGE_REF"

requirements=()
requirement_files requirements
for index in "${!requirements[@]}"; do
  file=${requirements[index]}
  mkdir -p "$work/req-${index}"
  cp "$REPO_ROOT/$file" "$work/req-${index}/requirements.txt"
  scan "trivy ${file}" "$work/req-${index}.json" "$file" "" fs --scanners vuln "${common_flags[@]}" "$work/req-${index}"
done

gate_finish
