"""The API's Kubernetes manifests, one security property per test, on the exact field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

MANIFESTS = Path(__file__).resolve().parents[3] / "workloads" / "k8s"
NAMESPACE = "hipaa-api"
# The contract with deploy-gke-hipaa.sh (docs/contracts.md): exactly this reference is replaced.
IMAGE_PLACEHOLDER = "__REGION__-docker.pkg.dev/__PROJECT_ID__/hipaa-__ENVIRONMENT__-images/hipaa-api@sha256:" + "0" * 64
APP = {"app.kubernetes.io/name": "hipaa-api"}


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


def test_ingress_only_from_the_private_vpc_on_the_api_port() -> None:
    spec = one("NetworkPolicy", "allow-internal-lb-ingress")["spec"]
    assert spec["policyTypes"] == ["Ingress"]
    assert spec["ingress"] == [
        {"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}], "ports": [{"protocol": "TCP", "port": 8080}]}
    ]


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


def test_probes(container: dict[str, Any]) -> None:
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"


def test_service_is_an_internal_load_balancer() -> None:
    service = one("Service", "hipaa-api")
    assert service["metadata"]["annotations"] == {"networking.gke.io/load-balancer-type": "Internal"}
    assert service["spec"]["type"] == "LoadBalancer" and service["spec"]["selector"] == APP


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
