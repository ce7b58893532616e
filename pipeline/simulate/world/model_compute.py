"""Network, GKE, Dataproc, Vertex AI and the VMs and disks they run on, from the plan.

Shapes as the Compute, Container, Dataproc and Vertex AI APIs print them. The VMs behind GKE node
pools, Dataproc clusters and the Workbench instance are not Pulumi resources; the world adds them
(internal IP only, boot disks with the keyring's compute key) because the validators list them.
"""

from __future__ import annotations

from typing import Any

from pipeline.simulate.world.model import COMPUTE, Env, Resources, labels, number


def _network_url(env: Env, reference: str) -> str:
    name = reference.rsplit("/", maxsplit=1)[-1]
    return f"{COMPUTE}/projects/{env.project}/global/networks/{name}"


PEERED_DNS_DOMAIN = "gcp:servicenetworking/peeredDnsDomain:PeeredDnsDomain"


def network(env: Env, plan: Resources) -> dict[str, Any]:
    networks = [
        {
            "autoCreateSubnetworks": bool(n.get("autoCreateSubnetworks", False)),
            "kind": "compute#network",
            "name": n["name"],
            "routingConfig": {"routingMode": n.get("routingMode", "REGIONAL")},
            "selfLink": _network_url(env, str(n["name"])),
        }
        for n in plan.of("gcp:compute/network:Network")
    ]
    routes = [
        {
            "destRange": r["destRange"],
            "kind": "compute#route",
            "name": r["name"],
            "network": _network_url(env, str(r["network"])),
            "nextHopGateway": f"{COMPUTE}/projects/{env.project}/global/gateways/{r['nextHopGateway']}",
            "priority": number(r.get("priority", 1000)),
        }
        for r in plan.of("gcp:compute/route:Route")
    ]
    for subnet in plan.of("gcp:compute/subnetwork:Subnetwork"):
        routes.append(
            {
                "destRange": subnet["ipCidrRange"],
                "kind": "compute#route",
                "name": f"default-route-{subnet['name']}",
                "network": _network_url(env, str(subnet["network"])),
                "nextHopNetwork": _network_url(env, str(subnet["network"])),
                "priority": 0,
            }
        )
    firewalls = []
    for rule in plan.of("gcp:compute/firewall:Firewall"):
        shaped: dict[str, Any] = {
            "direction": rule.get("direction", "INGRESS"),
            "disabled": bool(rule.get("disabled", False)),
            "kind": "compute#firewall",
            "name": rule["name"],
            "network": _network_url(env, str(rule["network"])),
            "priority": number(rule.get("priority", 1000)),
        }
        for key, target in (("allows", "allowed"), ("denies", "denied")):
            if rule.get(key):
                shaped[target] = [
                    {"IPProtocol": a["protocol"], **({"ports": a["ports"]} if a.get("ports") else {})}
                    for a in rule[key]
                ]
        for key in ("destinationRanges", "sourceRanges", "targetTags", "targetServiceAccounts"):
            if rule.get(key):
                shaped[key] = list(rule[key])
        # The provider's log_config block is the API's logConfig with enable implied by its presence.
        if rule.get("logConfig"):
            shaped["logConfig"] = {"enable": True, **dict(rule["logConfig"])}
        firewalls.append(shaped)
    # The target proxies are created by GKE's Gateway controller, not planned: none until it runs.
    return {
        "networks": networks,
        "routes": routes,
        "firewalls": firewalls,
        "sslPolicies": ssl_policies(env, plan),
        # The DNS suffixes the private services peering forwards to this VPC's zones: the only
        # private names a Cloud Build private pool's workers can resolve.
        "peeredDnsDomains": sorted(str(d["dnsSuffix"]) for d in plan.of(PEERED_DNS_DOMAIN)),
        "targetHttpsProxies": [],
        "targetSslProxies": [],
        "targetHttpProxies": [],
    }


def ssl_policies(env: Env, plan: Resources) -> list[dict[str, Any]]:
    """Global and regional SSL policies as `gcloud compute ssl-policies list --format=json` prints them."""
    found = []
    for kind in ("gcp:compute/sSLPolicy:SSLPolicy", "gcp:compute/regionSslPolicy:RegionSslPolicy"):
        for policy in plan.of(kind):
            project = str(policy.get("project") or env.project)
            region = policy.get("region")
            where = f"regions/{region}" if region else "global"
            found.append(
                {
                    "kind": "compute#sslPolicy",
                    "name": policy["name"],
                    "minTlsVersion": policy.get("minTlsVersion", "TLS_1_0"),
                    "profile": policy.get("profile", "COMPATIBLE"),
                    **({"region": f"{COMPUTE}/projects/{project}/regions/{region}"} if region else {}),
                    "selfLink": f"{COMPUTE}/projects/{project}/{where}/sslPolicies/{policy['name']}",
                }
            )
    return found


