"""The expected inventory of an environment (security/inventory/<env>.json), generated from its plan.

For every resource a live gate lists, the inventory holds its identity and the security properties
the gate compares, in the vocabulary of the live listing (infra/plan/inventory_kinds.py), and for
every gate the kinds it compares. The live gates read it (scripts/lib/inventory.sh): a planned
resource missing from a listing, a live resource of a governed kind the inventory does not know,
and a property that differs from the plan each fail the gate, naming the resource. It is written
by `python -m infra inventory --stack <env>` (`make inventory`) and never edited by hand.
Shape: docs/contracts.md, "Expected inventory".
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra import naming
from infra.config import PlatformConfig
from infra.plan import inventory_kinds as k
from infra.plan import inventory_warehouse as w
from infra.plan.inventory_kinds import Context, Entry
from infra.plan.mockrun import PROJECT_ROOT
from infra.rules import Resource

INVENTORY_DIR = PROJECT_ROOT / "security" / "inventory"
TRIGGER = "gcp:cloudbuild/trigger:Trigger"

Translate = Callable[[Resource, Context], "Entry | list[Entry] | None"]


@dataclass(frozen=True)
class Kind:
    """A kind of resource the live gates list: what a violation calls one, the planned type it comes
    from, and whether a live one the inventory does not know is unmanaged (a governed kind)."""

    name: str
    noun: str
    type_token: str
    governed: bool
    translate: Translate


KINDS: tuple[Kind, ...] = (
    Kind("keyrings", "keyring", "gcp:kms/keyRing:KeyRing", False, k.keyrings),
    Kind("keys", "key", "gcp:kms/cryptoKey:CryptoKey", True, k.keys),
    Kind("buckets", "bucket", "gcp:storage/bucket:Bucket", True, k.buckets),
    Kind("datasets", "dataset", "gcp:bigquery/dataset:Dataset", True, k.datasets),
    Kind("secrets", "secret", "gcp:secretmanager/secret:Secret", True, k.secrets),
    Kind("topics", "Pub/Sub topic", "gcp:pubsub/topic:Topic", True, k.topics),
    Kind("dataproc_clusters", "Dataproc cluster", "gcp:dataproc/cluster:Cluster", False, k.dataproc_clusters),
    Kind("gke_clusters", "GKE cluster", "gcp:container/cluster:Cluster", False, k.gke_clusters),
    # Governed where Google creates none of its own (gcloud lists default accounts under other
    # domains, and _Default/_Required sinks: scripts/lib/inventory.sh exempts those by name).
    Kind("service_accounts", "service account", "gcp:serviceaccount/account:Account", True, k.service_accounts),
    Kind("audit_configs", "audit config", "gcp:projects/iAMAuditConfig:IAMAuditConfig", False, k.audit_configs),
    Kind("sinks", "log sink", "gcp:logging/projectSink:ProjectSink", True, k.sinks),
    Kind("log_buckets", "log bucket", "gcp:logging/projectBucketConfig:ProjectBucketConfig", False, k.log_buckets),
    Kind("perimeters", "perimeter", "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter", False, k.perimeters),
    Kind("networks", "network", "gcp:compute/network:Network", True, k.networks),
    Kind("routes", "route", "gcp:compute/route:Route", False, k.routes),
    Kind("firewalls", "firewall rule", "gcp:compute/firewall:Firewall", False, k.firewalls),
    Kind("tables", "table", "gcp:bigquery/table:Table", False, w.tables),
    # A row access policy nobody planned widens who sees which rows: governed.
    Kind(
        "row_access_policies",
        "row access policy",
        "gcp:bigquery/rowAccessPolicy:RowAccessPolicy",
        True,
        w.row_access_policies,
    ),
    Kind("taxonomies", "policy tag taxonomy", "gcp:datacatalog/taxonomy:Taxonomy", False, w.taxonomies),
    Kind("column_policy_tags", "column", "gcp:bigquery/table:Table", False, w.column_policy_tags),
)


# The kinds each live gate compares (gate ids of pipeline/gates.py), in the order it lists them.
GATE_KINDS: dict[str, tuple[str, ...]] = {
    "env-validation": ("perimeters", "keyrings", "keys", "audit_configs", "sinks"),
    "encryption": ("keys", "buckets", "datasets", "dataproc_clusters", "gke_clusters", "topics", "secrets"),
    "access-controls": ("service_accounts", "buckets", "datasets"),
    "audit-logs": ("audit_configs", "sinks", "log_buckets"),
    "vpcsc-egress": ("perimeters", "networks", "routes", "firewalls"),
    "bigquery-governance": ("taxonomies", "tables", "column_policy_tags", "row_access_policies", "datasets"),
}


class InventoryError(Exception):
    """The plan cannot be turned into an inventory (a resource a gate needs is not planned)."""


def inventory_path(stack: str) -> Path:
    return INVENTORY_DIR / f"{stack}.json"


def _substitutions(resources: Iterable[Resource]) -> Mapping[str, str]:
    """The pipeline trigger's substitutions: the arguments the pipeline gives the gates."""
    triggers = [r for r in resources if r.type == TRIGGER and r.inputs.get("substitutions")]
    if len(triggers) != 1:
        raise InventoryError(f"expected one build trigger with substitutions in the plan, found {len(triggers)}")
    substitutions: Mapping[str, str] = triggers[0].inputs["substitutions"]
    return substitutions


