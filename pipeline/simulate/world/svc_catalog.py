"""gcloud data-catalog: the policy tag taxonomies of a location and the tags of one taxonomy."""

from __future__ import annotations

from pipeline.simulate.world.args import parse
from pipeline.simulate.world.call import Call, RefusedError, Table


def taxonomies_list(call: Call) -> int:
    args = parse(call.argv, values=("--location", "--filter"))
    prefix = f"projects/{args.require('--project')}/locations/{args.require('--location')}/taxonomies/"
    with call.state(write=False) as state:
        found = [t for t in state["catalog"]["taxonomies"] if t["name"].startswith(prefix)]
    return call.emit(found, args.value("--format"))


def policy_tags_list(call: Call) -> int:
    args = parse(call.argv, values=("--taxonomy", "--location", "--filter"))
    taxonomy = args.require("--taxonomy")
    if "/" not in taxonomy:  # an id: gcloud completes it from --location and the project
        taxonomy = f"projects/{args.require('--project')}/locations/{args.require('--location')}/taxonomies/{taxonomy}"
    with call.state(write=False) as state:
        if not any(t["name"] == taxonomy for t in state["catalog"]["taxonomies"]):
            raise RefusedError(f"NOT_FOUND: Requested entity was not found. ({taxonomy})")
        tags = state["catalog"]["policyTags"].get(taxonomy, [])
    return call.emit(tags, args.value("--format"))


COMMANDS: Table = {
    ("data-catalog", "taxonomies", "list"): taxonomies_list,
    ("data-catalog", "taxonomies", "policy-tags", "list"): policy_tags_list,
}
