"""Org policy rules: the component passes every rule; each rule fails on a violating policy."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.org import POLICY, RULES
from tests.infra.recording import changed
from tests.infra.security.builders import built_org_policies


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def policy(constraint: str, environment: str = "prod") -> Resource:
    return next(
        r for r in built_org_policies(environment) if str(r.inputs.get("name", "")).endswith(f"/policies/{constraint}")
    )


def with_policy(replacement: Resource | None, constraint: str, environment: str = "prod") -> list[Resource]:
    """The component's resources with one constraint's policy replaced (or dropped when None)."""
    original = policy(constraint, environment)
    others = [r for r in built_org_policies(environment) if r is not original]
    return others if replacement is None else [*others, replacement]


def violations(constraint: str, path: str, value: Any) -> set[str]:
    return ids(with_policy(changed(policy(constraint), path, value), constraint))


def test_component_is_compliant_in_every_environment(stack: str) -> None:
    assert ids(list(built_org_policies(stack)), stack) == set()


@pytest.mark.parametrize(
    "constraint",
    ["compute.vmExternalIpAccess", "iam.disableServiceAccountKeyCreation", "gcp.resourceLocations"],
)
def test_missing_required_constraint_is_caught_by_the_stack_rule(constraint: str) -> None:
    assert ids(with_policy(None, constraint)) == {"ORG-01"}


def test_stack_rule_does_not_apply_where_no_org_policy_is_planned() -> None:
    assert ids([]) == set()


def test_component_without_any_policy_is_caught() -> None:
    component = next(r for r in built_org_policies("prod") if r.type == "hipaa:security:OrgPolicies")
    assert ids([component]) == {"ORG-01"}


@pytest.mark.parametrize(
    ("constraint", "path", "value", "rules"),
    [
        ("storage.publicAccessPrevention", "spec.rules.0.enforce", "FALSE", {"ORG-01", "ORG-02"}),
        ("compute.vmExternalIpAccess", "spec.rules", [{"allowAll": "TRUE"}], {"ORG-01", "ORG-02"}),
        ("compute.vmExternalIpAccess", "spec.rules", [], {"ORG-01"}),
        ("compute.requireOsLogin", "spec.reset", True, {"ORG-02"}),
        (
            "compute.requireShieldedVm",
            "spec.rules.0.condition",
            {"expression": "resource.matchTag('env', 'dev')"},
            {"ORG-02"},
        ),
    ],
)
def test_weakened_policy_is_caught(constraint: str, path: str, value: Any, rules: set[str]) -> None:
    assert violations(constraint, path, value) == rules


def test_non_cmek_list_missing_a_data_service_is_caught() -> None:
    fewer = ["storage.googleapis.com", "bigquery.googleapis.com"]
    assert violations("gcp.restrictNonCmekServices", "spec.rules.0.values.deniedValues", fewer) == {"ORG-01", "ORG-03"}


@pytest.mark.parametrize(
    ("path", "value", "rules"),
    [
        ("spec.rules.0.values.allowedValues", [], {"ORG-01", "ORG-04"}),
        ("spec.rules.0.values.allowedValues", ["in:us-locations", "global"], {"ORG-04"}),
        ("spec.inheritFromParent", True, {"ORG-04"}),
    ],
)
def test_open_resource_locations_are_caught(path: str, value: Any, rules: set[str]) -> None:
    assert violations("gcp.resourceLocations", path, value) == rules


@pytest.mark.parametrize(
    "allowed",
    [["under:projects/nwh-security-prd"], ["under:organizations/123456"], ["under:projects/nwh-analytics-prd", "x"]],
)
def test_cmek_keys_from_other_projects_are_caught(allowed: list[str]) -> None:
    assert violations("gcp.restrictCmekCryptoKeyProjects", "spec.rules.0.values.allowedValues", allowed) == {"ORG-05"}


@pytest.mark.parametrize(
    "allowed",
    [
        ["projects/nwh-security-prd/locations/us-central1/workerPools/shared"],
        ["under:organizations/123456"],
    ],
)
def test_worker_pools_of_other_projects_are_caught(allowed: list[str]) -> None:
    assert violations("cloudbuild.allowedWorkerPools", "spec.rules.0.values.allowedValues", allowed) == {"ORG-06"}


def test_an_extra_unrelated_policy_is_judged_by_the_generic_rule_only() -> None:
    extra = Resource(
        POLICY,
        "extra",
        "urn:extra",
        {
            "name": "projects/nwh-analytics-prd/policies/compute.disableGuestAttributesAccess",
            "parent": "projects/nwh-analytics-prd",
            "spec": {"rules": [{"enforce": "TRUE", "condition": {"expression": "true"}}]},
        },
    )
    assert ids([*built_org_policies("prod"), extra]) == set()
    assert ids([*built_org_policies("prod"), changed(extra, "spec.rules.0.enforce", "FALSE")]) == {"ORG-02"}
