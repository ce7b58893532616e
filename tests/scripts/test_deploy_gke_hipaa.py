"""deploy-gke-hipaa.sh: server-side apply, rollout undone on failure, live pods proven, URL handed on.

The refusals of bad manifests and images live in test_deploy_gke_hipaa_manifests.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.scripts import deploy_fixtures as fx
from tests.scripts.fakes import PROJECT_ROOT, FakeTools

SCRIPT = "deploy-gke-hipaa.sh"
STEM = "deploy-gke-hipaa"
USAGE = "usage: deploy-gke-hipaa.sh ENV PROJECT_ID GKE_CLUSTER REGION MANIFEST_DIR IMAGE_REF_WITH_DIGEST"
DIGEST = fx.GKE_DIGEST
IMAGE = fx.GKE_IMAGE


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def kubectl_verbs(tools: FakeTools) -> list[str]:
    return [" ".join(c.argv[:2]) + (" dry-run" if "--dry-run=server" in c.argv else "") for c in tools.calls("kubectl")]


def test_compliant_manifests_deploy_and_hand_on_the_internal_url(tools: FakeTools) -> None:
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools)
    assert result.returncode == 0, result.stderr
    # A failing command substitution in an argument trips the ERR trap in its subshell only: the script
    # goes on, so its message is the one trace (jq's `|` binds loosest; the live-namespace count hit it).
    assert "unexpected failure" not in result.stderr
    # 7 manifest objects, 1 live namespace, 1 rollout, 2 live pods, 1 URL.
    assert result.reason == "deploy-gke-hipaa.sh: PASS: deploy-gke: 12 checked, 0 violations"
    # The DNS endpoint: the private pool cannot reach the IP-based private endpoint through two peerings.
    assert tools.called("gcloud", "get-credentials", "hipaa-dev-gke", "--dns-endpoint", "--region=us-central1")
    assert not tools.called("gcloud", "--internal-ip")
    assert kubectl_verbs(tools) == [
        "apply --server-side",
        "get namespaces",
        "get networkpolicies",
        "apply --server-side dry-run",
        "apply --server-side",
        "rollout status",
        "get pods",
        "get service",
    ]
    assert tools.called("kubectl", "rollout", "status", "deployment/hipaa-api", "hipaa-api", "--timeout=300s")
    assert tools.called("kubectl", "get", "pods", "-l", "app.kubernetes.io/name=hipaa-api")
    assert "rendered for nwh-analytics-dev (dev); image placeholder replaced in 1 place(s)" in result.stderr
    assert (tools.root / "outputs" / "api-url").read_text() == "http://10.10.0.41:80\n"
    evidence = tools.evidence_of("deploy-gke")
    assert evidence["status"] == "pass" and evidence["checked"] == 12


def test_a_failed_rollout_is_undone_and_fails(tools: FakeTools) -> None:
    tools.on(
        "kubectl",
        ["rollout", "status"],
        exit=1,
        stderr='error: deployment "hipaa-api" exceeded its progress deadline\n',
        times=1,
    )
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools)
    assert result.returncode == 1
    assert result.reason == (
        "deploy-gke-hipaa.sh: FAIL: rollout of hipaa-api/deployment/hipaa-api failed (error: deployment"
        ' "hipaa-api" exceeded its progress deadline); rolled back to the previous revision'
    )
    assert tools.called("kubectl", "rollout", "undo", "deployment/hipaa-api", "hipaa-api")
    assert not tools.called("kubectl", "get", "pods")
    assert not (tools.root / "outputs" / "api-url").exists()


def test_a_failed_rollback_is_reported(tools: FakeTools) -> None:
    tools.on("kubectl", ["rollout", "status"], exit=1, stderr="error: timed out waiting for the condition\n")
    tools.on("kubectl", ["rollout", "undo"], exit=1, stderr="error: no rollout history found\n")
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools)
    assert result.returncode == 1 and result.reason.endswith(", and the rollback failed too")


def test_live_pods_on_another_digest_or_as_root_are_rolled_back(tools: FakeTools) -> None:
    live = fx.load(STEM, "pods")
    live["items"][0]["spec"]["securityContext"] = {"runAsUser": 0}
    live["items"][1]["status"]["containerStatuses"][0]["imageID"] = IMAGE.replace(DIGEST, "9" * 64)
    fx.gke_answers(tools, pods=live)
    result = fx.gke_deploy(tools)
    assert result.returncode == 1
    assert result.reason == "deploy-gke-hipaa.sh: FAIL: live pods failed the digest and non-root checks; rolled back"
    workload = "hipaa-api/deployment/hipaa-api pod hipaa-api-7d9f8b6c5d"
    assert tools.evidence_of("deploy-gke")["violations"][:-1] == [
        f"{workload}-x2kq8 container api: runAsNonRoot is not true",
        f"{workload}-x2kq8 container api: runs as UID 0",
        f"{workload}-m5tzr container api: running image is not sha256:{DIGEST}",
    ]
    assert tools.called("kubectl", "rollout", "undo", "deployment/hipaa-api", "hipaa-api")
    assert not (tools.root / "outputs" / "api-url").exists()


def test_no_live_pods_fail_and_roll_back(tools: FakeTools) -> None:
    fx.gke_answers(tools, pods={"apiVersion": "v1", "items": [], "kind": "List", "metadata": {"resourceVersion": ""}})
    result = fx.gke_deploy(tools)
    assert result.returncode == 1
    assert (
        "hipaa-api/deployment/hipaa-api: no live pods found for selector app.kubernetes.io/name=hipaa-api"
        in (tools.evidence_of("deploy-gke")["violations"])
    )
    assert tools.called("kubectl", "rollout", "undo")


def test_credentials_failure_applies_nothing(tools: FakeTools) -> None:
    tools.on(
        "gcloud",
        ["get-credentials"],
        exit=1,
        stderr="ERROR: (gcloud.container.clusters.get-credentials) ResponseError: code=403\n",
    )
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools)
    assert result.returncode == 1
    assert (
        "cluster credentials: gcloud failed (exit 1): ERROR: (gcloud.container.clusters.get-credentials)"
        in result.reason
    )
    assert tools.calls("kubectl") == []


def live_namespaces(enforce: str = "restricted", *, without_api: bool = False) -> Any:
    """The live namespace List with hipaa-api's enforce label set to `enforce`, or without hipaa-api."""
    document = fx.load("deploy-gke-hipaa", "live-namespaces")
    api = next(i for i in document["items"] if i["metadata"]["name"] == "hipaa-api")
    api["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = enforce
    if without_api:
        document["items"].remove(api)
    return document


def live_policies_without_api_default_deny() -> Any:
    """The live NetworkPolicy List minus hipaa-api's default deny (other-team keeps its own)."""
    document = fx.load("deploy-gke-hipaa", "live-networkpolicies")
    document["items"] = [
        i
        for i in document["items"]
        if (i["metadata"]["namespace"], i["metadata"]["name"]) != ("hipaa-api", "default-deny-all")
    ]
    return document


LIVE_FAILURES = [
    (
        {"namespaces": live_namespaces("baseline")},
        "live Namespace hipaa-api: label pod-security.kubernetes.io/enforce is not restricted",
    ),
    (
        {"policies": live_policies_without_api_default_deny()},
        "live Namespace hipaa-api: no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)",
    ),
]


@pytest.mark.parametrize(("answers", "violation"), LIVE_FAILURES)
def test_a_live_namespace_that_lost_its_guards_refuses_every_workload(
    tools: FakeTools, answers: dict[str, Any], violation: str
) -> None:
    fx.gke_answers(tools, **answers)
    result = fx.gke_deploy(tools)
    assert result.returncode == 1
    assert result.reason.endswith("live namespaces break 1 rule(s); no workload applied")
    # The rule broken, then the refusal that ends the gate.
    assert tools.evidence_of("deploy-gke")["violations"][0] == violation
    assert kubectl_verbs(tools) == ["apply --server-side", "get namespaces", "get networkpolicies"]


def test_a_namespace_missing_after_apply_refuses_every_workload(tools: FakeTools) -> None:
    fx.gke_answers(tools, namespaces=live_namespaces(without_api=True))
    result = fx.gke_deploy(tools)
    assert result.returncode == 1
    violations = tools.evidence_of("deploy-gke")["violations"]
    assert "live Namespace hipaa-api: not found after apply" in violations
    assert "apply --server-side dry-run" not in kubectl_verbs(tools)


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({"namespaces": ""}, "live namespaces: kubectl printed nothing"),
        ({"policies": "{not json"}, "live network policies: kubectl printed malformed JSON"),
        ({"policies": {"kind": "Status"}}, "live namespaces and network policies: unexpected JSON shape"),
    ],
)
def test_live_listings_that_are_empty_or_malformed_fail_closed(
    tools: FakeTools, answers: dict[str, Any], reason: str
) -> None:
    fx.gke_answers(tools, **answers)
    result = fx.gke_deploy(tools)
    assert result.returncode == 1 and reason in result.reason
    assert "apply --server-side dry-run" not in kubectl_verbs(tools)


