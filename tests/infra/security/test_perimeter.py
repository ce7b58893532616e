"""Perimeter: each test states one property of the VPC-SC perimeter and fails when it is removed."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi
import pytest

from infra.plan.mocks import project_number
from infra.rules import Resource
from infra.rules.baseline import REQUIRED_RESTRICTED_SERVICES
from infra.security.perimeter import Perimeter, checked_identities
from infra.security.perimeter_services import RESTRICTED_SERVICES
from tests.infra.recording import config_for, record
from tests.infra.security.builders import BUILD_SA, built_perimeter, perimeter_args

PERIMETER = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"


def perimeter(environment: str = "prod") -> Resource:
    matches = [r for r in built_perimeter(environment) if r.type == PERIMETER]
    assert len(matches) == 1
    return matches[0]


def block(environment: str = "prod") -> dict[str, Any]:
    """The configuration wherever the environment keeps it: `status` enforced, `spec` in a dry run."""
    inputs = perimeter(environment).inputs
    return dict(inputs["spec"] if environment == "dev" else inputs["status"])


def number(environment: str, which: str = "project_id") -> str:
    return project_number(getattr(config_for(environment), which))


def test_regular_perimeter_named_by_contract_in_the_access_policy(stack: str) -> None:
    inputs = perimeter(stack).inputs
    assert inputs["parent"] == "accessPolicies/482915736021"
    assert inputs["name"] == f"accessPolicies/482915736021/servicePerimeters/hipaa_{stack}_perimeter"
    assert inputs["title"] == f"hipaa_{stack}_perimeter"
    assert inputs["perimeterType"] == "PERIMETER_TYPE_REGULAR"


def test_perimeter_protects_the_environment_project_by_number(stack: str) -> None:
    assert block(stack)["resources"] == [f"projects/{number(stack)}"]
    assert number(stack) != config_for(stack).project_id


@pytest.mark.parametrize(("environment", "dry_run"), [("dev", True), ("staging", False), ("prod", False)])
def test_enforced_in_staging_and_prod_dry_run_in_dev_only(environment: str, dry_run: bool) -> None:
    inputs = perimeter(environment).inputs
    assert inputs["useExplicitDryRunSpec"] is dry_run
    assert ("spec" in inputs, "status" in inputs) == (dry_run, not dry_run)


def test_restricted_services_are_the_platforms_list(stack: str) -> None:
    assert block(stack)["restrictedServices"] == list(RESTRICTED_SERVICES)


def test_restricted_services_include_every_service_the_rules_require() -> None:
    assert set(REQUIRED_RESTRICTED_SERVICES) <= set(block("prod")["restrictedServices"])
    assert "servicenetworking.googleapis.com" not in RESTRICTED_SERVICES


def test_vpc_reaches_only_the_restricted_services(stack: str) -> None:
    assert block(stack)["vpcAccessibleServices"] == {
        "enableRestriction": True,
        "allowedServices": ["RESTRICTED-SERVICES"],
    }


def test_ingress_only_for_the_given_identities_to_this_project_and_restricted_services(stack: str) -> None:
    assert block(stack)["ingressPolicies"] == [
        {
            "title": "pipeline-deployers",
            "ingressFrom": {"identities": [BUILD_SA], "sources": [{"accessLevel": "*"}]},
            "ingressTo": {
                "resources": [f"projects/{number(stack)}"],
                "operations": [
                    {"serviceName": service, "methodSelectors": [{"method": "*"}]} for service in RESTRICTED_SERVICES
                ],
            },
        }
    ]


def test_egress_only_the_log_sink_to_siem_and_publish_to_security(stack: str) -> None:
    own = number(stack)
    assert block(stack)["egressPolicies"][:2] == [
        {
            "title": "audit-log-sink-to-siem",
            "egressFrom": {"identities": [f"serviceAccount:service-{own}@gcp-sa-logging.iam.gserviceaccount.com"]},
            "egressTo": {
                "resources": [f"projects/{number(stack, 'siem_project_id')}"],
                "operations": [{"serviceName": "logging.googleapis.com", "methodSelectors": [{"method": "*"}]}],
            },
        },
        {
            "title": "notifications-to-security",
            "egressFrom": {
                "identities": [
                    BUILD_SA,
                    f"serviceAccount:service-{own}@gcp-sa-monitoring-notification.iam.gserviceaccount.com",
                ]
            },
            "egressTo": {
                "resources": [f"projects/{number(stack, 'security_project_id')}"],
                "operations": [
                    {
                        "serviceName": "pubsub.googleapis.com",
                        "methodSelectors": [{"method": "google.pubsub.v1.Publisher.Publish"}],
                    }
                ],
            },
        },
    ]


def test_pipeline_reaches_pulumi_state_and_its_secrets_key_in_security_with_named_methods_only(stack: str) -> None:
    security = f"projects/{number(stack, 'security_project_id')}"
    assert block(stack)["egressPolicies"][2:] == [
        {
            "title": "pulumi-state",
            "egressFrom": {"identities": [BUILD_SA]},
            "egressTo": {
                "resources": [security],
                "operations": [
                    {
                        "serviceName": "storage.googleapis.com",
                        "methodSelectors": [
                            {"method": "google.storage.objects.get"},
                            {"method": "google.storage.objects.list"},
                            {"method": "google.storage.objects.create"},
                            {"method": "google.storage.objects.delete"},
                        ],
                    }
                ],
            },
        },
        {
            "title": "pulumi-secrets-key",
            "egressFrom": {"identities": [BUILD_SA]},
            "egressTo": {
                "resources": [security],
                "operations": [
                    {
                        "serviceName": "cloudkms.googleapis.com",
                        "methodSelectors": [
                            {"method": "google.cloud.kms.v1.KeyManagementService.Encrypt"},
                            {"method": "google.cloud.kms.v1.KeyManagementService.Decrypt"},
                        ],
                    }
                ],
            },
        },
    ]


@pytest.mark.parametrize(("environment", "protected"), [("dev", False), ("staging", False), ("prod", True)])
def test_perimeter_is_protected_in_prod_only(environment: str, protected: bool) -> None:
    assert perimeter(environment).protect is protected


def test_duplicate_identities_are_listed_once() -> None:
    assert checked_identities([BUILD_SA, BUILD_SA]) == [BUILD_SA]


@pytest.mark.parametrize(
    "identities",
    [[], ["allUsers"], ["group:engineers@northwind-health.example"], ["hipaa-build@p.iam.gserviceaccount.com"]],
)
def test_bad_ingress_identities_are_refused_before_anything_is_planned(identities: list[str]) -> None:
    with pytest.raises(ValueError, match="ingress_identities"):
        record(lambda: Perimeter("perimeter", perimeter_args("prod", identities)))


def test_a_bad_identity_from_another_resource_fails_the_program() -> None:
    with pytest.raises(ValueError, match="ingress_identities has invalid members"):
        record(
            lambda: Perimeter("perimeter", perimeter_args("prod", [pulumi.Output.from_input("allAuthenticatedUsers")]))
        )
    # The engine's copies of this expected failure are never awaited; keep them out of the test log.
    loop = asyncio.get_event_loop()
    default = loop.get_exception_handler()

    def quiet(event_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if "ingress_identities" in str(context.get("exception")):
            return
        if default is None:
            event_loop.default_exception_handler(context)
        else:
            default(event_loop, context)

    loop.set_exception_handler(quiet)


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_component_exposes_the_perimeter_name_the_pipeline_validates(mocked: None) -> pulumi.Output[None]:
    """Pulumi's own style: the `_VPC_SC_PERIMETER` substitution is this output."""
    component = Perimeter("unit", perimeter_args("prod"))
    assert component.dry_run is False

    def check(name: str) -> None:
        assert name == "accessPolicies/482915736021/servicePerimeters/hipaa_prod_perimeter"

    checked: pulumi.Output[None] = component.perimeter_name.apply(check)
    return checked
