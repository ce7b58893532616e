"""ApiEdge's private CA: what the pool may issue, what the root may sign, and how hard it is to delete."""

from __future__ import annotations

import pytest

from infra.rules import dig
from tests.infra.network.builders import built_api_edge
from tests.infra.recording import only

CA_POOL = "gcp:certificateauthority/caPool:CaPool"
AUTHORITY = "gcp:certificateauthority/authority:Authority"
SERVICE_IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity"


def inputs(type_token: str, environment: str = "prod") -> dict[str, object]:
    return dict(only(list(built_api_edge(environment)), type_token).inputs)


def test_the_pool_issues_nothing_valid_for_more_than_90_days() -> None:
    assert dig(inputs(CA_POOL), "issuancePolicy.maximumLifetime") == "7776000s"  # 90 * 86400


def test_pool_certificates_may_sign_and_encipher_keys_only() -> None:
    assert dig(inputs(CA_POOL), "issuancePolicy.baselineValues.keyUsage.baseKeyUsage") == {
        "digitalSignature": True,
        "keyEncipherment": True,
    }


def test_the_root_key_is_ec_p256_held_by_ca_service() -> None:
    assert inputs(AUTHORITY)["keySpec"] == {"algorithm": "EC_P256_SHA256"}


def test_the_root_signs_leaf_certificates_only_never_another_ca() -> None:
    assert dig(inputs(AUTHORITY), "config.x509Config.caOptions") == {"isCa": True, "maxIssuerPathLength": 0}


def test_the_root_key_signs_certificates_and_revocation_lists_only() -> None:
    assert dig(inputs(AUTHORITY), "config.x509Config.keyUsage.baseKeyUsage") == {"certSign": True, "crlSign": True}


@pytest.mark.parametrize(("environment", "relaxed"), [("dev", True), ("staging", True), ("prod", False)])
def test_only_non_prod_roots_skip_the_grace_period_or_go_with_active_certificates(
    environment: str, relaxed: bool
) -> None:
    authority = inputs(AUTHORITY, environment)
    assert (authority["skipGracePeriod"], authority["ignoreActiveCertificatesOnDeletion"]) == (relaxed, relaxed)


def test_the_requester_grant_goes_to_certificate_managers_agent(stack: str) -> None:
    # The grant's member is this identity's: no other service's agent may request certificates.
    assert inputs(SERVICE_IDENTITY, stack)["service"] == "certificatemanager.googleapis.com"
