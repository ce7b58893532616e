"""The BigQuery governance kinds of the expected inventory: tables, row access policies, policy tags.

The governance gate judges the dataset the pipeline's jobs use (the trigger's `_BIGQUERY_DATASET`)
and the de-identified dataset whose views analysts read; these translations cover exactly those.
A column's policy tag is named at apply time (`.../taxonomies/N/policyTags/M`), so the inventory
gives it as what it derives from, `{policy_tag:<taxonomy display name>/<tag display name>}`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from infra.plan.inventory_kinds import Context, Entry, entry, in_project
from infra.rules import Resource


def _governed_dataset(r: Resource, c: Context) -> bool:
    return in_project(r, c) and r.inputs.get("datasetId") in (c.bigquery_dataset, c.deidentified_dataset)


def tables(r: Resource, c: Context) -> Entry | None:
    i = r.inputs
    if not _governed_dataset(r, c):
        return None
    return entry(f"{i['datasetId']}.{i['tableId']}", type="VIEW" if i.get("view") else "TABLE")


def row_access_policies(r: Resource, c: Context) -> Entry | None:
    i = r.inputs
    if not in_project(r, c) or i.get("datasetId") != c.bigquery_dataset:
        return None
    return entry(
        f"{i['datasetId']}.{i['tableId']}/{i['policyId']}",
        filterPredicate=i.get("filterPredicate"),
        grantees=sorted(i.get("grantees") or []),
    )


def taxonomies(r: Resource, c: Context) -> Entry | None:
    i = r.inputs
    return (
        entry(i["displayName"], activatedPolicyTypes=sorted(i.get("activatedPolicyTypes") or []))
        if in_project(r, c)
        else None
    )


def _policy_tag_names(c: Context) -> dict[str, str]:
    """The plan's policy tag references (the mocks' names) -> `{policy_tag:<taxonomy>/<tag>}`."""
    taxonomy_names = {t.name: t.inputs["displayName"] for t in c.of_type("gcp:datacatalog/taxonomy:Taxonomy")}
    return {
        tag.name: f"{{policy_tag:{taxonomy_names[tag.inputs['taxonomy']]}/{tag.inputs['displayName']}}}"
        for tag in c.of_type("gcp:datacatalog/policyTag:PolicyTag")
        if tag.inputs.get("taxonomy") in taxonomy_names
    }


def _tagged_leaves(fields: list[Mapping[str, Any]], prefix: str = "") -> Iterable[tuple[str, list[str]]]:
    for field in fields:
        path = prefix + field["name"]
        if field.get("fields"):
            yield from _tagged_leaves(field["fields"], path + ".")
        elif (field.get("policyTags") or {}).get("names"):
            yield path, list(field["policyTags"]["names"])


def column_policy_tags(r: Resource, c: Context) -> list[Entry]:
    """One entry per column of the governed dataset that carries a policy tag."""
    i = r.inputs
    if not in_project(r, c) or i.get("datasetId") != c.bigquery_dataset or not i.get("schema"):
        return []
    names = _policy_tag_names(c)
    schema = json.loads(i["schema"]) if isinstance(i["schema"], str) else i["schema"]
    return [
        entry(f"{i['datasetId']}.{i['tableId']}.{path}", policyTags={"names": sorted(names.get(t, t) for t in tags)})
        for path, tags in _tagged_leaves(schema)
    ]
