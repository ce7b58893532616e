"""Perimeter rules: the component passes every rule; each rule fails on a violating perimeter."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.baseline import EGRESS_METHODS, PUBSUB_SERVICE
from infra.rules.perimeter import PERIMETER, RULES
from tests.infra.security.builders import built_perimeter

OTHER_PROJECT = "projects/999999999999"
Mutation = Callable[[dict[str, Any]], None]


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def perimeter(environment: str = "prod") -> Resource:
    return next(r for r in built_perimeter(environment) if r.type == PERIMETER)


def mutated(mutation: Mutation, environment: str = "prod", protect: bool | None = None) -> Resource:
    """The component's perimeter with `mutation` applied to its configuration block (status or spec)."""
    resource = perimeter(environment)
    inputs = copy.deepcopy(dict(resource.inputs))
    mutation(inputs["spec"] if "spec" in inputs else inputs["status"])
    keep = resource.protect if protect is None else protect
    return Resource(resource.type, resource.name, resource.urn, inputs, keep)


def egress(block: dict[str, Any], title: str) -> dict[str, Any]:
    return next(p for p in block["egressPolicies"] if p["title"] == title)


def logging_egress(block: dict[str, Any]) -> dict[str, Any]:
    return egress(block, "audit-log-sink-to-siem")


def pubsub_egress(block: dict[str, Any]) -> dict[str, Any]:
    return egress(block, "notifications-to-security")


def state_egress(block: dict[str, Any]) -> dict[str, Any]:
    return egress(block, "pulumi-state")


def secrets_egress(block: dict[str, Any]) -> dict[str, Any]:
    return egress(block, "pulumi-secrets-key")


def ingress(block: dict[str, Any]) -> dict[str, Any]:
    policy: dict[str, Any] = block["ingressPolicies"][0]
    return policy


def dropping(service: str) -> Mutation:
    """Stop restricting `service` (and, consistently, stop admitting ingress to it)."""

    def mutation(block: dict[str, Any]) -> None:
        block["restrictedServices"].remove(service)
        operations = ingress(block)["ingressTo"]["operations"]
        ingress(block)["ingressTo"]["operations"] = [o for o in operations if o["serviceName"] != service]

    return mutation


def by_project_id(block: dict[str, Any]) -> None:
    block["resources"] = ["projects/nwh-analytics-prd"]
    ingress(block)["ingressTo"]["resources"] = ["projects/nwh-analytics-prd"]


def test_component_is_compliant_in_every_environment(stack: str) -> None:
    assert ids(list(built_perimeter(stack)), stack) == set()


def test_dry_run_is_allowed_in_dev_only() -> None:
    dev = perimeter("dev")
    assert dev.inputs["useExplicitDryRunSpec"] is True
    assert ids([dev], "dev") == set()
    assert ids([dev], "staging") == {"VPC-01"}
    assert ids([dev], "prod") == {"VPC-01", "VPC-07"}


def test_prod_with_the_dry_run_flag_set_is_caught() -> None:
    resource = perimeter("prod")
    flagged = Resource(
        resource.type, resource.name, resource.urn, {**resource.inputs, "useExplicitDryRunSpec": True}, True
    )
    assert ids([flagged]) == {"VPC-01"}


def test_a_perimeter_without_configuration_fails_every_configuration_rule(stack: str) -> None:
    resource = perimeter(stack)
    empty = {k: v for k, v in resource.inputs.items() if k not in ("status", "spec")}
    assert ids([Resource(resource.type, resource.name, resource.urn, empty, True)], stack) == {
        "VPC-01",
        "VPC-02",
        "VPC-03",
        "VPC-04",
        "VPC-05",
        "VPC-06",
    }


