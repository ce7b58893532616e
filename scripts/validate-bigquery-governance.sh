#!/usr/bin/env bash
# BigQuery governance gate: in the dataset the jobs work on, every table holding PHI columns has
# row-level security, every identifier column carries a policy tag (column-level access and
# masking), analysts reach the data only through authorized views in the de-identified dataset
# (hipaa_<env>_deidentified), and no dataset of the project is public. Column-level encryption: the
# identifiers the warehouse encrypts (MRN, SSN) are BYTES ciphertext in the source dataset, the
# procedure that decrypts them uses the environment's column KEK and is authorized on the source
# dataset, one group alone reads its dataset, and of the people only that group may decrypt with
# the KEK (its IAM policy; service accounts are the loaders and the deployer).
#
# Columns are judged two ways. By the plan (security/inventory/<env>.json lists every planned column
# with its policy tags, resolved from the taxonomy's tag names): a planned tag missing, or a tag on a
# column the plan leaves untagged, fails. By name, whatever the plan says: a column named like a
# HIPAA Safe Harbor identifier (PHI_COLUMN_PATTERN in facts.sh, from infra/rules/baseline_phi.py,
# the list the plan's rules use) must carry a policy tag. A random surrogate key such as patient_id
# is not on that list (45 CFR 164.514(c) permits a code not derived from the individual), so only
# the plan speaks for it. A table holding a named identifier or a tagged column is a PHI table.
# Nested RECORD fields are judged by their leaves. Only names are read: no query touches table data.
# The plan's other resources are compared too: its policy tag taxonomy, the dataset's tables and the
# de-identified views, each planned row access policy with its filter and grantees, and the
# project's datasets. A planned one missing or different fails the gate, and so does a row access
# policy or dataset nobody planned (tolerated in dev): an unplanned policy widens who sees rows.
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

REIDENTIFICATION=$(hipaa_reidentification_dataset "$ENVIRONMENT")
ENCRYPTED_JSON=$(printf '%s\n' "${ENCRYPTED_COLUMN_NAMES[@]}" | jq -R . | jq -cs .)

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
  # leaf column (named like an identifier, or tagged): its tag count, whether it is named so, its path
  # (last: flexible column names may hold spaces).
  parsed=$(jq -r --arg re "$PHI_COLUMN_PATTERN" --arg prefix "${DATASET}.${table}." '
    def leaves($prefix): .[] | ($prefix + .name) as $path
      | if (.fields // []) | length > 0 then (.fields | leaves($path + ".")) else {path: $path, leaf: .} end;
    [leaves("")] as $leaves
    | ([$leaves[] | {id: ($prefix + .path), policyTags: .leaf.policyTags}] | tojson),
      ($leaves[] | ((.leaf.policyTags.names // []) | length) as $tags | (.leaf.name | ascii_downcase | test($re)) as $named
       | select($named or $tags > 0) | "\($tags) \($named) \(.path)")' <<<"$schema" 2>/dev/null) ||
    die "schema of ${DATASET}.${table}: unexpected JSON shape"
  columns+="${columns:+,}${parsed%%$'\n'*}"
  phi_columns=""
  [[ "$parsed" != *$'\n'* ]] || phi_columns=${parsed#*$'\n'}
  checked 1
  judge "encrypted columns of ${DATASET}.${table}" "$schema" '
    [.[] | select(.name | ascii_downcase | IN($names[]))] as $encrypted
    | {checked: ($encrypted | length),
       violations: [$encrypted[] | select(.type != "BYTES")
         | "table \($table): column \(.name) is \(.type), not BYTES ciphertext"]}' \
    --arg table "${DATASET}.${table}" --argjson names "$ENCRYPTED_JSON"
  # A table without PHI columns needs no row access policy, unless the program plans one for it.
  [[ -n "$phi_columns" || $'\n'"${planned_policies}" == *$'\n'"${DATASET}.${table}/"* ]] || continue
  while read -r tags named column; do
    [[ -n "${column:-}" ]] || continue
    checked 1
    [[ "$named" == false ]] || ((tags > 0)) ||
      violation "table ${DATASET}.${table}: PHI column ${column} has no policy tag"
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

# --- Column encryption: the one decrypting procedure, its readers, the KEK's decrypters ----------
KEK=$(hipaa_column_kek_path "$ENVIRONMENT" "$PROJECT" "$location")
routine=""
capture_json routine "procedure ${REIDENTIFICATION}.${REIDENTIFY_PROCEDURE}" \
  bq show --routine --format=json "${PROJECT}:${REIDENTIFICATION}.${REIDENTIFY_PROCEDURE}"
kek_policy=""
capture_json kek_policy "IAM policy of ${KEK}" gcloud kms keys get-iam-policy "$KEK" --format=json
judge "column encryption of ${PROJECT}" "{\"datasets\":[${datasets}],\"routine\":${routine},\"policy\":${kek_policy}}" '
  (.datasets | map({key: .datasetReference.datasetId, value: .}) | from_entries) as $by_id
  | [$by_id[$reid].access[]? | select(.role != null and .specialGroup != "projectOwners")] as $readers
  | [$readers[] | select(.role == "READER") | .groupByEmail // empty] as $groups
  | [.policy.bindings[]? | select(.role | IN($decrypt[])) | .members[]? | select(startswith("serviceAccount:") | not)]
    as $people
  | (.routine.definitionBody // "") as $body
  | {checked: 5,
     violations: (
       [select($by_id[$reid] == null) | "dataset \($reid): missing, so no procedure decrypts the columns"]
       + [select(.routine.routineType != "PROCEDURE") | "routine \($reid).\($proc): not a procedure"]
       + [select($body | contains("KEYS.KEYSET_CHAIN(\u0027gcp-kms://" + $kek + "\u0027") | not)
          | "routine \($reid).\($proc): does not unwrap its keysets with \($kek)"]
       + [select($readers | length != 1 or ($groups | length) != 1)
          | "dataset \($reid): readers must be exactly one group, found \($readers | length) grant(s)"]
       + [select([$by_id[$source].access[]? | .routine? // empty
                  | select(.datasetId == $reid and .routineId == $proc)] | length == 0)
          | "dataset \($source): procedure \($reid).\($proc) is not authorized on it"]
       + [select(($people | unique) != ["group:" + ($groups[0] // "")])
          | "key \($kek): people who may decrypt are \($people | unique | join(", ") | if . == "" then "none" else . end), not the procedure group alone"])}' \
  --arg reid "$REIDENTIFICATION" --arg proc "$REIDENTIFY_PROCEDURE" --arg kek "$KEK" --arg source "$DATASET" \
  --argjson decrypt '["roles/cloudkms.cryptoKeyDecrypter","roles/cloudkms.cryptoKeyEncrypterDecrypter","roles/cloudkms.cryptoKeyDecrypterViaDelegation","roles/cloudkms.cryptoKeyEncrypterDecrypterViaDelegation","roles/owner","roles/editor"]'

gate_finish
