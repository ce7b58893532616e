#!/usr/bin/env bash
# BigQuery ML model validation, after the Dataproc integration job wrote the de-identified aggregates:
# trains a small regression over hipaa_ENV_deidentified.facility_monthly_encounters (scripts/sql/),
# CMEK-encrypted with the environment's BigQuery key and registered in the Vertex AI Model Registry as
# hipaa-ENV-model (what deploy-vertex-model.sh deploys), checks the model's key and registration, and
# fails unless ML.EVALUATE reports an r2_score of at least BQML_MIN_R2 (default 0.5). Fewer than
# BQML_MIN_ROWS aggregate rows (default 10) is a failure: a model on nothing validates nothing.
# Only counts and metrics are logged, never rows.
set -Eeuo pipefail
SCRIPT_NAME=validate-bqml-model.sh
USAGE="validate-bqml-model.sh ENV PROJECT_ID KMS_KEYRING"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"

SQL_DIR="$(dirname "${BASH_SOURCE[0]}")/sql"
readonly SQL_DIR
readonly MODEL=encounter_volume_model
readonly RE_NUMBER='^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'

require_args 3 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match KMS_KEYRING "$3" "$RE_KEYRING"
PROJECT=$2 KEYRING=$3
MIN_R2=${BQML_MIN_R2:-0.5}
MIN_ROWS=${BQML_MIN_ROWS:-10}
require_match BQML_MIN_R2 "$MIN_R2" '^(0(\.[0-9]+)?|1(\.0+)?)$'
require_match BQML_MIN_ROWS "$MIN_ROWS" '^[1-9][0-9]{0,8}$'
# Names as infra/naming.py gives them: deidentified_dataset, vertex_model_id, the bigquery purpose key.
DATASET=$(hipaa_deidentified_dataset "$ENVIRONMENT")
VERTEX_MODEL_ID=$(hipaa_vertex_model_id "$ENVIRONMENT")
KMS_KEY="${KEYRING}/cryptoKeys/${CMEK_KEY_BIGQUERY}"

require_tool bq jq
gate_begin bqml-model "bq/jq"
require_prod_approval

# render VAR FILE: the SQL of scripts/sql/FILE with its placeholders filled (every value was checked
# against a strict pattern above) and its comment lines dropped (bq would read a leading `--` as a flag).
render() {
  local __into=$1 file="${SQL_DIR}/$2" __sql line
  [[ -r "$file" ]] || die "SQL file ${2} is missing"
  __sql=""
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" =~ ^[[:space:]]*-- ]] || __sql+="${line}"$'\n'
  done <"$file"
  __sql=${__sql//'{{PROJECT}}'/$PROJECT}
  __sql=${__sql//'{{DATASET}}'/$DATASET}
  __sql=${__sql//'{{MODEL}}'/$MODEL}
  __sql=${__sql//'{{VERTEX_MODEL_ID}}'/$VERTEX_MODEL_ID}
  __sql=${__sql//'{{KMS_KEY}}'/$KMS_KEY}
  [[ "$__sql" != *'{{'* ]] || die "SQL file ${2} has a placeholder this script does not fill"
  printf -v "$__into" '%s' "$__sql"
}

# query VAR WHAT SQL: one standard-SQL query, its rows as a JSON array (bq prints numbers as strings).
query() {
  capture_json_array "$1" "$2" bq --project_id="$PROJECT" query --format=json --use_legacy_sql=false \
    --nouse_cache "$3"
}

sql="" rows="" count=""
render sql bqml-rows.sql
query rows "count aggregate rows" "$sql"
count=$(jq -r 'if length == 1 then (.[0].row_count // "" | tostring) else "" end' <<<"$rows")
[[ "$count" =~ ^[0-9]+$ ]] || die "count aggregate rows: no row_count in the response"
((count >= MIN_ROWS)) ||
  die "${DATASET}.facility_monthly_encounters has ${count} rows, fewer than the ${MIN_ROWS} a model needs"
checked 1
log "training ${MODEL} on ${count} aggregate rows"

render sql bqml-train.sql
run_quiet "train model ${MODEL}" bq --project_id="$PROJECT" query --format=json --use_legacy_sql=false "$sql"

# The model as BigQuery stores it: encrypted with our key, registered under the id deploy-vertex looks for.
described="" model_key="" registered=""
capture_json described "describe model ${MODEL}" bq --project_id="$PROJECT" show --model --format=json \
  "${PROJECT}:${DATASET}.${MODEL}"
json_fields "$described" "describe model ${MODEL}" \
  '[.encryptionConfiguration.kmsKeyName, ((.trainingRuns // []) | last | .vertexAiModelId)]' model_key registered
checked 2
[[ "$model_key" == "$KMS_KEY" ]] || violation "model ${MODEL}: encrypted with '${model_key:-Google-managed key}', not ${KMS_KEY}"
[[ "$registered" == "$VERTEX_MODEL_ID" ]] ||
  violation "model ${MODEL}: registered in Vertex AI as '${registered:-nothing}', not ${VERTEX_MODEL_ID}"

render sql bqml-evaluate.sql
query rows "evaluate model ${MODEL}" "$sql"
[[ "$(jq length <<<"$rows")" == 1 ]] ||
  die "evaluate model ${MODEL}: expected one row of metrics, got $(jq length <<<"$rows")"
r2=$(jq -r '.[0].r2_score // "" | tostring' <<<"$rows")
[[ "$r2" =~ $RE_NUMBER ]] || die "evaluate model ${MODEL}: r2_score is missing or not a number"
checked 1
if [[ "$(jq -n --argjson value "$r2" --argjson bar "$MIN_R2" '$value >= $bar')" == true ]]; then
  log "model ${MODEL}: r2_score=${r2} meets the minimum ${MIN_R2}"
else
  violation "model ${MODEL}: r2_score=${r2} misses the minimum ${MIN_R2}"
fi
gate_finish
