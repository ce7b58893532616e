"""The API's Kubernetes manifests, one security property per test, on the exact field."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.network.edge_facts import (
    ADDRESS,
    API_BACKEND_PORT,
    CERTIFICATE,
    GATEWAY_CLASS,
    SSL_POLICY,
    api_hostname,
    edge_name,
)
from infra.network.private_access import HEALTH_CHECK_RANGES
from tests.infra.recording import raw

MANIFESTS = Path(__file__).resolve().parents[3] / "workloads" / "k8s"
NAMESPACE = "hipaa-api"
# The contract with deploy-gke-hipaa.sh (docs/contracts.md): exactly this reference is replaced.
IMAGE_PLACEHOLDER = "__REGION__-docker.pkg.dev/__PROJECT_ID__/hipaa-__ENVIRONMENT__-images/hipaa-api@sha256:" + "0" * 64
APP = {"app.kubernetes.io/name": "hipaa-api"}
ENVIRONMENTS = ("dev", "staging", "prod")
PRIVATE_10 = ipaddress.IPv4Network("10.0.0.0/8")


def documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d)
    return docs


def one(kind: str, name: str) -> dict[str, Any]:
    (match,) = [d for d in documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    return match


@pytest.fixture(scope="module")
def pod() -> dict[str, Any]:
    spec: dict[str, Any] = one("Deployment", "hipaa-api")["spec"]["template"]["spec"]
    return spec


@pytest.fixture(scope="module")
def container(pod: dict[str, Any]) -> dict[str, Any]:
    (only,) = pod["containers"]
    return dict(only)


def test_every_object_is_namespaced_to_the_api_namespace() -> None:
    kinds = sorted(d["kind"] for d in documents())
    assert kinds == [
        "Deployment",
        "GCPGatewayPolicy",
        "Gateway",
        "HTTPRoute",
        "HealthCheckPolicy",
        "Namespace",
        "NetworkPolicy",
        "NetworkPolicy",
        "NetworkPolicy",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "Service",
        "ServiceAccount",
    ]
    assert all(d["metadata"].get("namespace") == NAMESPACE for d in documents() if d["kind"] != "Namespace")


def test_namespace_enforces_audits_and_warns_restricted() -> None:
    labels = one("Namespace", NAMESPACE)["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert re.fullmatch(r"v1\.[0-9]+", labels[f"pod-security.kubernetes.io/{mode}-version"])


def test_default_deny_in_both_directions() -> None:
    spec = one("NetworkPolicy", "default-deny-all")["spec"]
    assert spec == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_dns_egress_only_to_kube_dns() -> None:
    spec = one("NetworkPolicy", "allow-dns-egress")["spec"]
    (rule,) = spec["egress"]
    assert rule["to"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ]
    assert rule["ports"] == [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]


def test_google_apis_egress_is_443_to_the_private_access_vips_plus_metadata() -> None:
    spec = one("NetworkPolicy", "allow-google-apis-egress")["spec"]
    assert spec["podSelector"] == {"matchLabels": APP} and spec["policyTypes"] == ["Egress"]
    apis, metadata, metadata_v2 = spec["egress"]
    assert apis == {
        "to": [{"ipBlock": {"cidr": "199.36.153.4/30"}}, {"ipBlock": {"cidr": "199.36.153.8/30"}}],
        "ports": [{"protocol": "TCP", "port": 443}],
    }
    assert metadata == {"to": [{"ipBlock": {"cidr": "169.254.169.254/32"}}], "ports": [{"protocol": "TCP", "port": 80}]}
    assert metadata_v2["to"] == [{"ipBlock": {"cidr": "169.254.169.252/32"}}]


def test_ingress_only_from_the_private_vpc_and_health_checkers_on_the_tls_port() -> None:
    spec = one("NetworkPolicy", "allow-internal-lb-ingress")["spec"]
    assert spec["policyTypes"] == ["Ingress"]
    checkers = [{"ipBlock": {"cidr": cidr}} for cidr in HEALTH_CHECK_RANGES]
    assert spec["ingress"] == [
        {"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}, *checkers], "ports": [{"protocol": "TCP", "port": 8443}]}
    ]
    # Every environment's proxy-only subnet, where the load balancer's proxies run, is inside 10/8.
    assert all(ipaddress.IPv4Network(raw(env)["proxyOnlyCidr"]).subnet_of(PRIVATE_10) for env in ENVIRONMENTS)


def test_pod_runs_as_non_root_with_runtime_default_seccomp(pod: dict[str, Any]) -> None:
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "fsGroup": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert pod["hostNetwork"] is False and pod["hostPID"] is False and pod["hostIPC"] is False


def test_no_service_account_token_in_the_pod(pod: dict[str, Any]) -> None:
    assert pod["automountServiceAccountToken"] is False
    assert one("ServiceAccount", "hipaa-api")["automountServiceAccountToken"] is False


def test_container_is_locked_down(container: dict[str, Any]) -> None:
    context = container["securityContext"]
    assert context["allowPrivilegeEscalation"] is False and context["privileged"] is False
    assert context["readOnlyRootFilesystem"] is True and context["runAsNonRoot"] is True
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}


def test_image_is_the_digest_placeholder_the_deploy_script_replaces(container: dict[str, Any]) -> None:
    assert container["image"] == IMAGE_PLACEHOLDER and container["imagePullPolicy"] == "Always"


def test_requests_and_limits(container: dict[str, Any]) -> None:
    resources = container["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory", "ephemeral-storage"}


def test_probes_speak_tls_to_the_only_port(container: dict[str, Any]) -> None:
    assert container["ports"] == [{"name": "https", "containerPort": API_BACKEND_PORT, "protocol": "TCP"}]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        assert container[probe]["httpGet"] | {"path": ""} == {"path": "", "port": "https", "scheme": "HTTPS"}


def test_service_is_cluster_internal_and_tls_to_the_pods() -> None:
    service = one("Service", "hipaa-api")
    assert "annotations" not in service["metadata"]
    assert service["spec"]["type"] == "ClusterIP" and service["spec"]["selector"] == APP
    assert service["spec"]["ports"] == [
        {"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP", "appProtocol": "HTTPS"}
    ]


def test_the_gateway_is_an_internal_https_load_balancer_on_the_platforms_address_and_certificate() -> None:
    gateway = one("Gateway", "hipaa-api")["spec"]
    assert gateway["gatewayClassName"] == GATEWAY_CLASS == "gke-l7-rilb"
    assert gateway["addresses"] == [{"type": "NamedAddress", "value": f"hipaa-__ENVIRONMENT__-{ADDRESS}"}]
    (listener,) = gateway["listeners"]  # no second, plain-HTTP listener
    assert (listener["protocol"], listener["port"]) == ("HTTPS", 443)
    assert listener["hostname"] == api_hostname("__ENVIRONMENT__")
    assert listener["tls"] == {
        "mode": "Terminate",
        "options": {"networking.gke.io/cert-manager-certs": f"hipaa-__ENVIRONMENT__-{CERTIFICATE}"},
    }


def test_the_gateways_proxy_carries_the_platforms_tls_1_3_policy() -> None:
    policy = one("GCPGatewayPolicy", "hipaa-api-tls13")["spec"]
    assert policy["default"] == {"sslPolicy": f"hipaa-__ENVIRONMENT__-{SSL_POLICY}"}
    assert policy["targetRef"] == {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "hipaa-api"}
    # The names the manifests use are the ones the platform creates.
    assert edge_name("prod", SSL_POLICY) == "hipaa-prod-api-tls13"


def test_the_route_and_health_checks_reach_the_pods_tls_port_only() -> None:
    route = one("HTTPRoute", "hipaa-api")["spec"]
    assert route["parentRefs"] == [{"name": "hipaa-api", "sectionName": "https"}]
    assert route["rules"] == [{"backendRefs": [{"name": "hipaa-api", "port": 443}]}]
    check = one("HealthCheckPolicy", "hipaa-api")["spec"]
    assert check["default"]["config"] == {
        "type": "HTTPS",
        "httpsHealthCheck": {"port": API_BACKEND_PORT, "requestPath": "/readyz"},
    }


def test_disruption_budget_keeps_one_replica() -> None:
    deployment = one("Deployment", "hipaa-api")
    budget = one("PodDisruptionBudget", "hipaa-api")["spec"]
    assert budget == {"minAvailable": 1, "selector": {"matchLabels": APP}}
    assert deployment["spec"]["replicas"] > budget["minAvailable"]


def test_only_project_and_environment_are_left_to_the_deploy() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(MANIFESTS.glob("*.yaml")))
    # The image placeholder is replaced whole (its __REGION__ included), not filled.
    text = text.replace(IMAGE_PLACEHOLDER, "")
    assert set(re.findall(r"__[A-Z][A-Z_]*?[A-Z]__", text)) == {"__PROJECT_ID__", "__ENVIRONMENT__"}
    rendered = text.replace("__PROJECT_ID__", "nwh-analytics-prd").replace("__ENVIRONMENT__", "prod")
    assert "iam.gke.io/gcp-service-account: hipaa-prod-api@nwh-analytics-prd.iam.gserviceaccount.com" in rendered
    assert "value: hipaa_prod_deidentified" in rendered
