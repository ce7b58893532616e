"""HIPAA rules over Kubernetes manifests, one function per policy: the problems found, none when it holds.

Each rule takes the object under check and its manifest set (hipaa_manifest_set) and names fields and
objects, never values. The rules apply to every Namespace, workload and Service of a set, whatever its
labels say: a classification label is not trusted to switch a control off (a PHI namespace labelled
otherwise would escape it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from hipaa_manifest_set import (
    Manifest,
    Obj,
    containers,
    listing,
    mapping,
    metadata,
    of_kind,
    pod_template,
)

Rule = Callable[[Manifest, Sequence[Manifest]], list[str]]

PSS_MODES = ("enforce", "audit", "warn")
PSS_VERSION = re.compile(r"^v1\.[0-9]+$")

WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account"
# A user-managed Google service account; the deploy fills the placeholders (docs/contracts.md), so the
# shape is checked with representative values in their place.
GSA_EMAIL = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$")
PLACEHOLDER_VALUES = {"__PROJECT_ID__": "project-id", "__ENVIRONMENT__": "prod", "__REGION__": "us-central1"}

# The platform's Artifact Registry: the environment's `hipaa-<env>-images` repository in a regional
# docker.pkg.dev host of the project (infra/naming.py), where the pipeline pushes the images it built,
# scanned and signed; always by digest. A tag may come before the digest; it changes nothing.
_REGION = r"(?:[a-z]+-[a-z]+[0-9]|__REGION__)"
_PROJECT = r"(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|__PROJECT_ID__)"
_ENV = r"(?:dev|staging|prod|__ENVIRONMENT__)"
_COMPONENT = r"[a-z0-9]+(?:[._-][a-z0-9]+)*"
PLATFORM_IMAGE = re.compile(
    rf"^{_REGION}-docker\.pkg\.dev/{_PROJECT}/hipaa-{_ENV}-images/{_COMPONENT}(?:/{_COMPONENT})*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}$"
)

# What marks a port as plain HTTP or as TLS (Kubernetes appProtocol values and port-name conventions).
HTTP_APP_PROTOCOLS = frozenset({"http", "http2", "h2c", "ws", "kubernetes.io/h2c", "kubernetes.io/ws"})
TLS_APP_PROTOCOLS = frozenset({"https", "tls", "wss", "kubernetes.io/wss"})
HTTP_PORT_NAME = re.compile(r"^(?:http|http2|h2c|ws)(?:-.*)?$")
TLS_PORT_NAME = re.compile(r"^(?:https|tls|wss|grpcs)(?:-.*)?$")
HTTP_PORT_NUMBERS = frozenset({80, 8080})
PROBES = ("startupProbe", "livenessProbe", "readinessProbe")


# --- CKV_HIPAA_1 -----------------------------------------------------------------------------------
def namespace_pod_security(manifest: Manifest, _objects: Sequence[Manifest]) -> list[str]:
    """The Namespace enforces, audits and warns at the restricted Pod Security Standard, each pinned to a version."""
    labels = mapping(metadata(manifest.obj).get("labels"))
    problems = []
    for mode in PSS_MODES:
        if labels.get(f"pod-security.kubernetes.io/{mode}") != "restricted":
            problems.append(f"label pod-security.kubernetes.io/{mode} is not restricted")
        if not PSS_VERSION.match(str(labels.get(f"pod-security.kubernetes.io/{mode}-version", ""))):
            problems.append(f"label pod-security.kubernetes.io/{mode}-version does not pin a version (v1.N)")
    return problems


# --- CKV_HIPAA_2 -----------------------------------------------------------------------------------
def is_default_deny(policy: Obj) -> bool:
    """podSelector {} (no labels, no expressions), both policy types, and not one allow rule."""
    spec = mapping(policy.get("spec"))
    selector = spec.get("podSelector")
    types = listing(spec.get("policyTypes"))
    return (
        isinstance(selector, dict)
        and set(selector) <= {"matchLabels", "matchExpressions"}
        and not selector.get("matchLabels")
        and not selector.get("matchExpressions")
        and "Ingress" in types
        and "Egress" in types
        and not spec.get("ingress")
        and not spec.get("egress")
    )


def namespace_default_deny(manifest: Manifest, objects: Sequence[Manifest]) -> list[str]:
    """A NetworkPolicy of the set denies all ingress and egress to every pod of the Namespace."""
    policies = of_kind(objects, "NetworkPolicy", namespace=manifest.name)
    if any(is_default_deny(policy.obj) for policy in policies):
        return []
    return ["no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules) in its manifest set"]


# --- CKV_HIPAA_3 -----------------------------------------------------------------------------------
def workload_namespace(manifest: Manifest, objects: Sequence[Manifest]) -> list[str]:
    """The workload runs in a Namespace its own manifest set defines (so CKV_HIPAA_1 and 2 govern it)."""
    if not metadata(manifest.obj).get("namespace"):
        return ["no metadata.namespace: the pods would run in the default namespace"]
    if not any(ns.name == manifest.namespace for ns in of_kind(objects, "Namespace")):
        return [f"namespace {manifest.namespace} is not a Namespace of its manifest set"]
    return []


# --- CKV_HIPAA_4 -----------------------------------------------------------------------------------
def _service_account_name(spec: Obj) -> str:
    return str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "")


def workload_identity(manifest: Manifest, objects: Sequence[Manifest]) -> list[str]:
    """A dedicated ServiceAccount of the set, bound to a Google service account, no API token mounted."""
    template = pod_template(manifest.obj)
    if template is None:
        return ["not a workload"]
    _, spec = template
    name = _service_account_name(spec)
    if name in ("", "default"):
        return ["runs as the namespace's default ServiceAccount (no serviceAccountName)"]
    accounts = [sa for sa in of_kind(objects, "ServiceAccount", manifest.namespace) if sa.name == name]
    if not accounts:
        return [f"ServiceAccount {name} is not defined in its manifest set"]
    account = accounts[0].obj
    problems = []
    email = str(mapping(metadata(account).get("annotations")).get(WORKLOAD_IDENTITY_ANNOTATION, ""))
    for placeholder, value in PLACEHOLDER_VALUES.items():
        email = email.replace(placeholder, value)
    if not GSA_EMAIL.match(email):
        problems.append(f"ServiceAccount {name}: no Workload Identity binding ({WORKLOAD_IDENTITY_ANNOTATION})")
    # The pod's own setting wins over the ServiceAccount's (Kubernetes API reference).
    automount = spec.get("automountServiceAccountToken", account.get("automountServiceAccountToken"))
    if automount is not False:
        problems.append("automountServiceAccountToken is not false (pod or ServiceAccount)")
    sharing = [
        other.name
        for other in objects
        if other is not manifest and other.namespace == manifest.namespace and _uses_account(other, name)
    ]
    if sharing:
        problems.append(f"ServiceAccount {name} is shared with {len(sharing)} other workload(s)")
    return problems


def _uses_account(manifest: Manifest, name: str) -> bool:
    template = pod_template(manifest.obj)
    return template is not None and _service_account_name(template[1]) == name


# --- CKV_HIPAA_5 -----------------------------------------------------------------------------------
def workload_images(manifest: Manifest, _objects: Sequence[Manifest]) -> list[str]:
    """Every container image comes from the platform's Artifact Registry images repository, by digest."""
    template = pod_template(manifest.obj)
    if template is None:
        return ["not a workload"]
    images = [(str(c.get("name", "?")), str(c.get("image", ""))) for c in containers(template[1])]
    if not images:
        return ["no containers"]
    return [
        f"container {name}: image is not <region>-docker.pkg.dev/<project>/hipaa-<env>-images/...@sha256:<digest>"
        for name, image in images
        if not PLATFORM_IMAGE.match(image)
    ]


