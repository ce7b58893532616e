#!/usr/bin/env bash
# Proves that backups restore, using scratch copies only (live data is never overwritten):
#  - BigQuery: snapshot a table of BIGQUERY_DATASET into hipaa_<env>_backups, restore the snapshot
#    to a scratch table there, and compare row count and a checksum with the source table as of
#    the snapshot time; the backups dataset, the snapshot and the restored table must use CMEK;
#  - Cloud Storage: write a synthetic probe object twice into the versioned BUCKET, copy the first
#    generation back over the live one and compare md5 and crc32c;
#  - Dataproc: snapshot the boot disk of CLUSTER's master; the snapshot must be READY and use CMEK.
# Everything it creates is deleted at the end, also on failure. BACKUP_SOURCE_TABLE picks the table
# (default: the dataset's first table by name). It writes to the environment, so prod needs the
# build's approval like a deploy.
set -Eeuo pipefail
SCRIPT_NAME=test-backup-restore.sh
USAGE="test-backup-restore.sh ENV PROJECT_ID BIGQUERY_DATASET BUCKET DATAPROC_REGION CLUSTER"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
# shellcheck source=lib/deploy.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/deploy.sh"

readonly RE_TABLE='^[A-Za-z0-9_]{1,900}$'
readonly RE_TIMESTAMP='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'
readonly SCRATCH_TTL_SECONDS=86400

require_args 6 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match BIGQUERY_DATASET "$3" "$RE_DATASET"
require_match BUCKET "$4" "$RE_BUCKET"
require_match DATAPROC_REGION "$5" "$RE_REGION"
require_match CLUSTER "$6" "$RE_NAME"
PROJECT=$2 DATASET=$3 BUCKET=$4 REGION=$5 CLUSTER=$6
SOURCE_TABLE=${BACKUP_SOURCE_TABLE:-}
[[ -z "$SOURCE_TABLE" ]] || require_match BACKUP_SOURCE_TABLE "$SOURCE_TABLE" "$RE_TABLE"

require_tool bq gcloud jq
gate_begin backup-restore "bq/gcloud/jq"
require_prod_approval

SUFFIX=$(run_suffix)
BACKUPS=$(hipaa_dataset_id "$ENVIRONMENT" backups)
CREATED_TABLES=()
PROBE_PREFIX=""
DISK_SNAPSHOT=""
workdir=""
make_workdir workdir

# --- cleanup: everything created here, once ------------------------------------------------------
# cleanup [strict]: on the passing path (strict) a failed delete is a violation; at exit after a
# failure it is a warning.
cleanup() {
  local strict=${1:-} table
  for table in "${CREATED_TABLES[@]}"; do
    bq --project_id="$PROJECT" rm -f -t "$table" >/dev/null 2>&1 || cleanup_failed "$strict" "table ${table}"
  done
  CREATED_TABLES=()
  if [[ -n "$PROBE_PREFIX" ]]; then
    gcloud storage rm --all-versions "${PROBE_PREFIX}/**" >/dev/null 2>&1 ||
      cleanup_failed "$strict" "probe objects ${PROBE_PREFIX}"
    PROBE_PREFIX=""
  fi
  if [[ -n "$DISK_SNAPSHOT" ]]; then
    gcloud compute snapshots delete "$DISK_SNAPSHOT" --project="$PROJECT" --quiet >/dev/null 2>&1 ||
      cleanup_failed "$strict" "disk snapshot ${DISK_SNAPSHOT}"
    DISK_SNAPSHOT=""
  fi
}
cleanup_failed() {
  if [[ "$1" == strict ]]; then violation "cleanup: could not delete $2"; else log "WARNING: could not delete $2; remove it by hand"; fi
}
on_exit cleanup

# --- BigQuery: snapshot, restore, compare -------------------------------------------------------
# fingerprint VAR WHAT FROM_SQL: "rows checksum" of a table expression (checksum "null" when empty).
fingerprint() {
  local __into=$1 what=$2 rows="" result
  capture_json_array rows "$what" bq --project_id="$PROJECT" query --format=json --nouse_legacy_sql --nouse_cache \
    "SELECT COUNT(*) AS row_count, BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) AS checksum FROM (${3}) AS t"
  result=$(jq -r 'if length == 1 then "\(.[0].row_count // "") \(.[0].checksum // "null")" else "" end' <<<"$rows")
  [[ "$result" =~ ^[0-9]+\ (-?[0-9]+|null)$ ]] || die "${what}: expected one row with row_count and checksum"
  printf -v "$__into" '%s' "$result"
}

dataset_info="" backups_info=""
capture_json dataset_info "dataset ${DATASET}" bq --project_id="$PROJECT" show --format=json "${PROJECT}:${DATASET}"
capture_json backups_info "dataset ${BACKUPS}" bq --project_id="$PROJECT" show --format=json "${PROJECT}:${BACKUPS}"
location="" backups_location="" backups_key=""
json_fields "$dataset_info" "dataset ${DATASET}" '[.location]' location
json_fields "$backups_info" "dataset ${BACKUPS}" '[.location, .defaultEncryptionConfiguration.kmsKeyName]' \
  backups_location backups_key
