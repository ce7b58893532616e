#!/usr/bin/env bash
# Integration test inside the VPC-SC perimeter: an ephemeral Dataproc cluster with the deployed
# cluster's private, CMEK-encrypted, shielded shape (scripts/lib/dataproc.sh), the sample PySpark
# job on it, and a BigQuery ML model evaluated against a metric threshold. The test cluster is
# always deleted, also on failure; it carries idle and age limits in case the build itself dies.
#
# The model and its bar come from the environment: BQML_MODEL (default integration_model, in
# BIGQUERY_DATASET), BQML_METRIC (default roc_auc, a column of ML.EVALUATE) and BQML_THRESHOLD
# (default 0.7; a minimum, or a maximum for error metrics such as log_loss).
set -Eeuo pipefail
SCRIPT_NAME=run-dataproc-integration.sh
USAGE="run-dataproc-integration.sh ENV PROJECT_ID DATAPROC_REGION KMS_KEYRING SUBNET BIGQUERY_DATASET MAIN_PY_URI"
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/dataproc.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/dataproc.sh"

# ML.EVALUATE metrics where smaller is better; every other metric must reach the threshold.
readonly ERROR_METRICS=" mean_absolute_error mean_squared_error mean_squared_log_error median_absolute_error log_loss davies_bouldin_index mean_squared_distance "
readonly TEST_CLUSTER_MAX_AGE=3h

require_args 7 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match DATAPROC_REGION "$3" "$RE_REGION"
require_match KMS_KEYRING "$4" "$RE_KEYRING"
require_match SUBNET "$5" "$RE_NAME"
require_match BIGQUERY_DATASET "$6" "$RE_DATASET"
require_match MAIN_PY_URI "$7" "$RE_GS_URI"
[[ "$7" == *.py ]] || usage_error "MAIN_PY_URI='$7' is malformed: not a .py file"
PROJECT=$2 REGION=$3 KEYRING=$4 SUBNET=$5 DATASET=$6 MAIN_PY=$7
MODEL=${BQML_MODEL:-integration_model}
METRIC=${BQML_METRIC:-roc_auc}
THRESHOLD=${BQML_THRESHOLD:-0.7}
require_match BQML_MODEL "$MODEL" '^[A-Za-z_][A-Za-z0-9_]{0,1023}$'
require_match BQML_METRIC "$METRIC" '^[a-z][a-z0-9_]{0,63}$'
require_match BQML_THRESHOLD "$THRESHOLD" '^[0-9]+(\.[0-9]+)?$'

require_tool gcloud bq jq
gate_begin dataproc-integration "gcloud/bq/jq"
require_prod_approval

CLUSTER="hipaa-${ENVIRONMENT}-dataproc-it-$(run_suffix)"
TORN_DOWN=""

# teardown [strict]: delete the test cluster once. On the passing path (strict) a failed delete is a
# violation; at exit after a failure it is a warning, and a successful delete stays quiet so the
# failure's reason remains the last line.
teardown() {
  [[ -z "$TORN_DOWN" ]] || return 0
  TORN_DOWN=1
  if gcloud dataproc clusters delete "$CLUSTER" --project="$PROJECT" --region="$REGION" --quiet >/dev/null 2>&1; then
    [[ "${1:-}" != strict ]] || log "deleted test cluster ${CLUSTER}"
  elif [[ "${1:-}" == strict ]]; then
    violation "test cluster ${CLUSTER}: delete failed; remove it by hand"
  else
    log "WARNING: test cluster ${CLUSTER} was not deleted (or never created)"
  fi
}

# evaluate_model: ML.EVALUATE of the model must report METRIC on the right side of THRESHOLD.
evaluate_model() {
  local rows="" value verdict bound=minimum
  capture_json_array rows "evaluate model ${MODEL}" bq --project_id="$PROJECT" query --format=json \
    --nouse_legacy_sql --nouse_cache "SELECT * FROM ML.EVALUATE(MODEL \`${PROJECT}.${DATASET}.${MODEL}\`)"
  [[ "$(jq length <<<"$rows")" == 1 ]] || die "evaluate model ${MODEL}: expected one row of metrics, got $(jq length <<<"$rows")"
  value=$(jq -r --arg metric "$METRIC" '.[0][$metric] // "" | tostring' <<<"$rows")
  [[ "$value" =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]] ||
    die "evaluate model ${MODEL}: metric ${METRIC} is missing or not a number"
  [[ "$ERROR_METRICS" != *" ${METRIC} "* ]] || bound=maximum
  verdict=$(jq -n --argjson value "$value" --argjson threshold "$THRESHOLD" --arg bound "$bound" \
    'if $bound == "minimum" then $value >= $threshold else $value <= $threshold end')
  checked 1
  if [[ "$verdict" == true ]]; then
    log "model ${MODEL}: ${METRIC}=${value} meets the ${bound} ${THRESHOLD}"
  else
    violation "model ${MODEL}: ${METRIC}=${value} misses the ${bound} ${THRESHOLD}"
  fi
}

on_exit teardown
dataproc_create_cluster "$PROJECT" "$REGION" "$CLUSTER" "$KEYRING" "$SUBNET" \
  --delete-max-idle="$DATAPROC_DEV_IDLE" --delete-max-age="$TEST_CLUSTER_MAX_AGE"
dataproc_verify_cluster "$PROJECT" "$REGION" "$CLUSTER" "$KEYRING" "$SUBNET" "$DATAPROC_DEV_IDLE_TTL"
((${#VIOLATIONS[@]} == 0)) || die "test cluster ${CLUSTER} is not compliant; sample job not run"
dataproc_run_pyspark "$PROJECT" "$REGION" "$CLUSTER" "$MAIN_PY" "$DATASET"
evaluate_model
teardown strict
gate_finish
