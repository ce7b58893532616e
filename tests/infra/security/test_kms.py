"""Kms: each test states one property of the keys and fails when it is removed."""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi
import pytest

from infra.plan.mocks import project_number
from infra.security.kms import KEY_USERS, AgentMismatchError, Kms, checked_logging_agent
from tests.conftest import find, one, planned
from tests.infra.recording import RecordingMocks, config_for
from tests.infra.security.builders import kms_args

KEY = "gcp:kms/cryptoKey:CryptoKey"
BINDING = "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"
REQUIRED_PURPOSES = {"storage", "bigquery", "compute", "gke", "logging", "pubsub", "artifacts", "vertex"}


def test_one_keyring_per_environment(stack: str) -> None:
    rings = find(planned(stack), "gcp:kms/keyRing:KeyRing")
    assert [r.inputs["name"] for r in rings] == [f"hipaa-{stack}-keyring"]
    assert rings[0].inputs["location"] == "us-central1"


def test_a_key_for_every_purpose(stack: str) -> None:
    names = {r.inputs["name"] for r in find(planned(stack), KEY)}
    assert {f"{p}-cmek" for p in REQUIRED_PURPOSES} <= names


@pytest.mark.parametrize(("stack_name", "seconds"), [("dev", 7776000), ("staging", 5184000), ("prod", 2592000)])
def test_rotation_period_follows_config_and_is_at_most_90_days(stack_name: str, seconds: int) -> None:
    for key in find(planned(stack_name), KEY):
        if key.inputs["purpose"] == "ENCRYPT_DECRYPT":
            assert key.inputs["rotationPeriod"] == f"{seconds}s"
            assert seconds <= 7776000


def test_prod_keys_are_hsm() -> None:
    levels = {k.inputs["versionTemplate"]["protectionLevel"] for k in find(planned("prod"), KEY)}
    assert levels == {"HSM"}


def test_dev_keys_are_software() -> None:
    levels = {k.inputs["versionTemplate"]["protectionLevel"] for k in find(planned("dev"), KEY)}
    assert levels == {"SOFTWARE"}


def test_prod_keys_are_protected_and_dev_keys_are_not() -> None:
    assert all(k.protect for k in find(planned("prod"), KEY))
    assert not any(k.protect for k in find(planned("dev"), KEY))


def test_a_destroyed_key_version_stays_recoverable_30_days_in_prod_1_day_in_dev() -> None:
    # A destroyed version makes its data unreadable: prod gives 30 days to notice and restore it.
    assert {k.inputs["destroyScheduledDuration"] for k in find(planned("prod"), KEY)} == {"2592000s"}
    assert {k.inputs["destroyScheduledDuration"] for k in find(planned("dev"), KEY)} == {"86400s"}


def test_symmetric_keys_encrypt_with_googles_symmetric_algorithm() -> None:
    keys = [k for k in find(planned("prod"), KEY) if k.name != "kms-image-signing"]
    # one CMEK key per service purpose, and the column keysets' key-encryption key (no service agent uses it)
    assert len(keys) == len(KEY_USERS) + 1
    assert {(k.inputs["purpose"], k.inputs["versionTemplate"]["algorithm"]) for k in keys} == {
        ("ENCRYPT_DECRYPT", "GOOGLE_SYMMETRIC_ENCRYPTION")
    }


def test_signing_key_is_asymmetric_ec() -> None:
    key = one(planned("prod"), KEY, "kms-image-signing")
    assert key.inputs["purpose"] == "ASYMMETRIC_SIGN"
    assert key.inputs["versionTemplate"]["algorithm"] == "EC_SIGN_P256_SHA256"


