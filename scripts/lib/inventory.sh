#!/usr/bin/env bash
# The expected inventory: what the live gates must find, generated from the plan (`make inventory`,
# security/inventory/<env>.json, shape in docs/contracts.md). Sourced after core.sh by the
# validate-*.sh gates; each compares every listing of a kind the inventory assigns it:
#   inventory_begin KEY=VALUE...   read the environment's inventory for the open gate; each KEY=VALUE
#                                  (project=..., keyring=...) must equal its `scope`, so a gate never
#                                  judges one project against another's plan; resolves project numbers
#   inventory_resolve MAP_JSON     replace `{NAME}` placeholders ({"policy_tag:t/x": "projects/..."})
#   inventory_compare KIND WHAT LISTING ID_FILTER [PREFIX]
#                                  compare a listing (JSON array) with the planned KIND: a planned one
#                                  missing, a property that differs, and (governed kinds) a live one
#                                  the inventory does not know are violations naming the resource;
#                                  unmanaged is only reported in dev. An empty listing where resources
#                                  are planned is a tool error. ID_FILTER (jq) names a live entry as
#                                  the inventory does; with PREFIX, only identities starting with it
#                                  are compared (a listing of one dataset of several)
#   inventory_ids KIND [PREFIX]    the planned identities of KIND, one a line
# gate_finish (gate.sh) refuses to pass a gate that left a planned resource of its kinds uncompared,
# and the evidence carries the counts: {expected, found, missing, unmanaged, mismatched, properties}.
# shellcheck shell=bash
[[ -z "${_HIPAA_INVENTORY_SH:-}" ]] || return 0
readonly _HIPAA_INVENTORY_SH=1

# shellcheck source=live.sh
source "$(dirname "${BASH_SOURCE[0]}")/live.sh"

_INVENTORY_GATE=""
_INVENTORY_FILE=""
_INV_KINDS='{}'
declare -A _INV_JUDGED=() _INV_TOTAL=()
# expected found missing unmanaged mismatched properties, summed over the gate's comparisons
_INV_COUNTS=(0 0 0 0 0 0)
_INV_TOLERATED=()