# --- CKV_HIPAA_6 -----------------------------------------------------------------------------------
def _selects(selector: Obj, workload: Manifest) -> bool:
    template = pod_template(workload.obj)
    if template is None:
        return False
    labels = mapping(template[0].get("labels"))
    return all(labels.get(key) == value for key, value in selector.items())


def _container_ports(container: Obj, target: object) -> list[Obj]:
    ports = [p for p in listing(container.get("ports")) if isinstance(p, dict)]
    if isinstance(target, str) and not target.isdigit():
        return [p for p in ports if p.get("name") == target]
    return [p for p in ports if str(p.get("containerPort")) == str(target)]


def _probed_over_http(container: Obj, port: Obj) -> bool:
    """A kubelet probe that speaks plain HTTP to the port: it only succeeds if the port serves plain HTTP."""
    for probe in PROBES:
        http_get = mapping(mapping(container.get(probe)).get("httpGet"))
        if http_get and str(http_get.get("scheme", "HTTP")).upper() != "HTTPS":
            target = str(http_get.get("port"))
            if target in (str(port.get("name")), str(port.get("containerPort"))):
                return True
    return False


def plain_http(service_port: Obj, container: Obj, port: Obj) -> bool:
    """Whether a Service port reaching this container port carries plain HTTP.

    Plain HTTP when anything says so: an HTTP appProtocol, an http-style port name, a plain-HTTP probe
    of the port; or a well-known HTTP port number (80, 8080) with no TLS declared for it.
    """
    protocol = str(service_port.get("appProtocol") or "").lower()
    names = [str(service_port.get("name", "")), str(port.get("name", ""))]
    if protocol in HTTP_APP_PROTOCOLS or any(HTTP_PORT_NAME.match(n) for n in names):
        return True
    if _probed_over_http(container, port):
        return True
    declared_tls = protocol in TLS_APP_PROTOCOLS or any(TLS_PORT_NAME.match(n) for n in names)
    numbers = {service_port.get("port"), port.get("containerPort")}
    return not declared_tls and bool(numbers & HTTP_PORT_NUMBERS)


def service_plain_http(manifest: Manifest, objects: Sequence[Manifest]) -> list[str]:
    """No port of the Service reaches a container port that serves plain HTTP."""
    spec = mapping(manifest.obj.get("spec"))
    if spec.get("type") == "ExternalName":
        return []  # a DNS alias: it exposes no pod
    selector = mapping(spec.get("selector"))
    if not selector:
        return ["no selector: its endpoints are kept by hand, what it exposes cannot be checked"]
    workloads = [w for w in objects if w.namespace == manifest.namespace and _selects(selector, w)]
    if not workloads:
        return ["selects no workload of its manifest set: what it exposes cannot be checked"]
    problems = []
    for service_port in (p for p in listing(spec.get("ports")) if isinstance(p, dict)):
        target = service_port.get("targetPort", service_port.get("port"))
        label = service_port.get("name") or service_port.get("port")
        for workload in workloads:
            template = pod_template(workload.obj)
            reached = [(c, p) for c in containers(template[1] if template else {}) for p in _container_ports(c, target)]
            if not reached:
                problems.append(f"port {label}: target port not found in {workload.kind} {workload.name}")
            elif any(plain_http(service_port, c, p) for c, p in reached):
                problems.append(f"port {label}: exposes a plain-HTTP port of {workload.kind} {workload.name}")
    return problems