@pytest.mark.parametrize("purpose", sorted(KEY_USERS))
def test_each_key_is_granted_only_to_its_service_agents(purpose: str) -> None:
    binding = one(planned("prod"), BINDING, f"kms-{purpose}-users")
    assert binding.inputs["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    assert binding.inputs["cryptoKeyId"].endswith(f"/cryptoKeys/{purpose}-cmek")
    members = binding.inputs["members"]
    assert len(members) == len(KEY_USERS[purpose])
    assert all(m.startswith("serviceAccount:service-") or m.startswith("serviceAccount:bq-") for m in members)


def test_pubsub_key_is_granted_to_the_security_projects_agent() -> None:
    # The hipaa-deployments topic lives in the security project; its agent is the one to grant.
    binding = one(planned("prod"), BINDING, "kms-pubsub-users")
    security = project_number("nwh-security-prd")
    assert security != project_number("nwh-analytics-prd")
    assert binding.inputs["members"] == [f"serviceAccount:service-{security}@gcp-sa-pubsub.iam.gserviceaccount.com"]


def test_vertex_key_reaches_the_agents_that_encrypt_workbench_disks() -> None:
    # Workbench disks are Compute Engine disks managed by the Notebooks API: without these two
    # agents the CMEK instance cannot be created.
    binding = one(planned("prod"), BINDING, "kms-vertex-users")
    n = project_number("nwh-analytics-prd")
    assert sorted(binding.inputs["members"]) == sorted(
        f"serviceAccount:service-{n}@{domain}.iam.gserviceaccount.com"
        for domain in ("gcp-sa-aiplatform", "compute-system", "gcp-sa-notebooks")
    )


def test_logging_key_is_granted_to_the_logging_agent_of_each_project_holding_a_log_bucket(stack: str) -> None:
    # The audit log bucket lives in the SIEM project, the build-log bucket in this environment's: each
    # project's own Cloud Logging agent encrypts its bucket with the key (issue 16).
    config = config_for(stack)
    binding = one(planned(stack), BINDING, "kms-logging-users")
    siem, own = project_number(config.siem_project_id), project_number(config.project_id)
    assert siem not in (own, project_number(config.security_project_id))
    assert binding.inputs["members"] == [
        f"serviceAccount:service-{siem}@gcp-sa-logging.iam.gserviceaccount.com",
        f"serviceAccount:service-{own}@gcp-sa-logging.iam.gserviceaccount.com",
    ]


def test_each_key_has_exactly_one_authoritative_binding() -> None:
    keys = [b.inputs["cryptoKeyId"].rsplit("/", 1)[-1] for b in find(planned("prod"), BINDING)]
    assert sorted(keys) == sorted(f"{purpose}-cmek" for purpose in KEY_USERS)
    # A member grant of the binding's own role would fight the authoritative binding on every update.
    members = find(planned("prod"), "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    assert [m.name for m in members if m.inputs["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"] == []


class LegacyLoggingAgentMocks(RecordingMocks):
    """Google reporting an older-format logging agent for the SIEM project."""

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == "gcp:logging/getProjectCmekSettings:getProjectCmekSettings":
            return {"serviceAccountId": "cmek-p123@gcp-sa-logging.iam.gserviceaccount.com"}, []
        return super().call(args)


def test_a_logging_agent_google_does_not_report_is_never_granted(monkeypatch: pytest.MonkeyPatch) -> None:
    from infra.security.kms import Kms
    from tests.infra import recording

    monkeypatch.setattr(recording, "RecordingMocks", LegacyLoggingAgentMocks)
    with pytest.raises(AgentMismatchError, match="CMEK agent is cmek-p123@gcp-sa-logging"):
        recording.record(lambda: Kms("kms", kms_args("prod")))


def test_logging_agent_check_accepts_the_reported_agent() -> None:
    assert checked_logging_agent("42", "service-42@gcp-sa-logging.iam.gserviceaccount.com") == "42"
    with pytest.raises(AgentMismatchError, match=r"^SIEM project's Cloud Logging CMEK agent is unknown"):
        checked_logging_agent("42", "")
    with pytest.raises(AgentMismatchError, match=r"^this project's Cloud Logging CMEK agent is service-41@"):
        checked_logging_agent("42", "service-41@gcp-sa-logging.iam.gserviceaccount.com", "this project's")


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_component_exposes_key_ids_as_outputs(mocked: None) -> pulumi.Output[None]:
    """Pulumi's own style: build the component under mocks and assert inside Output.apply."""
    kms = Kms("unit", kms_args("prod"))
    assert set(kms.key_ids) == set(KEY_USERS)

    def check(values: list[object]) -> None:
        key_id, keyring_id, signing_key_id = values
        keyring = "projects/nwh-analytics-prd/locations/us-central1/keyRings/hipaa-prod-keyring"
        assert key_id == f"{keyring}/cryptoKeys/storage-cmek"
        assert keyring_id == keyring
        assert signing_key_id == f"{keyring}/cryptoKeys/image-signing"

    return pulumi.Output.all(kms.key_ids["storage"], kms.keyring_id, kms.signing_key_id).apply(check)


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_key_id_resolves_only_after_the_grant_so_cmek_resources_wait_for_it(mocked: None) -> pulumi.Output[None]:
    kms = Kms("unit", kms_args("prod"))
    key_id = kms.key_ids["logging"]

    def check(urns: list[str]) -> None:
        # The key and the binding that grants it to its agents, and nothing else.
        assert sorted(urn.rsplit("::", 1)[-1] for urn in urns) == ["unit-logging", "unit-logging-users"]

    dependencies: Any = key_id.resources()  # an awaitable; Output.from_input waits for it
    resources: pulumi.Output[set[pulumi.Resource]] = pulumi.Output.from_input(dependencies)
    urns: pulumi.Output[list[str]] = resources.apply(lambda found: pulumi.Output.all(*(r.urn for r in found)))
    return urns.apply(check)


@pytest.mark.parametrize(
    ("period", "problem"),
    [("7776001s", "exceeds 90 days"), ("90d", "not a duration in seconds"), ("0s", "not a duration in seconds")],
)
def test_args_refuse_a_rotation_period_beyond_90_days_or_not_in_seconds(period: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        dataclasses.replace(kms_args("prod"), rotation_period=period)
    assert dataclasses.replace(kms_args("prod"), rotation_period="7776000s").rotation_period == "7776000s"
