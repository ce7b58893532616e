"""kubectl against the world's GKE cluster: server-side apply, get, rollout status and undo.

The cluster is the one `gcloud container clusters get-credentials` wrote into $KUBECONFIG; without
it kubectl cannot connect. The API server admits what the cluster would: a pod spec that breaks the
Pod Security Standard its namespace enforces is refused, and Binary Authorization keeps a workload's
pods from starting unless its image digest carries the pipeline attestor's attestation, so the
rollout never completes.
"""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path
from typing import Any

from pipeline.simulate.world.args import parse
from pipeline.simulate.world.call import Call, RefusedError, Table

CLUSTER_SCOPED = {"Namespace"}
ROLLABLE = {"Deployment", "StatefulSet", "DaemonSet"}
LB_HOST = 20  # the internal passthrough load balancer's host number in the private subnet
# GKE's single-cluster Gateway classes (Google's "GatewayClass capabilities" page): its controller programs a
# Google Cloud load balancer for these, and for no other class, whose controller the cluster does not run.
GKE_GATEWAY_CLASSES = frozenset(
    {"gke-l7-global-external-managed", "gke-l7-regional-external-managed", "gke-l7-rilb", "gke-l7-gxlb"}
)


def _connected() -> str:
    config = Path(os.environ.get("KUBECONFIG") or Path(os.environ.get("HOME", ".")) / ".kube" / "config")
    try:
        return str(json.loads(config.read_text(encoding="utf-8"))["cluster"])
    except (OSError, ValueError, KeyError):
        raise RefusedError(
            "The connection to the server localhost:8080 was refused - did you specify the right host or port?"
        ) from None


def _key(item: dict[str, Any]) -> str:
    meta = item.get("metadata") or {}
    namespace = "" if item.get("kind") in CLUSTER_SCOPED else meta.get("namespace", "default")
    return f"{item.get('kind')}/{namespace}/{meta.get('name')}"


def _pod_problems(spec: dict[str, Any]) -> list[str]:
    """The restricted Pod Security Standard's checks the API server would refuse a pod for."""
    problems = []
    pod = spec.get("securityContext") or {}
    for container in spec.get("containers", []) + spec.get("initContainers", []):
        context = container.get("securityContext") or {}
        if context.get("privileged"):
            problems.append(f"container {container.get('name')}: privileged")
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"container {container.get('name')}: allowPrivilegeEscalation != false")
        if context.get("runAsNonRoot", pod.get("runAsNonRoot")) is not True:
            problems.append(f"container {container.get('name')}: runAsNonRoot != true")
        if context.get("runAsUser", pod.get("runAsUser")) == 0:
            problems.append(f"container {container.get('name')}: runAsUser=0")
        if "ALL" not in ((context.get("capabilities") or {}).get("drop") or []):
            problems.append(f"container {container.get('name')}: capabilities not dropped")
    if spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC"):
        problems.append("host namespaces")
    return problems


def _refusal(objects: dict[str, Any], item: dict[str, Any]) -> str | None:
    """Why the API server refuses the object (its namespace missing, Pod Security admission), or None."""
    namespace = (item.get("metadata") or {}).get("namespace")
    if item.get("kind") not in CLUSTER_SCOPED and f"Namespace//{namespace}" not in objects:
        return f'namespaces "{namespace}" not found'
    labels = ((objects.get(f"Namespace//{namespace}") or {}).get("metadata") or {}).get("labels") or {}
    template = (item.get("spec") or {}).get("template") or {}
    if labels.get("pod-security.kubernetes.io/enforce") == "restricted" and template:
        problems = _pod_problems(template.get("spec") or {})
        if problems:
            return (
                f"admission webhook denied {item['kind']} {item['metadata']['name']}: "
                f'violates PodSecurity "restricted": {"; ".join(problems)}'
            )
    return None


