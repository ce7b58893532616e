#!/usr/bin/env bash
# VPC-SC egress gate: data may leave the perimeter only towards the SIEM and security projects,
# by named identities, for named services; inside the perimeter only restricted services are
# reachable; and the VPC networks have no route to the internet and a deny-all egress firewall.
#
# Checked against the perimeter's enforced configuration (status); a dry-run-only perimeter is a
# violation outside dev (check_perimeter in scripts/lib/live.sh). Egress destinations are
# compared by project number, the form the Access Context Manager API uses.
# Firewall scope: VPC firewall rules of each network in the project (the platform's own); a deny
# held only in a hierarchical or network firewall policy is not seen here and fails the gate.
# The perimeter, the networks, routes and firewall rules are also compared with the expected
# inventory (security/inventory/<env>.json): its members, services, egress and ingress rules as
# planned (project numbers resolved), each planned network, route and rule present with its
# planned direction, ranges and protocols, and no network nobody planned (tolerated in dev).
# shellcheck disable=SC2016  # $names in single quotes are jq variables
set -Eeuo pipefail
SCRIPT_NAME=validate-vpcsc-egress.sh
USAGE="validate-vpcsc-egress.sh ENV PROJECT_ID VPC_SC_PERIMETER SIEM_PROJECT_ID SECURITY_PROJECT_ID"
# shellcheck source=lib/core.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/core.sh"
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
# shellcheck source=lib/inventory.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/inventory.sh"

require_args 5 "$@"
require_environment "$1"
require_match PROJECT_ID "$2" "$RE_PROJECT"
require_match VPC_SC_PERIMETER "$3" "$RE_PERIMETER"
require_match SIEM_PROJECT_ID "$4" "$RE_PROJECT"
require_match SECURITY_PROJECT_ID "$5" "$RE_PROJECT"
PROJECT=$2 PERIMETER=$3 SIEM_PROJECT=$4 SECURITY_PROJECT=$5
[[ "$SIEM_PROJECT" != "$PROJECT" ]] || usage_error "SIEM_PROJECT_ID must be a separate project, not ${PROJECT}"
[[ "$SECURITY_PROJECT" != "$PROJECT" ]] || usage_error "SECURITY_PROJECT_ID must be a separate project, not ${PROJECT}"

gate_begin vpcsc-egress "gcloud/jq"
require_tool gcloud jq
inventory_begin project="$PROJECT" perimeter="$PERIMETER" siem_project="$SIEM_PROJECT" security_project="$SECURITY_PROJECT"

number="" siem_number="" security_number=""
project_number number "$PROJECT"
project_number siem_number "$SIEM_PROJECT"
project_number security_number "$SECURITY_PROJECT"

# --- Perimeter: enforced, holds the project, restricts the services --------------------------
check_perimeter "$PERIMETER" "$number"
inventory_compare perimeters "perimeter ${PERIMETER}" "[${PERIMETER_JSON}]" '.name'

# --- Egress policies and VPC accessible services ---------------------------------------------
if [[ "$PERIMETER_CONFIG" != '{}' ]]; then
  judge "egress of ${PERIMETER}" "$PERIMETER_CONFIG" '
    (.vpcAccessibleServices // {}) as $vpc
    | (.restrictedServices // []) as $restricted
    | {checked: ((.egressPolicies // [] | length) + 1),
       violations: [
         (.egressPolicies // [] | to_entries[] | (.value.title // "#\(.key + 1)") as $rule | .value
          | ((.egressTo.resources // [])[]
             | if . == "*" then "egress rule \($rule): allows all resources (*)"
               elif IN("projects/" + $siem, "projects/" + $security) | not
                 then "egress rule \($rule): destination \(.) is neither the SIEM nor the security project"
               else empty end),
            (select((.egressTo.externalResources // []) | length > 0)
             | "egress rule \($rule): allows resources outside Google Cloud"),
            (select((.egressFrom.identityType // "IDENTITY_TYPE_UNSPECIFIED") != "IDENTITY_TYPE_UNSPECIFIED")
             | "egress rule \($rule): allows \(.egressFrom.identityType) instead of named identities"),
            (select(any(.egressTo.operations[]?; .serviceName == "*"))
             | "egress rule \($rule): allows all services (*)")),
         (if $vpc.enableRestriction != true then "perimeter \($name): VPC accessible services are not restricted"
          else ($vpc.allowedServices // [])[]
               | select(. != "RESTRICTED-SERVICES" and (. as $s | $restricted | index($s) | not))
               | "perimeter \($name): VPC accessible service \(.) is not a restricted service"
          end)]}' \
    --arg name "$PERIMETER" --arg siem "$siem_number" --arg security "$security_number"
fi

# --- Network: no internet route, deny-all egress ---------------------------------------------
networks=""
capture_json_array networks "networks of ${PROJECT}" gcloud compute networks list --project "$PROJECT" --format=json
routes=""
capture_json_array routes "routes of ${PROJECT}" gcloud compute routes list --project "$PROJECT" --format=json
firewalls=""
capture_json_array firewalls "firewall rules of ${PROJECT}" \
  gcloud compute firewall-rules list --project "$PROJECT" --format=json
inventory_compare networks "networks of ${PROJECT}" "$networks" '.name'
inventory_compare routes "routes of ${PROJECT}" "$routes" '.name'
inventory_compare firewalls "firewall rules of ${PROJECT}" "$firewalls" '.name'
judge "network egress of ${PROJECT}" "{\"networks\":${networks},\"routes\":${routes},\"firewalls\":${firewalls}}" '
  def short: split("/") | last;
  def anywhere: (.destinationRanges // []) | index("0.0.0.0/0") != null;
  def active_egress: .direction == "EGRESS" and .disabled != true;
  .firewalls as $firewalls
  | {checked: ((.networks | length) + (.routes | length) + (.firewalls | length)),
     violations: [
       (.routes[] | select(IN(.destRange; "0.0.0.0/0", "::/0"))
        | select(.nextHopGateway // "" | endswith("/gateways/default-internet-gateway"))
        | "network \(.network | short): route \(.name) sends \(.destRange) to the internet gateway"),
       (.networks[] | .selfLink as $network
        | select([$firewalls[] | select(.network == $network and active_egress and anywhere
                                        and any(.denied[]?; .IPProtocol == "all")
                                        and (.targetTags // [] | length == 0)
                                        and (.targetServiceAccounts // [] | length == 0))]
                 | length == 0)
        | "network \(.name): no deny-all egress firewall rule to 0.0.0.0/0"),
       (.firewalls[] | select(active_egress and anywhere and (.allowed // [] | length > 0))
        | "firewall \(.name): allows egress to 0.0.0.0/0")]}'

gate_finish
