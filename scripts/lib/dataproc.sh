#!/usr/bin/env bash
# Dataproc helpers for deploy-dataproc-hipaa.sh, run-pyspark-job.sh and run-dataproc-integration.sh:
# sourced after core.sh, never run. The cluster shape is written here once, so the deployed
# cluster and the integration test cluster cannot drift apart (and both follow infra/compute/dataproc.py:
# its image line, idle TTL and every name come from facts.sh, generated from the Python program).
# shellcheck shell=bash
[[ -z "${_HIPAA_DATAPROC_SH:-}" ]] || return 0
readonly _HIPAA_DATAPROC_SH=1
# shellcheck source=live.sh
source "${_HIPAA_LIB_DIR}/live.sh"
# shellcheck source=deploy.sh
source "${_HIPAA_LIB_DIR}/deploy.sh"

# DATAPROC_IMAGE_VERSION (facts.sh) is infra's image line. Images 2.1 and later ship the Spark BigQuery
# connector, so jobs need no connector jar from gs://spark-lib, a bucket outside the VPC-SC perimeter.
readonly DATAPROC_MIN_CONNECTOR_IMAGE=2.1
# The keyring's key for disks.
readonly DATAPROC_DISK_KEY=$CMEK_KEY_COMPUTE
# dev clusters are ephemeral: deleted after DATAPROC_DEV_IDLE_TTL (facts.sh) idle, in gcloud's minutes.
# shellcheck disable=SC2034  # used by the scripts that source this file
readonly DATAPROC_DEV_IDLE="$((${DATAPROC_DEV_IDLE_TTL%s} / 60))m"
readonly DATAPROC_JOB_STATES_RUNNING=" STATE_UNSPECIFIED PENDING SETUP_DONE RUNNING CANCEL_PENDING CANCEL_STARTED ATTEMPT_FAILURE "

# dataproc_service_account PROJECT_ID: the cluster's dedicated, least-privilege identity.
dataproc_service_account() {
  hipaa_service_account_email "$ENVIRONMENT" "$1" dataproc
}

# The cluster's CMEK staging and temp buckets (infra/compute/dataproc_support.py) and its autoscaling
# policy (infra/compute/dataproc.py), as infra/naming.py names them.
dataproc_staging_bucket() {
  hipaa_dataproc_staging_bucket "$1"
}
dataproc_temp_bucket() {
  hipaa_dataproc_temp_bucket "$1"
}
# dataproc_autoscaling_policy PROJECT_ID REGION: the policy's resource name.
dataproc_autoscaling_policy() {
  hipaa_dataproc_autoscaling_policy "$ENVIRONMENT" "$1" "$2"
}

dataproc_labels() {
  printf 'compliance=hipaa,data-classification=phi,environment=%s,managed-by=cloud-build' "$ENVIRONMENT"
}

# Secure mode: prod clusters authenticate with Kerberos, as infra/compute/dataproc.py makes them. The root
# principal password is what the Dataproc API documents: a Cloud Storage object encrypted with the Cloud
# KMS key DATAPROC_KERBEROS_KEY (facts.sh), in the CMEK bucket infra/compute/dataproc_support.py creates,
# uploaded once by an operator (README, "Running it for real"). The cluster's own account reads and
# decrypts it on the VMs; the script never sees the password.
dataproc_kerberos_required() {
  [[ "$ENVIRONMENT" == prod ]]
}
# dataproc_kerberos_flags PROJECT_ID KEYRING: the create flags for secure mode, one per line.
dataproc_kerberos_flags() {
  printf '%s\n' --enable-kerberos \
    "--kerberos-root-principal-password-uri=$(hipaa_dataproc_kerberos_password_uri "$1")" \
    "--kerberos-kms-key=${2}/cryptoKeys/${DATAPROC_KERBEROS_KEY}"
}
# dataproc_require_kerberos_password PROJECT_ID: dies unless the encrypted password object exists (only its
# metadata is read), so a missing upload fails with its remedy rather than deep in cluster creation.
dataproc_require_kerberos_password() {
  require_tool gcloud
  local uri described=""
  uri=$(hipaa_dataproc_kerberos_password_uri "$1")
  capture_json described "Kerberos root principal password ${uri} (encrypt and upload it first: README, 'Running it for real')" \
    gcloud storage objects describe "$uri" --format=json
}

