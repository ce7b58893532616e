#!/usr/bin/env bash
# Encryption gate: every data resource of the environment is encrypted with a customer-managed key
# from the environment's keyring, those keys rotate at least every 90 days with an enabled primary
# version, and every HTTPS load balancer negotiates TLS 1.2 or later with a MODERN or RESTRICTED
# profile.
#
# TLS 1.3: Google's front ends always offer TLS 1.3 to clients that support it, and an SSL
# policy cannot forbid TLS 1.2 (the Compute API's minTlsVersion stops at TLS_1_2). So the gate
# checks what a policy can control: every target HTTPS proxy has an SSL policy, that policy's
# minTlsVersion is TLS_1_2 (or later, should the API add one) and its profile is MODERN or
# RESTRICTED (no CBC-mode or 3DES suites). A proxy without a policy uses Google's default,
# COMPATIBLE with TLS 1.0, and fails.
#
# Same rules in every environment: encryption at rest and in transit does not depend on whether
# the data is synthetic. Every listing is also compared with the expected inventory
# (security/inventory/<env>.json): a planned key, bucket, dataset, cluster or secret that is
# missing, one whose key, rotation or public access prevention differs from the plan, and a key,
# bucket, dataset, topic or secret nobody planned (tolerated in dev) each fail the gate.
# shellcheck disable=SC2016  # $names in single quotes are jq variables
set -Eeuo pipefail
SCRIPT_NAME=validate-encryption.sh
USAGE="validate-encryption.sh ENV PROJECT_ID KMS_KEYRING REGION"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
# shellcheck source=lib/inventory.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/inventory.sh"

require_args 4 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match KMS_KEYRING "$3" "$RE_KEYRING"
require_match REGION "$4" "$RE_REGION"
PROJECT=$2 KEYRING=$3 REGION=$4
readonly MAX_ROTATION_SECONDS=7776000 # 90 days

gate_begin encryption "gcloud/bq/jq"
require_tool gcloud bq jq
inventory_begin project="$PROJECT" keyring="$KEYRING" region="$REGION"

