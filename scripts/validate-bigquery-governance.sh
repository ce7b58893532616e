#!/usr/bin/env bash
# BigQuery governance gate: in the dataset the jobs work on, every table holding PHI columns has
# row-level security, every identifier column carries a policy tag (column-level access and
# masking), analysts reach the data only through authorized views in the de-identified dataset
# (hipaa_<env>_deidentified), and no dataset of the project is public.
#
# A PHI column is one named like a HIPAA identifier (45 CFR 164.514(b)(2): names, geographic
# units below a state, dates tied to a person, contact details, record, account, plan, device
# and vehicle numbers, URLs, IP addresses, photos, biometrics); nested RECORD fields are judged
# by their leaves. Only names are read: no query touches table data.
# What the program plans is also compared (security/inventory/<env>.json): its policy tag taxonomy,
# the dataset's tables and the de-identified views, the policy tag on each planned column (resolved
# from the taxonomy's tag names), each planned row access policy with its filter and grantees, and
# the project's datasets. A planned one missing or different fails the gate, and so does a row
# access policy or dataset nobody planned (tolerated in dev): an unplanned policy widens who sees rows.
# shellcheck disable=SC2016  # $names in single quotes are jq variables
set -Eeuo pipefail
SCRIPT_NAME=validate-bigquery-governance.sh
USAGE="validate-bigquery-governance.sh ENV PROJECT_ID BIGQUERY_DATASET"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
# shellcheck source=lib/inventory.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/inventory.sh"

require_args 3 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match BIGQUERY_DATASET "$3" "$RE_DATASET"
PROJECT=$2 DATASET=$3
DEIDENTIFIED=$(hipaa_deidentified_dataset "$ENVIRONMENT")
[[ "$DATASET" != "$DEIDENTIFIED" ]] || usage_error "BIGQUERY_DATASET must be the source dataset, not ${DEIDENTIFIED}"
readonly PHI_COLUMN='^name$|(^|_)(mrn|ssn|dob|zip|zip_code|zipcode|postal_code|phone|phone_number|fax|email|email_address|address|address_line_[0-9]|street|city|county|first_name|last_name|middle_name|full_name|given_name|family_name|patient_name|birth_date|date_of_birth|death_date|admission_date|discharge_date|patient_id|person_id|member_id|subscriber_id|beneficiary_id|medical_record_number|social_security_number|account_number|license_number|certificate_number|vehicle_id|vin|device_id|serial_number|ip_address|url|photo|photo_url|biometric_id)(_|$)'

gate_begin bigquery-governance "bq/gcloud/jq"
require_tool bq gcloud jq
inventory_begin project="$PROJECT" bigquery_dataset="$DATASET"
# shellcheck disable=SC2016  # $names in single quotes are jq variables
readonly TABLE_ID='"\(.tableReference.datasetId).\(.tableReference.tableId)"'

source_dataset=""
capture_json source_dataset "dataset ${DATASET}" bq show --format=json "${PROJECT}:${DATASET}"
location=$(jq -r '.location // empty' <<<"$source_dataset" 2>/dev/null) || true
[[ "$location" =~ ^[a-z0-9-]+$ ]] || die "dataset ${DATASET}: bq printed no location"

# --- The policy tag taxonomy: planned, and the names of its tags -------------------------------
taxonomies=""
capture_json_array taxonomies "policy tag taxonomies in ${location}" \
  gcloud data-catalog taxonomies list --location "$location" --project "$PROJECT" --format=json
inventory_compare taxonomies "policy tag taxonomies in ${location}" "$taxonomies" '.displayName'
mapfile -t planned_taxonomies < <(inventory_ids taxonomies)
tag_names='{}'
while IFS=$'\t' read -r taxonomy display; do
  [[ -n "$taxonomy" ]] || continue
  tags=""
  capture_json_array tags "policy tags of ${display}" \
    gcloud data-catalog taxonomies policy-tags list --taxonomy "$taxonomy" --format=json
  # A planned column names its tag as `{policy_tag:<taxonomy>/<tag>}`; the live schema, by resource name.
  tag_names=$(jq -c --arg taxonomy "$display" --argjson into "$tag_names" \
    'reduce .[] as $tag ($into; . + {"policy_tag:\($taxonomy)/\($tag.displayName)": $tag.name})' <<<"$tags" 2>/dev/null) ||
    die "policy tags of ${display}: unexpected JSON shape"
done < <(jq -r '.[] | select(.displayName as $d | $ARGS.positional | index($d)) | "\(.name)\t\(.displayName)"' \
  --args "${planned_taxonomies[@]}" <<<"$taxonomies" 2>/dev/null)
inventory_resolve "$tag_names"

# --- Tables of the dataset: PHI columns, policy tags, row access policies ---------------------
tables=""
capture_bq_list tables "tables of ${DATASET}" bq ls --format=json --max_results=10000 "${PROJECT}:${DATASET}"
table_ids=$(jq -r '.[] | select(.type == "TABLE") | .tableReference.tableId' <<<"$tables" 2>/dev/null) ||
  die "tables of ${DATASET}: unexpected JSON shape"
[[ -n "$table_ids" ]] || log "dataset ${DATASET} holds no tables: no row or column controls to check"
inventory_compare tables "tables of ${DATASET}" "$tables" "$TABLE_ID" "${DATASET}."
planned_policies=$(inventory_ids row_access_policies "${DATASET}.")
columns="" all_policies=""