def apply(call: Call) -> int:
    args = parse(
        call.argv,
        values=("-f", "--filename", "--field-manager", "--dry-run"),
        switches=("--server-side",),
        gcloud=False,
    )
    cluster = _connected()
    document = json.loads(Path(args.value("-f") or args.require("--filename")).read_text(encoding="utf-8"))
    items = document.get("items", []) if document.get("kind") == "List" else [document]
    errors = []
    # Objects are applied one by one, in order (a Namespace before what lives in it); a refused one
    # does not undo the others, and kubectl exits 1 naming it. A server dry run keeps nothing.
    with call.state(write=args.value("--dry-run") is None) as state:
        objects = state["gke"]["objects"].setdefault(cluster, {})
        for item in items:
            problem = _refusal(objects, item)
            if problem:
                errors.append(problem)
                continue
            objects[_key(item)] = item
            call.out.write(f"{item.get('kind', '').lower()}/{item['metadata']['name']} serverside-applied\n")
            if item.get("kind") == "Service" and args.value("--dry-run") is None:
                state["gke"]["serviceUrls"] = sorted(set(state["gke"]["serviceUrls"]) | set(_urls(item, _lb_ip(state))))
        if args.value("--dry-run") is None:
            state["gke"]["serviceUrls"] = sorted(set(state["gke"]["serviceUrls"]) | set(_gateway_urls(objects)))
    if errors:
        raise RefusedError(errors[0])
    return 0


def _lb_ip(state: dict[str, Any]) -> str:
    """An address of the private subnet (the route GCP keeps for it), as an internal load balancer gets one."""
    subnet = next(r["destRange"] for r in state["network"]["routes"] if r["name"].startswith("default-route-"))
    return str(ipaddress.ip_network(subnet)[LB_HOST])