def test_a_failing_live_listing_fails_closed(tools: FakeTools) -> None:
    # Rules answer in the order given: this one is met before gke_answers' healthy listing.
    tools.on("kubectl", ["get", "networkpolicies"], exit=1, stderr="error: You must be logged in to the server\n")
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools)
    assert result.returncode == 1
    assert "live network policies: kubectl failed (exit 1)" in result.reason
    assert "apply --server-side dry-run" not in kubectl_verbs(tools)


def test_server_dry_run_rejection_applies_nothing_more(tools: FakeTools) -> None:
    tools.on(
        "kubectl",
        ["apply", "--dry-run=server"],
        exit=1,
        stderr='Error from server (Forbidden): pods "hipaa-api" is forbidden: violates PodSecurity\n',
    )
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools)
    assert (
        result.returncode == 1
        and "server dry run: kubectl failed (exit 1): Error from server (Forbidden)" in result.reason
    )
    assert kubectl_verbs(tools) == [
        "apply --server-side",
        "get namespaces",
        "get networkpolicies",
        "apply --server-side dry-run",
    ]


@pytest.mark.parametrize(
    ("pods", "reason"),
    [
        ("", "pods of hipaa-api/deployment/hipaa-api: kubectl printed nothing"),
        ('{"items": [', "pods of hipaa-api/deployment/hipaa-api: kubectl printed malformed JSON"),
        ('{"items": {"a": 1}}', "pods of hipaa-api/deployment/hipaa-api: unexpected JSON shape"),
    ],
)
def test_empty_or_malformed_pod_list_fails_closed(tools: FakeTools, pods: str, reason: str) -> None:
    fx.gke_answers(tools, pods=pods)
    result = fx.gke_deploy(tools)
    assert result.returncode == 1 and reason in result.reason
    assert not (tools.root / "outputs" / "api-url").exists()


