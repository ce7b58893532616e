#!/usr/bin/env bash
# Integration test inside the VPC-SC perimeter: an ephemeral Dataproc cluster with the deployed
# cluster's private, CMEK-encrypted, shielded shape (scripts/lib/dataproc.sh), and the PySpark job on
# it with the arguments the deployed job gets (the pinned MRN HMAC key version included). It reads
# BIGQUERY_DATASET and writes the de-identified aggregates that validate-bqml-model.sh, the next
# step, trains and evaluates the BigQuery ML model on. The test cluster is always deleted, also on
# failure; it carries idle and age limits in case the build itself dies.
set -Eeuo pipefail
SCRIPT_NAME=run-dataproc-integration.sh
USAGE="run-dataproc-integration.sh ENV PROJECT_ID DATAPROC_REGION KMS_KEYRING SUBNET BIGQUERY_DATASET MAIN_PY_URI"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/deploy.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/deploy.sh"
# shellcheck source=lib/dataproc.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/dataproc.sh"

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

require_tool gcloud jq
gate_begin dataproc-integration "gcloud/jq"
require_prod_approval

CLUSTER=$(hipaa_resource_name "$ENVIRONMENT" "dataproc-it-$(run_suffix)")
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

# The key is checked before a cluster is paid for: without an enabled version the job cannot run.
HMAC_KEY_VERSION=""
dataproc_hmac_key_version HMAC_KEY_VERSION "$PROJECT"
on_exit teardown
dataproc_create_cluster "$PROJECT" "$REGION" "$CLUSTER" "$KEYRING" "$SUBNET" \
  --delete-max-idle="$DATAPROC_DEV_IDLE" --delete-max-age="$TEST_CLUSTER_MAX_AGE"
dataproc_verify_cluster "$PROJECT" "$REGION" "$CLUSTER" "$KEYRING" "$SUBNET" "$DATAPROC_DEV_IDLE_TTL"
dataproc_require_connector_image "$CLUSTER"
((${#VIOLATIONS[@]} == 0)) || die "test cluster ${CLUSTER} is not compliant; sample job not run"
dataproc_run_pyspark "$PROJECT" "$REGION" "$CLUSTER" "$MAIN_PY" "$DATASET" "$KEYRING" "$HMAC_KEY_VERSION"
teardown strict
gate_finish
