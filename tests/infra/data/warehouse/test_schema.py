"""Warehouse schema as data: PHI columns tagged, the analyst row filter is valid BigQuery SQL."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from infra.data.warehouse.governance import TAGS
from infra.data.warehouse.schema import PARTITION_COLUMN, REGION_COLUMN, TABLES, region_predicate, schema_fields
from infra.rules.baseline_phi import is_identifier_column


def test_every_phi_column_names_a_policy_tag_that_exists() -> None:
    for table in TABLES:
        for column in table.columns:
            if is_identifier_column(column.name):
                assert column.tag in TAGS, f"{table.table_id}.{column.name} has no policy tag"
            if column.tag is not None:
                assert column.tag in TAGS


def test_partition_and_row_filter_columns_are_not_phi() -> None:
    for table in TABLES:
        columns = {c.name: c for c in table.columns}
        assert columns[PARTITION_COLUMN].tag is None and columns[REGION_COLUMN].tag is None
        assert columns[PARTITION_COLUMN].mode == columns[REGION_COLUMN].mode == "REQUIRED"
        assert table.clustering[0] == REGION_COLUMN


def test_schema_fields_carry_the_tag_resource_name() -> None:
    patients = next(t for t in TABLES if t.table_id == "patients")
    names = {key: f"projects/p/locations/us-central1/taxonomies/1/policyTags/{i}" for i, key in enumerate(TAGS)}
    fields = {f["name"]: f for f in schema_fields(patients, names, "raw")}
    assert fields["ssn"] == {
        "name": "ssn",
        "type": "STRING",
        "mode": "NULLABLE",
        "description": "Social security number",
        "policyTags": {"names": [names["ssn"]]},
    }
    assert "policyTags" not in fields["sex"]


def test_region_predicate_is_valid_bigquery_sql_over_the_region_column() -> None:
    predicate = region_predicate(("northeast", "south"))
    tree = sqlglot.parse_one(predicate, dialect="bigquery")
    assert isinstance(tree, exp.In)
    assert tree.this.name == REGION_COLUMN
    assert [literal.this for literal in tree.expressions] == ["northeast", "south"]
    assert tree.sql(dialect="bigquery") == "facility_region IN ('northeast', 'south')"


@pytest.mark.parametrize("regions", [(), ("north'east",), ("x') OR TRUE OR ('",), ("North",)])
def test_region_predicate_refuses_what_is_not_a_region_code(regions: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="analyst regions"):
        region_predicate(regions)
