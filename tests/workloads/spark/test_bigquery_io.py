"""Spark BigQuery connector options: exact keys, views materialized apart, direct write, names validated."""

from __future__ import annotations

import pytest

from hipaa_spark.bigquery_io import read_options, write_options

KEY = "projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/bigquery"


def test_read_options() -> None:
    assert read_options("nwh-analytics-prd", "hipaa_prod_curated", "encounters", "hipaa_prod_staging") == {
        "table": "nwh-analytics-prd.hipaa_prod_curated.encounters",
        "parentProject": "nwh-analytics-prd",
        "viewsEnabled": "true",
        "materializationProject": "nwh-analytics-prd",
        "materializationDataset": "hipaa_prod_staging",
        "readDataFormat": "ARROW",
    }


def test_write_options_direct_with_cmek() -> None:
    assert write_options("nwh-analytics-prd", "hipaa_prod_deidentified", "t", KEY) == {
        "table": "nwh-analytics-prd.hipaa_prod_deidentified.t",
        "parentProject": "nwh-analytics-prd",
        "writeMethod": "direct",
        "createDisposition": "CREATE_IF_NEEDED",
        "destinationTableKmsKeyName": KEY,
    }


def test_write_options_without_key_leave_the_dataset_default() -> None:
    assert "destinationTableKmsKeyName" not in write_options("nwh-analytics-prd", "d", "t", None)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("Bad_Project", "d", "t", "m"), "project"),
        (("nwh-analytics-prd", "d-1", "t", "m"), "dataset"),
        (("nwh-analytics-prd", "d", "t; DROP", "m"), "table"),
        (("nwh-analytics-prd", "d", "t", "m.x"), "materialization dataset"),
    ],
)
def test_malformed_names_are_refused_by_name(args: tuple[str, str, str, str], name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name}="):
        read_options(*args)


def test_malformed_kms_key_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^kms key="):
        write_options("nwh-analytics-prd", "d", "t", "gcpkms://whatever")