[[ -n "$location" ]] || die "dataset ${DATASET}: no location in the response"
[[ "$backups_location" == "$location" ]] ||
  die "dataset ${BACKUPS} is not in ${location} like ${DATASET}: snapshots cannot cross locations"
bq_keyring=$(env_keyring "$PROJECT" "${location,,}")
checked 1
kms_key_in_keyring "$backups_key" "$bq_keyring" || violation "dataset ${BACKUPS}: default key is not a CMEK key from ${bq_keyring}"

if [[ -z "$SOURCE_TABLE" ]]; then
  tables=""
  capture_json_array tables "tables of ${DATASET}" bq --project_id="$PROJECT" ls --format=json --max_results=10000 \
    "${PROJECT}:${DATASET}"
  SOURCE_TABLE=$(jq -r '[.[] | select(.type == "TABLE") | .tableReference.tableId // empty] | sort | first // ""' <<<"$tables")
  [[ -n "$SOURCE_TABLE" ]] || die "dataset ${DATASET} has no table to back up"
  [[ "$SOURCE_TABLE" =~ $RE_TABLE ]] || die "tables of ${DATASET}: unexpected table id"
fi
snapshot="${PROJECT}:${BACKUPS}.${SOURCE_TABLE}_snap_${SUFFIX}"
restored="${PROJECT}:${BACKUPS}.${SOURCE_TABLE}_restore_${SUFFIX}"

log "snapshotting ${DATASET}.${SOURCE_TABLE}"
run_quiet "snapshot ${SOURCE_TABLE}" bq --project_id="$PROJECT" cp --snapshot --no_clobber \
  --expiration="$SCRATCH_TTL_SECONDS" "${PROJECT}:${DATASET}.${SOURCE_TABLE}" "$snapshot"
CREATED_TABLES+=("$snapshot")
snapshot_info=""
capture_json snapshot_info "snapshot ${SOURCE_TABLE}" bq --project_id="$PROJECT" show --format=json "$snapshot"
snapshot_type="" snapshot_time="" snapshot_key=""
json_fields "$snapshot_info" "snapshot ${snapshot}" \
  '[.type, .snapshotDefinition.snapshotTime, .encryptionConfiguration.kmsKeyName]' snapshot_type snapshot_time snapshot_key
[[ "$snapshot_type" == SNAPSHOT ]] || die "snapshot ${snapshot}: not a table snapshot"
[[ "$snapshot_time" =~ $RE_TIMESTAMP ]] || die "snapshot ${snapshot}: no readable snapshotTime"
checked 1
kms_key_in_keyring "$snapshot_key" "$bq_keyring" ||
  violation "snapshot ${snapshot}: not encrypted with a CMEK key from ${bq_keyring}"

run_quiet "restore ${SOURCE_TABLE}" bq --project_id="$PROJECT" cp --restore --no_clobber \
  --expiration="$SCRATCH_TTL_SECONDS" "$snapshot" "$restored"
CREATED_TABLES+=("$restored")
restored_info=""
capture_json restored_info "restored ${SOURCE_TABLE}" bq --project_id="$PROJECT" show --format=json "$restored"
restored_key=""
json_fields "$restored_info" "restored ${SOURCE_TABLE}" '[.encryptionConfiguration.kmsKeyName]' restored_key
checked 1
kms_key_in_keyring "$restored_key" "$bq_keyring" ||
  violation "restored table ${restored}: not encrypted with a CMEK key from ${bq_keyring}"

source_print="" restored_print=""
fingerprint source_print "checksum of ${SOURCE_TABLE}" \
  "SELECT * FROM \`${PROJECT}.${DATASET}.${SOURCE_TABLE}\` FOR SYSTEM_TIME AS OF TIMESTAMP('${snapshot_time}')"
fingerprint restored_print "checksum of the restored copy" "SELECT * FROM \`${PROJECT}.${restored#*:}\`"
checked 1
if [[ "${source_print%% *}" == 0 ]]; then
  violation "table ${DATASET}.${SOURCE_TABLE}: empty at the snapshot time, so the restore proves nothing"
elif [[ "$source_print" != "$restored_print" ]]; then
  violation "table ${DATASET}.${SOURCE_TABLE}: restored copy differs from the source (rows ${source_print%% *} vs ${restored_print%% *}, or checksum)"
else
  log "restored ${SOURCE_TABLE}: ${source_print%% *} rows, checksum matches"
fi

# --- Cloud Storage: restore a prior generation of a probe object ---------------------------------
bucket_info=""
capture_json bucket_info "bucket ${BUCKET}" gcloud storage buckets describe "gs://${BUCKET}" --format=json
bucket_location="" bucket_key="" versioning=""
json_fields "$bucket_info" "bucket ${BUCKET}" '[.location, .default_kms_key, (.versioning_enabled // false)]' \
  bucket_location bucket_key versioning
