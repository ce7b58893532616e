"""Rules for GKE clusters and node pools: private, attested, encrypted, least-privilege nodes."""

from __future__ import annotations

from infra.rules import Context, Resource, Rule, dig

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
ACCESS = "45 CFR 164.312(a)(1)"
INTEGRITY = "45 CFR 164.312(c)(1)"
ENCRYPTION = "45 CFR 164.312(a)(2)(iv)"
AUDIT = "45 CFR 164.312(b)"
AUTHENTICATION = "45 CFR 164.312(d)"


def private_nodes(resource: Resource, _: Context) -> str | None:
    if dig(resource.inputs, "privateClusterConfig.enablePrivateNodes") is not True:
        return "cluster nodes have public IPs (privateClusterConfig.enablePrivateNodes is not true)"
    return None


def private_endpoint_outside_dev(resource: Resource, context: Context) -> str | None:
    if context.environment != "dev" and dig(resource.inputs, "privateClusterConfig.enablePrivateEndpoint") is not True:
        return f"{context.environment} control plane has a public endpoint"
    return None


def authorized_networks_only(resource: Resource, _: Context) -> str | None:
    networks = dig(resource.inputs, "masterAuthorizedNetworksConfig.cidrBlocks") or []
    if not networks:
        return "control plane has no master authorized networks"
    blocks = [str(n.get("cidrBlock")) for n in networks]
    if "0.0.0.0/0" in blocks:
        return "control plane is authorized for 0.0.0.0/0"
    if dig(resource.inputs, "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled") is not False:
        return "control plane admits Google Cloud public IP ranges"
    return None


def dns_endpoint_iam_gated(resource: Resource, _: Context) -> str | None:
    """The pipeline reaches the control plane over the DNS endpoint (the private pool cannot reach the
    IP-based private endpoint through two peerings), so it must be on; a DNS endpoint is only IAM-
    and VPC-SC-gated while it refuses Kubernetes-signed tokens and client certificates."""
    dns = dig(resource.inputs, "controlPlaneEndpointsConfig.dnsEndpointConfig") or {}
    if dns.get("allowExternalTraffic") is not True:
        return "DNS-based control-plane endpoint is off: the private build pool cannot reach the control plane"
    bypasses = [key for key in ("enableK8sTokensViaDns", "enableK8sCertsViaDns") if dns.get(key) is not False]
    if bypasses:
        return f"DNS endpoint does not refuse non-IAM credentials ({', '.join(bypasses)} not false)"
    return None


def workload_identity(resource: Resource, _: Context) -> str | None:
    pool = str(dig(resource.inputs, "workloadIdentityConfig.workloadPool") or "")
    return None if pool.endswith(".svc.id.goog") else "Workload Identity is not enabled"


def binauthz_enforced(resource: Resource, _: Context) -> str | None:
    mode = dig(resource.inputs, "binaryAuthorization.evaluationMode")
    if mode != "PROJECT_SINGLETON_POLICY_ENFORCE":
        return f"Binary Authorization evaluation mode is {mode or 'unset'}"
    return None


def secrets_encrypted(resource: Resource, _: Context) -> str | None:
    if dig(resource.inputs, "databaseEncryption.state") != "ENCRYPTED" or not dig(
        resource.inputs, "databaseEncryption.keyName"
    ):
        return "Kubernetes secrets are not encrypted with a CMEK key"
    return None


def hardened_control_plane(resource: Resource, _: Context) -> str | None:
    inputs = resource.inputs
    problems = []
    if inputs.get("enableShieldedNodes") is not True:
        problems.append("shielded nodes off")
    if inputs.get("enableLegacyAbac") is not False:
        problems.append("legacy ABAC not disabled")
    if dig(inputs, "masterAuth.clientCertificateConfig.issueClientCertificate") is not False:
        problems.append("client certificate not disabled")
    if inputs.get("datapathProvider") != "ADVANCED_DATAPATH":
        problems.append("Dataplane V2 (network policy enforcement) off")
    return "; ".join(problems) or None


def cluster_logging(resource: Resource, _: Context) -> str | None:
    components = set(dig(resource.inputs, "loggingConfig.enableComponents") or [])
    missing = {"SYSTEM_COMPONENTS", "WORKLOADS"} - components
    if missing:
        return f"cluster does not log {', '.join(sorted(missing))}"
    if "SYSTEM_COMPONENTS" not in (dig(resource.inputs, "monitoringConfig.enableComponents") or []):
        return "cluster does not monitor SYSTEM_COMPONENTS"
    if dig(resource.inputs, "monitoringConfig.managedPrometheus.enabled") is not True:
        return "Managed Prometheus is off: nothing collects workload metrics"
    return None


def release_channel(resource: Resource, _: Context) -> str | None:
    channel = dig(resource.inputs, "releaseChannel.channel")
    if channel in (None, "", "UNSPECIFIED"):
        return f"cluster is on no release channel ({channel or 'unset'}): security patches are not rolled out"
    return None


