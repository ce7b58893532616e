"""API identity rules: the component passes every rule; each rule fails on a violating grant."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.api_identity import DATASET_ACCESS, PROJECT_IAM_MEMBER, RULES, SA_IAM_MEMBER
from tests.conftest import planned
from tests.infra.compute.builders import built_api_identity
from tests.infra.recording import changed

API = "serviceAccount:hipaa-prod-api@nwh-analytics-prd.iam.gserviceaccount.com"


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def component(kind: str) -> Resource:
    return next(r for r in built_api_identity() if r.type == kind)


def test_component_is_compliant_in_every_environment(stack: str) -> None:
    assert ids(list(built_api_identity(stack)), stack) == set()


def test_the_whole_stack_is_compliant(stack: str) -> None:
    assert ids(list(planned(stack)), stack) == set()


@pytest.mark.parametrize(
    "member",
    [
        "serviceAccount:nwh-analytics-prd.svc.id.goog[hipaa-api/*]",
        "serviceAccount:nwh-analytics-prd.svc.id.goog[*/hipaa-api]",
        "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/nwh-analytics-prd.svc.id.goog/*",
        "serviceAccount:nwh-analytics-prd.svc.id.goog[hipaa-api/other]",
        "serviceAccount:nwh-analytics-prd.svc.id.goog[default/hipaa-api]",
    ],
)
def test_a_workload_identity_grant_beyond_the_apis_ksa_is_caught(member: str) -> None:
    assert ids([changed(component(SA_IAM_MEMBER), "member", member)]) == {"API-01"}


def test_a_binding_for_several_ksas_is_caught() -> None:
    grant = component(SA_IAM_MEMBER)
    binding = Resource(
        "gcp:serviceaccount/iAMBinding:IAMBinding",
        grant.name,
        grant.urn,
        {**grant.inputs, "member": None, "members": [grant.inputs["member"]] * 2},
    )
    assert ids([binding]) == {"API-01"}


def test_another_accounts_grant_may_name_its_own_ksa() -> None:
    other = changed(
        component(SA_IAM_MEMBER),
        "serviceAccountId",
        "projects/nwh-analytics-prd/serviceAccounts/hipaa-prod-jobs@nwh-analytics-prd.iam.gserviceaccount.com",
    )
    assert ids([changed(other, "member", "serviceAccount:nwh-analytics-prd.svc.id.goog[jobs/runner]")]) == set()


@pytest.mark.parametrize(
    "role", ["roles/bigquery.dataViewer", "roles/bigquery.user", "roles/storage.objectViewer", "roles/editor"]
)
def test_a_project_level_data_role_for_the_api_is_caught(role: str) -> None:
    assert ids([changed(component(PROJECT_IAM_MEMBER), "role", role)]) == {"API-02"}


def test_project_roles_of_other_accounts_are_not_this_rules_business() -> None:
    other = changed(component(PROJECT_IAM_MEMBER), "member", API.replace("-api@", "-dataproc@"))
    assert ids([changed(other, "role", "roles/bigquery.dataEditor")]) == set()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("datasetId", "hipaa_prod_curated"),
        ("datasetId", "hipaa_prod_raw"),
        ("datasetId", None),
        ("role", "WRITER"),
        ("role", "roles/bigquery.dataOwner"),
    ],
)
def test_a_dataset_grant_beyond_reading_deidentified_is_caught(path: str, value: Any) -> None:
    assert ids([changed(component(DATASET_ACCESS), path, value)]) == {"API-03"}


def test_a_dataset_iam_member_for_the_api_is_judged_the_same_way() -> None:
    member = Resource(
        "gcp:bigquery/datasetIamMember:DatasetIamMember",
        "x",
        "urn:x",
        {"datasetId": "hipaa_prod_curated", "role": "roles/bigquery.dataViewer", "member": API},
    )
    assert ids([member]) == {"API-03"}
    assert ids([changed(member, "datasetId", "hipaa_prod_deidentified")]) == set()