[[ -n "$bucket_location" ]] || die "bucket ${BUCKET}: no location in the response"
gcs_keyring=$(env_keyring "$PROJECT" "${bucket_location,,}")
checked 1
kms_key_in_keyring "$bucket_key" "$gcs_keyring" || violation "bucket ${BUCKET}: default key is not a CMEK key from ${gcs_keyring}"
checked 1
if [[ "$versioning" != true ]]; then
  violation "bucket ${BUCKET}: object versioning is off, so no prior version can be restored"
else
  probe="gs://${BUCKET}/backup-restore-test/${SUFFIX}/probe.txt"
  printf 'backup-restore probe, build %s, version 1 (synthetic)\n' "${BUILD_ID:-local}" >"${workdir}/v1"
  printf 'backup-restore probe, build %s, version 2 (synthetic)\n' "${BUILD_ID:-local}" >"${workdir}/v2"
  run_quiet "upload probe" gcloud storage cp "${workdir}/v1" "$probe"
  PROBE_PREFIX="gs://${BUCKET}/backup-restore-test/${SUFFIX}"
  run_quiet "upload probe" gcloud storage cp "${workdir}/v2" "$probe"
  # objects list shows live and noncurrent versions alike (gcloud storage has no --all-versions here).
  versions=""
  capture_json_array versions "probe versions" gcloud storage objects list "$probe" --fetch-encrypted-object-hashes --format=json
  count=$(jq length <<<"$versions")
  ((count >= 2)) || die "bucket ${BUCKET} kept ${count} version(s) of the probe after two writes"
  generation="" md5="" crc=""
  json_fields "$versions" "probe versions" 'sort_by(.generation | tonumber) | first | [.generation, .md5_hash, .crc32c_hash]' \
    generation md5 crc
  [[ "$generation" =~ ^[0-9]+$ && -n "$md5" && -n "$crc" ]] || die "probe versions: oldest version lacks a generation or hashes"
  run_quiet "restore probe generation" gcloud storage cp "${probe}#${generation}" "$probe"
  live="" live_md5="" live_crc="" live_key=""
  capture_json live "restored probe" gcloud storage objects describe "$probe" --format=json
  json_fields "$live" "restored probe" '[.md5_hash, .crc32c_hash, .kms_key]' live_md5 live_crc live_key
  checked 1
  [[ "$live_md5" == "$md5" && "$live_crc" == "$crc" ]] ||
    violation "bucket ${BUCKET}: restored generation ${generation} differs from the original (md5/crc32c)"
  checked 1
  kms_key_in_keyring "$live_key" "$gcs_keyring" ||
    violation "bucket ${BUCKET}: restored object is not encrypted with a CMEK key from ${gcs_keyring}"
fi

# --- Dataproc: CMEK snapshot of the master's boot disk -------------------------------------------
cluster_info="" instance=""
capture_json cluster_info "describe cluster ${CLUSTER}" gcloud dataproc clusters describe "$CLUSTER" \
  --project="$PROJECT" --region="$REGION" --format=json
master="" zone=""
json_fields "$cluster_info" "describe cluster ${CLUSTER}" \
  '[.config.masterConfig.instanceNames[0], (.config.gceClusterConfig.zoneUri // "" | split("/") | last)]' master zone
[[ "$master" =~ $RE_NAME && "$zone" =~ ^[a-z]+-[a-z]+[0-9]-[a-z]$ ]] ||
  die "describe cluster ${CLUSTER}: no master instance or zone"
capture_json instance "master ${master}" gcloud compute instances describe "$master" \
  --project="$PROJECT" --zone="$zone" --format=json
disk=$(jq -r '[(.disks // [])[] | select(.boot == true) | .source // ""][0] // "" | split("/") | last // ""' <<<"$instance")
[[ "$disk" =~ $RE_NAME ]] || die "master ${master}: no boot disk"

DISK_SNAPSHOT=$(hipaa_resource_name "$ENVIRONMENT" "master-restore-test-${SUFFIX}")
log "snapshotting disk ${disk}"
run_quiet "snapshot disk ${disk}" gcloud compute disks snapshot "$disk" --project="$PROJECT" --zone="$zone" \
  --snapshot-names="$DISK_SNAPSHOT" --storage-location="$REGION" \
  --labels="purpose=backup-restore-test,environment=${ENVIRONMENT}"
disk_snapshot=""
capture_json disk_snapshot "disk snapshot ${DISK_SNAPSHOT}" gcloud compute snapshots describe "$DISK_SNAPSHOT" \
  --project="$PROJECT" --format=json
compute_keyring=$(env_keyring "$PROJECT" "$REGION")
disk_status="" disk_key=""
json_fields "$disk_snapshot" "disk snapshot ${DISK_SNAPSHOT}" '[.status, .snapshotEncryptionKey.kmsKeyName]' disk_status disk_key
checked 1
[[ "$disk_status" == READY ]] || violation "disk snapshot ${DISK_SNAPSHOT}: status is ${disk_status:-unknown}, not READY"
checked 1
kms_key_in_keyring "$disk_key" "$compute_keyring" ||
  violation "disk snapshot ${DISK_SNAPSHOT}: not encrypted with a CMEK key from ${compute_keyring}"

cleanup strict
gate_finish
