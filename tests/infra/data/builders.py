"""Fixtures for the data components' tests (Storage, Warehouse and its ColumnGovernance) and their rules' tests."""

from __future__ import annotations

import functools
from typing import Any

from infra.data.storage import Storage, StorageArgs
from infra.data.warehouse.warehouse import Warehouse
from infra.data.warehouse.warehouse_args import WarehouseArgs
from infra.rules import Resource
from tests.infra.recording import config_for, of_type, record

STORAGE_KEY = "projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/storage-cmek"
BIGQUERY_KEY = "projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/bigquery-cmek"
BUILD = "hipaa-prod-build@nwh-analytics-prd.iam.gserviceaccount.com"
DATAPROC = "hipaa-prod-dataproc@nwh-analytics-prd.iam.gserviceaccount.com"
DEPLOYER = "hipaa-prod-deployer@nwh-analytics-prd.iam.gserviceaccount.com"
COLUMN_KEK = "projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys/phi-columns-kek"
TABLE = "gcp:bigquery/table:Table"
ROW_POLICY = "gcp:bigquery/rowAccessPolicy:RowAccessPolicy"
TABLE_IDS = ("patients", "encounters", "observations")
# ColumnEncryption's resources (tests/infra/data/warehouse/test_column_encryption.py) are named under this.
ENCRYPTION = "warehouse-encryption-"


def storage_args(environment: str) -> StorageArgs:
    config = config_for(environment)
    return StorageArgs(
        placement=config.placement,
        storage_key_id=STORAGE_KEY,
        log_retention_days=config.log_retention_days,
        report_retention_days=config.report_retention_days,
    )


def build_storage(environment: str) -> Storage:
    return Storage("storage", storage_args(environment))


@functools.cache
def built_storage(environment: str) -> tuple[Resource, ...]:
    return tuple(record(lambda: build_storage(environment)))


def warehouse_args(environment: str, processors: tuple[str, ...] = (f"serviceAccount:{DATAPROC}",)) -> WarehouseArgs:
    config = config_for(environment)
    return WarehouseArgs(
        placement=config.placement,
        bigquery_key_id=BIGQUERY_KEY,
        analyst_group=config.analyst_group,
        engineer_group=config.engineer_group,
        analyst_regions=config.analyst_regions,
        reidentification_group=config.reidentification_group,
        column_kek_id=COLUMN_KEK,
        keyset_creator=f"serviceAccount:{DEPLOYER}",
        backup_operators=[f"serviceAccount:{BUILD}"],
        data_processors=list(processors),
        model_trainers=[f"serviceAccount:{BUILD}"],
    )


def build_warehouse(environment: str, processors: tuple[str, ...] = (f"serviceAccount:{DATAPROC}",)) -> Warehouse:
    return Warehouse("warehouse", warehouse_args(environment, processors))


@functools.cache
def built_warehouse(environment: str) -> tuple[Resource, ...]:
    return tuple(record(lambda: build_warehouse(environment)))


def tables(environment: str = "prod") -> dict[str, dict[str, Any]]:
    """Table and view inputs by `dataset.table`."""
    found = [r for r in of_type(list(built_warehouse(environment)), TABLE) if not r.name.startswith(ENCRYPTION)]
    return {f"{r.inputs['datasetId']}.{r.inputs['tableId']}": dict(r.inputs) for r in found}


def row_policies(environment: str = "prod") -> dict[str, dict[str, Any]]:
    """Row access policy inputs by `dataset.table.policy`."""
    found = of_type(list(built_warehouse(environment)), ROW_POLICY)
    return {f"{r.inputs['datasetId']}.{r.inputs['tableId']}.{r.inputs['policyId']}": dict(r.inputs) for r in found}