# --- Keys: rotation and primary version ------------------------------------------------------
keys=""
capture_json_array keys "keys of ${KEYRING}" gcloud kms keys list --keyring "$KEYRING" --format=json
# Asymmetric keys (image signing) have no primary version and no automatic rotation in Cloud KMS.
judge "keys of ${KEYRING}" "$keys" '
  [.[] | select(.purpose == "ENCRYPT_DECRYPT")]
  | {checked: length,
     violations: [.[] | (.name | split("/") | last) as $id
       | (if .rotationPeriod == null then "key \($id): no automatic rotation period"
          elif (.rotationPeriod | rtrimstr("s") | tonumber) > $max
            then "key \($id): rotation period \(.rotationPeriod) exceeds 90 days (\($max)s)"
          else empty end),
         (select((.primary.state // "NONE") != "ENABLED")
          | "key \($id): primary version is \(.primary.state // "missing"), not ENABLED")]}' \
  --argjson max "$MAX_ROTATION_SECONDS"
cmek_keys=$(jq -c '[.[] | select(.purpose == "ENCRYPT_DECRYPT") | .name]' <<<"$keys")
inventory_compare keys "keys of ${KEYRING}" "$keys" '.name'

# --- Data resources and the key each one uses ------------------------------------------------
buckets=""
capture_json_array buckets "buckets of ${PROJECT}" gcloud storage buckets list --project "$PROJECT" --format=json

dataset_list=""
capture_bq_list dataset_list "datasets of ${PROJECT}" \
  bq ls --format=json --project_id="$PROJECT" --max_results=10000
dataset_ids=$(jq -r '.[].datasetReference.datasetId' <<<"$dataset_list" 2>/dev/null) ||
  die "datasets of ${PROJECT}: unexpected JSON shape"
datasets=""
while IFS= read -r dataset_id; do
  [[ -n "$dataset_id" ]] || continue
  dataset=""
  capture_json dataset "dataset ${dataset_id}" bq show --format=json "${PROJECT}:${dataset_id}"
  datasets+="${datasets:+,}${dataset}"
done <<<"$dataset_ids"

dataproc=""
capture_json_array dataproc "Dataproc clusters in ${REGION}" \
  gcloud dataproc clusters list --region "$REGION" --project "$PROJECT" --format=json
gke=""
capture_json_array gke "GKE clusters of ${PROJECT}" gcloud container clusters list --project "$PROJECT" --format=json
disks=""
capture_json_array disks "disks of ${PROJECT}" gcloud compute disks list --project "$PROJECT" --format=json
topics=""
capture_json_array topics "Pub/Sub topics of ${PROJECT}" gcloud pubsub topics list --project "$PROJECT" --format=json
secrets=""
capture_json_array secrets "secrets of ${PROJECT}" gcloud secrets list --project "$PROJECT" --format=json

inventory_compare buckets "buckets of ${PROJECT}" "$buckets" '.name'
inventory_compare datasets "datasets of ${PROJECT}" "[${datasets}]" '.datasetReference.datasetId'
inventory_compare dataproc_clusters "Dataproc clusters in ${REGION}" "$dataproc" '.clusterName'
inventory_compare gke_clusters "GKE clusters of ${PROJECT}" "$gke" '.name'
inventory_compare topics "Pub/Sub topics of ${PROJECT}" "$topics" '.name'
# Secret names carry the project number; the inventory names a secret by its id.
inventory_compare secrets "secrets of ${PROJECT}" "$secrets" '.name | split("/") | last'

judge "encryption of ${PROJECT}" \
  "{\"buckets\":${buckets},\"datasets\":[${datasets}],\"dataproc\":${dataproc},\"gke\":${gke},\"disks\":${disks},\"topics\":${topics},\"secrets\":${secrets}}" '
  def unversioned: sub("/cryptoKeyVersions/[0-9]+$"; "");
  def cmek($what; $key): select(($key // "" | unversioned) as $k | $cmek | index($k) | not)
    | "\($what): no CMEK key from \($ring | split("/") | last)";
  def short: split("/") | last;
  {checked: (((.buckets + .datasets + .dataproc + .disks + .topics + .secrets) | length)
             + ([.gke[] | 1 + (.nodePools // [] | length)] | add // 0)),
   violations: [
     (.buckets[] | cmek("bucket \(.name)"; .default_kms_key)),
     (.datasets[] | cmek("dataset \(.datasetReference.datasetId)"; .defaultEncryptionConfiguration.kmsKeyName)),
     (.dataproc[] | cmek("Dataproc cluster \(.clusterName)"; .config.encryptionConfig.gcePdKmsKeyName)),
     (.gke[] | .name as $cluster
      | (select(.databaseEncryption.state != "ENCRYPTED"
                or ((.databaseEncryption.currentState // "CURRENT_STATE_ENCRYPTED") != "CURRENT_STATE_ENCRYPTED"))
         | "GKE cluster \($cluster): application-layer secrets encryption is not on"),
        cmek("GKE cluster \($cluster) secrets"; .databaseEncryption.keyName),
        (.nodePools // [] | .[] | cmek("GKE node pool \($cluster)/\(.name) boot disks"; .config.bootDiskKmsKey))),
     (.disks[] | cmek("disk \(.name) (\(.zone // .region // "" | short))"; .diskEncryptionKey.kmsKeyName)),
     (.topics[] | cmek("Pub/Sub topic \(.name | short)"; .kmsKeyName)),
     (.secrets[] | (.name | short) as $secret
      | if .replication.userManaged != null
        then (.replication.userManaged.replicas // [] | .[] | cmek("secret \($secret) replica \(.location)"; .customerManagedEncryption.kmsKeyName))
        else cmek("secret \($secret)"; .replication.automatic.customerManagedEncryption.kmsKeyName) end)]}' \
  --argjson cmek "$cmek_keys" --arg ring "$KEYRING"

# --- TLS on HTTPS load balancers -------------------------------------------------------------
proxies=""
capture_json_array proxies "target HTTPS proxies of ${PROJECT}" \
  gcloud compute target-https-proxies list --project "$PROJECT" --format=json
ssl_policies=""
capture_json_array ssl_policies "SSL policies of ${PROJECT}" \
  gcloud compute ssl-policies list --project "$PROJECT" --format=json
judge "TLS of ${PROJECT}" "{\"proxies\":${proxies},\"policies\":${ssl_policies}}" '
  (.policies | map({key: .selfLink, value: .}) | from_entries) as $by_link
  | {checked: (.proxies | length),
     violations: [.proxies[] | .name as $proxy
       | if .sslPolicy == null then "target HTTPS proxy \($proxy): no SSL policy (Google default allows TLS 1.0)"
         else $by_link[.sslPolicy] as $policy
         | if $policy == null then "target HTTPS proxy \($proxy): SSL policy \(.sslPolicy | split("/") | last) not found"
           else
             (select(($policy.minTlsVersion // "TLS_1_0") | IN("TLS_1_2", "TLS_1_3") | not)
              | "SSL policy \($policy.name) of \($proxy): minimum \($policy.minTlsVersion // "TLS_1_0"), not TLS_1_2 or later"),
             (select(($policy.profile // "COMPATIBLE") | IN("MODERN", "RESTRICTED") | not)
              | "SSL policy \($policy.name) of \($proxy): profile \($policy.profile // "COMPATIBLE"), not MODERN or RESTRICTED")
           end
         end]}'
if [[ "$proxies" =~ ^\[[[:space:]]*\]$ ]]; then
  log "no target HTTPS proxies in ${PROJECT}: nothing serves HTTPS through a load balancer"
fi

gate_finish