def intranode_visibility(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("enableIntranodeVisibility") is not True:
        return "pod-to-pod traffic on one node bypasses the VPC (enableIntranodeVisibility is not true)"
    return None


def security_posture(resource: Resource, _: Context) -> str | None:
    mode = dig(resource.inputs, "securityPostureConfig.mode")
    vulnerability = dig(resource.inputs, "securityPostureConfig.vulnerabilityMode")
    if mode in (None, "", "DISABLED", "MODE_UNSPECIFIED"):
        return f"security posture mode is {mode or 'unset'}"
    if vulnerability in (None, "", "VULNERABILITY_DISABLED", "VULNERABILITY_MODE_UNSPECIFIED"):
        return f"workload vulnerability scanning is {vulnerability or 'unset'}"
    return None


def no_alpha_features(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("enableKubernetesAlpha") is not False:
        return "Kubernetes alpha features are not disabled (enableKubernetesAlpha is not false)"
    return None


def prod_deletion_protection(resource: Resource, context: Context) -> str | None:
    if context.is_prod and resource.inputs.get("deletionProtection") is not True:
        return "prod cluster has no deletion protection"
    if context.is_prod and not resource.protect:
        return "prod cluster is not protected against deletion (protect=True)"
    return None


def node_service_account(resource: Resource, _: Context) -> str | None:
    account = str(dig(resource.inputs, "nodeConfig.serviceAccount") or "")
    if not account or account == "default" or account.endswith("-compute@developer.gserviceaccount.com"):
        return "node pool runs as the default compute service account"
    return None


def node_shielded(resource: Resource, _: Context) -> str | None:
    shielded = dig(resource.inputs, "nodeConfig.shieldedInstanceConfig") or {}
    if shielded.get("enableSecureBoot") is not True or shielded.get("enableIntegrityMonitoring") is not True:
        return "node pool lacks secure boot or integrity monitoring"
    return None


def node_cmek(resource: Resource, _: Context) -> str | None:
    return None if dig(resource.inputs, "nodeConfig.bootDiskKmsKey") else "node boot disks are not CMEK-encrypted"


def node_metadata_server(resource: Resource, _: Context) -> str | None:
    mode = dig(resource.inputs, "nodeConfig.workloadMetadataConfig.mode")
    return None if mode == "GKE_METADATA" else f"node metadata mode is {mode or 'unset'}, not GKE_METADATA"


def node_auto_maintenance(resource: Resource, _: Context) -> str | None:
    management = resource.inputs.get("management") or {}
    if management.get("autoRepair") is not True or management.get("autoUpgrade") is not True:
        return "node pool auto-repair or auto-upgrade is off"
    return None


RULES = [
    Rule("GKE-01", ACCESS, "GKE nodes have private IPs only", (CLUSTER,), private_nodes),
    Rule("GKE-02", ACCESS, "GKE control plane is private outside dev", (CLUSTER,), private_endpoint_outside_dev),
    Rule(
        "GKE-03",
        ACCESS,
        "control plane reachable from authorized private networks only",
        (CLUSTER,),
        authorized_networks_only,
    ),
    Rule("GKE-04", ACCESS, "pods use Workload Identity, not node credentials", (CLUSTER,), workload_identity),
    Rule("GKE-05", INTEGRITY, "Binary Authorization enforces the project policy", (CLUSTER,), binauthz_enforced),
    Rule("GKE-06", ENCRYPTION, "Kubernetes secrets are encrypted with CMEK", (CLUSTER,), secrets_encrypted),
    Rule(
        "GKE-07",
        ACCESS,
        "shielded nodes, no legacy ABAC, no client certificate, Dataplane V2 network policy",
        (CLUSTER,),
        hardened_control_plane,
    ),
    Rule(
        "GKE-08",
        AUDIT,
        "cluster logs system components and workloads and monitors system components; GKE has no WORKLOADS"
        " monitoring component any more, so Managed Prometheus stands in for workload metrics",
        (CLUSTER,),
        cluster_logging,
    ),
    Rule(
        "GKE-09",
        "45 CFR 164.308(a)(7)(ii)(A)",
        "prod cluster has deletion protection; that provider-only guard is backed by Pulumi protect",
        (CLUSTER,),
        prod_deletion_protection,
    ),
    Rule(
        "GKE-10",
        "45 CFR 164.308(a)(4)(ii)(B)",
        "nodes run as a dedicated service account, not the default compute account",
        (NODE_POOL,),
        node_service_account,
    ),
    Rule("GKE-11", INTEGRITY, "nodes boot with secure boot and integrity monitoring", (NODE_POOL,), node_shielded),
    Rule("GKE-12", ENCRYPTION, "node boot disks are CMEK-encrypted", (NODE_POOL,), node_cmek),
    Rule("GKE-13", ACCESS, "pods see the GKE metadata server, not the node's", (NODE_POOL,), node_metadata_server),
    Rule(
        "GKE-14",
        "45 CFR 164.308(a)(1)(ii)(B)",
        "nodes auto-upgrade and auto-repair",
        (NODE_POOL,),
        node_auto_maintenance,
    ),
    Rule(
        "GKE-15",
        AUTHENTICATION,
        "control plane reached over the DNS endpoint, with IAM credentials only (no Kubernetes tokens or certs)",
        (CLUSTER,),
        dns_endpoint_iam_gated,
    ),
    Rule(
        "GKE-16",
        "45 CFR 164.308(a)(5)(ii)(B)",
        "cluster is on a release channel, so control plane and nodes receive security patches",
        (CLUSTER,),
        release_channel,
    ),
    Rule(
        "GKE-17",
        AUDIT,
        "intranode visibility on: pod-to-pod traffic on one node is seen by flow logs and firewall rules",
        (CLUSTER,),
        intranode_visibility,
    ),
    Rule(
        "GKE-18",
        "45 CFR 164.308(a)(1)(ii)(A)",
        "security posture and workload vulnerability scanning are on",
        (CLUSTER,),
        security_posture,
    ),
    Rule("GKE-19", INTEGRITY, "Kubernetes alpha features are disabled", (CLUSTER,), no_alpha_features),
]
