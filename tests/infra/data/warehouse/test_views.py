"""Authorized views: valid BigQuery SQL over the curated tables, no identifiers out, authorized one by one."""

from __future__ import annotations

from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from infra.data.warehouse.views import VIEWS, view_query
from tests.infra.data.builders import built_warehouse
from tests.infra.recording import config_for, of_type

TABLE = "gcp:bigquery/table:Table"
ACCESS = "gcp:bigquery/datasetAccess:DatasetAccess"
OUTPUT_COLUMNS = {
    "patients_deidentified": ["patient_key", "sex", "age_years", "facility_region"],
    "encounters_deidentified": [
        "encounter_key",
        "patient_key",
        "facility_region",
        "encounter_class",
        "primary_diagnosis_code",
        "admit_year",
        "length_of_stay_days",
    ],
    "observations_deidentified": [
        "observation_key",
        "patient_key",
        "encounter_key",
        "facility_region",
        "loinc_code",
        "value_numeric",
        "unit",
        "observed_year",
    ],
}
IDENTIFIERS = {"mrn", "ssn", "given_name", "family_name", "phone", "email", "postal_code"}


def views(environment: str = "prod") -> dict[str, dict[str, Any]]:
    return {
        r.inputs["tableId"]: dict(r.inputs)
        for r in of_type(list(built_warehouse(environment)), TABLE)
        if "view" in r.inputs
    }


def parsed(view_id: str) -> exp.Select:
    tree = sqlglot.parse_one(views()[view_id]["view"]["query"], dialect="bigquery")
    assert isinstance(tree, exp.Select)
    return tree


@pytest.mark.parametrize("view_id", sorted(OUTPUT_COLUMNS))
def test_view_reads_one_curated_table_and_outputs_only_deidentified_columns(view_id: str) -> None:
    tree = parsed(view_id)
    source = next(s for s in VIEWS if s.view_id == view_id).source
    assert [(t.catalog, t.db, t.name) for t in tree.find_all(exp.Table)] == [
        ("nwh-analytics-prd", "hipaa_prod_curated", source)
    ]
    assert [p.alias_or_name for p in tree.expressions] == OUTPUT_COLUMNS[view_id]
    used = {c.name for c in tree.find_all(exp.Column)}
    assert not used & IDENTIFIERS


def test_age_is_top_coded_at_90() -> None:
    age = next(p for p in parsed("patients_deidentified").expressions if p.alias == "age_years")
    least = age.find(exp.Least)
    assert least is not None
    assert [e.name for e in least.expressions] == ["90"]


@pytest.mark.parametrize(
    ("view_id", "column"), [("encounters_deidentified", "admit_date"), ("observations_deidentified", "observed_at")]
)
def test_dates_of_care_are_cut_to_the_year(view_id: str, column: str) -> None:
    uses = [c for c in parsed(view_id).find_all(exp.Column) if c.name == column]
    assert len(uses) == 1
    extract = uses[0].parent
    assert isinstance(extract, exp.Extract) and extract.this.name == "YEAR"


def test_views_live_in_the_deidentified_dataset_as_standard_sql(stack: str) -> None:
    for inputs in views(stack).values():
        assert inputs["datasetId"] == f"hipaa_{stack}_deidentified"
        assert inputs["view"]["useLegacySql"] is False
    assert set(views(stack)) == set(OUTPUT_COLUMNS)


def test_each_view_and_only_it_is_authorized_on_the_curated_dataset() -> None:
    authorized = [r.inputs for r in of_type(list(built_warehouse("prod")), ACCESS) if "view" in r.inputs]
    assert sorted(a["view"]["tableId"] for a in authorized) == sorted(OUTPUT_COLUMNS)
    for access in authorized:
        assert access["datasetId"] == "hipaa_prod_curated"
        assert access["view"]["datasetId"] == "hipaa_prod_deidentified"
        assert "role" not in access and "authorizedDataset" not in access


def test_view_query_names_the_environments_curated_table() -> None:
    assert "FROM `nwh-analytics-dev.hipaa_dev_curated.patients`" in view_query(config_for("dev"), VIEWS[0])
