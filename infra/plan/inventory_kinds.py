"""How each kind of planned resource looks in a live listing: the entries of the expected inventory.

One function per kind turns a planned resource (type token, camelCase Pulumi inputs) into what the
gate's listing prints for it (`gcloud ... --format=json`, `bq ... --format=json`): its identity and
the security properties a gate compares, in the API's own field names and values. Where the plan
and the API disagree on a name or a form, the translation is written here once (Dataproc's
`kmsKeyName` is the API's `gcePdKmsKeyName`; a firewall's `denies[].protocol` is `denied[].IPProtocol`;
a route's gateway is a full URL). Values Google assigns at apply time are given as what they derive
from: `{project_number:<project id>}` for a project number, `{policy_tag:<taxonomy>/<tag>}` for a
policy tag's resource name; the gates resolve both before they compare (docs/contracts.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.config import PlatformConfig
from infra.plan.mocks import project_number
from infra.rules import Resource

COMPUTE_API = "https://www.googleapis.com/compute/v1"
Entry = dict[str, Any]


@dataclass(frozen=True)
class Context:
    """What a translation may need besides the resource: the stack and the rest of the plan."""

    config: PlatformConfig
    resources: tuple[Resource, ...]
    # The dataset the pipeline's governance gate works on (the trigger's _BIGQUERY_DATASET).
    bigquery_dataset: str
    deidentified_dataset: str

    def of_type(self, type_token: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_token]

    @property
    def projects(self) -> tuple[str, ...]:
        c = self.config
        return (c.project_id, c.siem_project_id, c.security_project_id)


def plain(value: Any) -> Any:
    """Pulumi's floats as the API's integers (priority 1000, not 1000.0); containers recursively."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def derived_numbers(value: Any, context: Context) -> Any:
    """Project numbers of the plan (the mocks' stand-ins) written as what they derive from."""
    text = json.dumps(value)
    for project in context.projects:
        text = text.replace(project_number(project), f"{{project_number:{project}}}")
    return json.loads(text)


def entry(identity: str, **properties: Any) -> Entry:
    return {"id": identity, "properties": plain({k: v for k, v in properties.items() if v is not None})}


def in_project(resource: Resource, context: Context) -> bool:
    return resource.inputs.get("project") == context.config.project_id


def keyrings(r: Resource, _c: Context) -> Entry:
    i = r.inputs
    return entry(f"projects/{i['project']}/locations/{i['location']}/keyRings/{i['name']}")


def keys(r: Resource, _c: Context) -> Entry:
    i = r.inputs
    template = i.get("versionTemplate") or {}
    return entry(
        f"{i['keyRing']}/cryptoKeys/{i['name']}",
        purpose=i.get("purpose", "ENCRYPT_DECRYPT"),
        rotationPeriod=i.get("rotationPeriod"),
        versionTemplate={k: template[k] for k in ("algorithm", "protectionLevel") if k in template} or None,
    )


def buckets(r: Resource, c: Context) -> Entry | None:
    i = r.inputs
    if not in_project(r, c):
        return None
    return entry(
        i["name"],
        default_kms_key=(i.get("encryption") or {}).get("defaultKmsKeyName"),
        public_access_prevention=i.get("publicAccessPrevention"),
        uniform_bucket_level_access=i.get("uniformBucketLevelAccess"),
    )


def datasets(r: Resource, _c: Context) -> Entry:
    i = r.inputs
    return entry(i["datasetId"], defaultEncryptionConfiguration=i.get("defaultEncryptionConfiguration"))


def secrets(r: Resource, c: Context) -> Entry | None:
    return entry(r.inputs["secretId"], replication=r.inputs.get("replication")) if in_project(r, c) else None


def topics(r: Resource, c: Context) -> Entry | None:
    # A topic outside the environment project (the security team's) is outside the perimeter too:
    # the gates cannot list it from the private pool, so it is no gate's to compare.
    i = r.inputs
    return (
        entry(f"projects/{i['project']}/topics/{i['name']}", kmsKeyName=i.get("kmsKeyName"))
        if in_project(r, c)
        else None
    )


def dataproc_clusters(r: Resource, _c: Context) -> Entry | None:
    cluster = r.inputs.get("clusterConfig") or {}
    if (cluster.get("lifecycleConfig") or {}).get("idleDeleteTtl"):
        return None  # deletes itself when idle (dev): its absence is planned, not a finding
    key = (cluster.get("encryptionConfig") or {}).get("kmsKeyName")
    return entry(r.inputs["name"], config={"encryptionConfig": {"gcePdKmsKeyName": key}})


