"""CMEK grants follow the resources: a key a resource names is granted to whoever encrypts with it.

Google encrypts a CMEK resource as the service agent of the project the resource lives in, not of the
project holding the key, and refuses to create the resource when that agent lacks
roles/cloudkms.cryptoKeyEncrypterDecrypter on the key. Which agent that is comes from each product's
CMEK page, written here rather than imported from infra/security/kms.py, so a grant the component
forgets is a finding instead of a shared blind spot. Every resource input that names a key is found
by its shape, not from a list of fields: a key in a place this table does not know fails the rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from infra.rules import Context, Resource, Rule, dig

KEY = re.compile(r"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$")
ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
DECRYPTERS = (ENCRYPTER_DECRYPTER, "roles/cloudkms.cryptoKeyDecrypter")
GRANTS = ("gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding", "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
# Resources that manage keys rather than being encrypted with one.
KEY_TYPES = ("gcp:kms/keyRing:KeyRing", "gcp:kms/cryptoKey:CryptoKey", *GRANTS)
# The account a Dataproc cluster runs as: it decrypts the Kerberos password on the VMs.
CLUSTER_ACCOUNT = "cluster-account"

_STORAGE = "service-{n}@gs-project-accounts.iam.gserviceaccount.com"
_BIGQUERY = "bq-{n}@bigquery-encryption.iam.gserviceaccount.com"
_COMPUTE = "service-{n}@compute-system.iam.gserviceaccount.com"
# Service agents by (resource type, key field with list indexes dropped), from Google's CMEK pages:
# Cloud Storage, BigQuery, Compute Engine, GKE (application-layer secrets and node boot disks), Cloud
# Logging (log buckets), Pub/Sub, Secret Manager, Artifact Registry, Vertex AI, Workbench, Dataproc,
# Certificate Authority Service.
ENCRYPTED_BY: dict[tuple[str, str], tuple[str, ...]] = {
    ("gcp:storage/bucket:Bucket", "encryption.defaultKmsKeyName"): (_STORAGE,),
    ("gcp:bigquery/dataset:Dataset", "defaultEncryptionConfiguration.kmsKeyName"): (_BIGQUERY,),
    ("gcp:bigquery/table:Table", "encryptionConfiguration.kmsKeyName"): (_BIGQUERY,),
    # A query job's destination table is encrypted by the same BigQuery encryption account.
    ("gcp:bigquery/job:Job", "query.destinationEncryptionConfiguration.kmsKeyName"): (_BIGQUERY,),
    # Certificate Authority Service: the CA pool's keys and certificates, by its service agent.
    ("gcp:certificateauthority/caPool:CaPool", "encryptionSpec.cloudKmsKey"): (
        "service-{n}@gcp-sa-privateca.iam.gserviceaccount.com",
    ),
    ("gcp:container/cluster:Cluster", "databaseEncryption.keyName"): (
        "service-{n}@container-engine-robot.iam.gserviceaccount.com",
    ),
    ("gcp:container/nodePool:NodePool", "nodeConfig.bootDiskKmsKey"): (_COMPUTE,),
    # Dataproc CMEK: the Compute Engine agent encrypts the disks, the Dataproc agent sets them up.
    ("gcp:dataproc/cluster:Cluster", "clusterConfig.encryptionConfig.kmsKeyName"): (
        _COMPUTE,
        "service-{n}@dataproc-accounts.iam.gserviceaccount.com",
    ),
    ("gcp:dataproc/cluster:Cluster", "clusterConfig.securityConfig.kerberosConfig.kmsKeyUri"): (CLUSTER_ACCOUNT,),
    ("gcp:logging/projectBucketConfig:ProjectBucketConfig", "cmekSettings.kmsKeyName"): (
        "service-{n}@gcp-sa-logging.iam.gserviceaccount.com",
    ),
    ("gcp:pubsub/topic:Topic", "kmsKeyName"): ("service-{n}@gcp-sa-pubsub.iam.gserviceaccount.com",),
    (
        "gcp:secretmanager/secret:Secret",
        "replication.userManaged.replicas.customerManagedEncryption.kmsKeyName",
    ): ("service-{n}@gcp-sa-secretmanager.iam.gserviceaccount.com",),
    ("gcp:artifactregistry/repository:Repository", "kmsKeyName"): (
        "service-{n}@gcp-sa-artifactregistry.iam.gserviceaccount.com",
    ),
    ("gcp:vertex/aiEndpoint:AiEndpoint", "encryptionSpec.kmsKeyName"): (
        "service-{n}@gcp-sa-aiplatform.iam.gserviceaccount.com",
    ),
    ("gcp:vertex/aiMetadataStore:AiMetadataStore", "encryptionSpec.kmsKeyName"): (
        "service-{n}@gcp-sa-aiplatform.iam.gserviceaccount.com",
    ),
    # Workbench: Compute Engine encrypts the disks, the Notebooks agent manages the instance.
    ("gcp:workbench/instance:Instance", "gceSetup.bootDisk.kmsKey"): (
        _COMPUTE,
        "service-{n}@gcp-sa-notebooks.iam.gserviceaccount.com",
    ),
    ("gcp:workbench/instance:Instance", "gceSetup.dataDisks.kmsKey"): (
        _COMPUTE,
        "service-{n}@gcp-sa-notebooks.iam.gserviceaccount.com",
    ),
}


@dataclass(frozen=True)
class KeyUse:
    """One resource input naming a key: who must hold it, and in which project the resource lives."""

    resource: Resource
    path: str
    key: str
    project: str


def _named_keys(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path without list indexes, key) for every input value shaped like a CMEK key id."""
    if isinstance(value, str):
        if KEY.match(value):
            yield path, value
    elif isinstance(value, Mapping):
        for name, inner in value.items():
            yield from _named_keys(inner, f"{path}.{name}" if path else str(name))
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _named_keys(inner, path)