def _gateway_status(gateway: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """What GKE's Gateway controller reports: programmed, with the load balancer's address, for its classes only."""
    ours = (gateway.get("spec") or {}).get("gatewayClassName") in GKE_GATEWAY_CLASSES
    conditions = [
        {"type": "Accepted", "status": "True" if ours else "Unknown"},
        {"type": "Programmed", "status": "True" if ours else "Unknown"},
    ]
    return {"addresses": [{"type": "IPAddress", "value": _lb_ip(state)}] if ours else [], "conditions": conditions}


def _gateway_urls(objects: dict[str, Any]) -> list[str]:
    """`https://<hostname>` of each HTTPS listener GKE's controller programs, once an HTTPRoute attached
    to that Gateway sends traffic to a Service that exists (the private zone resolves the name)."""
    urls: list[str] = []
    for gateway in (o for o in objects.values() if o.get("kind") == "Gateway"):
        meta, spec = gateway["metadata"], gateway.get("spec") or {}
        namespace = meta.get("namespace", "default")
        if spec.get("gatewayClassName") not in GKE_GATEWAY_CLASSES:
            continue
        routed = any(
            route.get("kind") == "HTTPRoute"
            and route["metadata"].get("namespace", "default") == namespace
            and meta["name"] in [ref.get("name") for ref in (route.get("spec") or {}).get("parentRefs") or []]
            and any(
                f"Service/{namespace}/{backend.get('name')}" in objects
                for rule in (route.get("spec") or {}).get("rules") or []
                for backend in rule.get("backendRefs") or []
            )
            for route in objects.values()
        )
        if routed:
            urls.extend(
                f"https://{listener['hostname']}"
                for listener in spec.get("listeners") or []
                if listener.get("protocol") == "HTTPS" and listener.get("hostname")
            )
    return urls


def _urls(service: dict[str, Any], address: str) -> list[str]:
    """Where the Service answers inside the VPC: its internal load balancer address and its cluster name."""
    meta, spec = service["metadata"], service.get("spec") or {}
    urls = []
    for port in spec.get("ports") or []:
        scheme = "https" if port.get("port") == 443 or str(port.get("name", "")).startswith("https") else "http"
        urls.append(f"{scheme}://{meta['name']}.{meta.get('namespace', 'default')}.svc.cluster.local:{port['port']}")
        if spec.get("type") == "LoadBalancer":
            urls.append(f"{scheme}://{address}:{port['port']}")
    return urls


def _attested(state: dict[str, Any], image: str) -> bool:
    return any(a["resourceUri"] == f"https://{image}" for a in state["binauthz"]["attestations"])


def _pods(state: dict[str, Any], workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec = workload["spec"]["template"]["spec"]
    if not all(_attested(state, c["image"]) for c in spec.get("containers", [])):
        return []
    name, namespace = workload["metadata"]["name"], workload["metadata"]["namespace"]
    pods = []
    for index in range(int(workload["spec"].get("replicas", 1))):
        pods.append(
            {
                "kind": "Pod",
                "metadata": {
                    "name": f"{name}-7d9f8c6b5-{index:05d}",
                    "namespace": namespace,
                    "labels": workload["spec"]["template"]["metadata"].get("labels", {}),
                },
                "spec": spec,
                "status": {
                    "phase": "Running",
                    "containerStatuses": [
                        {"name": c["name"], "image": c["image"], "imageID": c["image"], "ready": True}
                        for c in spec.get("containers", [])
                    ],
                },
            }
        )
    return pods


def get(call: Call) -> int:
    args = parse(
        call.argv,
        positional=(1, 2),
        values=("-n", "--namespace", "-l", "--selector", "-o", "--output"),
        switches=("--all-namespaces", "-A"),
        gcloud=False,
    )
    cluster = _connected()
    kind_word, name = args.positional[0], (args.positional[1] if len(args.positional) > 1 else None)
    kind = {
        "namespaces": "Namespace",
        "networkpolicies": "NetworkPolicy",
        "pods": "Pod",
        "service": "Service",
        "services": "Service",
        "gateway": "Gateway",
        "gateways": "Gateway",
    }.get(kind_word)
    if kind is None:
        raise RefusedError(f'the server doesn\'t have a resource type "{kind_word}"')
    namespace = args.value("-n") or args.value("--namespace")
    with call.state(write=False) as state:
        objects = state["gke"]["objects"].get(cluster, {})
        if kind == "Pod":
            items = [p for w in objects.values() if w.get("kind") in ROLLABLE for p in _pods(state, w)]
        else:
            items = [o for o in objects.values() if o.get("kind") == kind]
    if kind != "Namespace" and not args.has("--all-namespaces"):
        items = [i for i in items if i["metadata"].get("namespace", "default") == (namespace or "default")]
    selector = args.value("-l") or args.value("--selector")
    if selector:
        wanted = dict(pair.split("=", 1) for pair in selector.split(","))
        items = [i for i in items if all(i["metadata"].get("labels", {}).get(k) == v for k, v in wanted.items())]
    if name is not None:
        found = [i for i in items if i["metadata"]["name"] == name]
        if not found:
            raise RefusedError(f'{kind_word} "{name}" not found')
        service = dict(found[0])
        if kind == "Service" and service.get("spec", {}).get("type") == "LoadBalancer":
            service["status"] = {"loadBalancer": {"ingress": [{"ip": _lb_ip(state)}]}}
        if kind == "Gateway":
            service["status"] = _gateway_status(service, state)
        return call.emit(service, "json")
    return call.emit({"apiVersion": "v1", "kind": "List", "items": items}, "json")


def rollout(call: Call) -> int:
    args = parse(call.argv, positional=(2, 2), values=("-n", "--namespace", "--timeout"), gcloud=False)
    action, reference = args.positional
    cluster = _connected()
    kind, _, name = reference.partition("/")
    namespace = args.value("-n") or args.value("--namespace") or "default"
    with call.state(write=False) as state:
        workload = state["gke"]["objects"].get(cluster, {}).get(f"{kind.capitalize()}/{namespace}/{name}")
        if workload is None:
            raise RefusedError(f'{kind}s.apps "{name}" not found')
        if action == "status" and not _pods(state, workload):
            raise RefusedError(
                f"timed out waiting for the condition: pods of {reference} "
                "denied by Binary Authorization (image not attested)"
            )
    if action not in ("status", "undo"):
        raise RefusedError(f"unknown rollout action {action}")
    call.out.write(f"{reference} {'successfully rolled out' if action == 'status' else 'rolled back'}\n")
    return 0


COMMANDS: Table = {("apply",): apply, ("get",): get, ("rollout",): rollout}
