#!/usr/bin/env bash
# Environment validation, the pipeline's first gate: before anything is built or deployed, the
# environment project must sit inside an enforced VPC-SC perimeter, have its CMEK keys, log every
# data access to the SIEM project, carry the HIPAA org policies and run no VM with a public IP.
#
# Environment-aware: a dry-run-only perimeter is tolerated in dev (synthetic data) and nowhere
# else; prod keys must be HSM-backed (infra/security/kms.py creates them so).
# The perimeter, the keyring and its keys, the audit config and the sinks are also compared with
# the expected inventory (security/inventory/<env>.json): what the plan says each must be, and no
# key or sink nobody planned (tolerated in dev).
# shellcheck disable=SC2016  # $names in single quotes are jq variables
set -Eeuo pipefail
SCRIPT_NAME=validate-env-hipaa.sh
USAGE="validate-env-hipaa.sh ENV PROJECT_ID VPC_SC_PERIMETER KMS_KEYRING SIEM_PROJECT_ID"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
# shellcheck source=lib/inventory.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/inventory.sh"

require_args 5 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match VPC_SC_PERIMETER "$3" "$RE_PERIMETER"
require_match KMS_KEYRING "$4" "$RE_KEYRING"
require_match SIEM_PROJECT_ID "$5" "$RE_PROJECT"
PROJECT=$2 PERIMETER=$3 KEYRING=$4 SIEM_PROJECT=$5
[[ "$SIEM_PROJECT" != "$PROJECT" ]] || usage_error "SIEM_PROJECT_ID must be a separate project, not ${PROJECT}"

# Org policy constraints that must be in force at the project, by how each is judged: the boolean
# and deny-all ones and CMEK_ONLY_SERVICES come from facts.sh (infra/security/org_constraints.py).
readonly LIST_CONSTRAINTS=(gcp.resourceLocations gcp.restrictNonCmekServices)

# json_strings WORD...: the words as a JSON array of strings (constraint names need no escaping).
json_strings() {
  local joined
  joined=$(printf '"%s",' "$@")
  printf '[%s]' "${joined%,}"
}

gate_begin env-validation "gcloud/jq"
require_tool gcloud jq
inventory_begin project="$PROJECT" perimeter="$PERIMETER" keyring="$KEYRING" siem_project="$SIEM_PROJECT"

number=""
project_number number "$PROJECT"

# --- VPC Service Controls --------------------------------------------------------------------
check_perimeter "$PERIMETER" "$number"
inventory_compare perimeters "perimeter ${PERIMETER}" "[${PERIMETER_JSON}]" '.name'

