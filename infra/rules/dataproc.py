"""Rules for Dataproc clusters: private, encrypted, shielded, no web gateway, ephemeral only in dev."""

from __future__ import annotations

import re

from infra.rules import Context, Resource, Rule, dig

CLUSTER = "gcp:dataproc/cluster:Cluster"
BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_GRANTS = ("gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMBinding:BucketIAMBinding")
GCE = "clusterConfig.gceClusterConfig"
KERBEROS = "clusterConfig.securityConfig.kerberosConfig"
# KerberosConfig.rootPrincipalPasswordUri is "The Cloud Storage URI of a KMS encrypted file containing the
# root principal password" (Dataproc v1); kmsKeyUri names the Cloud KMS key that encrypted it.
PASSWORD_URI = re.compile(r"^gs://(?P<bucket>[a-z0-9][a-z0-9._-]{1,220}[a-z0-9])/(?P<object>[^\s]+)$")
KMS_KEY = re.compile(r"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$")
# Roles that let the cluster's account read the password object (storage.objects.get on the bucket).
OBJECT_READERS = ("roles/storage.objectViewer", "roles/storage.objectUser", "roles/storage.objectAdmin")


def internal_ip_only(resource: Resource, _: Context) -> str | None:
    if dig(resource.inputs, f"{GCE}.internalIpOnly") is not True:
        return "cluster VMs may get external IPs (internalIpOnly is not true)"
    if not dig(resource.inputs, f"{GCE}.subnetwork"):
        return "cluster is not placed on the private subnet"
    return None


def cmek_disks(resource: Resource, _: Context) -> str | None:
    key = dig(resource.inputs, "clusterConfig.encryptionConfig.kmsKeyName")
    return None if key else "cluster disks are not CMEK-encrypted"


def shielded(resource: Resource, _: Context) -> str | None:
    config = dig(resource.inputs, f"{GCE}.shieldedInstanceConfig") or {}
    flags = ("enableSecureBoot", "enableVtpm", "enableIntegrityMonitoring")
    missing = [f for f in flags if config.get(f) is not True]
    return f"shielded VM settings off: {', '.join(missing)}" if missing else None


def dedicated_account(resource: Resource, _: Context) -> str | None:
    account = str(dig(resource.inputs, f"{GCE}.serviceAccount") or "")
    if not account or account.endswith("-compute@developer.gserviceaccount.com"):
        return "cluster runs as the default compute service account"
    return None


def idle_ttl_by_environment(resource: Resource, context: Context) -> str | None:
    ttl = dig(resource.inputs, "clusterConfig.lifecycleConfig.idleDeleteTtl")
    if context.environment == "dev" and not ttl:
        return "dev cluster has no idle-delete TTL (dev clusters are ephemeral)"
    if context.is_prod and ttl:
        return f"prod cluster would be deleted after {ttl} idle"
    return None


def component_gateway_off(resource: Resource, _: Context) -> str | None:
    if dig(resource.inputs, "clusterConfig.endpointConfig.enableHttpPortAccess") is not False:
        return "component gateway (HTTP port access) is not explicitly off"
    return None


def kerberos_in_prod(resource: Resource, context: Context) -> str | None:
    if context.is_prod and dig(resource.inputs, f"{KERBEROS}.enableKerberos") is not True:
        return "prod cluster does not run in Kerberos secure mode"
    if dig(resource.inputs, f"{KERBEROS}.enableKerberos") is not True:
        return None
    uri = str(dig(resource.inputs, f"{KERBEROS}.rootPrincipalPasswordUri") or "")
    if not PASSWORD_URI.match(uri):
        return f"Kerberos root principal password {uri or 'unset'!r} is not a gs:// object (a KMS-encrypted file)"
    key = str(dig(resource.inputs, f"{KERBEROS}.kmsKeyUri") or "")
    if not KMS_KEY.match(key):
        return f"Kerberos kmsKeyUri {key or 'unset'!r} is not a Cloud KMS key that encrypted the password"
    return None


def _readers(bucket: str, context: Context) -> set[str]:
    """Members that may read objects of a planned bucket, from its bucket-level grants."""
    readers: set[str] = set()
    for grant in (r for r in context.resources if r.type in BUCKET_GRANTS):
        if grant.inputs.get("bucket") == bucket and grant.inputs.get("role") in OBJECT_READERS:
            readers.update(grant.inputs.get("members") or [grant.inputs.get("member")])
    return readers


