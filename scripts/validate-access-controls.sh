#!/usr/bin/env bash
# Access-control gate (least privilege): every IAM binding of the environment project must be in
# the environment's allow-list (security/iam-allowlist/<env>.json, shape in its README), primitive
# roles only for break-glass groups, no public members on the project, its buckets or its
# datasets, no individual users outside the allow-list, and no user-managed service-account keys.
#
# Environment-aware: only the dev allow-list may name individual users; in staging and prod every
# human reaches the project through a group, and an allow-list listing users is refused (exit 2).
# Service accounts, buckets and datasets are also compared with the expected inventory
# (security/inventory/<env>.json): a planned one that is missing, a bucket whose public access
# prevention or uniform access differs from the plan, and one nobody planned (tolerated in dev; the
# accounts Google creates under its own domains are not the program's) each fail the gate.
# shellcheck disable=SC2016  # $names in single quotes are jq variables
set -Eeuo pipefail
SCRIPT_NAME=validate-access-controls.sh
USAGE="validate-access-controls.sh ENV PROJECT_ID ALLOWLIST_FILE"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
# shellcheck source=lib/inventory.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/inventory.sh"

require_args 3 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
PROJECT=$2 ALLOWLIST_FILE=$3
[[ -f "$ALLOWLIST_FILE" && -r "$ALLOWLIST_FILE" ]] || usage_error "ALLOWLIST_FILE='${ALLOWLIST_FILE}' is not a readable file"
require_tool jq

# --- The allow-list's shape: a malformed allow-list is a usage error, never an empty one -------
allowlist=$(jq -c . "$ALLOWLIST_FILE" 2>/dev/null) || usage_error "ALLOWLIST_FILE='${ALLOWLIST_FILE}' is not valid JSON"
problem=$(jq -r --arg env "$ENVIRONMENT" '
  def strings_matching($re): type == "array" and all(.[]; type == "string" and test($re));
  def role_re: "^(roles|projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/roles|organizations/[0-9]+/roles)/[A-Za-z0-9_.]+$";
  def member_re: "^(user|group|serviceAccount|domain):[A-Za-z0-9._*@-]+$";
  def primitive: IN("roles/owner", "roles/editor", "roles/viewer");
  if type != "object" then "must be a JSON object"
  elif (keys - ["environment", "description", "break_glass_groups", "users", "primitive_role_exceptions", "bindings"])
       | length > 0 then "unknown key \(keys - ["environment", "description", "break_glass_groups", "users",
                                              "primitive_role_exceptions", "bindings"] | first)"
  elif .environment != $env then "environment must be \"\($env)\""
  elif (.break_glass_groups | strings_matching("^group:[^@*\\s]+@[^@*\\s]+$") | not)
    then "break_glass_groups must be a list of group:EMAIL"
  elif (.users | strings_matching("^user:[^@*\\s]+@[^@*\\s]+$") | not)
    then "users must be a list of user:EMAIL (no wildcards)"
  elif $env != "dev" and (.users | length) > 0 then "users must be empty in \($env): humans get access through groups"
  elif (.primitive_role_exceptions // [] | type != "array"
        or any(.[]; (keys | sort) != ["member", "reason", "role"] or .role != "roles/editor"
                    or (.member | test("^serviceAccount:(\\*|[0-9]+)@cloudservices\\.gserviceaccount\\.com$") | not)
                    or (.reason | type != "string" or length == 0)))
    then "primitive_role_exceptions may only hold roles/editor for the Google APIs Service Agent, with a reason"
  elif (.bindings | type != "array" or length == 0) then "bindings must be a non-empty list"
  else
    [.bindings | to_entries[] | .key as $i | .value
     | if type != "object" or (keys | sort) != ["members", "reason", "role"] then "bindings[\($i)] must have role, members and reason"
       elif (.role | type != "string" or (test(role_re) | not)) then "bindings[\($i)].role is not a role name"
       elif (.role | primitive) then "bindings[\($i)].role is a primitive role: use break_glass_groups"
       elif (.members | strings_matching(member_re) | not) or (.members | length == 0)
         then "bindings[\($i)].members must be a non-empty list of type:pattern members"
       elif any(.members[]; startswith("user:") and contains("*")) then "bindings[\($i)].members: no wildcards in user members"
       elif (.reason | type != "string" or length == 0) then "bindings[\($i)].reason must say why"
       else empty end] | first // ""
  end' <<<"$allowlist") || usage_error "ALLOWLIST_FILE='${ALLOWLIST_FILE}' could not be read"
[[ -z "$problem" ]] || usage_error "ALLOWLIST_FILE='${ALLOWLIST_FILE}': ${problem}"

gate_begin access-controls "gcloud/bq/jq"
require_tool gcloud bq
inventory_begin project="$PROJECT"

