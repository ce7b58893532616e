"""Rules for Dataproc clusters: private, encrypted, shielded, no web gateway, ephemeral only in dev."""

from __future__ import annotations

from infra.rules import Context, Resource, Rule, dig

CLUSTER = "gcp:dataproc/cluster:Cluster"
GCE = "clusterConfig.gceClusterConfig"


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
    if (
        context.is_prod
        and dig(resource.inputs, "clusterConfig.securityConfig.kerberosConfig.enableKerberos") is not True
    ):
        return "prod cluster does not run in Kerberos secure mode"
    return None


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
    Rule("DPR-07", "45 CFR 164.312(d)", "prod clusters authenticate with Kerberos", (CLUSTER,), kerberos_in_prod),
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
]