def test_internal_load_balancer_without_an_address_fails(tools: FakeTools) -> None:
    fx.gke_answers(tools, service=fx.with_value(fx.load(STEM, "service"), "status.loadBalancer", {}))
    result = fx.gke_deploy(tools)
    assert result.returncode == 1 and "internal load balancer has no address yet" in result.reason


def test_prod_without_approval_touches_no_cluster(tools: FakeTools) -> None:
    tools.approve_build("REJECTED")
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools, "prod")
    assert result.returncode == 1 and "approval state is REJECTED" in result.reason
    assert tools.calls("kubectl") == []
    assert not tools.called("gcloud", "get-credentials")


def test_prod_with_approval_deploys(tools: FakeTools) -> None:
    tools.approve_build()
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools, "prod")
    assert result.returncode == 0, result.stderr
    assert tools.called("gcloud", "get-credentials", "hipaa-prod-gke", "--project=nwh-analytics-prd", "--dns-endpoint")


def test_a_missing_manifest_dir_exits_2(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, "dev", "nwh-analytics-dev", "hipaa-dev-gke", fx.REGION, str(tools.root / "none"), IMAGE)
    assert result.returncode == 2 and "MANIFEST_DIR=" in result.stderr and result.reason == USAGE


def test_missing_argument_exits_2(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, "dev", "nwh-analytics-dev", "hipaa-dev-gke", fx.REGION)
    assert result.returncode == 2 and "expected 6 arguments, got 4" in result.stderr and result.reason == USAGE


