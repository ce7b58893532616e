"""deploy-gke-hipaa.sh: restricted manifests only, image by digest, rollout undone on failure, live proof."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.scripts import deploy_fixtures as fx
from tests.scripts.fakes import FakeTools, Result

SCRIPT = "deploy-gke-hipaa.sh"
STEM = "deploy-gke-hipaa"
USAGE = "usage: deploy-gke-hipaa.sh ENV PROJECT_ID GKE_CLUSTER REGION MANIFEST_DIR IMAGE_REF_WITH_DIGEST"
DIGEST = "4f1c0b7e9a2d3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"
IMAGE = f"us-central1-docker.pkg.dev/nwh-analytics-dev/hipaa-dev-images/hipaa-api@sha256:{DIGEST}"
Mutation = Callable[[list[dict[str, Any]]], None]


@pytest.fixture
def tools(tmp_path: Path) -> FakeTools:
    return FakeTools(tmp_path)


def answer(tools: FakeTools, *, pods: Any = None, service: Any = None) -> None:
    tools.on(
        "gcloud",
        ["container", "clusters", "get-credentials"],
        stderr="Fetching cluster endpoint and auth data.\nkubeconfig entry generated for hipaa-dev-gke.\n",
    )
    tools.on(
        "kubectl",
        ["apply", "--dry-run=server"],
        stdout="deployment.apps/hipaa-api serverside-applied (server dry run)\n",
    )
    tools.on("kubectl", ["apply", "--server-side"], stdout="deployment.apps/hipaa-api serverside-applied\n")
    tools.on("kubectl", ["rollout", "status"], stdout='deployment "hipaa-api" successfully rolled out\n')
    tools.on("kubectl", ["rollout", "undo"], stdout="deployment.apps/hipaa-api rolled back\n")
    tools.on("kubectl", ["get", "pods"], stdout=fx.load(STEM, "pods") if pods is None else pods)
    tools.on("kubectl", ["get", "service"], stdout=fx.load(STEM, "service") if service is None else service)


def run(tools: FakeTools, environment: str = "dev", mutate: Mutation | None = None, image: str = IMAGE) -> Result:
    manifests = fx.manifest_set(tools.root / "manifests", mutate)
    outputs = tools.root / "outputs"
    arguments = (environment, fx.PROJECTS[environment], f"hipaa-{environment}-gke", fx.REGION, str(manifests), image)
    return tools.run(SCRIPT, *arguments, env={"OUTPUT_DIR": str(outputs)})


def kubectl_verbs(tools: FakeTools) -> list[str]:
    return [" ".join(c.argv[:2]) + (" dry-run" if "--dry-run=server" in c.argv else "") for c in tools.calls("kubectl")]


def test_compliant_manifests_deploy_and_hand_on_the_internal_url(tools: FakeTools) -> None:
    answer(tools)
    result = run(tools)
    assert result.returncode == 0, result.stderr
    # 7 manifest objects, 1 rollout, 2 live pods, 1 URL.
    assert result.reason == "deploy-gke-hipaa.sh: PASS: deploy-gke: 11 checked, 0 violations"
    assert tools.called("gcloud", "get-credentials", "hipaa-dev-gke", "--internal-ip", "--region=us-central1")
    assert kubectl_verbs(tools) == [
        "apply --server-side",
        "apply --server-side dry-run",
        "apply --server-side",
        "rollout status",
        "get pods",
        "get service",
    ]
    assert tools.called("kubectl", "rollout", "status", "deployment/hipaa-api", "hipaa-api", "--timeout=300s")
    assert tools.called("kubectl", "get", "pods", "-l", "app.kubernetes.io/name=hipaa-api")
    assert "image placeholder replaced in 1 place(s)" in result.stderr
    assert (tools.root / "outputs" / "api-url").read_text() == "http://10.10.0.41:80\n"
    evidence = tools.evidence_of("deploy-gke")
    assert evidence["status"] == "pass" and evidence["checked"] == 11


def _unlabel(mode: str) -> Mutation:
    return lambda docs: fx.find(docs, "Namespace", "hipaa-api")["metadata"]["labels"].pop(
        f"pod-security.kubernetes.io/{mode}"
    )


def _relabel(docs: list[dict[str, Any]]) -> None:
    fx.find(docs, "Namespace", "hipaa-api")["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "baseline"


def _drop_default_deny(docs: list[dict[str, Any]]) -> None:
    docs.remove(fx.find(docs, "NetworkPolicy", "default-deny-all"))


def _ingress_only_deny(docs: list[dict[str, Any]]) -> None:
    fx.find(docs, "NetworkPolicy", "default-deny-all")["spec"]["policyTypes"] = ["Ingress"]


def _deny_with_allow(docs: list[dict[str, Any]]) -> None:
    fx.find(docs, "NetworkPolicy", "default-deny-all")["spec"]["egress"] = [{}]


def _pod(docs: list[dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = fx.find(docs, "Deployment", "hipaa-api")["spec"]["template"]["spec"]
    return spec


def _container_root(docs: list[dict[str, Any]]) -> None:
    _pod(docs)["containers"][0]["securityContext"]["runAsNonRoot"] = False


def _privileged(docs: list[dict[str, Any]]) -> None:
    _pod(docs)["containers"][0]["securityContext"]["privileged"] = True


def _escalation(docs: list[dict[str, Any]]) -> None:
    del _pod(docs)["containers"][0]["securityContext"]["allowPrivilegeEscalation"]


def _host_path(docs: list[dict[str, Any]]) -> None:
    _pod(docs)["volumes"] = [{"name": "node", "hostPath": {"path": "/var/log"}}]


def _tagged_sidecar(docs: list[dict[str, Any]]) -> None:
    sidecar = {**_pod(docs)["containers"][0], "name": "proxy", "image": "gcr.io/cloud-sql-connectors/proxy:2.14.1"}
    _pod(docs)["containers"].append(sidecar)


def _no_namespace(docs: list[dict[str, Any]]) -> None:
    del fx.find(docs, "Deployment", "hipaa-api")["metadata"]["namespace"]


def _public_lb(docs: list[dict[str, Any]]) -> None:
    del fx.find(docs, "Service", "hipaa-api")["metadata"]["annotations"]


def _no_namespace_object(docs: list[dict[str, Any]]) -> None:
    docs.remove(fx.find(docs, "Namespace", "hipaa-api"))


def _all(*mutations: Mutation) -> Mutation:
    def apply(docs: list[dict[str, Any]]) -> None:
        for mutation in mutations:
            mutation(docs)

    return apply


# Each group breaks several rules at once; the evidence must list every one of them, so each rule
# is shown to catch its case (and one run per group keeps the suite fast).
@pytest.mark.parametrize(
    ("mutate", "violations"),
    [
        pytest.param(
            _all(_unlabel("audit"), _unlabel("warn"), _unlabel("enforce-version"), _relabel, _deny_with_allow),
            [
                "Namespace hipaa-api: label pod-security.kubernetes.io/enforce is not restricted",
                "Namespace hipaa-api: label pod-security.kubernetes.io/audit is not restricted",
                "Namespace hipaa-api: label pod-security.kubernetes.io/warn is not restricted",
                "Namespace hipaa-api: no pod-security.kubernetes.io/enforce-version label",
                "Namespace hipaa-api: no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)",
            ],
            id="namespace",
        ),
        pytest.param(
            _all(_container_root, _privileged, _escalation, _host_path, _tagged_sidecar),
            [
                "Deployment hipaa-api/hipaa-api: mounts a hostPath volume",
                "Deployment hipaa-api/hipaa-api container api: runAsNonRoot is not true",
                "Deployment hipaa-api/hipaa-api container api: is privileged",
                "Deployment hipaa-api/hipaa-api container api: allowPrivilegeEscalation is not false",
                "Deployment hipaa-api/hipaa-api container proxy: runAsNonRoot is not true",
                "Deployment hipaa-api/hipaa-api container proxy: is privileged",
                "Deployment hipaa-api/hipaa-api container proxy: allowPrivilegeEscalation is not false",
                "Deployment hipaa-api/hipaa-api container proxy: image is not pinned by digest",
            ],
            id="pod",
        ),
        pytest.param(
            _all(_no_namespace, _public_lb, _ingress_only_deny),
            [
                "Namespace hipaa-api: no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)",
                "Deployment hipaa-api: not in a Namespace of this manifest set",
                "Service hipaa-api/hipaa-api: LoadBalancer without networking.gke.io/load-balancer-type: Internal"
                " (public IP)",
            ],
            id="placement",
        ),
        pytest.param(
            _all(_no_namespace_object, _drop_default_deny),
            [
                "manifest set defines no Namespace (pods would land in an unlabelled one)",
                "NetworkPolicy hipaa-api/allow-dns-egress: not in a Namespace of this manifest set",
                "NetworkPolicy hipaa-api/allow-api-ingress-from-private-subnet: not in a Namespace of this"
                " manifest set",
                "ServiceAccount hipaa-api/hipaa-api: not in a Namespace of this manifest set",
                "Deployment hipaa-api/hipaa-api: not in a Namespace of this manifest set",
                "Service hipaa-api/hipaa-api: not in a Namespace of this manifest set",
            ],
            id="no-namespace",
        ),
    ],
)
def test_a_violating_manifest_set_is_refused_before_anything_is_applied(
    tools: FakeTools, mutate: Mutation, violations: list[str]
) -> None:
    answer(tools)
    result = run(tools, mutate=mutate)
    assert result.returncode == 1
    assert result.reason == f"deploy-gke-hipaa.sh: FAIL: manifest set breaks {len(violations)} rule(s); nothing applied"
    evidence = tools.evidence_of("deploy-gke")
    assert evidence["violations"][:-1] == violations
    assert tools.calls("kubectl") == []
    assert not tools.called("gcloud", "get-credentials")


def test_a_failed_rollout_is_undone_and_fails(tools: FakeTools) -> None:
    tools.on(
        "kubectl",
        ["rollout", "status"],
        exit=1,
        stderr='error: deployment "hipaa-api" exceeded its progress deadline\n',
        times=1,
    )
    answer(tools)
    result = run(tools)
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
    answer(tools)
    result = run(tools)
    assert result.returncode == 1 and result.reason.endswith(", and the rollback failed too")


def test_live_pods_on_another_digest_or_as_root_are_rolled_back(tools: FakeTools) -> None:
    live = fx.load(STEM, "pods")
    live["items"][0]["spec"]["securityContext"] = {"runAsUser": 0}
    live["items"][1]["status"]["containerStatuses"][0]["imageID"] = IMAGE.replace(DIGEST, "9" * 64)
    answer(tools, pods=live)
    result = run(tools)
    assert result.returncode == 1
    assert result.reason == f"deploy-gke-hipaa.sh: FAIL: live pods do not run {IMAGE} as non-root; rolled back"
    workload = "hipaa-api/deployment/hipaa-api pod hipaa-api-7d9f8b6c5d"
    assert tools.evidence_of("deploy-gke")["violations"][:-1] == [
        f"{workload}-x2kq8 container api: runAsNonRoot is not true",
        f"{workload}-x2kq8 container api: runs as UID 0",
        f"{workload}-m5tzr container api: running image is not sha256:{DIGEST}",
    ]
    assert tools.called("kubectl", "rollout", "undo", "deployment/hipaa-api", "hipaa-api")
    assert not (tools.root / "outputs" / "api-url").exists()


def test_no_live_pods_fail_and_roll_back(tools: FakeTools) -> None:
    answer(tools, pods={"apiVersion": "v1", "items": [], "kind": "List", "metadata": {"resourceVersion": ""}})
    result = run(tools)
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
    answer(tools)
    result = run(tools)
    assert result.returncode == 1
    assert (
        "cluster credentials: gcloud failed (exit 1): ERROR: (gcloud.container.clusters.get-credentials)"
        in result.reason
    )
    assert tools.calls("kubectl") == []


def test_server_dry_run_rejection_applies_nothing_more(tools: FakeTools) -> None:
    tools.on(
        "kubectl",
        ["apply", "--dry-run=server"],
        exit=1,
        stderr='Error from server (Forbidden): pods "hipaa-api" is forbidden: violates PodSecurity\n',
    )
    answer(tools)
    result = run(tools)
    assert (
        result.returncode == 1
        and "server dry run: kubectl failed (exit 1): Error from server (Forbidden)" in result.reason
    )
    assert kubectl_verbs(tools) == ["apply --server-side", "apply --server-side dry-run"]


@pytest.mark.parametrize(
    ("pods", "reason"),
    [
        ("", "pods of hipaa-api/deployment/hipaa-api: kubectl printed nothing"),
        ('{"items": [', "pods of hipaa-api/deployment/hipaa-api: kubectl printed malformed JSON"),
        ('{"items": {"a": 1}}', "pods of hipaa-api/deployment/hipaa-api: unexpected JSON shape"),
    ],
)
def test_empty_or_malformed_pod_list_fails_closed(tools: FakeTools, pods: str, reason: str) -> None:
    answer(tools, pods=pods)
    result = run(tools)
    assert result.returncode == 1 and reason in result.reason
    assert not (tools.root / "outputs" / "api-url").exists()


def test_internal_load_balancer_without_an_address_fails(tools: FakeTools) -> None:
    answer(tools, service=fx.with_value(fx.load(STEM, "service"), "status.loadBalancer", {}))
    result = run(tools)
    assert result.returncode == 1 and "internal load balancer has no address yet" in result.reason


def test_malformed_yaml_is_refused_naming_the_file(tools: FakeTools) -> None:
    answer(tools)
    manifests = fx.manifest_set(tools.root / "manifests")
    (manifests / "broken.yaml").write_text("kind: Deployment\nmetadata: [name: x\n", encoding="utf-8")
    outputs = {"OUTPUT_DIR": str(tools.root / "outputs")}
    result = tools.run(
        SCRIPT, "dev", "nwh-analytics-dev", "hipaa-dev-gke", fx.REGION, str(manifests), IMAGE, env=outputs
    )
    assert result.returncode == 1
    assert "manifest parse:" in result.reason and "broken.yaml: malformed YAML at line" in result.reason
    assert tools.calls("kubectl") == []


def test_manifests_without_the_placeholder_are_refused(tools: FakeTools) -> None:
    def pinned_elsewhere(docs: list[dict[str, Any]]) -> None:
        _pod(docs)["containers"][0]["image"] = IMAGE.replace(DIGEST, "1" * 64)

    answer(tools)
    result = run(tools, mutate=pinned_elsewhere)
    assert result.returncode == 1 and "no manifest names the image placeholder" in result.reason
    assert tools.calls("kubectl") == []


def test_prod_without_approval_touches_no_cluster(tools: FakeTools) -> None:
    tools.approve_build("REJECTED")
    answer(tools)
    result = run(tools, "prod")
    assert result.returncode == 1 and "approval state is REJECTED" in result.reason
    assert tools.calls("kubectl") == []
    assert not tools.called("gcloud", "get-credentials")


def test_prod_with_approval_deploys(tools: FakeTools) -> None:
    tools.approve_build()
    answer(tools)
    result = run(tools, "prod")
    assert result.returncode == 0, result.stderr
    assert tools.called("gcloud", "get-credentials", "hipaa-prod-gke", "--project=nwh-analytics-prd", "--internal-ip")


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
    result = run(tools, image=image)
    assert result.returncode == 2 and named in result.stderr and result.reason == USAGE
    assert tools.calls() == []


def test_a_missing_manifest_dir_exits_2(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, "dev", "nwh-analytics-dev", "hipaa-dev-gke", fx.REGION, str(tools.root / "none"), IMAGE)
    assert result.returncode == 2 and "MANIFEST_DIR=" in result.stderr and result.reason == USAGE


def test_missing_argument_exits_2(tools: FakeTools) -> None:
    result = tools.run(SCRIPT, "dev", "nwh-analytics-dev", "hipaa-dev-gke", fx.REGION)
    assert result.returncode == 2 and "expected 6 arguments, got 4" in result.stderr and result.reason == USAGE


def test_a_python_without_a_yaml_parser_fails_with_a_clear_reason(tools: FakeTools) -> None:
    bare = tools.root / "bare-python"
    bare.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n', encoding="utf-8")
    bare.chmod(0o755)
    answer(tools)
    manifests = fx.manifest_set(tools.root / "manifests")
    env = {"OUTPUT_DIR": str(tools.root / "outputs"), "PYTHON": str(bare)}
    result = tools.run(SCRIPT, "dev", "nwh-analytics-dev", "hipaa-dev-gke", fx.REGION, str(manifests), IMAGE, env=env)
    assert result.returncode == 1
    assert "manifest parse:" in result.reason and "PyYAML is not installed" in result.reason
    assert tools.calls("kubectl") == []
