"""Storage: each test states one property of the HIPAA buckets and fails when it is removed."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from infra.naming import bucket_name, compliance_bucket
from tests.infra.data.builders import STORAGE_KEY, build_storage, built_storage
from tests.infra.recording import config_for, of_type, only, protected_names

BUCKET = "gcp:storage/bucket:Bucket"
PURPOSES = ("access-logs", "phi-raw", "curated", "reports", "backups", "artifacts")
VERSIONED = ("phi-raw", "curated", "backups", "artifacts")
RETAINED = ("reports", "access-logs")
DAY = 86400


def _by_purpose(environment: str) -> dict[str, dict[str, Any]]:
    return {r.name.removeprefix("storage-"): dict(r.inputs) for r in of_type(list(built_storage(environment)), BUCKET)}


def bucket(purpose: str, environment: str = "prod") -> dict[str, Any]:
    return _by_purpose(environment)[purpose]


def rule(action: dict[str, str], **condition: object) -> dict[str, object]:
    return {"action": action, "condition": condition}


def test_one_bucket_per_purpose_named_by_the_naming_contract(stack: str) -> None:
    config = config_for(stack)
    assert {p: b["name"] for p, b in _by_purpose(stack).items()} == {p: bucket_name(config, p) for p in PURPOSES}


def test_reports_bucket_is_the_compliance_bucket(stack: str) -> None:
    assert bucket("reports", stack)["name"] == compliance_bucket(config_for(stack))


def test_buckets_are_regional_standard_buckets_in_the_environment_project(stack: str) -> None:
    for inputs in _by_purpose(stack).values():
        assert (inputs["location"], inputs["storageClass"]) == ("us-central1", "STANDARD")
        assert inputs["project"] == config_for(stack).project_id


def test_every_bucket_encrypts_with_the_storage_key_and_refuses_other_keys(stack: str) -> None:
    for inputs in _by_purpose(stack).values():
        assert inputs["encryption"] == {
            "defaultKmsKeyName": STORAGE_KEY,
            "googleManagedEncryptionEnforcementConfig": {"restrictionMode": "FullyRestricted"},
            "customerSuppliedEncryptionEnforcementConfig": {"restrictionMode": "FullyRestricted"},
        }


def test_public_access_prevention_is_enforced(stack: str) -> None:
    assert {b["publicAccessPrevention"] for b in _by_purpose(stack).values()} == {"enforced"}


def test_uniform_bucket_level_access(stack: str) -> None:
    assert {b["uniformBucketLevelAccess"] for b in _by_purpose(stack).values()} == {True}


def test_data_buckets_are_versioned_evidence_buckets_are_retained_instead() -> None:
    for purpose in VERSIONED:
        assert bucket(purpose)["versioning"] == {"enabled": True}
        assert "retentionPolicy" not in bucket(purpose)
    for purpose in RETAINED:
        # Cloud Storage refuses versioning on a bucket with a retention policy.
        assert bucket(purpose)["versioning"] == {"enabled": False}


@pytest.mark.parametrize(("environment", "days"), [("dev", 7), ("staging", 30), ("prod", 90)])
def test_noncurrent_versions_expire(environment: str, days: int) -> None:
    expiry = rule({"type": "Delete"}, daysSinceNoncurrentTime=days, withState="ARCHIVED")
    for purpose in VERSIONED:
        assert expiry in bucket(purpose, environment)["lifecycleRules"]


@pytest.mark.parametrize(("environment", "days"), [("dev", 7), ("staging", 30), ("prod", 90)])
def test_soft_delete_retention(environment: str, days: int) -> None:
    for inputs in _by_purpose(environment).values():
        assert inputs["softDeletePolicy"] == {"retentionDurationSeconds": days * DAY}


def test_every_bucket_but_the_log_bucket_logs_usage_to_it(stack: str) -> None:
    log_bucket = bucket_name(config_for(stack), "access-logs")
    for purpose, inputs in _by_purpose(stack).items():
        if purpose == "access-logs":
            assert "logging" not in inputs
        else:
            assert inputs["logging"] == {"logBucket": log_bucket, "logObjectPrefix": inputs["name"]}


def test_usage_log_writer_may_only_create_objects_in_the_log_bucket() -> None:
    writer = only(list(built_storage("prod")), "gcp:storage/bucketIAMMember:BucketIAMMember")
    assert writer.inputs == {
        "bucket": "nwh-analytics-prd-access-logs",
        "role": "roles/storage.objectCreator",
        "member": "group:cloud-storage-analytics@google.com",
    }


@pytest.mark.parametrize(
    ("environment", "days", "locked"), [("dev", 7, False), ("staging", 365, False), ("prod", 2555, True)]
)
def test_reports_retention_follows_config_and_is_locked_in_prod_only(environment: str, days: int, locked: bool) -> None:
    assert bucket("reports", environment)["retentionPolicy"] == {"retentionPeriod": str(days * DAY), "isLocked": locked}


@pytest.mark.parametrize(
    ("environment", "days", "locked"), [("dev", 30, False), ("staging", 365, False), ("prod", 2190, True)]
)
def test_access_logs_are_retained_for_the_log_retention(environment: str, days: int, locked: bool) -> None:
    log = bucket("access-logs", environment)
    assert log["retentionPolicy"] == {"retentionPeriod": str(days * DAY), "isLocked": locked}
    assert rule({"type": "Delete"}, age=days, withState="LIVE") in log["lifecycleRules"]


def test_raw_landing_files_move_to_nearline_after_30_days() -> None:
    assert bucket("phi-raw")["lifecycleRules"][0] == rule(
        {"type": "SetStorageClass", "storageClass": "NEARLINE"}, age=30, withState="LIVE"
    )


def test_curated_phi_is_never_moved_or_deleted_by_age() -> None:
    # Its only rule expires replaced versions; any other would move or delete the PHI every job reads.
    assert bucket("curated")["lifecycleRules"] == [
        rule({"type": "Delete"}, daysSinceNoncurrentTime=90, withState="ARCHIVED")
    ]


def test_backups_move_to_colder_storage_and_are_never_deleted_by_age() -> None:
    rules = bucket("backups")["lifecycleRules"]
    moves = [(r["condition"]["age"], r["action"]["storageClass"]) for r in rules if r["action"]["type"] != "Delete"]
    assert moves == [(30, "NEARLINE"), (90, "COLDLINE"), (365, "ARCHIVE")]
    assert all("age" not in r["condition"] for r in rules if r["action"]["type"] == "Delete")


@pytest.mark.parametrize(("environment", "days"), [("dev", 30), ("staging", 90), ("prod", 365)])
def test_old_artifacts_expire(environment: str, days: int) -> None:
    assert rule({"type": "Delete"}, age=days, withState="LIVE") in bucket("artifacts", environment)["lifecycleRules"]


def test_reports_move_to_coldline_and_expire_after_retention_in_prod() -> None:
    assert bucket("reports")["lifecycleRules"] == [
        rule({"type": "SetStorageClass", "storageClass": "COLDLINE"}, age=90, withState="LIVE"),
        rule({"type": "Delete"}, age=2555, withState="LIVE"),
    ]
    assert bucket("reports", "dev")["lifecycleRules"] == [rule({"type": "Delete"}, age=7, withState="LIVE")]


def test_force_destroy_only_outside_prod() -> None:
    assert {b["forceDestroy"] for b in _by_purpose("prod").values()} == {False}
    assert {b["forceDestroy"] for b in _by_purpose("staging").values()} == {True}
    assert {b["forceDestroy"] for b in _by_purpose("dev").values()} == {True}


def test_buckets_are_protected_in_prod_and_destroyable_in_dev() -> None:
    prod = protected_names(lambda: build_storage("prod"))
    dev = protected_names(lambda: build_storage("dev"))
    names = [f"storage-{purpose}" for purpose in PURPOSES]
    assert all(prod[name] for name in names)
    assert not any(dev[name] for name in names)


def test_labels_come_from_config_plus_the_purpose(stack: str) -> None:
    for purpose, inputs in _by_purpose(stack).items():
        assert inputs["labels"] == {**config_for(stack).labels, "bucket-purpose": purpose}


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_component_exposes_buckets_by_purpose(mocked: None) -> pulumi.Output[None]:
    """Pulumi's own style: build the component under mocks and assert inside Output.apply."""
    storage = build_storage("prod")
    assert set(storage.bucket_names) == set(PURPOSES)

    def check(names: list[str]) -> None:
        assert names == ["nwh-analytics-prd-reports", "nwh-analytics-prd-artifacts"]

    return pulumi.Output.all(storage.bucket_names["reports"], storage.bucket_names["artifacts"]).apply(check)