def test_placeholders_are_filled_in_the_applied_copy_and_the_sources_stay_untouched(tools: FakeTools) -> None:
    fx.gke_answers(tools)
    result = fx.gke_deploy(tools)
    assert result.returncode == 0, result.stderr
    rendered = fx.rendered_manifests(tools)
    account = fx.find(rendered, "ServiceAccount", "hipaa-api")
    assert account["metadata"]["annotations"] == {
        "iam.gke.io/gcp-service-account": "hipaa-dev-api@nwh-analytics-dev.iam.gserviceaccount.com"
    }
    container = fx.find(rendered, "Deployment", "hipaa-api")["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == IMAGE
    assert container["env"] == [
        {"name": "HIPAA_API_PROJECT", "value": "nwh-analytics-dev"},
        {"name": "HIPAA_API_DATASET", "value": "hipaa_dev_deidentified"},
    ]
    source = (tools.root / "manifests" / "api.yaml").read_text(encoding="utf-8")
    assert "__PROJECT_ID__" in source and "hipaa-api@sha256:" + "0" * 64 in source


def _gateway(programmed: str) -> dict[str, Any]:
    """`kubectl get gateway -o json` as GKE reports the API's Gateway (synthetic)."""
    conditions = [{"type": "Accepted", "status": "True"}, {"type": "Programmed", "status": programmed}]
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "status": {"conditions": conditions}}


def test_the_repository_manifests_render_to_the_environments_identity_and_deploy(tools: FakeTools) -> None:
    tools.approve_build()
    fx.gke_answers(tools)
    tools.on("kubectl", ["get", "gateway"], stdout=_gateway("True"))
    result = fx.gke_deploy(tools, "prod", manifests=PROJECT_ROOT / "workloads" / "k8s")
    assert result.returncode == 0, result.stderr
    # 13 manifest objects, 1 live namespace, 1 rollout, 2 live pods, 1 URL.
    assert result.reason == "deploy-gke-hipaa.sh: PASS: deploy-gke: 18 checked, 0 violations"
    # The API's only way in: the Gateway's HTTPS name (TLS 1.3 at its load balancer), not the Service.
    assert (tools.root / "outputs" / "api-url").read_text() == "https://api.hipaa-prod.internal\n"
    assert tools.called("kubectl", "get", "gateway", "hipaa-api", "-n", "hipaa-api", "-o", "json")
    assert not tools.called("kubectl", "get", "service")
    rendered = fx.rendered_manifests(tools)
    assert re.search(r"__[A-Z_]+__", json.dumps(rendered)) is None
    account = fx.find(rendered, "ServiceAccount", "hipaa-api")["metadata"]["annotations"]
    assert account["iam.gke.io/gcp-service-account"] == "hipaa-prod-api@nwh-analytics-prd.iam.gserviceaccount.com"
    pod = fx.find(rendered, "Deployment", "hipaa-api")["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "hipaa-api" and pod["containers"][0]["image"] == IMAGE
    assert {e["name"]: e["value"] for e in pod["containers"][0]["env"]}["HIPAA_API_DATASET"] == (
        "hipaa_prod_deidentified"
    )


def test_a_gateway_not_yet_programmed_hands_on_no_url(tools: FakeTools) -> None:
    tools.approve_build()
    fx.gke_answers(tools)
    tools.on("kubectl", ["get", "gateway"], stdout=_gateway("False"))
    result = fx.gke_deploy(tools, "prod", manifests=PROJECT_ROOT / "workloads" / "k8s")
    assert result.returncode == 1
    assert (
        result.reason == "deploy-gke-hipaa.sh: FAIL: gateway hipaa-api/hipaa-api: load balancer not programmed (False)"
    )
    assert not (tools.root / "outputs" / "api-url").exists()