# inventory_begin KEY=VALUE...: after gate_begin. Fails closed on a missing, malformed or foreign file.
# shellcheck disable=SC2016  # $names in single quotes are jq variables
inventory_begin() {
  require_tool jq
  [[ -n "${_GATE_ID:-}" ]] || die "inventory_begin: no gate is open"
  local relative="security/inventory/${ENVIRONMENT}.json" out tag kind total map=""
  local path="${REPO_ROOT}/${relative}"
  _INVENTORY_FILE=$relative
  [[ -f "$path" && -r "$path" ]] || die "inventory ${relative}: missing or unreadable (make inventory writes it)"
  # One jq run: the shape and scope checks, then the gate's kinds, their sizes and the projects
  # whose numbers the inventory names (`{project_number:ID}`: assigned at creation, asked for here).
  out=$(jq -r --arg env "$ENVIRONMENT" --arg gate "$_GATE_ID" '
    def entry_ok: type == "object" and (.id | type == "string" and length > 0) and (.properties | type == "object");
    def kind_ok: type == "object" and (.noun | type == "string") and (.governed | type == "boolean")
                 and (.resources | type == "array" and all(.[]; entry_ok));
    ($ARGS.positional | map(capture("^(?<key>[a-z_]+)=(?<value>.*)$"))) as $want
    | if type != "object" or (.scope | type) != "object" or (.kinds | type) != "object" then "ERR\tis not an inventory"
      elif .environment != $env then "ERR\tis for environment \(.environment), not \($env)"
      elif (.gates[$gate] | type) != "array" or (.gates[$gate] | length) == 0 then "ERR\tassigns gate \($gate) no kinds"
      else . as $doc
        | ([.gates[$gate][] | select(($doc.kinds[.] // null) | kind_ok | not)] | first) as $bad
        | ([$want[] | select($doc.scope[.key] != .value)] | first) as $foreign
        | if $bad != null then "ERR\tkind \($bad) of gate \($gate) is not a list of {id, properties}"
          elif $foreign != null
            then "ERR\tis for \($foreign.key) \($doc.scope[$foreign.key] // "unset"), not \($foreign.value)"
          else ([.gates[$gate][] | {key: ., value: $doc.kinds[.]}] | from_entries) as $kinds
            | ($kinds | tojson),
              ($kinds | to_entries[] | "T\t\(.key)\t\(.value.resources | length)"),
              ([$kinds | .. | strings | scan("\\{project_number:([a-z][a-z0-9-]{4,28}[a-z0-9])\\}") | .[0]]
               | unique[] | "P\t\(.)")
          end
      end' "$path" --args "$@" 2>/dev/null) || die "inventory ${relative}: not valid JSON"
  [[ "$out" != ERR$'\t'* ]] || die "inventory ${relative}: ${out#ERR$'\t'}"
  _INV_KINDS=${out%%$'\n'*}
  while IFS=$'\t' read -r tag kind total; do
    case $tag in
      T) _INV_TOTAL[$kind]=$total ;;
      P)
        local number=""
        project_number number "$kind"
        map+="${map:+,}\"project_number:${kind}\":\"${number}\""
        ;;
    esac
  done <<<"${out#*$'\n'}"
  [[ -z "$map" ]] || inventory_resolve "{${map}}"
  _INVENTORY_GATE=$_GATE_ID
}

# inventory_resolve MAP_JSON: every `{KEY}` in the gate's expected properties becomes MAP[KEY].
# shellcheck disable=SC2016
inventory_resolve() {
  require_tool jq
  _INV_KINDS=$(jq -c --argjson map "$1" '
    walk(if type == "string" then reduce ($map | to_entries[]) as $e (.; split("{\($e.key)}") | join($e.value))
         else . end)' <<<"$_INV_KINDS" 2>/dev/null) || die "inventory: placeholders could not be resolved"
}

# inventory_ids KIND [PREFIX]: the planned identities of KIND (starting with PREFIX), one a line.
inventory_ids() {
  require_tool jq
  jq -r --arg kind "$1" --arg scope "${2:-}" '.[$kind].resources[]?.id | select(startswith($scope))' <<<"$_INV_KINDS"
}

# Live resources of a governed kind that are not unmanaged: what Google creates in every project
# under its own names, and keys Cloud KMS cannot delete (all versions destroyed, so no primary).
# shellcheck disable=SC2016  # $names in single quotes are jq variables
declare -A -r _INVENTORY_EXEMPT=(
  [keys]='.purpose == "ENCRYPT_DECRYPT" and .primary == null'
  [sinks]='.name | IN("_Default", "_Required")'
  [service_accounts]='(.projectId // "") as $project | .email // "" | endswith("@\($project).iam.gserviceaccount.com") | not'
)

# The comparison, one jq run per listing. Absent values equal their type's zero (the APIs leave out
# false, 0, "" and empty lists); objects match when every expected key matches; arrays match as sets
# of the same size, an object element matching a live element that holds at least its keys.
# shellcheck disable=SC2016
readonly _INVENTORY_COMPARE='
  def zero: if type == "boolean" then false elif type == "number" then 0 elif type == "string" then ""
            elif type == "array" then [] elif type == "object" then {} else null end;
  def covers($want):
    if ($want | type) == "object" then
      (if . == null then {} else . end) as $have
      | if ($have | type) != "object" then false
        else [$want | to_entries[] | . as $e | $have[$e.key] | covers($e.value)] | all end
    elif ($want | type) == "array" then
      (if . == null then [] else . end) as $have
      | if ($have | type) != "array" or ($have | length) != ($want | length) then false
        else [$want[] | . as $w | [$have[] | covers($w)] | any] | all end
    else (if . == null then ($want | zero) else . end) == $want end;
  def leaves: def go($p): if type == "object" and length > 0 then (to_entries[] | .key as $k | .value | go($p + [$k]))
                          else $p end; go([]);
  def shown: if . == null then "not set" elif type == "string" then . else tojson end;
  def listed: if length > 5 then (.[:5] | join(", ")) + " and \(length - 5) more" else join(", ") end;
  def scalars: type == "array" and all(.[]; type != "object" and type != "array");
  def difference($want):
    if ($want | scalars) and ((. // []) | scalars) then
      (. // []) as $have | ($want - $have) as $lacks | ($have - $want) as $extra
      | [(select($lacks | length > 0) | "lacks " + ($lacks | map(shown) | listed)),
         (select($extra | length > 0) | "has extra " + ($extra | map(shown) | listed))]
      | if length > 0 then join("; ") else "differs from the inventory" end
    elif ($want | type) == "array" or ($want | type) == "object" then "differs from the inventory"
    else "is \(shown), the inventory expects \($want | shown)" end;
  def oneline: gsub("[\\r\\n\\t]+"; " ");
  $kinds[$kind] as $k
  | [$k.resources[] | select(.id | startswith($scope))] as $expected
  | [.[] | {id: (live_id | tostring), v: .}] as $listed
  | [$listed[] | select(.id | startswith($scope))] as $live
  | ($live | map({key: .id, value: .v}) | from_entries) as $by_id
  | ($expected | map(.id)) as $ids
  | [$expected[] | .id as $i | select($by_id | has($i) | not) | $i] as $missing
  | [$live[] | .id as $i | select($ids | index($i) | not) | select($k.governed) | select(.v | exempt | not) | $i]
    | unique as $unmanaged
  | [$expected[] | .id as $i | select($by_id | has($i)) | .properties as $props | $by_id[$i] as $have
     | [$props | if length > 0 then leaves else empty end] as $paths
     | {id: $i, n: ($paths | length),
        diffs: [$paths[] as $p | ($props | getpath($p)) as $want | ($have | try getpath($p) catch null) as $got
                | select($got | covers($want) | not) | "\($p | join(".")) \($got | difference($want))"]}] as $compared
  | "\($expected | length) \(($expected | length) - ($missing | length)) \($missing | length) \($unmanaged | length) \([$compared[] | select(.diffs | length > 0)] | length) \([$compared[].n] | add // 0) \($live | length)\t\($k.noun)",
    ($missing[] | "M\t" + ("\($k.noun) \(.): planned but not found" | oneline)),
    ($unmanaged[] | "U\t" + ("\($k.noun) \(.): not in the inventory (unmanaged)" | oneline)),
    ($compared[] | .id as $i | .diffs[] | "X\t" + ("\($k.noun) \($i): \(.)" | oneline))'

# inventory_compare KIND WHAT LISTING ID_FILTER [PREFIX]: see the header.
inventory_compare() {
  require_tool jq
  local kind=$1 what=$2 listing=$3 id_filter=$4 scope=${5:-} out counts noun tag message
  local exempt=${_INVENTORY_EXEMPT[$kind]:-false}
  [[ -n "$_INVENTORY_GATE" ]] || die "inventory_compare ${kind}: inventory_begin was not called"
  [[ -n "${_INV_TOTAL[$kind]+set}" ]] ||
    die "inventory ${_INVENTORY_FILE}: gate ${_INVENTORY_GATE} does not compare ${kind}"
  out=$(jq -r --arg kind "$kind" --arg scope "$scope" --argjson kinds "$_INV_KINDS" \
    "def live_id: ${id_filter}; def exempt: ${exempt}; ${_INVENTORY_COMPARE}" <<<"$listing" 2>/dev/null) ||
    die "${what}: unexpected JSON shape"
  IFS=$'\t' read -r counts noun <<<"${out%%$'\n'*}"
  read -r -a counts <<<"$counts"
  ((${#counts[@]} == 7)) || die "${what}: unexpected JSON shape"
  ((counts[6] > 0 || counts[0] == 0)) ||
    die "${what}: listed nothing, but the inventory plans ${counts[0]} ${noun}(s)"
  local i
  for i in 0 1 2 3 4 5; do
    _INV_COUNTS[i]=$((_INV_COUNTS[i] + counts[i]))
  done
  _INV_JUDGED[$kind]=$((${_INV_JUDGED[$kind]:-0} + counts[0]))
  [[ "$out" == *$'\n'* ]] || return 0
  while IFS=$'\t' read -r tag message; do
    if [[ "$tag" == U && "${ENVIRONMENT:-}" == dev ]]; then
      log "unmanaged, tolerated in dev: ${message}"
      _INV_TOLERATED+=("$message")
    else
      violation "$message"
    fi
  done <<<"${out#*$'\n'}"
}

# inventory_complete: every planned resource of the gate's kinds was compared exactly once.
inventory_complete() {
  local kind
  for kind in "${!_INV_TOTAL[@]}"; do
    [[ -n "${_INV_JUDGED[$kind]+set}" ]] || die "inventory: gate ${_INVENTORY_GATE} never compared its ${kind}"
    ((_INV_JUDGED[$kind] == _INV_TOTAL[$kind])) ||
      die "inventory: gate ${_INVENTORY_GATE} compared ${_INV_JUDGED[$kind]} of the ${_INV_TOTAL[$kind]} planned ${kind}"
  done
  log "inventory: ${_INV_COUNTS[0]} planned, ${_INV_COUNTS[1]} found, ${_INV_COUNTS[2]} missing, ${_INV_COUNTS[3]} unmanaged, ${_INV_COUNTS[4]} mismatched (${_INV_COUNTS[5]} properties compared)"
}

# _inventory_evidence: the evidence's `inventory` object (gate.sh writes it when a gate read one).
# shellcheck disable=SC2016
_inventory_evidence() {
  require_tool jq
  local joined="${_INV_COUNTS[*]}"
  jq -n -c --arg file "$_INVENTORY_FILE" --argjson c "[${joined// /,}]" '
    {file: $file, expected: $c[0], found: $c[1], missing: $c[2], unmanaged: $c[3], mismatched: $c[4],
     properties: $c[5], unmanaged_tolerated: $ARGS.positional}' --args "${_INV_TOLERATED[@]}"
}
