"""HipaaPlatform wires each component to the declared outputs of the others: the exact values land where they must."""

from __future__ import annotations

from typing import Any

import pytest

from infra.plan.mocks import project_number
from tests.conftest import one, planned
from tests.infra.recording import config_for

PROJECT = "nwh-analytics-prd"
DATAPROC = f"hipaa-prod-dataproc@{PROJECT}.iam.gserviceaccount.com"
BUILD = f"hipaa-prod-cloudbuild@{PROJECT}.iam.gserviceaccount.com"
DEPLOYER = f"hipaa-prod-deployer@{PROJECT}.iam.gserviceaccount.com"
KEYS = f"projects/{PROJECT}/locations/us-central1/keyRings/hipaa-prod-keyring/cryptoKeys"


def inputs(type_token: str, name: str) -> dict[str, Any]:
    return dict(one(planned("prod"), type_token, name).inputs)


def test_the_dataproc_account_reads_the_mrn_key_and_processes_the_warehouse() -> None:
    assert inputs("gcp:secretmanager/secretIamMember:SecretIamMember", "mrn-hmac-accessor")["member"] == (
        f"serviceAccount:{DATAPROC}"
    )
    raw = inputs("gcp:bigquery/datasetAccess:DatasetAccess", "warehouse-raw-processor-0")
    assert (raw["datasetId"], raw["role"], raw["userByEmail"]) == ("hipaa_prod_raw", "READER", DATAPROC)
    act_as = inputs("gcp:serviceaccount/iAMMember:IAMMember", "delivery-iam-build-act-as-0")
    assert act_as["serviceAccountId"] == f"projects/{PROJECT}/serviceAccounts/{DATAPROC}"
    assert act_as["member"] == f"serviceAccount:{BUILD}"


def test_the_build_account_backs_up_trains_publishes_and_enters_the_perimeter_with_the_deployer() -> None:
    backup = inputs("gcp:bigquery/datasetAccess:DatasetAccess", "warehouse-backups-backup-0")
    trainer = inputs("gcp:bigquery/datasetAccess:DatasetAccess", "warehouse-deidentified-trainer-0")
    assert backup["userByEmail"] == trainer["userByEmail"] == BUILD
    publisher = inputs("gcp:pubsub/topicIAMMember:TopicIAMMember", "monitoring-publisher-0")
    assert publisher["member"] == f"serviceAccount:{BUILD}"
    perimeter = inputs("gcp:accesscontextmanager/servicePerimeter:ServicePerimeter", "perimeter-perimeter")
    ingress = perimeter["status"]["ingressPolicies"][0]["ingressFrom"]["identities"]
    assert ingress == [f"serviceAccount:{BUILD}", f"serviceAccount:{DEPLOYER}"]


@pytest.mark.parametrize(("index", "purpose"), [(0, "reports"), (1, "artifacts"), (2, "backups")])
def test_the_build_account_writes_the_storage_components_pipeline_buckets(index: int, purpose: str) -> None:
    grant = inputs("gcp:storage/bucketIAMMember:BucketIAMMember", f"delivery-iam-build-bucket-{index}")
    assert grant["bucket"] == f"{PROJECT}-{purpose}"


def test_compute_attaches_to_the_networks_subnet_and_the_api_reads_the_warehouses_deidentified_dataset() -> None:
    subnet = f"projects/{PROJECT}/regions/us-central1/subnetworks/hipaa-prod-private"
    gke = inputs("gcp:container/cluster:Cluster", "gke-cluster")
    assert (gke["network"], gke["subnetwork"]) == (f"projects/{PROJECT}/global/networks/hipaa-prod-vpc", subnet)
    dataproc = inputs("gcp:dataproc/cluster:Cluster", "dataproc-cluster")
    assert dataproc["clusterConfig"]["gceClusterConfig"]["subnetwork"] == subnet
    endpoint = inputs("gcp:vertex/aiEndpoint:AiEndpoint", "vertex-endpoint")
    assert endpoint["network"] == f"projects/{project_number(PROJECT)}/global/networks/hipaa-prod-vpc"
    reader = inputs("gcp:bigquery/datasetAccess:DatasetAccess", "api-identity-sa-deidentified-reader")
    assert reader["datasetId"] == "hipaa_prod_deidentified"


def test_each_cmek_consumer_gets_the_kms_key_of_its_purpose() -> None:
    assert inputs("gcp:logging/projectBucketConfig:ProjectBucketConfig", "audit-bucket")["cmekSettings"] == {
        "kmsKeyName": f"{KEYS}/logging-cmek"
    }
    dataproc = inputs("gcp:dataproc/cluster:Cluster", "dataproc-cluster")["clusterConfig"]
    assert dataproc["encryptionConfig"] == {"kmsKeyName": f"{KEYS}/compute-cmek"}
    assert dataproc["securityConfig"]["kerberosConfig"]["kmsKeyUri"] == f"{KEYS}/secrets-cmek"


def test_the_pool_and_trigger_are_the_stacks_own() -> None:
    pool = inputs("gcp:cloudbuild/workerPool:WorkerPool", "delivery-pool")
    assert pool["networkConfig"]["peeredNetworkIpRange"] == config_for("prod").ranges.build_pool
    trigger = inputs("gcp:cloudbuild/trigger:Trigger", "delivery-trigger")
    assert trigger["serviceAccount"] == f"projects/{PROJECT}/serviceAccounts/{BUILD}"
