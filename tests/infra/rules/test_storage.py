"""Storage rules: the buckets pass every rule in every environment; each rule fails on a violating bucket."""

from __future__ import annotations

from typing import Any

import pytest

from infra.rules import Resource, evaluate
from infra.rules.storage import BUCKET, BUCKET_MEMBER, RULES
from tests.infra.compute.builders import built_dataproc
from tests.infra.data.builders import built_storage
from tests.infra.recording import changed


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def bucket(purpose: str, environment: str = "prod") -> Resource:
    return next(r for r in built_storage(environment) if r.type == BUCKET and r.name == f"storage-{purpose}")


def test_component_is_compliant_in_every_environment(stack: str) -> None:
    assert ids(list(built_storage(stack)), stack) == set()


def test_dataproc_buckets_from_the_shared_builder_are_compliant(stack: str) -> None:
    assert ids(list(built_dataproc(stack)), stack) == set()


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("encryption.defaultKmsKeyName", None, "GCS-01"),
        ("encryption.googleManagedEncryptionEnforcementConfig.restrictionMode", "NotRestricted", "GCS-01"),
        ("encryption.customerSuppliedEncryptionEnforcementConfig", None, "GCS-01"),
        ("publicAccessPrevention", "inherited", "GCS-02"),
        ("publicAccessPrevention", None, "GCS-02"),
        ("uniformBucketLevelAccess", False, "GCS-03"),
        ("versioning.enabled", False, "GCS-04"),
        ("logging", None, "GCS-05"),
        ("logging.logBucket", "some-other-bucket", "GCS-05"),
        ("forceDestroy", True, "GCS-07"),
        ("softDeletePolicy.retentionDurationSeconds", 0, "GCS-08"),
        ("softDeletePolicy", None, "GCS-08"),
    ],
)
def test_data_bucket_violation_is_caught(path: str, value: Any, rule: str) -> None:
    assert ids([changed(bucket("curated"), path, value)]) == {rule}


@pytest.mark.parametrize("purpose", ["reports", "access-logs"])
@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("retentionPolicy", None, "GCS-06"),
        ("retentionPolicy.retentionPeriod", "0", "GCS-06"),
        ("retentionPolicy.isLocked", False, "GCS-06"),
    ],
)
def test_evidence_bucket_must_be_retained_and_locked_in_prod(purpose: str, path: str, value: Any, rule: str) -> None:
    found = ids([changed(bucket(purpose), path, value)])
    # Without retention an unversioned evidence bucket also loses recoverability (GCS-04).
    assert rule in found and found <= {rule, "GCS-04"}


def test_unlocked_retention_is_allowed_outside_prod() -> None:
    assert ids([bucket("reports", "staging")], "staging") == set()
    assert ids([changed(bucket("reports", "staging"), "retentionPolicy", None)], "staging") >= {"GCS-06"}


def test_force_destroy_is_allowed_outside_prod() -> None:
    assert ids([bucket("curated", "dev")], "dev") == set()
    assert bucket("curated", "dev").inputs["forceDestroy"] is True


def test_access_log_bucket_need_not_log_to_itself() -> None:
    assert "logging" not in bucket("access-logs").inputs
    assert ids([bucket("access-logs")]) == set()


@pytest.mark.parametrize("member", ["allUsers", "allAuthenticatedUsers"])
def test_public_bucket_grant_is_caught(member: str) -> None:
    writer = next(r for r in built_storage("prod") if r.type == BUCKET_MEMBER)
    assert ids([changed(writer, "member", member)]) == {"GCS-09"}
