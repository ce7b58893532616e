"""BigQuery rules: the warehouse passes every rule in every environment; each rule fails on a violating resource."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.bigquery import DATASET, DATASET_ACCESS, DATASET_BINDING, DATASET_MEMBER, RULES, TABLE
from infra.rules.bigquery_governance import RULES as GOVERNANCE_RULES
from tests.infra.data.builders import built_warehouse
from tests.infra.recording import changed


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def named(name: str, environment: str = "prod") -> Resource:
    return next(r for r in built_warehouse(environment) if r.name == name)


def test_warehouse_is_compliant_with_every_bigquery_rule(stack: str) -> None:
    findings = evaluate(list(built_warehouse(stack)), stack, [*RULES, *GOVERNANCE_RULES])
    assert findings == [], "\n".join(f"{f.rule_id} {f.urn}: {f.message}" for f in findings)


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("defaultEncryptionConfiguration", None, "BQ-01"),
        ("defaultEncryptionConfiguration.kmsKeyName", "", "BQ-01"),
        ("accesses", None, "BQ-02"),
        ("accesses", [{"specialGroup": "projectReaders", "role": "READER"}], "BQ-02"),
        (
            "accesses",
            [{"specialGroup": "projectOwners", "role": "OWNER"}, {"iamMember": "allUsers", "role": "READER"}],
            "BQ-03",
        ),
        ("accesses", [{"specialGroup": "allAuthenticatedUsers", "role": "READER"}], "BQ-03"),
        ("deleteContentsOnDestroy", True, "BQ-04"),
        ("maxTimeTravelHours", "48", "BQ-05"),
        ("maxTimeTravelHours", None, "BQ-05"),
        ("accesses", [{"view": {"projectId": "p", "datasetId": "hipaa_prod_curated", "tableId": "v"}}], "BQ-08"),
    ],
)
def test_dataset_violation_is_caught(path: str, value: Any, rule: str) -> None:
    assert ids([changed(named("warehouse-curated"), path, value)]) == {rule}


def test_prod_rules_do_not_bind_dev() -> None:
    assert ids([named("warehouse-curated", "dev")], "dev") == set()
    assert named("warehouse-curated", "dev").inputs["deleteContentsOnDestroy"] is True


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"groupByEmail": None, "iamMember": "allUsers"}, "BQ-03"),
        ({"groupByEmail": None, "specialGroup": "allAuthenticatedUsers"}, "BQ-03"),
        ({"groupByEmail": None, "domain": "example.test"}, "BQ-03"),
    ],
)
def test_public_dataset_access_entry_is_caught(change: dict[str, Any], rule: str) -> None:
    grant = named("warehouse-curated-engineers")
    assert grant.type == DATASET_ACCESS and ids([grant]) == set()
    for path, value in change.items():
        grant = changed(grant, path, value)
    assert ids([grant]) == {rule}


@pytest.mark.parametrize(
    ("type_token", "inputs"),
    [
        (DATASET_MEMBER, {"datasetId": "d", "role": "roles/bigquery.dataViewer", "member": "allUsers"}),
        (
            DATASET_BINDING,
            {"datasetId": "d", "role": "roles/bigquery.dataViewer", "members": ["allAuthenticatedUsers"]},
        ),
    ],
)
def test_public_dataset_iam_grant_is_caught(type_token: str, inputs: dict[str, Any]) -> None:
    assert ids([Resource(type_token, "grant", "urn:grant", inputs)]) == {"BQ-03"}


def test_authorizing_a_view_outside_the_deidentified_dataset_is_caught() -> None:
    access = named("warehouse-deidentified-patients_deidentified-authorized")
    assert ids([access]) == set()
    assert ids([changed(access, "view.datasetId", "hipaa_prod_curated")]) == {"BQ-08"}
    whole = Resource(
        DATASET_ACCESS,
        "whole",
        "urn:whole",
        {"datasetId": "hipaa_prod_curated", "authorizedDataset": {"dataset": {"datasetId": "hipaa_prod_raw"}}},
    )
    assert ids([whole]) == {"BQ-08"}


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("encryptionConfiguration", None, "BQ-06"),
        ("deletionProtection", False, "BQ-07"),
        ("deletionProtection", None, "BQ-07"),
    ],
)
def test_table_violation_is_caught(path: str, value: Any, rule: str) -> None:
    table = named("warehouse-curated-patients")
    assert table.type == TABLE
    assert ids([changed(table, path, value)]) == {rule}


def test_views_need_no_cmek_but_do_need_deletion_protection_in_prod() -> None:
    view = named("warehouse-deidentified-patients_deidentified")
    assert "encryptionConfiguration" not in view.inputs and ids([view]) == set()
    assert ids([changed(view, "deletionProtection", False)]) == {"BQ-07"}
    assert ids([changed(named("warehouse-curated-patients", "dev"), "deletionProtection", False)], "dev") == set()


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("warehouse-curated", "BQ-04"),
        ("warehouse-curated-patients", "BQ-07"),
        ("warehouse-deidentified-patients_deidentified", "BQ-07"),
    ],
)
def test_prod_data_needs_pulumi_protect_behind_the_provider_guard(name: str, rule: str) -> None:
    resource = named(name)
    assert resource.protect is True and ids([resource]) == set()
    unprotected = Resource(resource.type, resource.name, resource.urn, resource.inputs, False)
    assert ids([unprotected]) == {rule}
    assert ids([Resource(resource.type, resource.name, resource.urn, named(name, "dev").inputs, False)], "dev") == set()


def test_dataset_rules_read_the_dataset_type() -> None:
    assert named("warehouse-raw").type == DATASET
