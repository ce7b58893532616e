"""Registry: repositories and the Binary Authorization gate, one property per test."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from infra.delivery.registry import KEEP_RECENT_VERSIONS
from infra.plan.mockrun import record as record_with
from infra.plan.mocks import KEY_VERSION_CALL
from tests.infra.delivery.builders import KEYS, SIGNING_KEY, build_registry, built_registry
from tests.infra.recording import TEST_PEM, RecordingMocks, config_for, of_type, only, record

REPO = "gcp:artifactregistry/repository:Repository"
ATTESTOR = "gcp:binaryauthorization/attestor:Attestor"
POLICY = "gcp:binaryauthorization/policy:Policy"
NOTE = "gcp:containeranalysis/note:Note"


def repos() -> dict[str, dict[str, object]]:
    return {r.inputs["repositoryId"]: dict(r.inputs) for r in of_type(list(built_registry()), REPO)}


def test_every_repository_uses_the_artifacts_key() -> None:
    assert {r["kmsKeyName"] for r in repos().values()} == {f"{KEYS}/artifacts-cmek"}
    assert set(repos()) == {
        "hipaa-prod-images",
        "hipaa-prod-dockerhub-mirror",
        "hipaa-prod-ghcr-mirror",
        "hipaa-prod-gcr-mirror",
        "hipaa-prod-pypi-mirror",
    }


def test_image_repository_has_immutable_tags_and_enforced_cleanup() -> None:
    images = repos()["hipaa-prod-images"]
    assert (images["format"], images["mode"]) == ("DOCKER", "STANDARD_REPOSITORY")
    assert images["dockerConfig"] == {"immutableTags": True}
    assert images["cleanupPolicyDryRun"] is False
    assert images["cleanupPolicies"] == [
        {"id": "keep-recent", "action": "KEEP", "mostRecentVersions": {"keepCount": KEEP_RECENT_VERSIONS}},
        {
            "id": "delete-old-untagged",
            "action": "DELETE",
            "condition": {"tagState": "UNTAGGED", "olderThan": "2592000s"},
        },
    ]


def test_every_repository_is_labelled_and_cleaned_up_for_real() -> None:
    # The upstream caches too: their contents are bounded like our own images.
    for repo_id, repo in repos().items():
        assert repo["labels"] == config_for("prod").labels, repo_id
        assert repo["cleanupPolicyDryRun"] is False, repo_id
        assert [p["id"] for p in repo["cleanupPolicies"]] == ["keep-recent", "delete-old-untagged"], repo_id  # type: ignore[attr-defined]


def test_the_api_images_distroless_base_has_a_gcr_mirror() -> None:
    gcr = repos()["hipaa-prod-gcr-mirror"]
    assert (gcr["format"], gcr["mode"]) == ("DOCKER", "REMOTE_REPOSITORY")
    assert gcr["remoteRepositoryConfig"] == {"dockerRepository": {"customRepository": {"uri": "https://gcr.io"}}}


def test_remote_mirrors_proxy_docker_hub_ghcr_and_pypi() -> None:
    all_repos = repos()
    assert all_repos["hipaa-prod-dockerhub-mirror"]["remoteRepositoryConfig"] == {
        "dockerRepository": {"publicRepository": "DOCKER_HUB"}
    }
    assert all_repos["hipaa-prod-ghcr-mirror"]["remoteRepositoryConfig"] == {
        "dockerRepository": {"customRepository": {"uri": "https://ghcr.io"}}
    }
    pypi = all_repos["hipaa-prod-pypi-mirror"]
    assert (pypi["format"], pypi["mode"]) == ("PYTHON", "REMOTE_REPOSITORY")
    assert pypi["remoteRepositoryConfig"] == {"pythonRepository": {"publicRepository": "PYPI"}}


def test_remote_mirrors_may_reach_their_upstreams_through_the_perimeter(stack: str) -> None:
    config = config_for(stack)
    vpcsc = only(list(built_registry(stack)), "gcp:artifactregistry/vpcscConfig:VpcscConfig")
    assert dict(vpcsc.inputs) == {"project": config.project_id, "location": config.region, "vpcscPolicy": "ALLOW"}
    remote = [r for r in of_type(list(built_registry(stack)), REPO) if r.inputs["mode"] == "REMOTE_REPOSITORY"]
    assert {r.inputs["location"] for r in remote} == {vpcsc.inputs["location"]}


def test_attestor_uses_the_kms_signing_key_version() -> None:
    attestor = only(list(built_registry()), ATTESTOR).inputs
    note = attestor["attestationAuthorityNote"]
    assert note["noteReference"] == "hipaa-prod-image-signed"
    assert note["publicKeys"] == [
        {
            "id": f"//cloudkms.googleapis.com/v1/{SIGNING_KEY}/cryptoKeyVersions/1",
            "pkixPublicKey": {"publicKeyPem": TEST_PEM, "signatureAlgorithm": "ECDSA_P256_SHA256"},
        }
    ]


def test_policy_requires_attestation_and_blocks_with_audit_log() -> None:
    policy = only(list(built_registry()), POLICY).inputs
    assert policy["globalPolicyEvaluationMode"] == "ENABLE"
    assert policy["defaultAdmissionRule"] == {
        "evaluationMode": "REQUIRE_ATTESTATION",
        "enforcementMode": "ENFORCED_BLOCK_AND_AUDIT_LOG",
        "requireAttestationsBies": ["hipaa-prod-pipeline"],
    }
    assert "admissionWhitelistPatterns" not in policy


def test_a_signing_key_without_public_key_fails_the_plan() -> None:
    with pytest.raises(Exception, match="no public key"):
        record(lambda: build_registry("dev"), pem=None)


class KeyVersionReads(RecordingMocks):
    """The plan's mocks, noting every Cloud KMS key version the program reads."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[dict[str, object]] = []

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == KEY_VERSION_CALL:
            self.reads.append(dict(args.args))
        return super().call(args)


def test_attestor_key_is_read_from_the_signing_keys_first_version() -> None:
    # The attestor admits what this public key verifies: it must be the signing key's, version 1.
    mocks = KeyVersionReads()
    record_with(lambda: build_registry("prod"), mocks)
    assert mocks.reads == [{"cryptoKey": SIGNING_KEY, "version": 1}]


def test_binary_authorization_is_set_on_the_environment_project(stack: str) -> None:
    resources = list(built_registry(stack))
    for type_token in (NOTE, ATTESTOR, POLICY):
        assert only(resources, type_token).inputs["project"] == config_for(stack).project_id, type_token
