#!/usr/bin/env bash
# Submits the de-identification PySpark job to the environment's cluster and waits for it to end DONE.
# Refuses a cluster that is not private, CMEK-encrypted and shielded, or whose image lacks the BigQuery
# connector, and a secret hipaa-ENV-mrn-hmac-key without exactly one enabled version (the job gets
# that version pinned). Reads BIGQUERY_DATASET, writes hipaa_ENV_deidentified. Only the job id and its
# states are logged: driver output may hold data.
set -Eeuo pipefail
SCRIPT_NAME=run-pyspark-job.sh
USAGE="run-pyspark-job.sh ENV PROJECT_ID DATAPROC_REGION CLUSTER MAIN_PY_URI BIGQUERY_DATASET"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/deploy.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/deploy.sh"
# shellcheck source=lib/dataproc.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/dataproc.sh"

require_args 6 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match DATAPROC_REGION "$3" "$RE_REGION"
require_match CLUSTER "$4" "$RE_NAME"
require_match MAIN_PY_URI "$5" "$RE_GS_URI"
[[ "$5" == *.py ]] || usage_error "MAIN_PY_URI='$5' is malformed: not a .py file"
require_match BIGQUERY_DATASET "$6" "$RE_DATASET"
PROJECT=$2 REGION=$3 CLUSTER=$4 MAIN_PY=$5 DATASET=$6

require_tool gcloud jq
gate_begin pyspark-job "gcloud/jq"
require_prod_approval

# The job processes PHI: the cluster must meet the same rules deploy-dataproc-hipaa.sh enforced.
KEYRING=$(env_keyring "$PROJECT" "$REGION")
dataproc_verify_cluster "$PROJECT" "$REGION" "$CLUSTER" "$KEYRING" \
  "$(hipaa_subnet_name "$ENVIRONMENT")" "$(dataproc_idle_ttl)"
dataproc_require_connector_image "$CLUSTER"
((${#VIOLATIONS[@]} == 0)) || die "cluster ${CLUSTER} is not compliant; job not submitted"

HMAC_KEY_VERSION=""
dataproc_hmac_key_version HMAC_KEY_VERSION "$PROJECT"
dataproc_run_pyspark "$PROJECT" "$REGION" "$CLUSTER" "$MAIN_PY" "$DATASET" "$KEYRING" "$HMAC_KEY_VERSION"
gate_finish
