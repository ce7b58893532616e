"""ColumnGovernance: the taxonomy, masking rules and who reads which tag in clear or masked."""

from __future__ import annotations

from typing import Any

import pytest

from infra.data.warehouse.governance import ENGINEER_CLEAR_TAGS, TAGS
from tests.infra.data.builders import BUILD, DATAPROC, built_warehouse
from tests.infra.recording import config_for, of_type, only

TAXONOMY = "gcp:datacatalog/taxonomy:Taxonomy"
POLICY_TAG = "gcp:datacatalog/policyTag:PolicyTag"
DATA_POLICY = "gcp:bigquerydatapolicy/dataPolicy:DataPolicy"
MASKED_GRANT = "gcp:bigquerydatapolicy/dataPolicyIamMember:DataPolicyIamMember"
CLEAR_GRANT = "gcp:datacatalog/policyTagIamMember:PolicyTagIamMember"
PREFIX = "warehouse-columns-"


def named(type_token: str, environment: str = "prod") -> dict[str, dict[str, Any]]:
    return {
        r.name.removeprefix(PREFIX): dict(r.inputs) for r in of_type(list(built_warehouse(environment)), type_token)
    }


def test_taxonomy_enforces_fine_grained_access_in_the_warehouse_region(stack: str) -> None:
    taxonomy = only(list(built_warehouse(stack)), TAXONOMY).inputs
    assert taxonomy["activatedPolicyTypes"] == ["FINE_GRAINED_ACCESS_CONTROL"]
    assert (taxonomy["region"], taxonomy["project"]) == ("us-central1", config_for(stack).project_id)
    assert taxonomy["displayName"] == f"hipaa-{stack}-phi"


def test_leaf_tags_sit_under_direct_and_quasi_identifier_parents() -> None:
    tags = named(POLICY_TAG)
    assert {key for key, tag in tags.items() if "parentPolicyTag" not in tag} == {
        "direct-identifier",
        "quasi-identifier",
    }
    for key, tag in TAGS.items():
        assert tags[key]["parentPolicyTag"] == f"{PREFIX}{tag.parent}"
        assert tags[key]["taxonomy"] == "warehouse-columns-taxonomy"
    assert {k for k, t in TAGS.items() if t.parent == "direct-identifier"} == {"mrn", "ssn", "name", "contact"}


@pytest.mark.parametrize(
    ("tag", "rule"),
    [
        ("mrn", "SHA256"),
        ("ssn", "ALWAYS_NULL"),
        ("name", "ALWAYS_NULL"),
        ("contact", "ALWAYS_NULL"),
        ("date-of-birth", "DATE_YEAR_MASK"),
        ("service-date", "DATE_YEAR_MASK"),
        ("postal-code", "DEFAULT_MASKING_VALUE"),
    ],
)
def test_each_tag_has_a_masking_policy_with_its_rule(tag: str, rule: str) -> None:
    policy = named(DATA_POLICY)[f"{tag}-mask"]
    assert policy == {
        "dataPolicyId": f"hipaa_prod_{tag.replace('-', '_')}_mask",
        "dataPolicyType": "DATA_MASKING_POLICY",
        "policyTag": f"{PREFIX}{tag}",
        "dataMaskingPolicy": {"predefinedExpression": rule},
        "project": "nwh-analytics-prd",
        "location": "us-central1",
    }


def test_analysts_are_masked_readers_of_every_data_policy() -> None:
    analysts = {
        g["dataPolicyId"] for g in named(MASKED_GRANT).values() if g["member"].startswith("group:prod-analysts")
    }
    assert analysts == {f"hipaa_prod_{tag.replace('-', '_')}_mask" for tag in TAGS}
    assert {g["role"] for g in named(MASKED_GRANT).values()} == {"roles/bigquerydatapolicy.maskedReader"}


def test_engineers_read_mrns_in_clear_and_everything_else_masked() -> None:
    engineers = "group:prod-data-engineers@northwind-health.example"
    masked = {g["dataPolicyId"] for g in named(MASKED_GRANT).values() if g["member"] == engineers}
    assert masked == {f"hipaa_prod_{t.replace('-', '_')}_mask" for t in TAGS if t not in ENGINEER_CLEAR_TAGS}
    clear = [g for g in named(CLEAR_GRANT).values() if g["member"] == engineers]
    assert clear == [
        {"policyTag": f"{PREFIX}mrn", "role": "roles/datacatalog.categoryFineGrainedReader", "member": engineers}
    ]


def test_backups_and_pipeline_jobs_read_every_column_in_clear_through_the_parent_tags() -> None:
    for account in (BUILD, DATAPROC):
        tags = {g["policyTag"] for g in named(CLEAR_GRANT).values() if g["member"] == f"serviceAccount:{account}"}
        assert tags == {f"{PREFIX}direct-identifier", f"{PREFIX}quasi-identifier"}


def test_analysts_never_read_a_tagged_column_in_clear(stack: str) -> None:
    analysts = f"group:{config_for(stack).analyst_group}"
    assert all(g["member"] != analysts for g in named(CLEAR_GRANT, stack).values())
