"""The Kubernetes HIPAA rules in-process, one property per case (the Checkov fixtures show the wiring).

Each case starts from the compliant fixture set and changes one field, so a rule that stopped looking
at that field would let the case through.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import hipaa_k8s_rules as rules
from hipaa_manifest_set import Manifest, ManifestSetError, manifest_set, objects_in, pod_template

COMPLIANT = Path(__file__).parent / "fixtures" / "compliant" / "kubernetes"
Change = Callable[[dict[str, Any]], object]


def compliant_set() -> list[Manifest]:
    return [Manifest(m.path, copy.deepcopy(m.obj)) for m in manifest_set(COMPLIANT)]


def judge(rule: rules.Rule, kind: str, change: Change | None = None, *, name: str | None = None) -> list[str]:
    objects = compliant_set()
    (target,) = [m for m in objects if m.kind == kind and (name is None or m.name == name)]
    if change:
        change(target.obj)
    return rule(target, objects)


def pod(obj: dict[str, Any]) -> dict[str, Any]:
    template = pod_template(obj)
    assert template is not None
    return template[1]


def test_the_compliant_set_passes_every_rule() -> None:
    assert judge(rules.namespace_pod_security, "Namespace") == []
    assert judge(rules.namespace_default_deny, "Namespace") == []
    for rule in (rules.workload_namespace, rules.workload_identity, rules.workload_images):
        assert judge(rule, "Deployment") == []
    assert judge(rules.service_plain_http, "Service") == []


def labels(obj: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = obj["metadata"]["labels"]
    return value


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda o: labels(o).pop("pod-security.kubernetes.io/audit"), "pod-security.kubernetes.io/audit is not"),
        (lambda o: labels(o).update({"pod-security.kubernetes.io/warn": "baseline"}), "warn is not restricted"),
        (lambda o: labels(o).update({"pod-security.kubernetes.io/enforce-version": "latest"}), "enforce-version"),
        (lambda o: labels(o).pop("pod-security.kubernetes.io/warn-version"), "warn-version does not pin"),
    ],
)
def test_namespace_pod_security(change: Change, problem: str) -> None:
    assert [p for p in judge(rules.namespace_pod_security, "Namespace", change) if problem in p]


def deny_policy(objects: list[Manifest]) -> dict[str, Any]:
    (policy,) = [m.obj for m in objects if m.name == "default-deny-all"]
    return policy


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p["spec"].update({"podSelector": {"matchLabels": {"app": "x"}}}),
        lambda p: p["spec"].update({"podSelector": {"matchExpressions": [{"key": "a", "operator": "Exists"}]}}),
        lambda p: p["spec"].pop("podSelector"),
        lambda p: p["spec"].update({"policyTypes": ["Ingress"]}),
        lambda p: p["spec"].update({"egress": [{}]}),
        lambda p: p["metadata"].update({"namespace": "elsewhere"}),
    ],
)
def test_default_deny_must_select_every_pod_deny_both_ways_and_allow_nothing(change: Change) -> None:
    objects = compliant_set()
    change(deny_policy(objects))
    (namespace,) = [m for m in objects if m.kind == "Namespace"]
    assert rules.namespace_default_deny(namespace, objects)


def test_workload_namespace_must_be_defined_in_the_set() -> None:
    assert judge(rules.workload_namespace, "Deployment", lambda o: o["metadata"].pop("namespace"))
    assert judge(rules.workload_namespace, "Deployment", lambda o: o["metadata"].update({"namespace": "other"}))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda o: pod(o).pop("serviceAccountName"), "default ServiceAccount"),
        (lambda o: pod(o).update({"serviceAccountName": "default"}), "default ServiceAccount"),
        (lambda o: pod(o).update({"serviceAccountName": "someone-else"}), "is not defined in its manifest set"),
        (lambda o: pod(o).update({"automountServiceAccountToken": True}), "automountServiceAccountToken"),
    ],
)
def test_workload_identity(change: Change, problem: str) -> None:
    assert [p for p in judge(rules.workload_identity, "Deployment", change) if problem in p]


def test_workload_identity_takes_the_service_accounts_automount_when_the_pod_says_nothing() -> None:
    objects = compliant_set()
    (deployment,) = [m for m in objects if m.kind == "Deployment"]
    pod(deployment.obj).pop("automountServiceAccountToken")
    assert rules.workload_identity(deployment, objects) == []
    (account,) = [m for m in objects if m.kind == "ServiceAccount"]
    account.obj.pop("automountServiceAccountToken")
    assert rules.workload_identity(deployment, objects) == [
        "automountServiceAccountToken is not false (pod or ServiceAccount)"
    ]


@pytest.mark.parametrize(
    "annotation",
    [None, "", "123456789-compute@developer.gserviceaccount.com", "hipaa-api@other.example.com"],
)
def test_workload_identity_needs_a_google_service_account_binding(annotation: str | None) -> None:
    objects = compliant_set()
    (account,) = [m for m in objects if m.kind == "ServiceAccount"]
    if annotation is None:
        account.obj["metadata"].pop("annotations")
    else:
        account.obj["metadata"]["annotations"][rules.WORKLOAD_IDENTITY_ANNOTATION] = annotation
    (deployment,) = [m for m in objects if m.kind == "Deployment"]
    assert rules.workload_identity(deployment, objects) == [
        f"ServiceAccount claims-reader: no Workload Identity binding ({rules.WORKLOAD_IDENTITY_ANNOTATION})"
    ]


def test_workload_identity_must_not_be_shared() -> None:
    objects = compliant_set()
    (deployment,) = [m for m in objects if m.kind == "Deployment"]
    twin = copy.deepcopy(deployment.obj)
    twin["metadata"]["name"] = "claims-batch"
    objects.append(Manifest(deployment.path, twin))
    assert rules.workload_identity(deployment, objects) == [
        "ServiceAccount claims-reader is shared with 1 other workload(s)"
    ]


DIGEST = "@sha256:" + "ab" * 32


@pytest.mark.parametrize(
    "image",
    [
        "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/claims-api" + DIGEST,
        "europe-west4-docker.pkg.dev/nwh-analytics-dev/hipaa-dev-images/team/job:1.2" + DIGEST,
        "__REGION__-docker.pkg.dev/__PROJECT_ID__/hipaa-__ENVIRONMENT__-images/hipaa-api@sha256:" + "0" * 64,
    ],
)
def test_images_of_the_platforms_registry_by_digest_pass(image: str) -> None:
    assert judge(rules.workload_images, "Deployment", lambda o: pod(o)["containers"][0].update({"image": image})) == []


@pytest.mark.parametrize(
    "image",
    [
        "docker.io/library/python" + DIGEST,
        "python:3.11",
        "hipaa-api" + DIGEST,
        "gcr.io/nwh-analytics-prd/claims-api" + DIGEST,
        "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/claims-api:1.4.2",
        "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-dockerhub-mirror/library/python" + DIGEST,
        "us-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/claims-api" + DIGEST,
        "us-central1-docker.pkg.dev/nwh-analytics-prd/hipaa-prod-images/claims-api@sha256:abc",
        "",
    ],
)
def test_images_from_anywhere_else_or_without_a_digest_fail(image: str) -> None:
    assert judge(rules.workload_images, "Deployment", lambda o: pod(o)["containers"][0].update({"image": image}))


def test_init_and_ephemeral_containers_are_judged_too() -> None:
    sidecar = {"name": "init", "image": "busybox:1.36"}
    assert judge(rules.workload_images, "Deployment", lambda o: pod(o).update({"initContainers": [sidecar]})) == [
        "container init: image is not <region>-docker.pkg.dev/<project>/hipaa-<env>-images/...@sha256:<digest>"
    ]
    assert judge(rules.workload_images, "Deployment", lambda o: pod(o).update({"containers": []})) == ["no containers"]


def service_port(service: dict[str, Any]) -> dict[str, Any]:
    port: dict[str, Any] = service["spec"]["ports"][0]
    return port


def container(obj: dict[str, Any]) -> dict[str, Any]:
    first: dict[str, Any] = pod(obj)["containers"][0]
    return first


@pytest.mark.parametrize(
    ("service_change", "deployment_change"),
    [
        (lambda s: service_port(s).update({"appProtocol": "http"}), None),
        (lambda s: service_port(s).update({"name": "http-api", "appProtocol": None}), None),
        (None, lambda d: container(d)["readinessProbe"]["httpGet"].pop("scheme")),
        (
            lambda s: service_port(s).update({"port": 80, "targetPort": 8443, "name": "api", "appProtocol": None}),
            lambda d: container(d).update({"ports": [{"containerPort": 8443}], "readinessProbe": {}}),
        ),
        (
            lambda s: service_port(s).update({"targetPort": 8080, "name": "api", "appProtocol": None}),
            lambda d: container(d).update({"ports": [{"containerPort": 8080}], "readinessProbe": {}}),
        ),
    ],
)
def test_a_service_port_reaching_plain_http_fails(
    service_change: Change | None, deployment_change: Change | None
) -> None:
    objects = compliant_set()
    for kind, change in (("Service", service_change), ("Deployment", deployment_change)):
        if change:
            change(next(m.obj for m in objects if m.kind == kind))
    (service,) = [m for m in objects if m.kind == "Service"]
    assert [p for p in rules.service_plain_http(service, objects) if "plain-HTTP port of Deployment claims-api" in p]


def test_port_8443_without_any_http_sign_passes_and_tls_outweighs_a_well_known_number() -> None:
    plain = {"name": "api", "port": 8443}
    assert not rules.plain_http(plain, {}, {"containerPort": 8443})
    assert not rules.plain_http({"name": "https", "port": 80}, {}, {"containerPort": 8443})
    assert rules.plain_http(
        {"name": "https", "port": 443}, {"livenessProbe": {"httpGet": {"port": 8443}}}, {"containerPort": 8443}
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda s: s["spec"].pop("selector"), "no selector"),
        (lambda s: s["spec"].update({"selector": {"app": "nothing"}}), "selects no workload"),
        (lambda s: service_port(s).update({"targetPort": "metrics"}), "target port not found"),
        (lambda s: service_port(s).update({"targetPort": 9090}), "target port not found"),
    ],
)
def test_a_service_whose_targets_cannot_be_followed_fails(change: Change, problem: str) -> None:
    assert [p for p in judge(rules.service_plain_http, "Service", change) if problem in p]


def test_an_external_name_service_exposes_no_pod() -> None:
    assert judge(rules.service_plain_http, "Service", lambda s: s["spec"].update({"type": "ExternalName"})) == []


def test_rules_for_workloads_refuse_objects_that_run_no_pods() -> None:
    objects = compliant_set()
    (service,) = [m for m in objects if m.kind == "Service"]
    assert rules.workload_identity(service, objects) == ["not a workload"]
    assert rules.workload_images(service, objects) == ["not a workload"]


def test_the_set_flattens_lists_and_skips_documents_that_are_not_objects(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text(
        "apiVersion: v1\nkind: List\nmetadata: {name: l}\nitems:\n"
        "  - {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n  - not-an-object\n---\nsettings: true\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("kind: Namespace", encoding="utf-8")
    assert [(m.kind, m.name, m.namespace) for m in manifest_set(tmp_path)] == [("Namespace", "a", "default")]


def test_an_unparsable_file_makes_the_set_unknown(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("kind: [", encoding="utf-8")
    with pytest.raises(ManifestSetError, match=r"broken\.yaml: cannot be parsed"):
        objects_in(tmp_path / "broken.yaml")


def test_every_workload_kind_has_its_pod_template_found() -> None:
    spec: dict[str, Any] = {"containers": [{"name": "c"}]}
    template: dict[str, Any] = {"metadata": {"labels": {"a": "b"}}, "spec": spec}
    shapes: dict[str, dict[str, Any]] = {
        "Pod": {"metadata": {"labels": {"a": "b"}}, "spec": spec},
        "PodTemplate": {"template": template},
        "Job": {"spec": {"template": template}},
        "CronJob": {"spec": {"jobTemplate": {"spec": {"template": template}}}},
    }
    for kind, shape in shapes.items():
        assert pod_template({"kind": kind, **shape}) == ({"labels": {"a": "b"}}, spec), kind
    assert pod_template({"kind": "Service"}) is None
