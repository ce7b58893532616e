"""Live listings built from the committed expected inventory: what a compliant environment prints.

The live gates compare what they list with security/inventory/<env>.json, so a test's compliant
world is that inventory turned back into listings: each planned resource's identity and
properties laid over a recorded-shape entry of the same listing (fixtures/), which carries the
fields a real tool prints besides. Placeholders resolve to the numbers and names the fakes give
(`project_numbers`, `policy_tag_name`). A test then breaks one thing: drops a resource, adds one
nobody planned, changes a property, or empties a listing.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from infra.plan.mocks import project_number
from tests.scripts.fakes import PROJECT_ROOT
from tests.scripts.gcloud_fixtures import PROJECT_NUMBER, SECURITY_NUMBER, SIEM_NUMBER

INVENTORY_DIR = PROJECT_ROOT / "security" / "inventory"
COUNTS = ("expected", "found", "missing", "unmanaged", "mismatched", "properties")  # the evidence's inventory counts
Identity = Callable[[str, str], dict[str, Any]]  # (identity, environment) -> the live fields naming it


@cache
def _text(env: str) -> str:
    return (INVENTORY_DIR / f"{env}.json").read_text(encoding="utf-8")


def inventory(env: str) -> dict[str, Any]:
    """The committed inventory of an environment, a fresh copy."""
    document: dict[str, Any] = json.loads(_text(env))
    return document


def scope(env: str) -> dict[str, str]:
    """The arguments the pipeline gives the gates in this environment (the inventory's scope)."""
    found: dict[str, str] = inventory(env)["scope"]
    return found


def _number(text: str) -> str:
    return str(100_000 + int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 900_000)


def project_numbers(env: str) -> dict[str, str]:
    """The numbers `gcloud projects describe` answers with (prod: the recorded fixtures' numbers)."""
    s = scope(env)
    projects = (s["project"], s["siem_project"], s["security_project"])
    if env == "prod":
        return dict(zip(projects, (PROJECT_NUMBER, SIEM_NUMBER, SECURITY_NUMBER), strict=True))
    return {p: project_number(p) for p in projects}


def taxonomy_name(env: str, display_name: str) -> str:
    s = scope(env)
    return f"projects/{s['project']}/locations/{s['region']}/taxonomies/{_number(display_name)}"


def policy_tag_name(env: str, path: str) -> str:
    """The resource name the fakes give the policy tag `<taxonomy>/<tag>`."""
    taxonomy = path.split("/", 1)[0]
    return f"{taxonomy_name(env, taxonomy)}/policyTags/{_number(path)}"


def resolved(env: str, value: Any) -> Any:
    """The inventory's placeholders replaced by what the fakes answer."""
    text = json.dumps(value)
    for project, number in project_numbers(env).items():
        text = text.replace(f"{{project_number:{project}}}", number)
    while "{policy_tag:" in text:
        start = text.index("{policy_tag:")
        end = text.index("}", start)
        text = text[:start] + policy_tag_name(env, text[start + len("{policy_tag:") : end]) + text[end + 1 :]
    return json.loads(text)


def expected(env: str, kind: str, prefix: str = "") -> list[dict[str, Any]]:
    """The planned resources of a kind, placeholders resolved."""
    entries = [e for e in inventory(env)["kinds"][kind]["resources"] if e["id"].startswith(prefix)]
    found: list[dict[str, Any]] = resolved(env, entries)
    return found


def merge(base: Any, overlay: Any) -> Any:
    """`overlay` laid over `base`: objects merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = merge(base.get(key), value)
        return merged
    return copy.deepcopy(overlay)


def _dataset(identity: str, env: str) -> dict[str, Any]:
    s = scope(env)
    return {"datasetReference": {"datasetId": identity, "projectId": s["project"]}, "id": f"{s['project']}:{identity}"}


def _table(identity: str, env: str) -> dict[str, Any]:
    s = scope(env)
    dataset, table = identity.split(".", 1)
    reference = {"datasetId": dataset, "projectId": s["project"], "tableId": table}
    return {"tableReference": reference, "id": f"{s['project']}:{dataset}.{table}"}


def _row_policy(identity: str, env: str) -> dict[str, Any]:
    s = scope(env)
    table, policy = identity.split("/", 1)
    dataset, table_id = table.split(".", 1)
    reference = {"datasetId": dataset, "policyId": policy, "projectId": s["project"], "tableId": table_id}
    return {"rowAccessPolicyReference": reference}


def _compute(collection: str) -> Identity:
    def link(identity: str, env: str) -> dict[str, Any]:
        url = f"https://www.googleapis.com/compute/v1/projects/{scope(env)['project']}/global/{collection}/{identity}"
        return {"name": identity, "selfLink": url}

    return link


# How each kind's identity appears in its live listing.
IDENTITY: dict[str, Identity] = {
    "keyrings": lambda i, env: {"name": i},
    "keys": lambda i, env: {"name": i},
    "buckets": lambda i, env: {"name": i, "storage_url": f"gs://{i}/"},
    "datasets": _dataset,
    "secrets": lambda i, env: {"name": f"projects/{project_numbers(env)[scope(env)['project']]}/secrets/{i}"},
    "topics": lambda i, env: {"name": i},
    "dataproc_clusters": lambda i, env: {"clusterName": i, "projectId": scope(env)["project"]},
    "gke_clusters": lambda i, env: {"name": i},
    "service_accounts": lambda i, env: {
        "email": i,
        "name": f"projects/{scope(env)['project']}/serviceAccounts/{i}",
        "projectId": scope(env)["project"],
    },
    "audit_configs": lambda i, env: {"service": i},
    "sinks": lambda i, env: {"name": i},
    "log_buckets": lambda i, env: {"name": i},
    "perimeters": lambda i, env: {"name": i},
    "networks": _compute("networks"),
    "routes": _compute("routes"),
    "firewalls": _compute("firewalls"),
    "tables": _table,
    "row_access_policies": _row_policy,
    "taxonomies": lambda i, env: {"displayName": i, "name": taxonomy_name(env, i)},
}


def listing(
    env: str,
    kind: str,
    template: Mapping[str, Any] | Callable[[dict[str, Any]], Mapping[str, Any]] | None = None,
    prefix: str = "",
) -> list[dict[str, Any]]:
    """The live listing of a kind that matches the inventory: one entry per planned resource."""
    entries = []
    for entry in expected(env, kind, prefix):
        base = template(entry) if callable(template) else template or {}
        live = merge(merge(copy.deepcopy(dict(base)), IDENTITY[kind](entry["id"], env)), entry["properties"])
        entries.append(live)
    return entries


def key_template(symmetric: Mapping[str, Any], asymmetric: Mapping[str, Any]) -> Callable[[dict[str, Any]], Any]:
    """Keys by purpose: a symmetric key's primary version is its own, protected as its template says."""

    def template(entry: dict[str, Any]) -> dict[str, Any]:
        properties = entry["properties"]
        if properties.get("purpose") != "ENCRYPT_DECRYPT":
            return dict(copy.deepcopy(asymmetric))
        base = copy.deepcopy(dict(symmetric))
        protection = properties.get("versionTemplate", {}).get("protectionLevel", "SOFTWARE")
        version = f"{entry['id']}/cryptoKeyVersions/1"
        base["primary"] = {**base["primary"], "name": version, "protectionLevel": protection}
        return base

    return template


def for_env(env: str, document: Any) -> Any:
    """A fixture recorded in prod, renamed for another environment: its projects, numbers and names."""
    if env == "prod":
        return document
    text = json.dumps(document)
    prod, target = scope("prod"), scope(env)
    prod_numbers, numbers = project_numbers("prod"), project_numbers(env)
    for key in ("project", "siem_project", "security_project"):
        text = text.replace(prod_numbers[prod[key]], numbers[target[key]]).replace(prod[key], target[key])
    return json.loads(text.replace("hipaa-prod-", f"hipaa-{env}-").replace("hipaa_prod_", f"hipaa_{env}_"))


def _leaves(value: Any) -> int:
    """How many property values the comparison reads in `value`: as scripts/lib/inventory.sh counts
    them, a non-empty object by its members, anything else (a list included) as one."""
    if isinstance(value, dict) and value:
        return sum(_leaves(member) for member in value.values())
    return 1


def planned(env: str, gate: str) -> dict[str, int]:
    """The inventory counts a gate reports when the environment is exactly as planned: every planned
    resource of its kinds found, none missing, unmanaged or different, every planned property read."""
    document = inventory(env)
    resources = [r for kind in document["gates"][gate] for r in document["kinds"][kind]["resources"]]
    properties = sum(_leaves(r["properties"]) for r in resources if r["properties"])
    found = len(resources)
    return {"expected": found, "found": found, "missing": 0, "unmanaged": 0, "mismatched": 0, "properties": properties}
