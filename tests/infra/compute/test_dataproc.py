"""Dataproc: each test states one property of the cluster and its support resources."""

from __future__ import annotations

from typing import Any

import pytest

from infra.naming import dataproc_autoscaling_policy_id, dataproc_staging_bucket, dataproc_temp_bucket
from tests.infra.compute.builders import KEYS, SUBNET, built_dataproc
from tests.infra.recording import config_for, of_type, only

CLUSTER = "gcp:dataproc/cluster:Cluster"
BUCKET = "gcp:storage/bucket:Bucket"
SECRET = "gcp:secretmanager/secret:Secret"


def cluster_config(environment: str = "prod") -> dict[str, Any]:
    return dict(only(list(built_dataproc(environment)), CLUSTER).inputs["clusterConfig"])


def kerberos_bucket() -> dict[str, Any]:
    return next(
        dict(b.inputs) for b in of_type(list(built_dataproc("prod")), BUCKET) if b.inputs["name"].endswith("-kerberos")
    )


def test_internal_ip_only_on_the_private_subnet(stack: str) -> None:
    gce = cluster_config(stack)["gceClusterConfig"]
    assert gce["internalIpOnly"] is True
    assert cluster_config("prod")["gceClusterConfig"]["subnetwork"] == SUBNET


def test_dedicated_service_account() -> None:
    gce = cluster_config()["gceClusterConfig"]
    assert gce["serviceAccount"] == "hipaa-prod-dataproc@nwh-analytics-prd.iam.gserviceaccount.com"
    assert gce["serviceAccountScopes"] == ["https://www.googleapis.com/auth/cloud-platform"]


def test_service_account_roles_are_worker_job_user_and_read_session_only() -> None:
    resources = list(built_dataproc("prod"))
    project_roles = sorted(r.inputs["role"] for r in of_type(resources, "gcp:projects/iAMMember:IAMMember"))
    assert project_roles == ["roles/bigquery.jobUser", "roles/bigquery.readSessionUser", "roles/dataproc.worker"]
    # Dataset access comes from the Warehouse's access entries only: a DatasetIamMember would clash with them.
    assert of_type(resources, "gcp:bigquery/datasetIamMember:DatasetIamMember") == []


def test_shielded_vms() -> None:
    shielded = cluster_config()["gceClusterConfig"]["shieldedInstanceConfig"]
    assert shielded == {"enableSecureBoot": True, "enableVtpm": True, "enableIntegrityMonitoring": True}


def test_nodes_refuse_project_wide_ssh_keys(stack: str) -> None:
    # A project-wide SSH key would open every node to whoever holds it; only OS Login reaches them.
    assert cluster_config(stack)["gceClusterConfig"]["metadata"] == {"block-project-ssh-keys": "true"}


def test_job_driver_output_goes_to_cloud_logging(stack: str) -> None:
    # Driver logs land in the CMEK, audited Cloud Logging rather than only on the cluster's disks.
    properties = cluster_config(stack)["softwareConfig"]["properties"]
    assert properties == {"dataproc:dataproc.logging.stackdriver.job.driver.enable": "true"}


def test_disks_use_the_compute_key() -> None:
    assert cluster_config()["encryptionConfig"] == {"kmsKeyName": f"{KEYS}/compute-cmek"}


def test_component_gateway_is_off() -> None:
    assert cluster_config()["endpointConfig"] == {"enableHttpPortAccess": False}


@pytest.mark.parametrize(
    ("environment", "lifecycle"), [("dev", {"idleDeleteTtl": "1800s"}), ("staging", None), ("prod", None)]
)
def test_idle_delete_ttl_in_dev_only(environment: str, lifecycle: dict[str, str] | None) -> None:
    assert cluster_config(environment).get("lifecycleConfig") == lifecycle


def test_autoscaling_policy_is_attached() -> None:
    resources = list(built_dataproc("prod"))
    policy = only(resources, "gcp:dataproc/autoscalingPolicy:AutoscalingPolicy")
    assert policy.inputs["policyId"] == "hipaa-prod-autoscaling" == dataproc_autoscaling_policy_id(config_for("prod"))
    assert policy.inputs["workerConfig"] == {"minInstances": 2, "maxInstances": 10}
    assert cluster_config()["autoscalingConfig"] == {"policyUri": "dataproc-autoscaling"}


def test_no_optional_components() -> None:
    software = cluster_config()["softwareConfig"]
    assert software["optionalComponents"] == []
    assert software["imageVersion"] == "2.2-debian12"


def test_kerberos_in_prod_with_the_kms_encrypted_password_object() -> None:
    kerberos = cluster_config("prod")["securityConfig"]["kerberosConfig"]
    assert kerberos == {
        "enableKerberos": True,
        "kmsKeyUri": f"{KEYS}/secrets-cmek",
        "rootPrincipalPasswordUri": "gs://nwh-analytics-prd-dataproc-kerberos/root-principal-password.encrypted",
    }