# dataproc_idle_ttl: the idle-delete TTL the environment's long-lived cluster must have ("" for none).
dataproc_idle_ttl() {
  if [[ "$ENVIRONMENT" == dev ]]; then printf '%s' "$DATAPROC_DEV_IDLE_TTL"; fi
}

# dataproc_count_clusters VAR PROJECT REGION CLUSTER: how many clusters of that name exist (0 or 1).
dataproc_count_clusters() {
  require_tool jq
  local __into=$1 project=$2 region=$3 cluster=$4 clusters=""
  capture_json_array clusters "cluster list" gcloud dataproc clusters list \
    --project="$project" --region="$region" --filter="clusterName=${cluster}" --format=json
  printf -v "$__into" '%s' "$(jq --arg name "$cluster" '[.[] | select(.clusterName == $name)] | length' <<<"$clusters")"
}

# dataproc_create_cluster PROJECT REGION CLUSTER KEYRING SUBNET [FLAG...]: a private, CMEK-encrypted,
# shielded cluster under its own service account, no component gateway, staging and temp data in the
# environment's CMEK buckets (not Dataproc's default Google-managed ones) and infra's autoscaling
# policy; FLAGs add lifecycle limits.
dataproc_create_cluster() {
  local project=$1 region=$2 cluster=$3 keyring=$4 subnet=$5
  shift 5
  log "creating cluster ${cluster} in ${region}"
  local kerberos=()
  if dataproc_kerberos_required; then
    dataproc_require_kerberos_password "$project"
    mapfile -t kerberos < <(dataproc_kerberos_flags "$project" "$keyring")
  fi
  run_quiet "create cluster ${cluster}" gcloud dataproc clusters create "$cluster" \
    --project="$project" --region="$region" \
    --image-version="$DATAPROC_IMAGE_VERSION" \
    --no-address --subnet="$subnet" \
    --gce-pd-kms-key="${keyring}/cryptoKeys/${DATAPROC_DISK_KEY}" \
    --shielded-secure-boot --shielded-vtpm --shielded-integrity-monitoring \
    --service-account="$(dataproc_service_account "$project")" --scopes=cloud-platform \
    --metadata=block-project-ssh-keys=true --tags=dataproc \
    --bucket="$(dataproc_staging_bucket "$project")" --temp-bucket="$(dataproc_temp_bucket "$project")" \
    --autoscaling-policy="$(dataproc_autoscaling_policy "$project" "$region")" \
    --labels="$(dataproc_labels)" \
    "${kerberos[@]}" "$@"
}

