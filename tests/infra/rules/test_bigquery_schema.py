"""CAT-10: a table's schema, partitioning and clustering as BigQuery accepts them, before `pulumi up`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.bigquery_schema import RULES
from tests.conftest import planned
from tests.infra.recording import changed

Columns = list[dict[str, Any]]


def table(name: str = "warehouse-raw-patients") -> Resource:
    return next(r for r in planned("prod") if r.name == name)


def problems(resource: Resource) -> list[str]:
    return [f.message for f in evaluate([resource], "prod", RULES)]


def with_columns(edit: Callable[[Columns], object]) -> Resource:
    """The raw patients table with its column list edited in place."""
    columns: Columns = json.loads(table().inputs["schema"])
    edit(columns)
    return changed(table(), "schema", json.dumps(columns))


def column(columns: Columns, name: str) -> dict[str, Any]:
    return next(c for c in columns if c["name"] == name)


def test_every_planned_table_and_view_is_accepted(stack: str) -> None:
    tables = [r for r in planned(stack) if r.type == "gcp:bigquery/table:Table"]
    assert len(tables) == 10
    assert [f.message for f in evaluate(tables, stack, RULES)] == []


CASES: list[tuple[str, Callable[[Columns], object], str]] = [
    (
        "unknown-type",
        lambda c: column(c, "ssn").update(type="VARCHAR"),
        "ssn: type 'VARCHAR' is not a BigQuery column type",
    ),
    ("unknown-mode", lambda c: column(c, "patient_id").update(mode="MANDATORY"), "patient_id: mode 'MANDATORY' is not"),
    ("name-with-a-dash", lambda c: column(c, "sex").update(name="birth-sex"), "'birth-sex' is not a column name"),
    ("same-name-other-case", lambda c: column(c, "sex").update(name="SSN"), "SSN: a second column of that name"),
    (
        "two-policy-tags",
        lambda c: column(c, "ssn").update(policyTags={"names": ["a", "b"]}),
        "ssn: 2 policy tags (BigQuery allows at most 1)",
    ),
    (
        "partition-column-gone",
        lambda c: c.remove(column(c, "ingestion_date")),
        "partitioned on 'ingestion_date', which is not a DATE, TIMESTAMP or DATETIME column",
    ),
    (
        "partition-column-a-string",
        lambda c: column(c, "ingestion_date").update(type="STRING"),
        "partitioned on 'ingestion_date', which is not a DATE",
    ),
    (
        "clustering-column-gone",
        lambda c: c.remove(column(c, "facility_id")),
        "clustered on 'facility_id', which is not a top-level column",
    ),
    (
        "nested-fields-on-a-string",
        lambda c: column(c, "sex").update(fields=[{"name": "code", "type": "STRING"}]),
        "sex: has nested fields but is a STRING, not a RECORD",
    ),
    (
        "bad-type-inside-a-record",
        lambda c: c.append({"name": "address", "type": "RECORD", "fields": [{"name": "line", "type": "TEXT"}]}),
        "address.line: type 'TEXT' is not a BigQuery column type",
    ),
    ("record-without-fields", lambda c: c.append({"name": "address", "type": "STRUCT"}), "address: no columns"),
    ("no-columns", lambda c: c.clear(), "schema: no columns"),
]


@pytest.mark.parametrize(("edit", "message"), [(e, m) for _, e, m in CASES], ids=[n for n, _, _ in CASES])
def test_a_schema_bigquery_would_refuse_is_caught(edit: Callable[[Columns], object], message: str) -> None:
    [problem] = problems(with_columns(edit))
    assert message in problem


def test_more_than_four_clustering_columns_are_caught() -> None:
    five = ["patient_id", "facility_id", "facility_region", "sex", "mrn"]
    [problem] = problems(changed(table(), "clusterings", five))
    assert "clustered on 5 columns (at most 4)" in problem


def test_a_schema_that_is_not_json_is_caught() -> None:
    [problem] = problems(changed(table(), "schema", "[{"))
    assert problem.startswith("schema is not readable JSON")


def test_a_view_has_no_schema_of_its_own_to_check() -> None:
    view = table("warehouse-deidentified-patients_deidentified")
    assert "schema" not in view.inputs and problems(view) == []
