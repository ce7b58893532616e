"""deploy-gke-hipaa.sh refuses, before anything is applied, manifests or images that break the rules."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.scripts import deploy_fixtures as fx
from tests.scripts.fakes import FakeTools

SCRIPT = "deploy-gke-hipaa.sh"
USAGE = "usage: deploy-gke-hipaa.sh ENV PROJECT_ID GKE_CLUSTER REGION MANIFEST_DIR IMAGE_REF_WITH_DIGEST"
DIGEST = fx.GKE_DIGEST
IMAGE = fx.GKE_IMAGE


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


NS = ("Namespace", "hipaa-api")
API = ("Deployment", "hipaa-api")
POD = ("spec", "template", "spec")
CONTAINER = (*POD, "containers", 0, "securityContext")
DENY = ("NetworkPolicy", "default-deny-all")
PSA = "pod-security.kubernetes.io/"
SIDECAR = {
    "name": "proxy",
    "image": "gcr.io/cloud-sql-connectors/proxy:2.14.1",
    "securityContext": {"privileged": True},
}
NO_NAMESPACE = [
    f"{kind} hipaa-api/{name}: not in a Namespace of this manifest set"
    for kind, name in (
        ("NetworkPolicy", "allow-dns-egress"),
        ("NetworkPolicy", "allow-api-ingress-from-private-subnet"),
        ("ServiceAccount", "hipaa-api"),
        ("Deployment", "hipaa-api"),
        ("Service", "hipaa-api"),
    )
]
NO_DEFAULT_DENY = "Namespace hipaa-api: no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)"


# Each group breaks several rules at once; the evidence must list every one of them, so each rule
# is shown to catch its case (and one run per group keeps the suite fast).
@pytest.mark.parametrize(
    ("edits", "violations"),
    [
        pytest.param(
            [
                (*NS, ("metadata", "labels", PSA + "enforce"), "baseline"),
                (*NS, ("metadata", "labels", PSA + "audit"), fx.DROP),
                (*NS, ("metadata", "labels", PSA + "warn"), fx.DROP),
                (*NS, ("metadata", "labels", PSA + "enforce-version"), fx.DROP),
                (*DENY, ("spec", "egress"), [{}]),
            ],
            [
                f"Namespace hipaa-api: label {PSA}enforce is not restricted",
                f"Namespace hipaa-api: label {PSA}audit is not restricted",
                f"Namespace hipaa-api: label {PSA}warn is not restricted",
                f"Namespace hipaa-api: no {PSA}enforce-version label",
                NO_DEFAULT_DENY,
            ],
            id="namespace",
        ),
        pytest.param(
            [
                (*API, (*CONTAINER, "runAsNonRoot"), False),
                (*API, (*CONTAINER, "allowPrivilegeEscalation"), fx.DROP),
                (*API, (*POD, "volumes"), [{"name": "node", "hostPath": {"path": "/var/log"}}]),
                (*API, (*POD, "containers", 1), SIDECAR),
            ],
            [
                "Deployment hipaa-api/hipaa-api: mounts a hostPath volume",
                "Deployment hipaa-api/hipaa-api container api: runAsNonRoot is not true",
                "Deployment hipaa-api/hipaa-api container api: allowPrivilegeEscalation is not false",
                "Deployment hipaa-api/hipaa-api container proxy: is privileged",
                "Deployment hipaa-api/hipaa-api container proxy: allowPrivilegeEscalation is not false",
                "Deployment hipaa-api/hipaa-api container proxy: does not drop ALL capabilities",
                "Deployment hipaa-api/hipaa-api container proxy: image is not pinned by digest",
            ],
            id="pod",
        ),
        pytest.param(
            [
                (*API, ("metadata", "namespace"), fx.DROP),
                ("Service", "hipaa-api", ("metadata", "annotations"), fx.DROP),
                (*DENY, ("spec", "policyTypes"), ["Ingress"]),
            ],
            [
                NO_DEFAULT_DENY,
                "Deployment hipaa-api: not in a Namespace of this manifest set",
                "Service hipaa-api/hipaa-api: LoadBalancer without networking.gke.io/load-balancer-type: Internal"
                " (public IP)",
            ],
            id="placement",
        ),
        pytest.param(
            [(*NS, (), fx.DROP), (*DENY, (), fx.DROP)],
            ["manifest set defines no Namespace (pods would land in an unlabelled one)", *NO_NAMESPACE],
            id="no-namespace",
        ),
    ],
)
def test_a_violating_manifest_set_is_refused_before_anything_is_applied(
    tools: FakeTools, edits: list[fx.Edit], violations: list[str]
) -> None:
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools, mutate=fx.edited(edits))
    assert result.returncode == 1
    assert result.reason == f"deploy-gke-hipaa.sh: FAIL: manifest set breaks {len(violations)} rule(s); nothing applied"
    evidence = tools.evidence_of("deploy-gke")
    assert evidence["violations"][:-1] == violations
    assert tools.calls("kubectl") == []
    assert not tools.called("gcloud", "get-credentials")


@pytest.mark.parametrize(
    ("edits", "unfilled"),
    [
        pytest.param(
            [(*API, (*POD, "containers", 0, "env", 2), {"name": "HIPAA_API_REGION", "value": "__REGION__"})],
            "__REGION__",
            id="value",
        ),
        pytest.param(
            [
                (*NS, ("metadata", "labels", "team-__TEAM__"), "analytics"),
                ("ServiceAccount", "hipaa-api", ("metadata", "annotations", "owner"), "__OWNER__@__DOMAIN__"),
            ],
            "__DOMAIN__ __OWNER__ __TEAM__",
            id="key-and-value",
        ),
    ],
)
def test_an_unfilled_placeholder_is_refused_before_anything_is_applied(
    tools: FakeTools, edits: list[fx.Edit], unfilled: str
) -> None:
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools, mutate=fx.edited(edits))
    assert result.returncode == 1
    reason = f"manifests keep unfilled placeholder(s) {unfilled}; nothing applied"
    assert result.reason == f"deploy-gke-hipaa.sh: FAIL: {reason}"
    assert tools.evidence_of("deploy-gke")["status"] == "fail"
    assert tools.calls() == []
    assert not (tools.root / "outputs" / "gke-manifests.json").exists()


@pytest.mark.parametrize(
    "image",
    [
        "us-central1-docker.pkg.dev/nwh-analytics-dev/hipaa-dev-images/fluent-bit:3.1",
        "us-central1-docker.pkg.dev/nwh-analytics-dev/hipaa-dev-images/fluent-bit@sha256:" + "a" * 40,
        "us-central1-docker.pkg.dev/nwh-analytics-dev/hipaa-dev-images/fluent-bit",
    ],
)
def test_a_manifest_image_not_pinned_by_digest_is_refused(tools: FakeTools, image: str) -> None:
    sidecar = {
        "name": "logs",
        "image": image,
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
    }
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools, mutate=fx.edited([(*API, (*POD, "containers", 1), sidecar)]))
    assert result.returncode == 1
    assert result.reason == "deploy-gke-hipaa.sh: FAIL: manifest set breaks 1 rule(s); nothing applied"
    assert tools.evidence_of("deploy-gke")["violations"][:-1] == [
        "Deployment hipaa-api/hipaa-api container logs: image is not pinned by digest"
    ]
    assert tools.calls() == []


def test_malformed_yaml_is_refused_naming_the_file(tools: FakeTools) -> None:
    fx.gke_answers(tools)
    (tools.root / "manifests").mkdir()
    (tools.root / "manifests" / "broken.yaml").write_text("kind: Deployment\nmetadata: [name: x\n", encoding="utf-8")
    result = fx.gke_deploy(tools)
    assert result.returncode == 1
    assert "manifest parse:" in result.reason and "broken.yaml: malformed YAML at line" in result.reason
    assert tools.calls("kubectl") == []


def test_manifests_without_the_placeholder_are_refused(tools: FakeTools) -> None:
    fx.gke_answers(tools)
    result = fx.gke_deploy(
        tools, mutate=fx.edited([(*API, (*POD, "containers", 0, "image"), IMAGE.replace(DIGEST, "1" * 64))])
    )
    assert result.returncode == 1 and "no manifest names the image placeholder" in result.reason
    assert tools.calls("kubectl") == []


def test_a_python_without_a_yaml_parser_fails_with_a_clear_reason(tools: FakeTools) -> None:
    bare = tools.root / "bare-python"
    bare.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n', encoding="utf-8")
    bare.chmod(0o755)
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools, PYTHON=str(bare))
    assert result.returncode == 1
    assert "manifest parse:" in result.reason and "PyYAML is not installed" in result.reason
    assert tools.calls("kubectl") == []


@pytest.mark.parametrize(
    ("image", "named"),
    [
        ("us-central1-docker.pkg.dev/nwh-analytics-dev/hipaa-dev-images/hipaa-api:1.4.0", "IMAGE_REF_WITH_DIGEST="),
        ("hipaa-api@sha256:" + DIGEST, "IMAGE_REF_WITH_DIGEST="),
        (IMAGE.replace(DIGEST, "0" * 64), "the placeholder digest"),
        (IMAGE.replace(DIGEST, DIGEST[:40]), "IMAGE_REF_WITH_DIGEST="),
    ],
)
def test_an_image_not_pinned_by_digest_exits_2(tools: FakeTools, image: str, named: str) -> None:
    result = fx.gke_deploy(tools, image=image)
    assert result.returncode == 2 and named in result.stderr and result.reason == USAGE
    assert tools.calls() == []
