"""Delivery: each test states one property of the pool, identities, build logs or trigger."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import pulumi
import pytest

from infra.delivery.delivery import Delivery
from infra.delivery.identities import BUILD_ROLES, DEPLOYER_ROLES
from infra.naming import deployer_account_email
from infra.plan.mocks import project_number
from infra.rules import Resource
from tests.infra.delivery.builders import HASH, KEYS, built_delivery, delivery_args, substitutions
from tests.infra.recording import config_for, of_type, only

POOL = "gcp:cloudbuild/workerPool:WorkerPool"
TRIGGER = "gcp:cloudbuild/trigger:Trigger"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"


def inputs(type_token: str, environment: str = "prod") -> dict[str, Any]:
    return dict(only(list(built_delivery(environment)), type_token).inputs)


def trigger(environment: str = "prod") -> dict[str, Any]:
    return inputs(TRIGGER, environment)


def grants(environment: str = "prod") -> list[Resource]:
    return of_type(list(built_delivery(environment)), PROJECT_MEMBER)


BUILD_MEMBER = "serviceAccount:hipaa-prod-cloudbuild@nwh-analytics-prd.iam.gserviceaccount.com"
DEPLOYER_MEMBER = "serviceAccount:hipaa-prod-deployer@nwh-analytics-prd.iam.gserviceaccount.com"


def test_pool_workers_have_no_public_ip(stack: str) -> None:
    assert inputs(POOL, stack)["workerConfig"] == {
        "machineType": "e2-standard-8",
        "diskSizeGb": 200,
        "noExternalIp": True,
        "enableNestedVirtualization": False,
    }


def test_pool_is_peered_to_the_private_vpc_on_the_build_range(stack: str) -> None:
    config = config_for(stack)
    number = project_number(config.project_id)
    assert inputs(POOL, stack)["networkConfig"] == {
        "peeredNetwork": f"projects/{number}/global/networks/hipaa-{stack}-vpc",
        "peeredNetworkIpRange": config.ranges.build_pool,
    }
    assert inputs(POOL, stack)["name"] == f"hipaa-{stack}-build-pool"


@pytest.mark.parametrize(
    ("environment", "push"),
    [
        ("dev", {"branch": "^main$", "invertRegex": False}),
        ("staging", {"tag": r"^v[0-9]+\.[0-9]+\.[0-9]+-rc\.[0-9]+$", "invertRegex": False}),
        ("prod", {"tag": r"^v[0-9]+\.[0-9]+\.[0-9]+$", "invertRegex": False}),
    ],
)
def test_each_environment_builds_its_own_ref(environment: str, push: dict[str, object]) -> None:
    assert trigger(environment)["github"] == {
        "owner": "northwind-health",
        "name": "hipaa-analytics-platform",
        "push": push,
    }


def test_prod_alone_requires_approval() -> None:
    assert trigger("prod")["approvalConfig"] == {"approvalRequired": True}
    assert trigger("staging")["approvalConfig"] == {"approvalRequired": False}
    assert trigger("dev")["approvalConfig"] == {"approvalRequired": False}


def test_trigger_runs_the_generated_pipeline_as_the_build_account() -> None:
    inputs_ = trigger()
    assert inputs_["filename"] == "cloudbuild.yaml"
    assert inputs_["serviceAccount"] == (
        "projects/nwh-analytics-prd/serviceAccounts/hipaa-prod-cloudbuild@nwh-analytics-prd.iam.gserviceaccount.com"
    )
    assert inputs_["location"] == "us-central1"


def test_trigger_passes_every_substitution(stack: str) -> None:
    assert trigger(stack)["substitutions"] == substitutions(stack)


def test_content_hash_makes_drift_visible() -> None:
    inputs_ = trigger()
    assert inputs_["description"].endswith(f"cloudbuild.yaml sha256 {HASH}")
    assert f"pipeline-{HASH[:16]}" in inputs_["tags"]


def test_build_logs_never_go_to_github() -> None:
    assert trigger()["includeBuildLogs"] == "INCLUDE_BUILD_LOGS_UNSPECIFIED"


def test_build_logs_live_in_a_cmek_log_bucket_with_the_environments_retention(stack: str) -> None:
    bucket = inputs("gcp:logging/projectBucketConfig:ProjectBucketConfig", stack)
    assert bucket["cmekSettings"] == {"kmsKeyName": f"{KEYS}/logging-cmek"}
    assert bucket["retentionDays"] == config_for(stack).log_retention_days
    assert bucket["bucketId"] == f"hipaa-{stack}-build-logs"


def test_build_logs_are_routed_to_that_bucket_and_kept_out_of_default() -> None:
    sink = inputs("gcp:logging/projectSink:ProjectSink")
    assert sink["destination"] == (
        "logging.googleapis.com/projects/nwh-analytics-prd/locations/us-central1/buckets/hipaa-prod-build-logs"
    )
    assert sink["filter"] == 'resource.type="build"'
    exclusion = inputs("gcp:logging/projectExclusion:ProjectExclusion")
    assert exclusion["filter"] == 'resource.type="build"' and exclusion["disabled"] is False


def test_build_account_holds_exactly_the_listed_roles() -> None:
    build = sorted(g.inputs["role"] for g in grants() if g.inputs["member"] == BUILD_MEMBER)
    assert build == sorted([*BUILD_ROLES, "roles/logging.viewer"])  # the second viewer is in the SIEM project
    project = [g for g in grants() if g.inputs["member"] == BUILD_MEMBER and g.inputs["project"] == "nwh-analytics-prd"]
    # pool-guard and require_prod_approval describe the build; every build runs on the private pool.
    assert {"roles/cloudbuild.builds.viewer", "roles/cloudbuild.workerPoolUser"} <= {g.inputs["role"] for g in project}
    siem = [g for g in grants() if g.inputs["project"] == "nwh-siem-prd"]
    assert [(g.inputs["role"], g.inputs["member"]) for g in siem] == [("roles/logging.viewer", BUILD_MEMBER)]


def test_no_primitive_role_and_no_iam_admin_for_the_build_account() -> None:
    roles = set(BUILD_ROLES)
    assert not roles & {"roles/owner", "roles/editor", "roles/viewer"}
    assert not any(
        r.startswith(("roles/iam.", "roles/resourcemanager.", "roles/cloudkms.admin"))
        for r in roles - {"roles/iam.securityReviewer"}
    )


def test_deployer_holds_the_admin_roles_and_nothing_primitive() -> None:
    deployer = sorted(g.inputs["role"] for g in grants() if g.inputs["member"] == DEPLOYER_MEMBER)
    assert deployer == sorted(DEPLOYER_ROLES)
    assert not set(DEPLOYER_ROLES) & {"roles/owner", "roles/editor"}


def test_only_the_build_account_may_impersonate_the_deployer() -> None:
    members = of_type(list(built_delivery("prod")), "gcp:serviceaccount/iAMMember:IAMMember")
    token = [m for m in members if m.inputs["role"] == "roles/iam.serviceAccountTokenCreator"]
    assert len(token) == 1 and token[0].inputs["member"] == BUILD_MEMBER
    # On the deployer account alone: scripts/deploy-infra.sh impersonates exactly this account.
    deployer = deployer_account_email(config_for("prod"))
    assert token[0].inputs["serviceAccountId"] == f"projects/nwh-analytics-prd/serviceAccounts/{deployer}"
    assert not [g for g in grants() if g.inputs["role"] == "roles/iam.serviceAccountTokenCreator"]


def test_signing_key_grants_are_on_the_key_only() -> None:
    key_grants = of_type(list(built_delivery("prod")), "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    assert sorted((g.inputs["role"], g.inputs["cryptoKeyId"]) for g in key_grants) == [
        ("roles/cloudkms.publicKeyViewer", f"{KEYS}/image-signing"),
        ("roles/cloudkms.signerVerifier", f"{KEYS}/image-signing"),
    ]


def test_bucket_grants_are_on_the_named_buckets_only() -> None:
    buckets = of_type(list(built_delivery("prod")), "gcp:storage/bucketIAMMember:BucketIAMMember")
    assert sorted(b.inputs["bucket"] for b in buckets) == ["nwh-analytics-prd-artifacts", "nwh-analytics-prd-reports"]
    assert {b.inputs["role"] for b in buckets} == {"roles/storage.objectAdmin"}


def test_approver_group_is_granted_in_prod_only() -> None:
    approvers = [g for g in grants("prod") if g.inputs["role"] == "roles/cloudbuild.builds.approver"]
    assert [g.inputs["member"] for g in approvers] == ["group:release-approvers@northwind-health.example"]
    assert not [g for g in grants("dev") if g.inputs["role"] == "roles/cloudbuild.builds.approver"]


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_build_member_output_names_the_build_account(mocked: None) -> pulumi.Output[None]:
    """Pulumi's own style: build under mocks, assert inside Output.apply."""
    connection = pulumi.CustomResource("test:index:Connection", "psa-unit", {})
    delivery = Delivery("unit", dataclasses.replace(delivery_args("prod", connection), writable_buckets=(), act_as=()))

    def check(values: list[str]) -> None:
        member, email, deployer = values
        assert member == BUILD_MEMBER
        assert email == BUILD_MEMBER.removeprefix("serviceAccount:")
        assert deployer == DEPLOYER_MEMBER

    return pulumi.Output.all(
        delivery.build_account_member, delivery.build_account_email, delivery.deployer_account_member
    ).apply(check)


@pytest.mark.parametrize("digest", ["", "ab" * 31, "AB" * 32, "zz" * 32])
def test_args_refuse_a_pipeline_hash_that_is_not_a_sha256_hex_digest(digest: str) -> None:
    connection = cast(pulumi.Resource, object())  # never used: the args refuse the hash first
    with pytest.raises(ValueError, match="is not a sha256 hex digest"):
        dataclasses.replace(delivery_args("prod", connection), pipeline_hash=digest)