# dataproc_verify_cluster PROJECT REGION CLUSTER KEYRING SUBNET IDLE_TTL: checks the live cluster
# (`clusters describe`, kept in DATAPROC_CLUSTER_JSON) and records a violation for every HIPAA
# property it lacks.
DATAPROC_CLUSTER_JSON=""
dataproc_verify_cluster() {
  local project=$1 region=$2 cluster=$3 keyring=$4 subnet=$5 idle_ttl=$6 described=""
  local state internal key boot vtpm integrity account subnet_uri gateway ttl config_bucket temp_bucket policy kerberos
  capture_json described "describe cluster ${cluster}" gcloud dataproc clusters describe "$cluster" \
    --project="$project" --region="$region" --format=json
  DATAPROC_CLUSTER_JSON=$described
  json_fields "$described" "describe cluster ${cluster}" '[
      (.status.state // "UNKNOWN"),
      (.config.gceClusterConfig.internalIpOnly // false),
      .config.encryptionConfig.gcePdKmsKeyName,
      (.config.gceClusterConfig.shieldedInstanceConfig.enableSecureBoot // false),
      (.config.gceClusterConfig.shieldedInstanceConfig.enableVtpm // false),
      (.config.gceClusterConfig.shieldedInstanceConfig.enableIntegrityMonitoring // false),
      .config.gceClusterConfig.serviceAccount,
      .config.gceClusterConfig.subnetworkUri,
      (.config.endpointConfig.enableHttpPortAccess // false),
      .config.lifecycleConfig.idleDeleteTtl,
      .config.configBucket,
      .config.tempBucket,
      .config.autoscalingConfig.policyUri,
      (.config.securityConfig.kerberosConfig.enableKerberos // false)
    ]' state internal key boot vtpm integrity account subnet_uri gateway ttl config_bucket temp_bucket policy kerberos

  checked 11
  [[ "$state" == RUNNING ]] || violation "cluster ${cluster}: state is ${state}, not RUNNING"
  [[ "$internal" == true ]] || violation "cluster ${cluster}: internalIpOnly is not true (VMs get public IPs)"
  kms_key_in_keyring "$key" "$keyring" ||
    violation "cluster ${cluster}: disk key '${key:-none}' is not a CMEK key from ${keyring}"
  [[ "$boot" == true && "$vtpm" == true && "$integrity" == true ]] ||
    violation "cluster ${cluster}: shielded VM secure boot, vTPM and integrity monitoring are not all on"
  [[ "$account" == "$(dataproc_service_account "$project")" ]] ||
    violation "cluster ${cluster}: runs as '${account:-default compute account}', not $(dataproc_service_account "$project")"
  [[ "$subnet_uri" == */projects/"$project"/regions/"$region"/subnetworks/"$subnet" ]] ||
    violation "cluster ${cluster}: not on subnet ${subnet} of ${project}"
  [[ "$gateway" != true ]] || violation "cluster ${cluster}: component gateway is on (web UIs behind a Google proxy)"
  [[ "$ttl" == "$idle_ttl" ]] ||
    violation "cluster ${cluster}: idle-delete TTL is '${ttl:-none}', expected '${idle_ttl:-none}' in ${ENVIRONMENT}"
  [[ "$config_bucket" == "$(dataproc_staging_bucket "$project")" ]] ||
    violation "cluster ${cluster}: staging bucket is '${config_bucket:-none}', not the CMEK bucket $(dataproc_staging_bucket "$project")"
  [[ "$temp_bucket" == "$(dataproc_temp_bucket "$project")" ]] ||
    violation "cluster ${cluster}: temp bucket is '${temp_bucket:-none}', not the CMEK bucket $(dataproc_temp_bucket "$project")"
  # The API may answer with the relative name or the full URL, and with regions/ or locations/.
  local want_policy alt_policy
  want_policy=$(dataproc_autoscaling_policy "$project" "$region")
  alt_policy=${want_policy/\/regions\//\/locations\/}
  [[ "$policy" == "$want_policy" || "$policy" == */"$want_policy" || "$policy" == "$alt_policy" || "$policy" == */"$alt_policy" ]] ||
    violation "cluster ${cluster}: autoscaling policy is '${policy:-none}', not ${want_policy##*/}"
  if dataproc_kerberos_required; then
    checked 1
    [[ "$kerberos" == true ]] ||
      violation "cluster ${cluster}: Kerberos (secure mode) is off; ${ENVIRONMENT} clusters must authenticate with Kerberos"
  fi
}

# dataproc_require_connector_image CLUSTER: the cluster dataproc_verify_cluster just described must
# run an image with the BigQuery connector (2.1 or later): no jar is fetched from outside the perimeter.
dataproc_require_connector_image() {
  require_tool jq
  local cluster=$1 image major minor
  [[ -n "$DATAPROC_CLUSTER_JSON" ]] || die "cluster ${cluster}: not described yet"
  image=$(jq -r '.config.softwareConfig.imageVersion // ""' <<<"$DATAPROC_CLUSTER_JSON")
  [[ "$image" =~ ^([0-9]+)\.([0-9]+) ]] || die "cluster ${cluster}: image version '${image}' is not readable"
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  checked 1
  ((major > 2 || (major == 2 && minor >= 1))) ||
    violation "cluster ${cluster}: image ${image} predates ${DATAPROC_MIN_CONNECTOR_IMAGE} and has no BigQuery connector"
}

# The datasets the job writes, as infra/naming.py names them: de-identified tables for analysts, and a
# short-lived dataset where the BigQuery connector materializes views it reads (identified rows).
dataproc_output_dataset() {
  hipaa_deidentified_dataset "$ENVIRONMENT"
}
dataproc_materialization_dataset() {
  hipaa_materialization_dataset "$ENVIRONMENT"
}

# dataproc_hmac_key_version VAR PROJECT: the one ENABLED version of the MRN HMAC key secret
# (infra/security/mrn_hmac_secret.py), pinned by number: `latest` would re-key every pseudonym the day someone
# adds a version. No enabled version, or several (a rotation half done), fails closed. Only version
# names and states are read; `gcloud secrets versions list` never returns payloads.
dataproc_hmac_key_version() {
  require_tool jq
  local __into=$1 project=$2 secret versions="" enabled count number
  secret=$(hipaa_mrn_hmac_secret_id "$ENVIRONMENT")
  capture_json_array versions "secret ${secret} versions" gcloud secrets versions list "$secret" \
    --project="$project" --format=json
  enabled=$(jq -r '[.[] | select(type == "object" and .state == "ENABLED") | .name // "" | tostring] | length, .[]' \
    <<<"$versions" 2>/dev/null) || die "secret ${secret} versions: unexpected JSON shape"
  count=${enabled%%$'\n'*}
  ((count > 0)) || die "secret ${secret} has no enabled version; add the key once: openssl rand 64 | gcloud secrets versions add ${secret} --project=${project} --data-file=-"
  ((count == 1)) || die "secret ${secret} has ${count} enabled versions; disable all but the one the job must use (a new version re-keys every pseudonym)"
  number=${enabled#*$'\n'}
  number=${number##*/versions/}
  [[ "$number" =~ ^[1-9][0-9]*$ ]] || die "secret ${secret} versions: enabled version has no numeric name"
  checked 1
  log "MRN HMAC key: ${secret} version ${number}"
  printf -v "$__into" 'projects/%s/secrets/%s/versions/%s' "$project" "$secret" "$number"
}

# dataproc_run_pyspark PROJECT REGION CLUSTER MAIN_PY_URI BIGQUERY_DATASET KEYRING HMAC_KEY_VERSION
# (from dataproc_hmac_key_version): submits the job with
# the wheel from $OUTPUT_DIR/spark-wheel and the arguments hipaa_spark/job.py requires (source dataset,
# output and materialization datasets, the pinned HMAC key version, the BigQuery CMEK key for the
# tables it creates), waits for it, and dies unless it ends DONE. Driver output is never fetched or
# printed (it may hold data): only the job id and states are logged. The image's BigQuery connector is
# used, unless BIGQUERY_CONNECTOR_JAR names a pinned one mirrored inside the perimeter (a gs:// .jar).
dataproc_run_pyspark() {
  require_tool jq
  local project=$1 region=$2 cluster=$3 main=$4 dataset=$5 keyring=$6 hmac_version=$7 wheel submitted="" job_id
  local jars=()
  [[ "$dataset" != "$(dataproc_output_dataset)" && "$dataset" != "$(dataproc_materialization_dataset)" ]] ||
    die "BIGQUERY_DATASET ${dataset} is where the job writes; it must read from another dataset"
  [[ -n "${OUTPUT_DIR:-}" ]] || die "OUTPUT_DIR is not set: no spark-wheel hand-off to read"
  [[ -s "${OUTPUT_DIR}/spark-wheel" ]] || die "${OUTPUT_DIR}/spark-wheel is missing or empty (the wheel build step writes it)"
  wheel=$(head -n 1 "${OUTPUT_DIR}/spark-wheel")
  [[ "$wheel" =~ $RE_GS_URI && "$wheel" == *.whl ]] || die "spark-wheel '${wheel}' is not a gs:// URI of a .whl file"
  if [[ -n "${BIGQUERY_CONNECTOR_JAR:-}" ]]; then
    [[ "$BIGQUERY_CONNECTOR_JAR" =~ $RE_GS_URI && "$BIGQUERY_CONNECTOR_JAR" == *.jar ]] ||
      die "BIGQUERY_CONNECTOR_JAR '${BIGQUERY_CONNECTOR_JAR}' is not a gs:// URI of a .jar file"
    jars=(--jars="$BIGQUERY_CONNECTOR_JAR")
  fi

  # --async: gcloud would otherwise stream the driver's output into the build log.
  capture_json submitted "submit job" gcloud dataproc jobs submit pyspark "$main" \
    --project="$project" --region="$region" --cluster="$cluster" --async \
    --py-files="$wheel" "${jars[@]}" \
    --labels="environment=${ENVIRONMENT},build=$(run_suffix)" \
    --format=json \
    -- "--project=${project}" "--dataset=${dataset}" \
    "--output-dataset=$(dataproc_output_dataset)" "--materialization-dataset=$(dataproc_materialization_dataset)" \
    "--hmac-key-version=${hmac_version}" "--kms-key=${keyring}/cryptoKeys/${CMEK_KEY_BIGQUERY}"
  job_id=$(jq -r '.reference.jobId // ""' <<<"$submitted")
  [[ "$job_id" =~ ^[A-Za-z0-9_-]{1,100}$ ]] || die "submit job: no job id in the response"
  log "submitted job ${job_id} to ${cluster}"
  dataproc_wait_job "$project" "$region" "$job_id"
}

# dataproc_wait_job PROJECT REGION JOB_ID: polls until the job ends; DONE passes, anything else dies.
# DATAPROC_POLL_SECONDS (default 20) and DATAPROC_JOB_TIMEOUT_SECONDS (default 7200) tune the wait.
dataproc_wait_job() {
  require_tool gcloud jq
  local project=$1 region=$2 job_id=$3 job="" state waited=0
  local interval=${DATAPROC_POLL_SECONDS:-20} timeout=${DATAPROC_JOB_TIMEOUT_SECONDS:-7200}
  [[ "$interval" =~ ^[0-9]+$ && "$timeout" =~ ^[0-9]+$ ]] || die "DATAPROC_POLL_SECONDS and DATAPROC_JOB_TIMEOUT_SECONDS must be whole seconds"
  while :; do
    capture_json job "job ${job_id} status" gcloud dataproc jobs describe "$job_id" \
      --project="$project" --region="$region" --format=json
    state=$(jq -r '.status.state // ""' <<<"$job")
    [[ -n "$state" ]] || die "job ${job_id} status: no status.state in the response"
    case "$state" in
      DONE)
        checked 1
        log "job ${job_id} finished: DONE"
        return 0
        ;;
      ERROR | CANCELLED) die "job ${job_id} ended ${state}, not DONE (driver output withheld from this log; see the job in the console)" ;;
    esac
    [[ "$DATAPROC_JOB_STATES_RUNNING" == *" ${state} "* ]] || die "job ${job_id} is in unknown state '${state}'"
    if ((waited >= timeout)); then
      gcloud dataproc jobs kill "$job_id" --project="$project" --region="$region" --quiet >/dev/null 2>&1 ||
        log "could not cancel job ${job_id}"
      die "job ${job_id} did not finish within ${timeout}s (last state ${state}); cancelled"
    fi
    sleep "$interval"
    waited=$((waited + (interval > 0 ? interval : 1)))
  done
}
