#!/usr/bin/env bash
# Deploys a registered Vertex AI model to the environment's private endpoint. Refuses an endpoint
# that is reachable publicly (no VPC peering to the environment's network, or a public dedicated
# endpoint), lacks CMEK from the environment's keyring, or logs requests and responses (which
# would copy PHI into BigQuery); refuses a model without CMEK. Then proves the model is served
# there through a private endpoint.
set -Eeuo pipefail
SCRIPT_NAME=deploy-vertex-model.sh
USAGE="deploy-vertex-model.sh ENV PROJECT_ID REGION ENDPOINT_DISPLAY_NAME MODEL_DISPLAY_NAME"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
# shellcheck source=lib/deploy.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/deploy.sh"

readonly RE_DISPLAY_NAME='^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$'
# The last part of a Vertex AI model's name: a number Vertex chose, or the ID it was registered under
# (BigQuery ML's vertex_ai_model_id; Vertex allows [a-z0-9_-], up to 63, not starting with a digit or -).
readonly RE_MODEL_ID='^([0-9]+|[a-z_][a-z0-9_-]{0,62})$'

require_args 5 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match REGION "$3" "$RE_REGION"
require_match ENDPOINT_DISPLAY_NAME "$4" "$RE_DISPLAY_NAME"
require_match MODEL_DISPLAY_NAME "$5" "$RE_DISPLAY_NAME"
PROJECT=$2 REGION=$3 ENDPOINT_NAME=$4 MODEL_NAME=$5
MACHINE_TYPE=${VERTEX_MACHINE_TYPE:-n1-standard-4}
require_match VERTEX_MACHINE_TYPE "$MACHINE_TYPE" '^[a-z][a-z0-9-]{1,62}$'
if [[ "$1" == prod ]]; then MIN_REPLICAS=2 MAX_REPLICAS=4; else MIN_REPLICAS=1 MAX_REPLICAS=2; fi

require_tool gcloud jq
gate_begin deploy-vertex "gcloud/jq"
require_prod_approval

KEYRING=$(env_keyring "$PROJECT" "$REGION")
NETWORK=$(hipaa_network_name "$ENVIRONMENT")

# find_one VAR KIND DISPLAY_NAME JSON_ARRAY: the single resource with that display name.
find_one() {
  local __into=$1 kind=$2 name=$3 matches count
  matches=$(jq --arg name "$name" '[.[] | select(.displayName == $name)]' <<<"$4")
  count=$(jq length <<<"$matches")
  [[ "$count" == 1 ]] || die "${count} ${kind}s named '${name}' in ${REGION}; expected exactly one"
  printf -v "$__into" '%s' "$(jq '.[0]' <<<"$matches")"
}

endpoints="" models="" endpoint="" model=""
capture_json_array endpoints "endpoint list" gcloud ai endpoints list \
  --project="$PROJECT" --region="$REGION" --format=json
find_one endpoint endpoint "$ENDPOINT_NAME" "$endpoints"
capture_json_array models "model list" gcloud ai models list \
  --project="$PROJECT" --region="$REGION" --format=json
find_one model model "$MODEL_NAME" "$models"

endpoint_id="" network="" dedicated="" endpoint_key="" logging="" model_id="" model_key=""
json_fields "$endpoint" "endpoint '${ENDPOINT_NAME}'" '[(.name // "" | split("/") | last), .network,
  (.dedicatedEndpointEnabled // false), .encryptionSpec.kmsKeyName,
  (.predictRequestResponseLoggingConfig.enabled // false)]' endpoint_id network dedicated endpoint_key logging
json_fields "$model" "model '${MODEL_NAME}'" '[(.name // "" | split("/") | last), .encryptionSpec.kmsKeyName]' \
  model_id model_key
[[ "$endpoint_id" =~ ^[0-9]+$ ]] || die "endpoint '${ENDPOINT_NAME}': no numeric id in its resource name"
[[ "$model_id" =~ $RE_MODEL_ID ]] || die "model '${MODEL_NAME}': no model id in its resource name"

checked 5
if [[ -z "$network" ]]; then
  violation "endpoint ${endpoint_id}: public (no VPC peering network)"
elif [[ ! "$network" =~ ^projects/[a-z0-9-]+/global/networks/${NETWORK}$ ]]; then
  violation "endpoint ${endpoint_id}: peered to ${network}, not ${NETWORK}"
fi
[[ "$dedicated" != true ]] || violation "endpoint ${endpoint_id}: dedicated public DNS endpoint is enabled"
kms_key_in_keyring "$endpoint_key" "$KEYRING" || violation "endpoint ${endpoint_id}: no CMEK encryptionSpec from ${KEYRING}"
[[ "$logging" != true ]] ||
  violation "endpoint ${endpoint_id}: request-response logging is on (copies PHI to BigQuery)"
kms_key_in_keyring "$model_key" "$KEYRING" || violation "model ${model_id}: no CMEK encryptionSpec from ${KEYRING}"
((${#VIOLATIONS[@]} == 0)) || die "endpoint ${endpoint_id} or model ${model_id} is not compliant; nothing deployed"

# deployed_ids JSON: ids of the endpoint's deployed models that serve MODEL (any version of it).
deployed_ids() {
  jq -r --arg model "$model_id" \
    '.deployedModels // [] | .[] | select((.model // "") | split("/") | (last // "") | split("@") | first == $model) | .id' <<<"$1"
}

if [[ -n "$(deployed_ids "$endpoint")" ]]; then
  log "model ${model_id} is already deployed on endpoint ${endpoint_id}; not deploying it twice"
else
  log "deploying model ${model_id} to endpoint ${endpoint_id}"
  # Container logging off: a serving container's stdout and stderr may carry request data.
  run_quiet "deploy model ${model_id}" gcloud ai endpoints deploy-model "$endpoint_id" \
    --project="$PROJECT" --region="$REGION" --model="$model_id" --display-name="$MODEL_NAME" \
    --machine-type="$MACHINE_TYPE" --min-replica-count="$MIN_REPLICAS" --max-replica-count="$MAX_REPLICAS" \
    --traffic-split=0=100 --disable-container-logging
fi

after=""
capture_json after "describe endpoint ${endpoint_id}" gcloud ai endpoints describe "$endpoint_id" \
  --project="$PROJECT" --region="$REGION" --format=json
deployed=$(deployed_ids "$after")
deployed=${deployed%%$'\n'*}
[[ -n "$deployed" ]] || die "model ${model_id} is not listed on endpoint ${endpoint_id} after the deploy"
[[ "$deployed" =~ ^[0-9]+$ ]] || die "describe endpoint ${endpoint_id}: deployed model id is not numeric"
private_uri="" traffic=""
json_fields "$after" "describe endpoint ${endpoint_id}" "[
  ([.deployedModels[] | select(.id == \"${deployed}\") | .privateEndpoints.predictHttpUri] | first),
  (.trafficSplit[\"${deployed}\"] // 0)]" private_uri traffic
checked 2
[[ -n "$private_uri" ]] || violation "deployed model ${deployed}: no private predict endpoint"
[[ "$traffic" =~ ^[0-9]+$ && "$traffic" -gt 0 ]] || violation "deployed model ${deployed}: receives no traffic"
gate_finish