while IFS= read -r table; do
  [[ -n "$table" ]] || continue
  schema=""
  capture_json_array schema "schema of ${DATASET}.${table}" \
    bq show --schema --format=prettyjson "${PROJECT}:${DATASET}.${table}"
  # First line: every leaf column with its policy tags (for the inventory); then one line per PHI
  # leaf column: its path and whether it carries a policy tag.
  parsed=$(jq -r --arg re "$PHI_COLUMN" --arg prefix "${DATASET}.${table}." '
    def leaves($prefix): .[] | ($prefix + .name) as $path
      | if (.fields // []) | length > 0 then (.fields | leaves($path + ".")) else {path: $path, leaf: .} end;
    [leaves("")] as $leaves
    | ([$leaves[] | {id: ($prefix + .path), policyTags: .leaf.policyTags}] | tojson),
      ($leaves[] | select(.leaf.name | ascii_downcase | test($re))
       | "\(.path) \((.leaf.policyTags.names // []) | length)")' <<<"$schema" 2>/dev/null) ||
    die "schema of ${DATASET}.${table}: unexpected JSON shape"
  columns+="${columns:+,}${parsed%%$'\n'*}"
  phi_columns=""
  [[ "$parsed" != *$'\n'* ]] || phi_columns=${parsed#*$'\n'}
  checked 1
  # A table without PHI columns needs no row access policy, unless the program plans one for it.
  [[ -n "$phi_columns" || $'\n'"${planned_policies}" == *$'\n'"${DATASET}.${table}/"* ]] || continue
  while read -r column tags; do
    [[ -n "${column:-}" ]] || continue
    checked 1
    ((tags > 0)) || violation "table ${DATASET}.${table}: PHI column ${column} has no policy tag"
  done <<<"$phi_columns"

  policies=""
  capture_bq_list policies "row access policies of ${DATASET}.${table}" \
    bq ls --row_access_policies --format=json "${PROJECT}:${DATASET}.${table}"
  all_policies+="${all_policies:+,}${policies}"
  [[ -n "$phi_columns" ]] || continue
  judge "row access policies of ${DATASET}.${table}" "$policies" '
    {checked: 1,
     violations: (
       [select(length == 0) | "table \($table): holds PHI columns but has no row access policy"]
       + [.[] | .rowAccessPolicyReference.policyId as $policy | .grantees[]?
          | select(IN("allUsers", "allAuthenticatedUsers"))
          | "table \($table): row access policy \($policy) is granted to \(.)"])}' \
    --arg table "${DATASET}.${table}"
done <<<"$table_ids"
# Each table's listing is one array: the inventory compares their concatenation.
inventory_compare column_policy_tags "columns of ${DATASET}" "$(jq -c 'add // []' <<<"[${columns}]")" '.id' "${DATASET}."
inventory_compare row_access_policies "row access policies of ${DATASET}" "$(jq -c 'add // []' <<<"[${all_policies}]")" \
  '"\(.rowAccessPolicyReference.datasetId).\(.rowAccessPolicyReference.tableId)/\(.rowAccessPolicyReference.policyId)"' \
  "${DATASET}."

# --- Authorized views: the de-identified dataset's views are authorized on the source ----------
views=""
capture_bq_list views "views of ${DEIDENTIFIED}" bq ls --format=json --max_results=10000 "${PROJECT}:${DEIDENTIFIED}"
inventory_compare tables "tables of ${DEIDENTIFIED}" "$views" "$TABLE_ID" "${DEIDENTIFIED}."
judge "authorized views of ${DATASET}" "{\"views\":${views},\"source\":${source_dataset}}" '
  [.views[] | select(.type == "VIEW") | .tableReference.tableId] as $views
  | [.source.access[]? | .view? // empty | select(.projectId == $project and .datasetId == $deid) | .tableId] as $authorized
  | ([.source.access[]? | .dataset? // empty
      | select(.dataset.projectId == $project and .dataset.datasetId == $deid and ((.targetTypes // []) | index("VIEWS")))]
     | length > 0) as $whole_dataset
  | {checked: ([$views | length, 1] | max),
     violations: (
       [select($views | length == 0) | "dataset \($deid): no views, analysts have no de-identified access path"]
       + [$views[] | select($whole_dataset | not) | select(. as $v | $authorized | index($v) | not)
          | "view \($deid).\(.): not authorized on dataset \($source)"])}' \
  --arg project "$PROJECT" --arg deid "$DEIDENTIFIED" --arg source "$DATASET"

# --- No public dataset in the project --------------------------------------------------------
dataset_list=""
capture_bq_list dataset_list "datasets of ${PROJECT}" bq ls --format=json --project_id="$PROJECT" --max_results=10000
dataset_ids=$(jq -r '.[].datasetReference.datasetId' <<<"$dataset_list" 2>/dev/null) ||
  die "datasets of ${PROJECT}: unexpected JSON shape"
datasets=""
while IFS= read -r dataset_id; do
  [[ -n "$dataset_id" ]] || continue
  dataset="$source_dataset"
  [[ "$dataset_id" == "$DATASET" ]] ||
    capture_json dataset "dataset ${dataset_id}" bq show --format=json "${PROJECT}:${dataset_id}"
  datasets+="${datasets:+,}${dataset}"
done <<<"$dataset_ids"
inventory_compare datasets "datasets of ${PROJECT}" "[${datasets}]" '.datasetReference.datasetId'
judge "datasets of ${PROJECT}" "[${datasets}]" '
  {checked: length,
   violations: [.[] | .datasetReference.datasetId as $dataset | .access[]?
     | (.iamMember // .specialGroup) as $who | select($who != null and ($who | IN("allUsers", "allAuthenticatedUsers")))
     | "dataset \($dataset): \(.role) granted to \($who)"]}'

gate_finish
