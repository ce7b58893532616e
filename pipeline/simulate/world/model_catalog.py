"""Data Catalog policy tag taxonomies, BigQuery routines and KMS key IAM policies, from the plan.

The plan names a policy tag by the resource the program declares (the mock engine's id); the live
API names it by its resource path, so one map turns the planned column tags into live ones.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pipeline.simulate.world.model import CREATED, Env, Resources

TAXONOMY = "gcp:datacatalog/taxonomy:Taxonomy"
POLICY_TAG = "gcp:datacatalog/policyTag:PolicyTag"


def _taxonomy_paths(env: Env, plan: Resources) -> dict[str, str]:
    paths = {}
    for taxonomy in plan.named(TAXONOMY):
        project = str(taxonomy.inputs.get("project") or env.project)
        region = str(taxonomy.inputs.get("region") or env.region)
        paths[taxonomy.name] = f"projects/{project}/locations/{region}/taxonomies/{env.number(taxonomy.name)}"
    return paths


def tag_paths(env: Env, plan: Resources) -> dict[str, str]:
    """Planned policy tag id -> the tag's resource path under its taxonomy."""
    taxonomies = _taxonomy_paths(env, plan)
    return {
        tag.name: f"{taxonomies[str(tag.inputs['taxonomy'])]}/policyTags/{env.number(tag.name)}"
        for tag in plan.named(POLICY_TAG)
    }


def catalog(env: Env, plan: Resources) -> dict[str, Any]:
    """`taxonomies list` and `taxonomies policy-tags list` as gcloud prints them (--format=json)."""
    taxonomies = _taxonomy_paths(env, plan)
    tags = tag_paths(env, plan)
    listed = []
    for taxonomy in plan.named(TAXONOMY):
        inputs = taxonomy.inputs
        listed.append(
            {
                "activatedPolicyTypes": list(inputs.get("activatedPolicyTypes") or []),
                "description": inputs.get("description", ""),
                "displayName": inputs["displayName"],
                "name": taxonomies[taxonomy.name],
                "policyTagCount": sum(1 for t in plan.named(POLICY_TAG) if t.inputs["taxonomy"] == taxonomy.name),
                "taxonomyTimestamps": {"createTime": CREATED, "updateTime": CREATED},
            }
        )
    by_taxonomy: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for tag in plan.named(POLICY_TAG):
        parent = tag.inputs.get("parentPolicyTag")
        children = [tags[t.name] for t in plan.named(POLICY_TAG) if t.inputs.get("parentPolicyTag") == tag.name]
        by_taxonomy[taxonomies[str(tag.inputs["taxonomy"])]].append(
            {
                **({"childPolicyTags": children} if children else {}),
                "description": tag.inputs.get("description", ""),
                "displayName": tag.inputs["displayName"],
                "name": tags[tag.name],
                **({"parentPolicyTag": tags[str(parent)]} if parent else {}),
            }
        )
    return {"taxonomies": listed, "policyTags": dict(by_taxonomy)}


def routines(plan: Resources) -> dict[str, Any]:
    """`bq show --routine --format=json` per `project:dataset.routine`."""
    found = {}
    for routine in plan.of("gcp:bigquery/routine:Routine"):
        project, dataset, routine_id = str(routine["project"]), str(routine["datasetId"]), str(routine["routineId"])
        shaped: dict[str, Any] = {
            "creationTime": "1768212400000",
            "definitionBody": routine["definitionBody"],
            "language": routine.get("language", "SQL"),
            "lastModifiedTime": "1768212400000",
            "routineReference": {"datasetId": dataset, "projectId": project, "routineId": routine_id},
            "routineType": routine["routineType"],
        }
        if routine.get("arguments"):
            shaped["arguments"] = [dict(a) for a in routine["arguments"]]
        found[f"{project}:{dataset}.{routine_id}"] = shaped
    return found


def key_policies(plan: Resources) -> dict[str, Any]:
    """`gcloud kms keys get-iam-policy --format=json` per key: the planned bindings and members."""
    members: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for binding in plan.of("gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"):
        members[str(binding["cryptoKeyId"])][str(binding["role"])].update(binding["members"])
    for member in plan.of("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"):
        members[str(member["cryptoKeyId"])][str(member["role"])].add(str(member["member"]))
    return {
        key: {
            "bindings": [{"members": sorted(who), "role": role} for role, who in sorted(roles.items())],
            "etag": "BwYSimulated=",
            "version": 1,
        }
        for key, roles in members.items()
    }