def key_uses(resources: list[Resource] | tuple[Resource, ...]) -> list[KeyUse]:
    """Every place a planned resource names a key (the KMS resources themselves excluded)."""
    return [
        KeyUse(resource, path, key, str(resource.inputs.get("project") or ""))
        for resource in resources
        if resource.type not in KEY_TYPES
        for path, key in _named_keys(dict(resource.inputs))
    ]


def key_holders(resources: list[Resource] | tuple[Resource, ...], roles: tuple[str, ...]) -> dict[str, set[str]]:
    """Members holding one of `roles` on each key, from authoritative bindings and single grants."""
    holders: dict[str, set[str]] = {}
    for grant in (r for r in resources if r.type in GRANTS):
        if grant.inputs.get("role") in roles:
            members = grant.inputs.get("members") or [grant.inputs.get("member")]
            holders.setdefault(str(grant.inputs.get("cryptoKeyId")), set()).update(str(m) for m in members)
    return holders


def _missing(use: KeyUse, template: str, context: Context) -> str | None:
    """What is wrong with one required holder of the key, or None."""
    where = f"{use.resource.name}.{use.path}"
    if template == CLUSTER_ACCOUNT:
        account = dig(use.resource.inputs, "clusterConfig.gceClusterConfig.serviceAccount")
        decrypters = key_holders(tuple(context.resources), DECRYPTERS).get(use.key, set())
        if not account or f"serviceAccount:{account}" not in decrypters:
            return f"{where}: the cluster's account {account or '(none)'} may not decrypt with {use.key}"
        return None
    if not use.project:
        return f"{where}: names {use.key} but has no project, so its service agent is unknown"
    holders = key_holders(tuple(context.resources), (ENCRYPTER_DECRYPTER,)).get(use.key, set())
    number = context.project_numbers.get(use.project)
    if number is not None:
        agent = "serviceAccount:" + template.format(n=number)
        return None if agent in holders else f"{where}: {agent} (project {use.project}) does not hold {use.key}"
    # A preview carries no project numbers: the key must hold that service's agent of as many
    # projects as the resources encrypted with it live in.
    domain = template.split("@", 1)[1]
    projects = {
        u.project for u in key_uses(tuple(context.resources)) if u.key == use.key and template in encrypted_by(u)
    }
    agents = {m for m in holders if m.endswith("@" + domain)}
    if len(agents) < len(projects):
        return (
            f"{where}: {use.key} is used in {len(projects)} projects but held by {len(agents)} {domain} agents "
            "(project numbers unknown)"
        )
    return None


def encrypted_by(use: KeyUse) -> tuple[str, ...]:
    """Who must hold the key `use` names (service agent templates), from Google's CMEK pages."""
    return ENCRYPTED_BY.get((use.resource.type, use.path), ())


def grants_follow_resources(context: Context) -> list[str]:
    problems: list[str] = []
    for use in key_uses(tuple(context.resources)):
        templates = encrypted_by(use)
        if not templates:
            problems.append(
                f"{use.resource.name}.{use.path} names {use.key}, but which service agent encrypts "
                f"{use.resource.type} with it is not known to this rule"
            )
        problems.extend(p for p in (_missing(use, t, context) for t in templates) if p)
    return sorted(set(problems))


RULES = [
    Rule(
        "CMK-01",
        "45 CFR 164.312(a)(2)(iv)",
        "every key a resource names is granted to the service agent of the resource's own project "
        "that encrypts it (Dataproc Kerberos: to the cluster's account)",
        stack_check=grants_follow_resources,
        # Judged where key grants are planned (the whole platform); a component planned alone, without
        # its keys' grants, is not applicable rather than a pass or a false finding.
        scope=GRANTS,
    ),
]