@pytest.mark.parametrize(
    ("mutation", "rule"),
    [
        (dropping("bigquery.googleapis.com"), "VPC-02"),
        (dropping("secretmanager.googleapis.com"), "VPC-02"),
        (lambda b: b["vpcAccessibleServices"].update(enableRestriction=False), "VPC-03"),
        (lambda b: b.pop("vpcAccessibleServices"), "VPC-03"),
        (lambda b: b["vpcAccessibleServices"]["allowedServices"].append("translate.googleapis.com"), "VPC-03"),
        (lambda b: logging_egress(b)["egressTo"].update(resources=["*"]), "VPC-04"),
        (lambda b: logging_egress(b)["egressTo"]["resources"].append(OTHER_PROJECT), "VPC-04"),
        (lambda b: logging_egress(b)["egressTo"].update(externalResources=["s3://bucket"]), "VPC-04"),
        (lambda b: logging_egress(b)["egressFrom"].update(identityType="ANY_IDENTITY"), "VPC-04"),
        (lambda b: logging_egress(b)["egressFrom"].update(identities=[]), "VPC-04"),
        (
            lambda b: logging_egress(b)["egressTo"]["operations"][0].update(serviceName="storage.googleapis.com"),
            "VPC-04",
        ),
        (lambda b: logging_egress(b)["egressTo"]["operations"][0].update(serviceName="*"), "VPC-04"),
        (
            lambda b: pubsub_egress(b)["egressTo"]["operations"][0].update(methodSelectors=[{"method": "*"}]),
            "VPC-04",
        ),
        (lambda b: pubsub_egress(b)["egressTo"].update(resources=b["resources"]), "VPC-04"),
        (
            lambda b: pubsub_egress(b)["egressTo"].update(resources=logging_egress(b)["egressTo"]["resources"]),
            "VPC-04",
        ),
        (
            lambda b: b["egressPolicies"].append(
                {
                    **copy.deepcopy(logging_egress(b)),
                    "egressTo": {**logging_egress(b)["egressTo"], "resources": [OTHER_PROJECT]},
                }
            ),
            "VPC-04",
        ),
        (lambda b: state_egress(b)["egressTo"]["operations"][0].update(methodSelectors=[{"method": "*"}]), "VPC-04"),
        (lambda b: state_egress(b)["egressTo"]["operations"][0].update(methodSelectors=[]), "VPC-04"),
        (
            lambda b: state_egress(b)["egressTo"]["operations"][0]["methodSelectors"].append(
                {"method": "google.storage.buckets.setIamPolicy"}
            ),
            "VPC-04",
        ),
        (
            lambda b: secrets_egress(b)["egressTo"]["operations"][0]["methodSelectors"].append(
                {"method": "google.cloud.kms.v1.KeyManagementService.DestroyCryptoKeyVersion"}
            ),
            "VPC-04",
        ),
        (lambda b: secrets_egress(b)["egressFrom"].update(identityType="ANY_SERVICE_ACCOUNT"), "VPC-04"),
        (lambda b: state_egress(b)["egressTo"].update(resources=[OTHER_PROJECT]), "VPC-04"),
        (
            lambda b: secrets_egress(b)["egressTo"].update(resources=logging_egress(b)["egressTo"]["resources"]),
            "VPC-04",
        ),
        (lambda b: ingress(b)["ingressFrom"].update(identityType="ANY_IDENTITY"), "VPC-05"),
        (lambda b: ingress(b)["ingressFrom"].update(identities=[]), "VPC-05"),
        (lambda b: ingress(b)["ingressFrom"].update(identities=["allUsers"]), "VPC-05"),
        (lambda b: ingress(b)["ingressTo"].update(resources=["*"]), "VPC-05"),
        (lambda b: ingress(b)["ingressTo"]["resources"].append(OTHER_PROJECT), "VPC-05"),
        (lambda b: ingress(b)["ingressTo"]["operations"].append({"serviceName": "*"}), "VPC-05"),
        (lambda b: ingress(b)["ingressTo"].update(operations=[]), "VPC-05"),
        (by_project_id, "VPC-06"),
    ],
)
def test_configuration_violation_is_caught(mutation: Mutation, rule: str, stack: str) -> None:
    assert ids([mutated(mutation, stack)], stack) == {rule}


def test_the_publish_method_is_the_only_pubsub_method_allowed() -> None:
    methods = [
        m["method"]
        for o in pubsub_egress(dict(perimeter().inputs["status"]))["egressTo"]["operations"]
        for m in o["methodSelectors"]
    ]
    assert methods == list(EGRESS_METHODS[PUBSUB_SERVICE])


def test_a_perimeter_around_no_project_is_caught() -> None:
    # Ingress then reaches nothing inside either, which VPC-05 reports in its own right.
    assert ids([mutated(lambda b: b.update(resources=[]))]) == {"VPC-05", "VPC-06"}


def test_a_bridge_perimeter_is_caught() -> None:
    resource = perimeter()
    bridge = {**resource.inputs, "perimeterType": "PERIMETER_TYPE_BRIDGE"}
    assert ids([Resource(resource.type, resource.name, resource.urn, bridge, True)]) == {"VPC-06"}


@pytest.mark.parametrize(("environment", "caught"), [("dev", set()), ("staging", set()), ("prod", {"VPC-07"})])
def test_an_unprotected_perimeter_is_caught_in_prod_only(environment: str, caught: set[str]) -> None:
    unprotected = mutated(lambda _: None, environment, protect=False)
    assert ids([unprotected], environment) == caught