def gke(env: Env, plan: Resources) -> list[dict[str, Any]]:
    clusters = []
    for cluster in plan.of("gcp:container/cluster:Cluster"):
        pools = [
            {
                "autoscaling": {"enabled": True, **{k: number(v) for k, v in (p.get("autoscaling") or {}).items()}},
                "config": {
                    **(p.get("nodeConfig") or {}),
                    "diskSizeGb": number((p.get("nodeConfig") or {}).get("diskSizeGb", 100)),
                },
                "name": p["name"],
                "status": "RUNNING",
            }
            for p in plan.of("gcp:container/nodePool:NodePool")
            if p.get("cluster") == cluster["name"]
        ]
        encryption = dict(cluster.get("databaseEncryption") or {})
        if encryption.get("state") == "ENCRYPTED":
            encryption["currentState"] = "CURRENT_STATE_ENCRYPTED"
        clusters.append(
            {
                "databaseEncryption": encryption,
                "location": cluster.get("location", env.region),
                "name": cluster["name"],
                "network": str(cluster.get("network", "")).rsplit("/", maxsplit=1)[-1],
                "nodePools": pools,
                "privateClusterConfig": dict(cluster.get("privateClusterConfig") or {}),
                "resourceLabels": dict(cluster.get("resourceLabels") or {}),
                "selfLink": f"https://container.googleapis.com/v1/projects/{env.project}/locations/{env.region}/clusters/{cluster['name']}",
                "status": "RUNNING",
            }
        )
    return clusters


def _instance(env: Env, name: str, account: str, tags: list[str]) -> dict[str, Any]:
    zone_url = f"{COMPUTE}/projects/{env.project}/zones/{env.zone}"
    subnet = f"hipaa-{env.environment}-private"
    return {
        "disks": [{"boot": True, "source": f"{zone_url}/disks/{name}"}],
        "kind": "compute#instance",
        "name": name,
        "networkInterfaces": [
            {
                "network": f"{COMPUTE}/projects/{env.project}/global/networks/hipaa-{env.environment}-vpc",
                "networkIP": "10.0.0.10",
                "subnetwork": f"{COMPUTE}/projects/{env.project}/regions/{env.region}/subnetworks/{subnet}",
            }
        ],
        "serviceAccounts": [{"email": account, "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}],
        "shieldedInstanceConfig": {"enableIntegrityMonitoring": True, "enableSecureBoot": True, "enableVtpm": True},
        "status": "RUNNING",
        "tags": {"items": tags},
        "zone": zone_url,
    }


def disk(env: Env, name: str, key: str) -> dict[str, Any]:
    zone_url = f"{COMPUTE}/projects/{env.project}/zones/{env.zone}"
    return {
        "diskEncryptionKey": {"kmsKeyName": f"{key}/cryptoKeyVersions/1"},
        "kind": "compute#disk",
        "name": name,
        "selfLink": f"{zone_url}/disks/{name}",
        "sizeGb": "100",
        "status": "READY",
        "zone": zone_url,
    }


def machines(env: Env, plan: Resources, dataproc_nodes: list[str]) -> dict[str, Any]:
    instances = [
        _instance(env, n, f"hipaa-{env.environment}-dataproc@{env.project}.iam.gserviceaccount.com", ["dataproc"])
        for n in dataproc_nodes
    ]
    disks = [disk(env, n, env.key("compute-cmek")) for n in dataproc_nodes]
    for cluster in gke(env, plan):
        for pool in cluster["nodePools"]:
            name = f"gke-{cluster['name']}-{pool['name']}-5f2a9c1e-x7k2"
            instances.append(_instance(env, name, str(pool["config"].get("serviceAccount", "")), ["gke-node"]))
            disks.append(disk(env, name, str(pool["config"].get("bootDiskKmsKey") or env.key("compute-cmek"))))
    for bench in plan.of("gcp:workbench/instance:Instance"):
        setup = bench.get("gceSetup") or {}
        account = ((setup.get("serviceAccounts") or [{}])[0]).get("email", "")
        instances.append(_instance(env, str(bench["name"]), str(account), ["deeplearning-vm"]))
        disks.append(disk(env, f"{bench['name']}-boot", str((setup.get("bootDisk") or {}).get("kmsKey", ""))))
    return {"instances": instances, "disks": disks, "snapshots": {}}


def vertex(env: Env, plan: Resources) -> dict[str, Any]:
    endpoints = []
    for index, endpoint in enumerate(plan.of("gcp:vertex/aiEndpoint:AiEndpoint")):
        endpoint_id = str(7_100_000_000_000_000_000 + index)
        endpoints.append(
            {
                "dedicatedEndpointEnabled": False,
                "displayName": endpoint["displayName"],
                "encryptionSpec": dict(endpoint.get("encryptionSpec") or {}),
                "labels": labels(endpoint),
                "name": f"projects/{env.project_number}/locations/{env.region}/endpoints/{endpoint_id}",
                "network": endpoint.get("network"),
                "predictRequestResponseLoggingConfig": dict(endpoint.get("predictRequestResponseLoggingConfig") or {}),
            }
        )
    return {"endpoints": endpoints, "models": []}
