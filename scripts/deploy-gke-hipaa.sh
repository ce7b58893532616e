#!/usr/bin/env bash
# Deploys the API to the environment's private GKE cluster. The manifests are rendered, never
# patched by hand: in a parsed copy (YAML parser, then JSON) __PROJECT_ID__ and __ENVIRONMENT__ are
# filled and the image placeholder is replaced with IMAGE_REF_WITH_DIGEST (the build step's
# $OUTPUT_DIR/api-image); a placeholder left unfilled refuses the deploy. Before anything is applied
# the rendered set must put every workload in a Namespace that enforces the restricted Pod Security
# Standard and has a default-deny NetworkPolicy, meet the restricted profile itself and pin every
# image by digest. Then: server-side apply (namespaces and network policies, checked again as the
# cluster holds them; a server dry run; the rest), wait for each rollout (undo and fail on a failed
# one), prove the live pods run the digest as non-root, and hand the API's internal URL to later
# steps in $OUTPUT_DIR/api-url. The rendered set, as applied, is
# kept in $OUTPUT_DIR/gke-manifests.json.
#
# Credentials use the cluster's DNS-based endpoint (--dns-endpoint): the private build pool reaches
# the VPC through a peering, the IP-based private endpoint lies behind a second one, and peering is
# not transitive. The DNS endpoint is a Google API: IAM (container.clusters.connect) and the VPC-SC
# perimeter gate it, and infra/compute/gke.py lets it accept IAM credentials only.
set -Eeuo pipefail
SCRIPT_NAME=deploy-gke-hipaa.sh
USAGE="deploy-gke-hipaa.sh ENV PROJECT_ID GKE_CLUSTER REGION MANIFEST_DIR IMAGE_REF_WITH_DIGEST"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"

LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/lib" && pwd)"
readonly PLACEHOLDER="__REGION__-docker.pkg.dev/__PROJECT_ID__/hipaa-__ENVIRONMENT__-images/hipaa-api@sha256:0000000000000000000000000000000000000000000000000000000000000000"
readonly FIELD_MANAGER=hipaa-pipeline
# Any __NAME__ left after rendering: a value the manifests expect and nobody filled in.
readonly UNFILLED='__[A-Z_]+__'
readonly ROLLABLE='["Deployment", "StatefulSet", "DaemonSet"]'

require_args 6 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match GKE_CLUSTER "$3" "$RE_NAME"
require_match REGION "$4" "$RE_REGION"
[[ -d "$5" ]] || usage_error "MANIFEST_DIR='$5' is not a directory"
require_match IMAGE_REF_WITH_DIGEST "$6" "$RE_IMAGE_DIGEST"
[[ "$6" != *@sha256:0000000000000000000000000000000000000000000000000000000000000000 ]] ||
  usage_error "IMAGE_REF_WITH_DIGEST='$6' is malformed: the placeholder digest, not a pushed image"