# --- Project IAM policy against the allow-list -----------------------------------------------
policy=""
capture_json policy "IAM policy of ${PROJECT}" gcloud projects get-iam-policy "$PROJECT" --format=json
judge "IAM policy of ${PROJECT}" "$policy" '
  # `*` in an allow-listed member matches within one name part, never across `@` or `:`.
  def glob($pattern): test("^" + ($pattern | gsub("(?<c>[.+?^${}()|\\[\\]\\\\])"; "\\\(.c)")
                                            | gsub("\\*"; "[A-Za-z0-9._-]*")) + "$");
  [.bindings[]? | .role as $role | .members[]? | {role: $role, member: .}] as $grants
  | {checked: ($grants | length),
     violations: [$grants[] | .role as $role | .member as $member
       | if IN($member; "allUsers", "allAuthenticatedUsers") then
           "project \($project): \($role) granted to \($member)"
         elif IN($role; "roles/owner", "roles/editor", "roles/viewer") then
           select(($allow.break_glass_groups | index($member)) == null
                  and ([$allow.primitive_role_exceptions // [] | .[]
                        | select(.role == $role) | select(. as $e | $member | glob($e.member))] | length == 0))
           | "project \($project): primitive role \($role) held by \($member) (only break-glass groups may)"
         elif ($member | startswith("user:")) and ($allow.users | index($member)) == null then
           "project \($project): user \($member) is not in the allow-list"
         else
           select([$allow.bindings[] | select(.role == $role) | .members[] | select(. as $p | $member | glob($p))]
                  | length == 0)
           | "project \($project): binding \($role) to \($member) is not in the allow-list"
         end]}' \
  --arg project "$PROJECT" --argjson allow "$allowlist"

# --- User-managed service-account keys -------------------------------------------------------
accounts=""
capture_json_array accounts "service accounts of ${PROJECT}" \
  gcloud iam service-accounts list --project "$PROJECT" --format=json
emails=$(jq -r '.[].email' <<<"$accounts" 2>/dev/null) || die "service accounts of ${PROJECT}: unexpected JSON shape"
inventory_compare service_accounts "service accounts of ${PROJECT}" "$accounts" '.email'
account_keys=""
while IFS= read -r email; do
  [[ -n "$email" ]] || continue
  keys=""
  capture_json_array keys "keys of ${email}" \
    gcloud iam service-accounts keys list --iam-account "$email" --managed-by user --project "$PROJECT" --format=json
  account_keys+="${account_keys:+,}{\"account\":\"${email}\",\"keys\":${keys}}"
done <<<"$emails"
judge "service-account keys of ${PROJECT}" "[${account_keys}]" '
  {checked: length,
   violations: [.[] | ([.keys[] | select(.keyType == "USER_MANAGED")] | length) as $count
     | select($count > 0) | "service account \(.account): \($count) user-managed key(s)"]}'

# --- Public members on buckets and datasets --------------------------------------------------
buckets=""
capture_json_array buckets "buckets of ${PROJECT}" gcloud storage buckets list --project "$PROJECT" --format=json
bucket_names=$(jq -r '.[].name' <<<"$buckets" 2>/dev/null) || die "buckets of ${PROJECT}: unexpected JSON shape"
inventory_compare buckets "buckets of ${PROJECT}" "$buckets" '.name'
bucket_policies=""
while IFS= read -r bucket; do
  [[ -n "$bucket" ]] || continue
  bucket_policy=""
  capture_json bucket_policy "IAM policy of bucket ${bucket}" \
    gcloud storage buckets get-iam-policy "gs://${bucket}" --format=json
  bucket_policies+="${bucket_policies:+,}{\"bucket\":\"${bucket}\",\"policy\":${bucket_policy}}"
done <<<"$bucket_names"

dataset_list=""
capture_bq_list dataset_list "datasets of ${PROJECT}" bq ls --format=json --project_id="$PROJECT" --max_results=10000
dataset_ids=$(jq -r '.[].datasetReference.datasetId' <<<"$dataset_list" 2>/dev/null) ||
  die "datasets of ${PROJECT}: unexpected JSON shape"
datasets=""
while IFS= read -r dataset_id; do
  [[ -n "$dataset_id" ]] || continue
  dataset=""
  capture_json dataset "dataset ${dataset_id}" bq show --format=json "${PROJECT}:${dataset_id}"
  datasets+="${datasets:+,}${dataset}"
done <<<"$dataset_ids"
inventory_compare datasets "datasets of ${PROJECT}" "[${datasets}]" '.datasetReference.datasetId'

judge "public access in ${PROJECT}" "{\"buckets\":[${bucket_policies}],\"datasets\":[${datasets}]}" '
  def public: IN("allUsers", "allAuthenticatedUsers");
  {checked: ((.buckets | length) + (.datasets | length)),
   violations: [
     (.buckets[] | .bucket as $bucket | .policy.bindings[]? | .role as $role
      | .members[]? | select(public) | "bucket \($bucket): \($role) granted to \(.)"),
     (.datasets[] | .datasetReference.datasetId as $dataset | .access[]?
      | (.iamMember // .specialGroup) as $who | select($who != null and ($who | public))
      | "dataset \($dataset): \(.role) granted to \($who)")]}'

gate_finish
