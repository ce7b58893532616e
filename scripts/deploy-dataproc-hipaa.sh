#!/usr/bin/env bash
# Creates (or updates) the environment's Dataproc cluster, then proves from the live cluster that
# it is private, CMEK-encrypted, shielded and, in prod, Kerberized. dev clusters are ephemeral
# (idle-deleted after 30 minutes); staging and prod clusters have no idle deletion.
set -Eeuo pipefail
SCRIPT_NAME=deploy-dataproc-hipaa.sh
USAGE="deploy-dataproc-hipaa.sh ENV PROJECT_ID DATAPROC_REGION CLUSTER KMS_KEYRING SUBNET"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/dataproc.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/dataproc.sh"

require_args 6 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match DATAPROC_REGION "$3" "$RE_REGION"
require_match CLUSTER "$4" "$RE_NAME"
require_match KMS_KEYRING "$5" "$RE_KEYRING"
require_match SUBNET "$6" "$RE_NAME"
PROJECT=$2 REGION=$3 CLUSTER=$4 KEYRING=$5 SUBNET=$6

require_tool gcloud jq
gate_begin deploy-dataproc "gcloud/jq"
require_prod_approval

existing=""
dataproc_count_clusters existing "$PROJECT" "$REGION" "$CLUSTER"
idle_ttl=$(dataproc_idle_ttl)
case "$existing" in
  0)
    lifecycle=()
    [[ -z "$idle_ttl" ]] || lifecycle=(--delete-max-idle="$DATAPROC_DEV_IDLE")
    dataproc_create_cluster "$PROJECT" "$REGION" "$CLUSTER" "$KEYRING" "$SUBNET" "${lifecycle[@]}"
    ;;
  1)
    # Network, encryption, identity and shielding are fixed at creation; the idle policy can drift
    # and is set to the environment's (the same as infra/compute/dataproc.py). Labels are left alone: a
    # cluster created by `pulumi up` keeps the labels Pulumi gave it.
    if [[ -n "$idle_ttl" ]]; then lifecycle=(--delete-max-idle="$DATAPROC_DEV_IDLE"); else lifecycle=(--no-delete-max-idle); fi
    log "updating cluster ${CLUSTER}"
    run_quiet "update cluster ${CLUSTER}" gcloud dataproc clusters update "$CLUSTER" \
      --project="$PROJECT" --region="$REGION" "${lifecycle[@]}"
    ;;
  *) die "cluster list: ${existing} clusters named ${CLUSTER}" ;;
esac

dataproc_verify_cluster "$PROJECT" "$REGION" "$CLUSTER" "$KEYRING" "$SUBNET" "$idle_ttl"
gate_finish