# --- CMEK keyring and keys -------------------------------------------------------------------
keyring=""
capture_json keyring "keyring ${KEYRING}" gcloud kms keyrings describe "$KEYRING" --format=json
prod=false
if is_prod; then prod=true; fi
keys=""
capture_json_array keys "keys of ${KEYRING}" gcloud kms keys list --keyring "$KEYRING" --format=json
judge "keys of ${KEYRING}" "{\"keyring\":${keyring},\"keys\":${keys}}" '
  (.keys | map({key: (.name | split("/") | last), value: .}) | from_entries) as $present
  | {checked: (1 + ($expected | length)),
     violations: [(select(.keyring.name != $ring) | "keyring \($ring): describe answered for another name"),
                  $expected[] as $id
       | ($present[$id]) as $key
       | if $key == null then "key \($ring)/cryptoKeys/\($id): missing"
         elif $key.purpose != "ENCRYPT_DECRYPT" then "key \($id): purpose \($key.purpose), not ENCRYPT_DECRYPT"
         elif ($key.primary.state // "NONE") != "ENABLED" then "key \($id): primary version is \($key.primary.state // "missing"), not ENABLED"
         elif $prod and ($key.primary.protectionLevel // "") != "HSM" then "key \($id): protection level \($key.primary.protectionLevel // "unknown"), prod requires HSM"
         else empty end]}' \
  --arg ring "$KEYRING" --argjson expected "$CMEK_KEY_NAMES" --argjson prod "$prod"
inventory_compare keyrings "keyring ${KEYRING}" "[${keyring}]" '.name'
inventory_compare keys "keys of ${KEYRING}" "$keys" '.name'

# --- Audit logging and the SIEM sink ---------------------------------------------------------
policy=""
capture_json policy "IAM policy of ${PROJECT}" gcloud projects get-iam-policy "$PROJECT" --format=json
check_audit_config "$policy" "$PROJECT"
inventory_compare audit_configs "audit configs of ${PROJECT}" "$(jq -c '.auditConfigs // []' <<<"$policy")" '.service'

sinks=""
capture_json_array sinks "log sinks of ${PROJECT}" gcloud logging sinks list --project "$PROJECT" --format=json
inventory_compare sinks "log sinks of ${PROJECT}" "$sinks" '.name'
judge "log sinks of ${PROJECT}" "$sinks" '
  {checked: 1,
   violations: [select([.[] | select((.disabled // false) == false)
                         | select(.destination | test("^[a-z]+\\.googleapis\\.com/projects/" + $siem + "(/|$)"))]
                       | length == 0)
                | "project \($project): no enabled log sink to the SIEM project \($siem)"]}' \
  --arg project "$PROJECT" --arg siem "$SIEM_PROJECT"

# --- Organization policies (effective at the project) ----------------------------------------
effective=""
for constraint in "${ORG_ENFORCED_CONSTRAINTS[@]}" "${ORG_DENY_ALL_CONSTRAINTS[@]}" "${LIST_CONSTRAINTS[@]}"; do
  answer=""
  capture_json answer "org policy ${constraint}" \
    gcloud org-policies describe "$constraint" --project "$PROJECT" --effective --format=json
  effective+="{\"constraint\":\"${constraint}\",\"policy\":${answer}}"
done
judge "org policies of ${PROJECT}" "$effective" '
  def plain: map(select(.condition == null));
  def listed($kind): [.[] | (.values[$kind] // [])[] | ltrimstr("is:")];
  [inputs] as $all
  | {checked: ($all | length),
   violations: [$all[] | .constraint as $c | (.policy.spec.rules // []) as $rules
     | if ($enforced | index($c)) then
         select(($rules | plain | any(.enforce == true) | not) or ($rules | any(.enforce == false)))
         | "org policy \($c): not enforced at project \($project)"
       elif ($deny_all | index($c)) then
         select(($rules | plain | any(.denyAll == true) | not) or ($rules | any(.allowAll == true)))
         | "org policy \($c): does not deny all at project \($project)"
       elif $c == "gcp.resourceLocations" then
         select(($rules | any(.allowAll == true)) or ($rules | plain | listed("allowedValues") | length == 0))
         | "org policy \($c): resource locations are not restricted at project \($project)"
       else
         ($rules | plain | listed("deniedValues")) as $denied
         | select(($rules | any(.allowAll == true))
                  or (($rules | plain | any(.denyAll == true) | not)
                      and ($cmek_only - $denied | length > 0)))
         | "org policy \($c): does not require CMEK for \(if ($rules | any(.allowAll == true)) then "any service" else ($cmek_only - $denied | join(", ")) end)"
       end]}' \
  -n --arg project "$PROJECT" --argjson enforced "$(json_strings "${ORG_ENFORCED_CONSTRAINTS[@]}")" \
  --argjson deny_all "$(json_strings "${ORG_DENY_ALL_CONSTRAINTS[@]}")" --argjson cmek_only "$CMEK_ONLY_SERVICES"

# --- No public IPs on VMs --------------------------------------------------------------------
instances=""
capture_json_array instances "instances of ${PROJECT}" gcloud compute instances list --project "$PROJECT" --format=json
judge "instances of ${PROJECT}" "$instances" '
  {checked: length,
   violations: [.[] | select(any(.networkInterfaces[]?;
                               ((.accessConfigs // []) + (.ipv6AccessConfigs // []) | length) > 0))
                | "instance \(.name) (\(.zone // "" | split("/") | last)): has an external IP"]}'

gate_finish