def _scope(config: PlatformConfig, substitutions: Mapping[str, str]) -> dict[str, str]:
    """What the gates are called with in this environment; a gate refuses an inventory of another scope."""
    return {
        "project": config.project_id,
        "siem_project": substitutions["_SIEM_PROJECT_ID"],
        "security_project": substitutions["_SECURITY_PROJECT_ID"],
        "region": substitutions["_DATAPROC_REGION"],
        "keyring": substitutions["_KMS_KEYRING"],
        "perimeter": substitutions["_VPC_SC_PERIMETER"],
        "bigquery_dataset": substitutions["_BIGQUERY_DATASET"],
    }


def _entries(resources: tuple[Resource, ...], context: Context) -> dict[str, dict[str, Any]]:
    kinds: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        found: list[Entry] = []
        for resource in resources:
            if resource.type != kind.type_token:
                continue
            made = kind.translate(resource, context)
            found.extend(made if isinstance(made, list) else [made] if made is not None else [])
        ids = [e["id"] for e in found]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise InventoryError(f"{kind.name}: more than one planned resource is {duplicates[0]}")
        kinds[kind.name] = {
            "noun": kind.noun,
            "governed": kind.governed,
            "resources": sorted(found, key=lambda e: str(e["id"])),
        }
    return kinds


def build_inventory(resources: Iterable[Resource], config: PlatformConfig) -> dict[str, Any]:
    """The inventory document of a stack's plan."""
    planned = tuple(resources)
    substitutions = _substitutions(planned)
    scope = _scope(config, substitutions)
    context = Context(config, planned, scope["bigquery_dataset"], naming.deidentified_dataset(config))
    kinds = _entries(planned, context)
    for gate, names in GATE_KINDS.items():
        if not any(kinds[name]["resources"] for name in names):
            raise InventoryError(f"gate {gate}: the plan holds none of the resources it compares")
    return {
        "environment": config.environment,
        "description": (
            f"What the live gates must find in {config.project_id}: each resource they list, by identity, with the "
            f"properties they compare, in the listing's own vocabulary. Generated from the offline plan of "
            f"Pulumi.{config.stack}.yaml by `make inventory`; do not edit. Shape: docs/contracts.md."
        ),
        "scope": scope,
        "gates": {gate: list(names) for gate, names in GATE_KINDS.items()},
        "kinds": kinds,
    }


def render(inventory: Mapping[str, Any]) -> str:
    """Byte-stable JSON: key order is the document's, resources sorted by identity."""
    return json.dumps(inventory, indent=2, ensure_ascii=True) + "\n"


def check(stack: str, generated: str) -> str | None:
    """None when the committed file equals the generated text, else the one-line reason."""
    path = inventory_path(stack)
    shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    if not path.is_file():
        return f"{shown}: missing; run make inventory"
    if path.read_text(encoding="utf-8") != generated:
        return f"{shown}: differs from the inventory generated from the plan; run make inventory"
    return None


def property_count(properties: Any) -> int:
    """How many values a gate compares for one resource: the leaves, an array counting as one."""
    if isinstance(properties, Mapping) and properties:
        return sum(property_count(v) for v in properties.values())
    return 1 if not isinstance(properties, Mapping) else 0


def gate_counts(inventory: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Per gate: the resources and the property values it compares."""
    counts: dict[str, tuple[int, int]] = {}
    for gate, names in inventory["gates"].items():
        entries = [e for name in names for e in inventory["kinds"][name]["resources"]]
        counts[gate] = (len(entries), sum(property_count(e["properties"]) for e in entries))
    return counts


def command(stack: str, check_only: bool) -> int:
    """`python -m infra inventory --stack <env> [--check]`: write, or compare with, the committed file."""
    from infra.__main__ import planned_resources
    from infra.config import ConfigError
    from infra.plan.allowlist import stack_platform_config

    resources = planned_resources(stack)
    if isinstance(resources, int):
        return resources
    try:
        inventory = build_inventory(resources, stack_platform_config(stack))
    except (InventoryError, ConfigError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    generated = render(inventory)
    if check_only:
        problem = check(stack, generated)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        print(f"{inventory_path(stack).name}: matches the plan of stack {stack}")
        return 0
    INVENTORY_DIR.mkdir(parents=True, exist_ok=True)
    inventory_path(stack).write_text(generated, encoding="utf-8")
    summary = ", ".join(f"{gate} {n} resources/{p} properties" for gate, (n, p) in gate_counts(inventory).items())
    print(f"wrote {inventory_path(stack)} ({summary})")
    return 0
