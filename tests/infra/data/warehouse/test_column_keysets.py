"""Column encryption's storage: where the wrapped keysets live, how the job writes them, who the datasets admit."""

from __future__ import annotations

import json
from typing import Any

from infra.data.warehouse.encryption_sql import reidentify_body
from tests.infra.data.builders import BIGQUERY_KEY, build_warehouse, built_warehouse
from tests.infra.recording import config_for, ignored_changes, only

DATASET = "gcp:bigquery/dataset:Dataset"
TABLE = "gcp:bigquery/table:Table"
JOB = "gcp:bigquery/job:Job"
ROUTINE = "gcp:bigquery/routine:Routine"
PREFIX = "warehouse-encryption-"
KEK_URI = (
    "gcp-kms://projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/phi-columns-kek"
)


def named(name: str) -> dict[str, Any]:
    return dict(next(r for r in built_warehouse("prod") if r.name == f"{PREFIX}{name}").inputs)


def test_keyset_job_runs_once_in_the_warehouse_region_of_the_environment_project() -> None:
    # A new job id is a new keyset run; BigQuery jobs default to the US multi-region without a location.
    job = dict(only(list(built_warehouse("prod")), JOB).inputs)
    assert (job["jobId"], job["location"], job["project"]) == (
        "hipaa_prod_column_keysets_v1",
        "us-central1",
        "nwh-analytics-prd",
    )


def test_keyset_job_writes_the_keyset_table_under_the_bigquery_key() -> None:
    query = named("keyset-job")["query"]
    assert query["destinationTable"] == {
        "projectId": "nwh-analytics-prd",
        "datasetId": "hipaa_prod_column_keys",
        "tableId": "column_keysets",
    }
    assert query["destinationEncryptionConfiguration"] == {"kmsKeyName": BIGQUERY_KEY}


def test_every_keyset_table_column_is_required() -> None:
    keysets = named("keysets")
    assert keysets["project"] == "nwh-analytics-prd"
    assert [(f["name"], f["type"], f["mode"]) for f in json.loads(keysets["schema"])] == [
        ("column_name", "STRING", "REQUIRED"),
        ("key_type", "STRING", "REQUIRED"),
        ("kek", "STRING", "REQUIRED"),
        ("wrapped_keyset", "BYTES", "REQUIRED"),
        ("created_at", "TIMESTAMP", "REQUIRED"),
    ]


def test_keyset_table_and_job_carry_the_platform_labels_and_their_purpose() -> None:
    labels = config_for("prod").labels
    assert named("keysets")["labels"] == {**labels, "table-kind": "column-keysets"}
    assert named("keyset-job")["labels"] == {**labels, "job-purpose": "column-keysets"}


def test_encryption_datasets_start_owners_only_in_the_warehouse_region() -> None:
    # Without an explicit list BigQuery grants projectReaders and projectWriters on the dataset.
    ignored = ignored_changes(lambda: build_warehouse("prod"))
    for name, dataset in (("keys", "column_keys"), ("reidentification", "reidentification")):
        inputs = named(name)
        assert inputs["accesses"] == [{"specialGroup": "projectOwners", "role": "OWNER"}], name
        assert (inputs["datasetId"], inputs["project"], inputs["location"]) == (
            f"hipaa_prod_{dataset}",
            "nwh-analytics-prd",
            "us-central1",
        )
        assert inputs["labels"] == {**config_for("prod").labels, "dataset-purpose": "column-encryption"}, name
        assert ignored[f"{PREFIX}{name}"] == ["accesses"], name


def test_the_procedure_decrypts_the_curated_patients_with_the_stored_keysets() -> None:
    routine = dict(only(list(built_warehouse("prod")), ROUTINE).inputs)
    assert routine["project"] == "nwh-analytics-prd"
    assert routine["definitionBody"] == reidentify_body(
        "nwh-analytics-prd", "hipaa_prod_column_keys", "hipaa_prod_curated", KEK_URI, "patients"
    )
