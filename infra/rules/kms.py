"""Rules for Cloud KMS keys: rotation, protection level, who may use them."""

from __future__ import annotations

from infra.rules import Context, Resource, Rule, dig

CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_BINDING = "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"
KEY_MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
MAX_ROTATION_SECONDS = 90 * 86400


def _seconds(duration: object) -> int | None:
    text = str(duration or "")
    if not text.endswith("s"):
        return None
    try:
        return int(float(text[:-1]))
    except ValueError:
        return None


def rotation_within_90_days(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("purpose", "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        return None  # asymmetric keys cannot rotate automatically; they are versioned by hand
    seconds = _seconds(resource.inputs.get("rotationPeriod"))
    if seconds is None:
        return "symmetric key has no rotationPeriod"
    if seconds > MAX_ROTATION_SECONDS:
        return f"rotationPeriod {seconds}s exceeds {MAX_ROTATION_SECONDS}s (90 days)"
    return None


def hsm_in_prod(resource: Resource, context: Context) -> str | None:
    level = dig(resource.inputs, "versionTemplate.protectionLevel")
    if context.is_prod and level != "HSM":
        return f"prod key protection level is {level or 'unset'}, not HSM"
    return None


def key_protected_in_prod(resource: Resource, context: Context) -> str | None:
    if context.is_prod and not resource.protect:
        return "prod key is not protected against deletion (protect=True)"
    return None


def no_public_key_users(resource: Resource, _: Context) -> str | None:
    members = resource.inputs.get("members") or [resource.inputs.get("member")]
    public = [m for m in members if m in ("allUsers", "allAuthenticatedUsers")]
    return f"key granted to {', '.join(public)}" if public else None


def key_users_are_service_agents(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("role") != "roles/cloudkms.cryptoKeyEncrypterDecrypter":
        return None
    members = resource.inputs.get("members") or [resource.inputs.get("member")]
    humans = [m for m in members if not str(m).startswith("serviceAccount:")]
    return f"encrypter/decrypter granted to non-service identities: {', '.join(map(str, humans))}" if humans else None


RULES = [
    Rule(
        "KMS-01",
        "45 CFR 164.312(a)(2)(iv)",
        "symmetric CMEK keys rotate at least every 90 days",
        (CRYPTO_KEY,),
        rotation_within_90_days,
    ),
    Rule("KMS-02", "45 CFR 164.312(a)(2)(iv)", "production keys are HSM-backed", (CRYPTO_KEY,), hsm_in_prod),
    Rule(
        "KMS-03",
        "45 CFR 164.308(a)(7)(ii)(A)",
        "production keys are protected from deletion",
        (CRYPTO_KEY,),
        key_protected_in_prod,
    ),
    Rule(
        "KMS-04",
        "45 CFR 164.312(a)(1)",
        "no key is granted to allUsers or allAuthenticatedUsers",
        (KEY_BINDING, KEY_MEMBER),
        no_public_key_users,
    ),
    Rule(
        "KMS-05",
        "45 CFR 164.308(a)(4)(ii)(B)",
        "only service identities may encrypt and decrypt with CMEK keys",
        (KEY_BINDING, KEY_MEMBER),
        key_users_are_service_agents,
    ),
]