PROJECT=$2 CLUSTER=$3 REGION=$4 MANIFEST_DIR=$5 IMAGE=$6
DIGEST=${IMAGE##*@sha256:}
PYTHON=${PYTHON:-python3}
ROLLOUT_TIMEOUT=${GKE_ROLLOUT_TIMEOUT:-300s}
require_match GKE_ROLLOUT_TIMEOUT "$ROLLOUT_TIMEOUT" '^[0-9]{1,5}[smh]$'

require_tool gcloud kubectl jq "$PYTHON"
gate_begin deploy-gke "gcloud/kubectl/jq"
require_prod_approval
[[ -n "${OUTPUT_DIR:-}" ]] || die "OUTPUT_DIR is not set: nowhere to hand the API URL to later steps"

workdir=""
make_workdir workdir

# --- 1. the manifests, checked before anything is applied --------------------------------------
manifests=""
capture_json_array manifests "manifest parse" "$PYTHON" "${LIB_DIR}/manifests_to_json.py" "$MANIFEST_DIR"
objects=$(jq length <<<"$manifests")
((objects > 0)) || die "no Kubernetes objects under ${MANIFEST_DIR}"
uses=$(jq --arg placeholder "$PLACEHOLDER" '[.. | strings | select(. == $placeholder)] | length' <<<"$manifests")
((uses > 0)) || die "no manifest names the image placeholder ${PLACEHOLDER}; nothing would run the new image"
# Keys and values alike; the project and environment were validated above, so they are plain text.
rendered=$(jq --arg placeholder "$PLACEHOLDER" --arg image "$IMAGE" --arg project "$PROJECT" --arg env "$ENVIRONMENT" '
  def fill: gsub("__PROJECT_ID__"; $project) | gsub("__ENVIRONMENT__"; $env);
  walk(if . == $placeholder then $image
       elif type == "string" then fill
       elif type == "object" then with_entries(.key |= fill)
       else . end)' <<<"$manifests") || die "manifests could not be rendered"
unfilled=$(jq -r --arg re "$UNFILLED" \
  '[.. | (strings, (objects | keys[])) | match($re; "g").string] | unique | join(" ")' <<<"$rendered") ||
  die "manifests could not be searched for placeholders"
[[ -z "$unfilled" ]] || die "manifests keep unfilled placeholder(s) ${unfilled}; nothing applied"
log "${objects} objects rendered for ${PROJECT} (${ENVIRONMENT}); image placeholder replaced in ${uses} place(s)"

problems=$(jq -f "${LIB_DIR}/restricted-manifests.jq" <<<"$rendered") || die "manifest checks could not run"
checked "$objects"
while IFS= read -r problem; do
  [[ -z "$problem" ]] || violation "$problem"
done < <(jq -r '.[]' <<<"$problems")
((${#VIOLATIONS[@]} == 0)) || die "manifest set breaks ${#VIOLATIONS[@]} rule(s); nothing applied"

mkdir -p "$OUTPUT_DIR"
printf '%s\n' "$rendered" >"${OUTPUT_DIR}/gke-manifests.json"
readonly GUARDS='["Namespace", "NetworkPolicy"]'
jq --argjson guards "$GUARDS" '{apiVersion: "v1", kind: "List", items: [.[] | select(.kind | IN($guards[]))]}' \
  <<<"$rendered" >"${workdir}/guards.json"
jq --argjson guards "$GUARDS" '{apiVersion: "v1", kind: "List", items: [.[] | select(.kind | IN($guards[]) | not)]}' \
  <<<"$rendered" >"${workdir}/objects.json"

# --- 2. apply -------------------------------------------------------------------------------------
export KUBECONFIG="${workdir}/kubeconfig"
run_quiet "cluster credentials" gcloud container clusters get-credentials "$CLUSTER" \
  --project="$PROJECT" --region="$REGION" --dns-endpoint
# Namespaces and their NetworkPolicies first, so Pod Security and isolation are in force before any
# pod exists. Then the same rules over the live objects: labels another manager changed, or a
# default-deny policy someone deleted, refuse the deploy before a workload is applied.
run_quiet "apply namespaces" kubectl apply --server-side --field-manager="$FIELD_MANAGER" -f "${workdir}/guards.json"
live_namespaces="" live_policies=""
capture_json live_namespaces "live namespaces" kubectl get namespaces -o json
capture_json live_policies "live network policies" kubectl get networkpolicies --all-namespaces -o json
live_guards=$(jq -n --argjson ns "$live_namespaces" --argjson np "$live_policies" --argjson set "$rendered" '
  [$set[] | select(.kind == "Namespace") | .metadata.name] as $names
  | if ($ns.items | type) != "array" or ($np.items | type) != "array" then error("no items") else . end
  | {missing: [$names[] | select(IN($ns.items[].metadata.name) | not)],
     objects: ([$ns.items[] | select(.metadata.name | IN($names[]))]
               + [$np.items[] | select(.metadata.namespace | IN($names[]))])}') ||
  die "live namespaces and network policies: unexpected JSON shape"
checked "$(jq '([.objects[] | select(.kind == "Namespace")] | length) + (.missing | length)' <<<"$live_guards")"
while IFS= read -r missing; do
  [[ -z "$missing" ]] || violation "live Namespace ${missing}: not found after apply"
done < <(jq -r '.missing[]' <<<"$live_guards")
live_problems=$(jq '.objects' <<<"$live_guards" | jq -f "${LIB_DIR}/restricted-manifests.jq") ||
  die "live namespace checks could not run"
while IFS= read -r problem; do
  [[ -z "$problem" ]] || violation "live ${problem}"
done < <(jq -r '.[]' <<<"$live_problems")
((${#VIOLATIONS[@]} == 0)) || die "live namespaces break ${#VIOLATIONS[@]} rule(s); no workload applied"
run_quiet "server dry run" kubectl apply --server-side --dry-run=server --field-manager="$FIELD_MANAGER" \
  -f "${workdir}/objects.json"
run_quiet "apply" kubectl apply --server-side --field-manager="$FIELD_MANAGER" -f "${workdir}/objects.json"

# --- 3. rollouts: a failed one is undone and fails the deploy -------------------------------------
# rollback REF NAMESPACE: undo the last rollout of REF (kind/name); false when the undo fails.
rollback() {
  kubectl rollout undo "$1" -n "$2" >/dev/null 2>&1
}

# Loops that run tools read their list from fd 3, so no tool can swallow the list on stdin.
while read -r ref namespace <&3; do
  [[ -n "$ref" ]] || continue
  if ! kubectl rollout status "$ref" -n "$namespace" --timeout="$ROLLOUT_TIMEOUT" >/dev/null 2>"${workdir}/rollout.err"; then
    why=$(head -c 200 "${workdir}/rollout.err" | head -n 1)
    if rollback "$ref" "$namespace"; then
      die "rollout of ${namespace}/${ref} failed${why:+ (${why})}; rolled back to the previous revision"
    fi
    die "rollout of ${namespace}/${ref} failed${why:+ (${why})}, and the rollback failed too"
  fi
  checked 1
  log "rollout of ${namespace}/${ref} complete"
done 3< <(jq -r --argjson kinds "$ROLLABLE" \
  '.[] | select(.kind | IN($kinds[])) | "\(.kind | ascii_downcase)/\(.metadata.name) \(.metadata.namespace)"' \
  <<<"$rendered")

# --- 4. the live pods of every workload running the image -----------------------------------------
api_workloads=$(jq -c --arg image "$IMAGE" --argjson kinds "$ROLLABLE" '[.[]
  | select(.kind | IN($kinds[]))
  | select(any(.spec.template.spec.containers[]?; .image == $image))
  | {ref: "\(.kind | ascii_downcase)/\(.metadata.name)", namespace: .metadata.namespace,
     labels: (.spec.template.metadata.labels // {}),
     selector: (.spec.selector.matchLabels // {} | to_entries | map("\(.key)=\(.value)") | join(","))}]' <<<"$rendered")
[[ "$(jq length <<<"$api_workloads")" -gt 0 ]] ||
  die "no Deployment, StatefulSet or DaemonSet runs ${IMAGE}; nothing to verify"

while read -r ref namespace selector <&3; do
  [[ -n "$selector" ]] || die "${namespace}/${ref} has no matchLabels selector; cannot find its pods"
  pods=""
  capture_json pods "pods of ${namespace}/${ref}" kubectl get pods -n "$namespace" -l "$selector" -o json
  report=$(jq --arg image "$IMAGE" --arg digest "$DIGEST" '
    def effective($c; $p; $key): if ($c | has($key)) then $c[$key] else $p[$key] end;
    [(.items // [])[] | select(.metadata.deletionTimestamp == null)] as $pods
    | {pods: ($pods | length), violations: [$pods[]
        | . as $pod | .metadata.name as $name | (.spec.securityContext // {}) as $psc
        | (if .status.phase != "Running" then "pod \($name): phase is \(.status.phase // "unknown"), not Running" else empty end),
          (if any(.spec.containers[]; .image == $image) | not then "pod \($name): does not run the deployed image" else empty end),
          (.spec.containers[] | select(.image == $image) | .name as $c
            | ([($pod.status.containerStatuses // [])[] | select(.name == $c) | .imageID // ""] | first // "") as $id
            | if ($id | endswith("@sha256:" + $digest)) then empty
              else "pod \($name) container \($c): running image is not sha256:\($digest)" end),
          (.spec.containers[] | (.securityContext // {}) as $sc | .name as $c
            | (if effective($sc; $psc; "runAsNonRoot") != true then "pod \($name) container \($c): runAsNonRoot is not true" else empty end),
              (if effective($sc; $psc; "runAsUser") == 0 then "pod \($name) container \($c): runs as UID 0" else empty end))]}' \
    <<<"$pods") || die "pods of ${namespace}/${ref}: unexpected JSON shape"
  count=$(jq -r '.pods' <<<"$report")
  ((count > 0)) || violation "${namespace}/${ref}: no live pods found for selector ${selector}"
  checked "$count"
  while IFS= read -r problem; do
    [[ -z "$problem" ]] || violation "${namespace}/${ref} ${problem}"
  done < <(jq -r '.violations[]' <<<"$report")
done 3< <(jq -r '.[] | "\(.ref) \(.namespace) \(.selector)"' <<<"$api_workloads")

if ((${#VIOLATIONS[@]} > 0)); then
  while read -r ref namespace <&3; do
    rollback "$ref" "$namespace" || log "could not roll back ${namespace}/${ref}"
  done 3< <(jq -r '.[] | "\(.ref) \(.namespace)"' <<<"$api_workloads")
  die "live pods failed the digest and non-root checks; rolled back"
fi

# --- 5. the API's internal URL for the DAST step --------------------------------------------------
read -r api_namespace api_labels < <(jq -r '.[0] | "\(.namespace) \(.labels | tojson)"' <<<"$api_workloads")
service=$(jq -r --arg ns "$api_namespace" --argjson labels "$api_labels" '[.[]
  | select(.kind == "Service" and .metadata.namespace == $ns)
  | select((.spec.selector // {}) as $s | ($s | length) > 0 and all($s | to_entries[]; $labels[.key] == .value))
  | .metadata.name][0] // ""' <<<"$rendered")
[[ -n "$service" ]] || die "no Service in ${api_namespace} selects the API pods; no URL to hand on"
# A Gateway routing to that Service is the API's only way in (TLS 1.3 at its load balancer): its
# HTTPS listener's hostname is the URL, once GKE reports the load balancer programmed.
read -r gateway gateway_host < <(jq -r --arg ns "$api_namespace" --arg service "$service" '
  [.[] | select(.kind == "HTTPRoute" and .metadata.namespace == $ns)
   | select([.spec.rules[]?.backendRefs[]?.name] | index($service)) | .spec.parentRefs[]?.name] as $parents
  | [.[] | select(.kind == "Gateway" and .metadata.namespace == $ns and (.metadata.name | IN($parents[])))
     | .metadata.name as $name | .spec.listeners[]? | select(.protocol == "HTTPS" and (.hostname // "") != "")
     | "\($name) \(.hostname)"][0] // "- -"' <<<"$rendered")
if [[ "$gateway" != - ]]; then
  live=""
  capture_json live "gateway ${api_namespace}/${gateway}" kubectl get gateway "$gateway" -n "$api_namespace" -o json
  programmed=$(jq -r '[.status.conditions[]? | select(.type == "Programmed") | .status][0] // "Unknown"' <<<"$live")
  [[ "$programmed" == True ]] || die "gateway ${api_namespace}/${gateway}: load balancer not programmed (${programmed})"
  url="https://${gateway_host}"
else
  live=""
  capture_json live "service ${api_namespace}/${service}" kubectl get service "$service" -n "$api_namespace" -o json
  read -r type port port_name address < <(jq -r '[
      (.spec.type // "ClusterIP"), (.spec.ports[0].port // ""), (.spec.ports[0].name // "-"),
      (.status.loadBalancer.ingress[0].ip // "-")] | map(tostring) | join(" ")' <<<"$live")
  [[ "$port" =~ ^[0-9]+$ ]] || die "service ${api_namespace}/${service}: no port"
  scheme=http
  [[ "$port" != 443 && "$port_name" != https* ]] || scheme=https
  if [[ "$type" == LoadBalancer ]]; then
    [[ "$address" =~ ^[0-9.]+$ ]] || die "service ${api_namespace}/${service}: internal load balancer has no address yet"
    url="${scheme}://${address}:${port}"
  else
    url="${scheme}://${service}.${api_namespace}.svc.cluster.local:${port}"
  fi
fi
checked 1
printf '%s\n' "$url" >"${OUTPUT_DIR}/api-url"
log "API URL ${url} written to ${OUTPUT_DIR}/api-url"
gate_finish