def kerberos_password_readable(context: Context) -> list[str]:
    """The password object's bucket is one the stack plans (so the storage rules hold it to CMEK, no
    public access, versioning) and the cluster's own account may read it."""
    problems: list[str] = []
    for cluster in context.of_type(CLUSTER):
        match = PASSWORD_URI.match(str(dig(cluster.inputs, f"{KERBEROS}.rootPrincipalPasswordUri") or ""))
        if dig(cluster.inputs, f"{KERBEROS}.enableKerberos") is not True or match is None:
            continue  # DPR-07 names what is missing
        bucket = match["bucket"]
        if bucket not in {b.inputs.get("name") for b in context.of_type(BUCKET)}:
            problems.append(f"{cluster.name}: Kerberos password bucket {bucket} is not planned in this stack")
            continue
        email = dig(cluster.inputs, f"{GCE}.serviceAccount")
        if not email:
            continue  # DPR-04 names the missing account
        account = f"serviceAccount:{email}"
        if account not in _readers(bucket, context):
            problems.append(f"{cluster.name}: {account} may not read gs://{bucket} (no object reader grant)")
    return problems


def autoscaling_policy(resource: Resource, _: Context) -> str | None:
    policy = dig(resource.inputs, "clusterConfig.autoscalingConfig.policyUri")
    return None if policy else "cluster has no autoscaling policy"


def own_buckets(resource: Resource, _: Context) -> str | None:
    # Unset, Dataproc creates its own staging and temp buckets with Google-managed keys; ours are CMEK
    # buckets (the storage rules check every bucket of the stack).
    missing = [key for key in ("stagingBucket", "tempBucket") if not dig(resource.inputs, f"clusterConfig.{key}")]
    if missing:
        return f"Dataproc would create its own Google-managed-key buckets: {', '.join(missing)} unset"
    return None


RULES = [
    Rule(
        "DPR-01",
        "45 CFR 164.312(e)(1)",
        "Dataproc VMs have internal IPs on the private subnet",
        (CLUSTER,),
        internal_ip_only,
    ),
    Rule("DPR-02", "45 CFR 164.312(a)(2)(iv)", "Dataproc disks are CMEK-encrypted", (CLUSTER,), cmek_disks),
    Rule(
        "DPR-03",
        "45 CFR 164.312(c)(1)",
        "Dataproc VMs are shielded (secure boot, vTPM, integrity)",
        (CLUSTER,),
        shielded,
    ),
    Rule(
        "DPR-04",
        "45 CFR 164.308(a)(4)(ii)(B)",
        "Dataproc runs as a dedicated service account",
        (CLUSTER,),
        dedicated_account,
    ),
    Rule(
        "DPR-05",
        "45 CFR 164.308(a)(7)(ii)(A)",
        "dev clusters delete when idle; prod clusters have no idle TTL",
        (CLUSTER,),
        idle_ttl_by_environment,
    ),
    Rule("DPR-06", "45 CFR 164.312(a)(1)", "component gateway (web UIs) is off", (CLUSTER,), component_gateway_off),
    Rule(
        "DPR-07",
        "45 CFR 164.312(d)",
        "prod clusters authenticate with Kerberos; the root password is a KMS-encrypted gs:// object",
        (CLUSTER,),
        kerberos_in_prod,
    ),
    Rule(
        "DPR-08",
        "45 CFR 164.308(a)(7)(ii)(B)",
        "clusters scale through an autoscaling policy",
        (CLUSTER,),
        autoscaling_policy,
    ),
    Rule(
        "DPR-09",
        "45 CFR 164.312(a)(2)(iv)",
        "staging and temp buckets are ours (CMEK), not buckets Dataproc creates with Google-managed keys",
        (CLUSTER,),
        own_buckets,
    ),
    Rule(
        "DPR-10",
        "45 CFR 164.312(d)",
        "the Kerberos password object lives in a planned bucket the cluster's own account may read",
        stack_check=kerberos_password_readable,
        scope=(CLUSTER,),
    ),
]
