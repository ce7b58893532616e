"""Preflight against Google's locations: every region, zone, multi-region and location group planned is a real one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.catalogues import CatalogueError, load
from infra.catalogues.schemas import values_at
from infra.rules import Context, Resource, Rule

# Where each planned type names a location, and what that input may hold: "region", "zone", or a
# service whose multi-regions (locations catalogue) are allowed besides regions.
LOCATION_INPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "gcp:kms/keyRing:KeyRing": (("location", "kms"),),
    "gcp:storage/bucket:Bucket": (("location", "storage"),),
    "gcp:bigquery/dataset:Dataset": (("location", "bigquery"),),
    "gcp:bigquerydatapolicy/dataPolicy:DataPolicy": (("location", "bigquery"),),
    "gcp:bigquerydatapolicy/dataPolicyIamMember:DataPolicyIamMember": (("location", "bigquery"),),
    "gcp:artifactregistry/repository:Repository": (("location", "artifactregistry"),),
    "gcp:artifactregistry/vpcscConfig:VpcscConfig": (("location", "region"),),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": (("location", "logging"),),
    "gcp:cloudbuild/workerPool:WorkerPool": (("location", "region"),),
    "gcp:cloudbuild/trigger:Trigger": (("location", "cloudbuild"),),
    "gcp:container/cluster:Cluster": (("location", "region_or_zone"),),
    "gcp:container/nodePool:NodePool": (("location", "region_or_zone"),),
    "gcp:compute/subnetwork:Subnetwork": (("region", "region"),),
    "gcp:dataproc/cluster:Cluster": (("region", "region"),),
    "gcp:dataproc/autoscalingPolicy:AutoscalingPolicy": (("location", "region"),),
    "gcp:datacatalog/taxonomy:Taxonomy": (("region", "region"),),
    "gcp:vertex/aiEndpoint:AiEndpoint": (("location", "region"), ("region", "region")),
    "gcp:vertex/aiMetadataStore:AiMetadataStore": (("region", "region"),),
    "gcp:workbench/instance:Instance": (("location", "zone"),),
    "gcp:pubsub/topic:Topic": (("messageStoragePolicy.allowedPersistenceRegions", "region"),),
    "gcp:secretmanager/secret:Secret": (("replication.userManaged.replicas.location", "region"),),
    "gcp:orgpolicy/policy:Policy": (
        ("spec.rules.values.allowedValues", "policy"),
        ("spec.rules.values.deniedValues", "policy"),
    ),
}


def location_problem(value: str, kind: str, catalogue: Mapping[str, Any]) -> str | None:
    """Why a value is not a location of this kind, or None."""
    regions, zones = set(catalogue["regions"]), set(catalogue["zones"])
    if kind == "zone":
        return None if value in zones else f"{value} is not a Compute Engine zone"
    if kind == "region_or_zone":
        return None if value in regions | zones else f"{value} is not a region or zone"
    if kind == "region":
        return None if value in regions else f"{value} is not a region"
    if kind == "policy":
        groups = set(catalogue["locationGroups"]) | {f"in:{r}-locations" for r in regions}
        return None if value in groups or value in regions else f"{value} is not a region or a known location group"
    extra = catalogue["multiRegions"].get(kind)
    if extra is None:
        return f"no location list for {kind}"
    allowed = regions | set(extra)
    # Cloud Storage and BigQuery accept their locations in either case.
    candidates = {value, value.lower()} if kind in ("storage", "bigquery") else {value}
    candidates |= {value.upper()} if kind in ("storage", "bigquery") else set()
    return None if candidates & allowed else f"{value} is not a {kind} location"


def planned_locations(resource: Resource) -> list[tuple[str, str]]:
    """(value, kind) for every location the resource names; org policies only for gcp.resourceLocations."""
    if resource.type == "gcp:orgpolicy/policy:Policy" and not str(resource.inputs.get("name", "")).endswith(
        "/policies/gcp.resourceLocations"
    ):
        return []
    return [(str(v), kind) for path, kind in LOCATION_INPUTS[resource.type] for v in values_at(resource.inputs, path)]


def locations_real(resource: Resource, _: Context) -> str | None:
    try:
        catalogue = load("locations").data
    except CatalogueError as error:
        return str(error)
    problems = [p for value, kind in planned_locations(resource) if (p := location_problem(value, kind, catalogue))]
    return "; ".join(problems) or None


RULES = [
    Rule(
        "CAT-09",
        "45 CFR 164.308(a)(1)(ii)(B)",
        "every region, zone, multi-region and location group a resource names is a real Google location",
        tuple(sorted(LOCATION_INPUTS)),
        locations_real,
    ),
]
