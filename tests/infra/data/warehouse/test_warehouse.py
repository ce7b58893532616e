"""Warehouse: each test states one property of the datasets and the grants on them (tables: test_tables)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pulumi
import pytest

from infra.data.warehouse.warehouse import Warehouse
from infra.naming import dataset_id
from tests.infra.data.builders import (
    BIGQUERY_KEY,
    BUILD,
    DATAPROC,
    ENCRYPTION,
    TABLE_IDS,
    build_warehouse,
    built_warehouse,
    warehouse_args,
)
from tests.infra.recording import config_for, ignored_changes, of_type, protected_names, record

DATASET = "gcp:bigquery/dataset:Dataset"
ACCESS = "gcp:bigquery/datasetAccess:DatasetAccess"
PURPOSES = ("raw", "curated", "deidentified", "backups", "materialization")
# prod's two analyst groups (Pulumi.prod.yaml hipaa:analystRegions) and the full-access policy.
ROW_POLICY_IDS = (
    "analysts_prod_analysts_northeast_northwind_health_example",
    "analysts_prod_analysts_south_northwind_health_example",
    "full_access",
)
DAY_MS = 86_400_000


def datasets(environment: str = "prod") -> dict[str, dict[str, Any]]:
    return {
        r.name.removeprefix("warehouse-"): dict(r.inputs)
        for r in of_type(list(built_warehouse(environment)), DATASET)
        if not r.name.startswith(ENCRYPTION)
    }


def grants(environment: str = "prod") -> set[tuple[str, str, str]]:
    """(dataset, role, grantee) of every DatasetAccess that grants a role (not a view authorization)."""
    found = set()
    for access in of_type(list(built_warehouse(environment)), ACCESS):
        if "role" in access.inputs and not access.name.startswith(ENCRYPTION):
            grantee = access.inputs.get("groupByEmail") or access.inputs["userByEmail"]
            found.add((access.inputs["datasetId"], access.inputs["role"], grantee))
    return found


def test_one_dataset_per_purpose_named_by_the_naming_contract(stack: str) -> None:
    config = config_for(stack)
    assert {p: d["datasetId"] for p, d in datasets(stack).items()} == {p: dataset_id(config, p) for p in PURPOSES}


def test_the_pipelines_dataset_is_curated() -> None:
    # docs/contracts.md: _BIGQUERY_DATASET in prod is hipaa_prod_curated.
    assert datasets("prod")["curated"]["datasetId"] == "hipaa_prod_curated"


def test_datasets_are_regional_in_the_environment_project(stack: str) -> None:
    for inputs in datasets(stack).values():
        assert (inputs["project"], inputs["location"]) == (config_for(stack).project_id, "us-central1")


def test_datasets_default_to_the_bigquery_key(stack: str) -> None:
    for inputs in datasets(stack).values():
        assert inputs["defaultEncryptionConfiguration"] == {"kmsKeyName": BIGQUERY_KEY}


def test_datasets_start_from_an_owners_only_access_list(stack: str) -> None:
    # An explicit list keeps BigQuery from adding projectReaders/projectWriters (basic roles) as readers.
    for inputs in datasets(stack).values():
        assert inputs["accesses"] == [{"specialGroup": "projectOwners", "role": "OWNER"}]


def test_datasets_leave_later_grants_to_dataset_access_resources() -> None:
    # Documented pattern: a dataset used with DatasetAccess must ignore its own access list, or they fight.
    ignored = ignored_changes(lambda: build_warehouse("prod"))
    assert all(ignored[f"warehouse-{purpose}"] == ["accesses"] for purpose in PURPOSES)


def test_dataset_grants_are_exactly_least_privilege() -> None:
    assert grants("prod") == {
        ("hipaa_prod_curated", "READER", "prod-data-engineers@northwind-health.example"),
        ("hipaa_prod_deidentified", "READER", "prod-analysts@northwind-health.example"),
        ("hipaa_prod_curated", "READER", BUILD),
        ("hipaa_prod_backups", "WRITER", BUILD),
        ("hipaa_prod_deidentified", "WRITER", BUILD),
        ("hipaa_prod_raw", "READER", DATAPROC),
        ("hipaa_prod_curated", "WRITER", DATAPROC),
        ("hipaa_prod_deidentified", "WRITER", DATAPROC),
        ("hipaa_prod_materialization", "WRITER", DATAPROC),
    }


# Resources that name no project of their own: components, and children of a taxonomy or a key.
PROJECTLESS = ("hipaa:", "gcp:datacatalog/policyTag", "gcp:kms/cryptoKeyIAMMember")
REGIONAL = ("Dataset", "Job", "DataPolicy", "DataPolicyIamMember", "Taxonomy")


def test_every_warehouse_resource_names_the_environment_project_and_region() -> None:
    # Explicit, not the provider's: a PHI table, grant or policy elsewhere is outside the perimeter.
    for resource in built_warehouse("prod"):
        if resource.type.startswith(PROJECTLESS):
            continue
        assert resource.inputs["project"] == "nwh-analytics-prd", resource.name
        if resource.type.rsplit(":", 1)[-1] in REGIONAL:
            place = resource.inputs.get("location") or resource.inputs["region"]
            assert place == "us-central1", resource.name


def test_materialized_reads_expire_after_a_day(stack: str) -> None:
    # The connector stages identified rows there; they must not outlive the job by much.
    assert datasets(stack)["materialization"]["defaultTableExpirationMs"] == DAY_MS


def test_analysts_read_only_the_deidentified_dataset(stack: str) -> None:
    analyst = config_for(stack).analyst_group
    assert {(d, r) for d, r, who in grants(stack) if who == analyst} == {
        (dataset_id(config_for(stack), "deidentified"), "READER")
    }


def test_engineers_read_only_the_curated_dataset(stack: str) -> None:
    engineer = config_for(stack).engineer_group
    assert {(d, r) for d, r, who in grants(stack) if who == engineer} == {
        (dataset_id(config_for(stack), "curated"), "READER")
    }


def test_security_group_gets_no_data_access(stack: str) -> None:
    security = config_for(stack).security_group
    assert all(security not in json.dumps(r.inputs) for r in built_warehouse(stack))


@pytest.mark.parametrize("argument", ["backup_operators", "data_processors", "model_trainers"])
def test_pipeline_identities_must_be_service_accounts(argument: str) -> None:
    members: dict[str, list[str]] = {"backup_operators": [], "data_processors": [], "model_trainers": []}
    members[argument] = ["user:someone@example.test"]

    def bad() -> None:
        args = dataclasses.replace(
            warehouse_args("dev"),
            backup_operators=members["backup_operators"],
            data_processors=members["data_processors"],
            model_trainers=members["model_trainers"],
        )
        Warehouse("warehouse", args)

    with pytest.raises(ValueError, match=rf"{argument}: 'user:someone@example\.test' is not a serviceAccount"):
        record(bad)


@pytest.mark.parametrize(("environment", "days"), [("dev", 1), ("staging", 7), ("prod", 30)])
def test_backup_tables_expire_by_default(environment: str, days: int) -> None:
    assert datasets(environment)["backups"]["defaultTableExpirationMs"] == days * DAY_MS
    assert all("defaultTableExpirationMs" not in datasets(environment)[p] for p in ("raw", "curated", "deidentified"))


def test_time_travel_window_is_the_full_seven_days(stack: str) -> None:
    assert {d["maxTimeTravelHours"] for d in datasets(stack).values()} == {"168"}


def test_prod_datasets_are_never_destroyed_with_their_tables() -> None:
    assert {d["deleteContentsOnDestroy"] for d in datasets("prod").values()} == {False}
    assert {d["deleteContentsOnDestroy"] for d in datasets("dev").values()} == {True}


def test_data_resources_are_protected_in_prod_only() -> None:
    prod, dev = protected_names(lambda: build_warehouse("prod")), protected_names(lambda: build_warehouse("dev"))
    data = [f"warehouse-{purpose}" for purpose in PURPOSES]
    for purpose in ("raw", "curated"):
        data += [f"warehouse-{purpose}-{table}" for table in TABLE_IDS]
    data += [f"warehouse-deidentified-{table}_deidentified" for table in TABLE_IDS]
    assert all(prod[name] for name in data) and not any(dev[name] for name in data)
    # Row access policies: every one in prod (per analyst group and full access), none in dev.
    policies = [
        f"warehouse-{purpose}-{table}-{p}"
        for purpose in ("raw", "curated")
        for table in TABLE_IDS
        for p in ROW_POLICY_IDS
    ]
    assert all(prod[name] for name in policies)
    assert not any(dev[name] for name in dev if name.rsplit("-", 1)[-1].startswith(("analysts_", "full_access")))
    assert sum(name.endswith("-full_access") for name in dev) == 6
    # Grants are not data: they stay replaceable in every environment.
    assert not prod["warehouse-curated-engineers"] and not prod["warehouse-deidentified-analysts"]
    assert not prod["warehouse-curated-processor-0"]


def test_labels_come_from_config_plus_the_purpose() -> None:
    for purpose, inputs in datasets("prod").items():
        assert inputs["labels"] == {**config_for("prod").labels, "dataset-purpose": purpose}


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_component_exposes_datasets_by_purpose(mocked: None) -> pulumi.Output[None]:
    """Pulumi's own style: build the component under mocks and assert inside Output.apply."""
    warehouse = build_warehouse("prod")
    assert set(warehouse.dataset_ids) == set(PURPOSES)
    assert set(warehouse.view_ids) == {f"{table}_deidentified" for table in TABLE_IDS}

    def check(ids: list[str]) -> None:
        assert ids == ["hipaa_prod_curated", "hipaa_prod_deidentified"]

    return pulumi.Output.all(warehouse.dataset_ids["curated"], warehouse.dataset_ids["deidentified"]).apply(check)


def test_reader_groups_may_run_queries_and_nothing_more_on_the_project(stack: str) -> None:
    config = config_for(stack)
    project_grants = {
        (r.inputs["role"], r.inputs["member"])
        for r in built_warehouse(stack)
        if r.type == "gcp:projects/iAMMember:IAMMember"
    }
    assert project_grants == {
        ("roles/bigquery.jobUser", f"group:{config.engineer_group}"),
        ("roles/bigquery.jobUser", f"group:{config.analyst_group}"),
        # CALL reidentify_patients(...) is a query job too.
        ("roles/bigquery.jobUser", f"group:{config.reidentification_group}"),
    }