def gke_clusters(r: Resource, c: Context) -> Entry:
    name = r.inputs["name"]
    pools = [
        {
            "name": p.inputs["name"],
            "config": {"bootDiskKmsKey": (p.inputs.get("nodeConfig") or {}).get("bootDiskKmsKey")},
        }
        for p in c.of_type("gcp:container/nodePool:NodePool")
        if p.inputs.get("cluster") == name
    ]
    return entry(name, databaseEncryption=r.inputs.get("databaseEncryption"), nodePools=sorted(pools, key=str))


def service_accounts(r: Resource, c: Context) -> Entry | None:
    i = r.inputs
    return entry(f"{i['accountId']}@{i['project']}.iam.gserviceaccount.com") if in_project(r, c) else None


def audit_configs(r: Resource, c: Context) -> Entry | None:
    if not in_project(r, c):
        return None
    # The API leaves out an empty exemptedMembers list; so does the inventory.
    configs = [{k: v for k, v in log.items() if v != []} for log in r.inputs.get("auditLogConfigs") or []]
    return entry(r.inputs["service"], auditLogConfigs=sorted(configs, key=lambda x: str(x.get("logType"))))


def sinks(r: Resource, c: Context) -> Entry | None:
    i = r.inputs
    return (
        entry(i["name"], destination=i.get("destination"), filter=i.get("filter") or None) if in_project(r, c) else None
    )


def log_buckets(r: Resource, c: Context) -> Entry | None:
    i = r.inputs
    if i.get("project") != c.config.siem_project_id:
        return None  # the audit-logs gate reads the SIEM project's buckets, the ones its sinks fill
    return entry(
        f"projects/{i['project']}/locations/{i['location']}/buckets/{i['bucketId']}",
        retentionDays=i.get("retentionDays"),
        locked=i.get("locked", False),
        cmekSettings={"kmsKeyName": (i.get("cmekSettings") or {}).get("kmsKeyName")} if i.get("cmekSettings") else None,
    )


def perimeters(r: Resource, c: Context) -> Entry:
    # perimeterType is left out: the API omits its default (REGULAR), and check_perimeter judges it.
    i = r.inputs
    return entry(
        i["name"],
        useExplicitDryRunSpec=i.get("useExplicitDryRunSpec"),
        status=derived_numbers(i["status"], c) if i.get("status") else None,
        spec=derived_numbers(i["spec"], c) if i.get("spec") else None,
    )


def networks(r: Resource, c: Context) -> Entry | None:
    i = r.inputs
    if not in_project(r, c):
        return None
    routing = {"routingMode": i["routingMode"]} if i.get("routingMode") else None
    return entry(i["name"], autoCreateSubnetworks=i.get("autoCreateSubnetworks", True), routingConfig=routing)


def _global_url(project: str, collection: str, name: str) -> str:
    return name if name.startswith("https://") else f"{COMPUTE_API}/projects/{project}/global/{collection}/{name}"


def routes(r: Resource, c: Context) -> Entry | None:
    i = r.inputs
    if not in_project(r, c):
        return None
    gateway = i.get("nextHopGateway")
    return entry(
        i["name"],
        network=_global_url(i["project"], "networks", i["network"].rsplit("/", 1)[-1]),
        destRange=i.get("destRange"),
        priority=i.get("priority", 1000),
        nextHopGateway=_global_url(i["project"], "gateways", gateway) if gateway else None,
    )


def _rules(rules: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
    if not rules:
        return None
    return [{"IPProtocol": x["protocol"], **({"ports": sorted(x["ports"])} if x.get("ports") else {})} for x in rules]


def firewalls(r: Resource, c: Context) -> Entry | None:
    i = r.inputs
    if not in_project(r, c):
        return None
    return entry(
        i["name"],
        network=_global_url(i["project"], "networks", i["network"].rsplit("/", 1)[-1]),
        direction=i.get("direction", "INGRESS"),
        priority=i.get("priority", 1000),
        disabled=i.get("disabled", False),
        allowed=_rules(i.get("allows")),
        denied=_rules(i.get("denies")),
        sourceRanges=sorted(i["sourceRanges"]) if i.get("sourceRanges") else None,
        destinationRanges=sorted(i["destinationRanges"]) if i.get("destinationRanges") else None,
        logConfig={"enable": True} if i.get("logConfig") else None,
    )
