"""KMS rules: each with a compliant and a violating resource."""

from __future__ import annotations

from typing import Any

from infra.rules import Context, Resource, evaluate
from infra.rules.kms import RULES

KEY = "gcp:kms/cryptoKey:CryptoKey"
BINDING = "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"


def key(protect: bool = True, **inputs: Any) -> Resource:
    base = {
        "purpose": "ENCRYPT_DECRYPT",
        "rotationPeriod": "7776000s",
        "versionTemplate": {"protectionLevel": "HSM"},
    }
    return Resource(KEY, "k", "urn:pulumi:prod::hipaa::" + KEY + "::k", {**base, **inputs}, protect)


def ids(resources: list[Resource], environment: str = "prod") -> set[str]:
    return {f.rule_id for f in evaluate(resources, environment, RULES)}


def test_compliant_key_passes() -> None:
    assert ids([key()]) == set()


def test_rotation_over_90_days_fails() -> None:
    assert ids([key(rotationPeriod="7776001s")]) == {"KMS-01"}


def test_missing_rotation_fails() -> None:
    assert ids([key(rotationPeriod=None)]) == {"KMS-01"}


def test_asymmetric_key_needs_no_rotation() -> None:
    assert ids([key(purpose="ASYMMETRIC_SIGN", rotationPeriod=None)]) == set()


def test_software_key_fails_in_prod_only() -> None:
    software = key(versionTemplate={"protectionLevel": "SOFTWARE"})
    assert ids([software]) == {"KMS-02"}
    assert ids([software], "dev") == set()


def test_unprotected_key_fails_in_prod() -> None:
    assert ids([key(protect=False)]) == {"KMS-03"}


def test_public_and_human_key_users_fail() -> None:
    binding = Resource(
        BINDING,
        "b",
        "urn:b",
        {"role": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "members": ["allUsers", "user:alice@example.com"]},
    )
    assert ids([binding]) == {"KMS-04", "KMS-05"}
    agent = Resource(
        BINDING,
        "b",
        "urn:b",
        {
            "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            "members": ["serviceAccount:service-1@gs-project-accounts.iam.gserviceaccount.com"],
        },
    )
    assert ids([agent]) == set()


def test_context_lists_resources_by_type() -> None:
    context = Context("prod", (key(),))
    assert len(context.of_type(KEY)) == 1