def test_no_secret_manager_secret_holds_the_kerberos_password() -> None:
    # The API takes a KMS-encrypted Cloud Storage object only (infra/compute/dataproc_support.py).
    assert of_type(list(built_dataproc("prod")), SECRET) == []
    assert of_type(list(built_dataproc("prod")), "gcp:secretmanager/secretIamMember:SecretIamMember") == []


def test_kerberos_bucket_is_a_hardened_cmek_bucket_of_its_own() -> None:
    bucket = kerberos_bucket()
    assert bucket["name"] == "nwh-analytics-prd-dataproc-kerberos"
    assert bucket["encryption"]["defaultKmsKeyName"] == f"{KEYS}/storage-cmek"
    assert bucket["publicAccessPrevention"] == "enforced"
    assert bucket["uniformBucketLevelAccess"] is True
    assert bucket["versioning"] == {"enabled": True}


def test_cluster_account_alone_reads_the_kerberos_bucket() -> None:
    readers = [
        r.inputs
        for r in of_type(list(built_dataproc("prod")), "gcp:storage/bucketIAMMember:BucketIAMMember")
        if r.inputs["bucket"] == "nwh-analytics-prd-dataproc-kerberos"
    ]
    assert readers == [
        {
            "bucket": "nwh-analytics-prd-dataproc-kerberos",
            "role": "roles/storage.objectViewer",
            "member": "serviceAccount:hipaa-prod-dataproc@nwh-analytics-prd.iam.gserviceaccount.com",
        }
    ]


def test_cluster_account_may_decrypt_the_password_with_the_kerberos_key() -> None:
    decrypter = only(list(built_dataproc("prod")), "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    assert decrypter.inputs == {
        "cryptoKeyId": f"{KEYS}/secrets-cmek",
        "role": "roles/cloudkms.cryptoKeyDecrypter",
        "member": "serviceAccount:hipaa-prod-dataproc@nwh-analytics-prd.iam.gserviceaccount.com",
    }


def test_no_kerberos_outside_prod() -> None:
    assert "securityConfig" not in cluster_config("dev")
    assert "nwh-analytics-dev-dataproc-kerberos" not in {
        b.inputs["name"] for b in of_type(list(built_dataproc("dev")), BUCKET)
    }
    assert of_type(list(built_dataproc("dev")), "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember") == []
    assert of_type(list(built_dataproc("dev")), "gcp:storage/bucketIAMMember:BucketIAMMember") == []


def test_staging_and_temp_buckets_are_cmek_private_and_named() -> None:
    buckets = {
        b.inputs["name"]: b.inputs
        for b in of_type(list(built_dataproc("prod")), BUCKET)
        if not b.inputs["name"].endswith("-kerberos")
    }
    assert set(buckets) == {"nwh-analytics-prd-dataproc-staging", "nwh-analytics-prd-dataproc-temp"}
    # The names scripts/lib/dataproc.sh creates and verifies the cluster with (tests/scripts use these).
    prod = config_for("prod")
    assert set(buckets) == {dataproc_staging_bucket(prod), dataproc_temp_bucket(prod)}
    for inputs in buckets.values():
        assert inputs["encryption"] == {
            "defaultKmsKeyName": f"{KEYS}/storage-cmek",
            "googleManagedEncryptionEnforcementConfig": {"restrictionMode": "FullyRestricted"},
            "customerSuppliedEncryptionEnforcementConfig": {"restrictionMode": "FullyRestricted"},
        }
        assert inputs["publicAccessPrevention"] == "enforced"
        assert inputs["uniformBucketLevelAccess"] is True
        assert inputs["forceDestroy"] is False
    config = cluster_config()
    assert (config["stagingBucket"], config["tempBucket"]) == tuple(sorted(buckets))


def test_buckets_come_from_the_shared_builder_versioned_and_access_logged() -> None:
    buckets = {b.inputs["name"]: b.inputs for b in of_type(list(built_dataproc("prod")), BUCKET)}
    for name, inputs in buckets.items():
        assert inputs["versioning"] == {"enabled": True}
        assert inputs["logging"] == {"logBucket": "nwh-analytics-prd-access-logs", "logObjectPrefix": name}
        assert inputs["softDeletePolicy"] == {"retentionDurationSeconds": 90 * 86400}


def test_temp_objects_are_deleted_after_30_days() -> None:
    temp = next(b for b in of_type(list(built_dataproc("prod")), BUCKET) if b.inputs["name"].endswith("-dataproc-temp"))
    assert {"action": {"type": "Delete"}, "condition": {"age": 30, "withState": "LIVE"}} in temp.inputs[
        "lifecycleRules"
    ]


def test_dev_buckets_are_destroyable() -> None:
    assert all(b.inputs["forceDestroy"] is True for b in of_type(list(built_dataproc("dev")), BUCKET))


def test_prod_has_ha_masters() -> None:
    assert cluster_config("prod")["masterConfig"]["numInstances"] == 3
    assert cluster_config("dev")["masterConfig"]["numInstances"] == 1


def test_labels_come_from_config() -> None:
    assert only(list(built_dataproc("prod")), CLUSTER).inputs["labels"] == config_for("prod").labels
