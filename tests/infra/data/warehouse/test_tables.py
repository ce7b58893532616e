"""Warehouse tables: explicit schemas with policy tags, partitioning, CMEK, and the row access policies on them."""

from __future__ import annotations

import json

import pytest

from infra.config import row_policy_id
from infra.data.warehouse.schema import TABLES
from infra.naming import dataset_id
from tests.infra.data.builders import (
    BIGQUERY_KEY,
    BUILD,
    DATAPROC,
    ROW_POLICY,
    TABLE_IDS,
    build_warehouse,
    row_policies,
    tables,
)
from tests.infra.recording import config_for, of_type, record


def test_phi_tables_exist_in_raw_and_curated_with_explicit_schemas(stack: str) -> None:
    phi = {k: v for k, v in tables(stack).items() if "view" not in v}
    expected = {f"{dataset_id(config_for(stack), p)}.{t}" for p in ("raw", "curated") for t in TABLE_IDS}
    assert set(phi) == expected
    for name, inputs in phi.items():
        spec = next(s for s in TABLES if s.table_id == name.split(".")[1])
        assert [f["name"] for f in json.loads(inputs["schema"])] == [c.name for c in spec.columns]


def test_tables_are_partitioned_by_load_date_and_clustered_by_region() -> None:
    for inputs in tables().values():
        if "view" in inputs:
            continue
        assert inputs["timePartitioning"] == {"type": "DAY", "field": "ingestion_date"}
        assert inputs["clusterings"][0] == "facility_region"
        assert inputs["requirePartitionFilter"] is False
    assert tables()["hipaa_prod_curated.observations"]["clusterings"] == ["facility_region", "patient_id", "loinc_code"]


def test_tables_are_encrypted_with_the_bigquery_key() -> None:
    assert all(
        t["encryptionConfiguration"] == {"kmsKeyName": BIGQUERY_KEY} for t in tables().values() if "view" not in t
    )


def test_tables_and_views_have_deletion_protection_in_prod_only() -> None:
    assert {t["deletionProtection"] for t in tables("prod").values()} == {True}
    assert {t["deletionProtection"] for t in tables("dev").values()} == {False}


def test_tables_and_views_carry_the_platform_labels_and_their_kind() -> None:
    for name, inputs in tables().items():
        kind = "authorized-view" if "view" in inputs else "phi"
        assert inputs["labels"] == {**config_for("prod").labels, "table-kind": kind}, name


def test_phi_columns_carry_their_policy_tags() -> None:
    fields = {f["name"]: f for f in json.loads(tables()["hipaa_prod_curated.patients"]["schema"])}
    assert fields["mrn"]["policyTags"] == {"names": ["warehouse-columns-mrn"]}
    assert fields["ssn"]["policyTags"] == {"names": ["warehouse-columns-ssn"]}
    assert fields["date_of_birth"]["policyTags"] == {"names": ["warehouse-columns-date-of-birth"]}
    assert fields["email"]["policyTags"] == {"names": ["warehouse-columns-contact"]}
    assert "policyTags" not in fields["facility_region"] and "policyTags" not in fields["patient_id"]


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ("dev", {"dev-analysts": "'northeast', 'midwest', 'south', 'west'"}),
        ("staging", {"staging-analysts-east": "'northeast', 'south'", "staging-analysts-west": "'west'"}),
        ("prod", {"prod-analysts-northeast": "'northeast'", "prod-analysts-south": "'south'"}),
    ],
)
def test_each_analyst_group_sees_only_its_regions_on_every_phi_table(
    environment: str, expected: dict[str, str]
) -> None:
    by_group: dict[str, set[str]] = {}
    for policy_key, policy in row_policies(environment).items():
        if ".analysts_" in policy_key:
            [grantee] = policy["grantees"]
            by_group.setdefault(grantee, set()).add(policy["filterPredicate"])
            assert policy_key.endswith(row_policy_id(grantee.removeprefix("group:")))
    assert by_group == {
        f"group:{local}@northwind-health.example": {f"facility_region IN ({regions})"}
        for local, regions in expected.items()
    }
    per_table = [k for k in row_policies(environment) if ".analysts_" in k]
    assert len(per_table) == 6 * len(expected)  # every PHI table (raw and curated, three each)


def test_the_umbrella_analyst_group_is_granted_no_rows_of_its_own() -> None:
    """prod's analysts see rows only through a regional group: one in no regional group sees none."""
    umbrella = f"group:{config_for('prod').analyst_group}"
    assert all(umbrella not in p["grantees"] for p in row_policies("prod").values())


def test_full_row_access_is_for_named_identities_only() -> None:
    policies = row_policies("prod")
    curated = [
        "group:prod-data-engineers@northwind-health.example",
        f"serviceAccount:{BUILD}",
        f"serviceAccount:{DATAPROC}",
    ]
    for table in TABLE_IDS:
        assert policies[f"hipaa_prod_curated.{table}.full_access"]["grantees"] == curated
        assert policies[f"hipaa_prod_raw.{table}.full_access"]["grantees"] == [f"serviceAccount:{DATAPROC}"]
        assert policies[f"hipaa_prod_curated.{table}.full_access"]["filterPredicate"] == "TRUE"


def test_without_data_processors_no_one_reads_every_raw_row() -> None:
    resources = record(lambda: build_warehouse("dev", processors=()))
    raw = [r for r in of_type(resources, ROW_POLICY) if r.inputs["datasetId"] == "hipaa_dev_raw"]
    assert {r.inputs["policyId"] for r in raw} == {"analysts_dev_analysts_northwind_health_example"}
