"""Rules for Artifact Registry and Binary Authorization: CMEK, immutable images, enforced attestation."""

from __future__ import annotations

from infra.rules import Context, Resource, Rule, dig

REPOSITORY = "gcp:artifactregistry/repository:Repository"
POLICY = "gcp:binaryauthorization/policy:Policy"
ATTESTOR = "gcp:binaryauthorization/attestor:Attestor"
VPCSC_CONFIG = "gcp:artifactregistry/vpcscConfig:VpcscConfig"
INTEGRITY = "45 CFR 164.312(c)(1)"


def repository_cmek(resource: Resource, _: Context) -> str | None:
    return None if resource.inputs.get("kmsKeyName") else "repository is not CMEK-encrypted"


def immutable_tags(resource: Resource, _: Context) -> str | None:
    if resource.inputs.get("format") != "DOCKER" or resource.inputs.get("mode") == "REMOTE_REPOSITORY":
        return None  # remote caches mirror upstream tags; immutability applies to our own images
    if dig(resource.inputs, "dockerConfig.immutableTags") is not True:
        return "Docker repository allows a tag to be moved to another image"
    return None


def cleanup_enforced(resource: Resource, _: Context) -> str | None:
    # Remote caches too: what they hold is as much an inventory to bound as our own images.
    if not resource.inputs.get("cleanupPolicies") or resource.inputs.get("cleanupPolicyDryRun") is not False:
        return "repository has no enforced cleanup policy"
    return None


def policy_enforced(resource: Resource, _: Context) -> str | None:
    rule = resource.inputs.get("defaultAdmissionRule") or {}
    if rule.get("evaluationMode") != "REQUIRE_ATTESTATION":
        return f"default admission rule is {rule.get('evaluationMode') or 'unset'}, not REQUIRE_ATTESTATION"
    if rule.get("enforcementMode") != "ENFORCED_BLOCK_AND_AUDIT_LOG":
        return f"default admission rule enforcement is {rule.get('enforcementMode') or 'unset'}"
    if not rule.get("requireAttestationsBies"):
        return "default admission rule names no attestor"
    patterns = [str(p.get("namePattern")) for p in resource.inputs.get("admissionWhitelistPatterns") or []]
    if any(p in ("*", "**") or (p.endswith("/**") and p.count("/") < 2) for p in patterns):
        return "admission allowlist exempts every image"
    return None


def attestor_has_kms_key(resource: Resource, _: Context) -> str | None:
    keys = dig(resource.inputs, "attestationAuthorityNote.publicKeys") or []
    kms_keys = [k for k in keys if str(k.get("id", "")).startswith("//cloudkms.googleapis.com/")]
    if not kms_keys or not all(dig(k, "pkixPublicKey.publicKeyPem") for k in kms_keys):
        return "attestor is not backed by a Cloud KMS signing key with a public key"
    return None


def remote_reaches_upstream(context: Context) -> list[str]:
    """A stack rule: the repository and the VpcscConfig are separate resources (the policy pack
    shows a resource rule nothing but the resource itself)."""
    allowed = {
        (c.inputs.get("project"), c.inputs.get("location"))
        for c in context.of_type(VPCSC_CONFIG)
        if c.inputs.get("vpcscPolicy") == "ALLOW"
    }
    return [
        f"{r.urn}: remote repository has no ALLOW VpcscConfig in {r.inputs.get('location')}: "
        "the perimeter blocks its upstream"
        for r in context.of_type(REPOSITORY)
        if r.inputs.get("mode") == "REMOTE_REPOSITORY"
        and (r.inputs.get("project"), r.inputs.get("location")) not in allowed
    ]


RULES = [
    Rule(
        "REG-01",
        "45 CFR 164.312(a)(2)(iv)",
        "Artifact Registry repositories are CMEK-encrypted",
        (REPOSITORY,),
        repository_cmek,
    ),
    Rule("REG-02", INTEGRITY, "image tags are immutable in our Docker repositories", (REPOSITORY,), immutable_tags),
    Rule(
        "REG-03",
        "45 CFR 164.308(a)(1)(ii)(B)",
        "cleanup policies are enforced, not dry run, on our repositories and the upstream caches",
        (REPOSITORY,),
        cleanup_enforced,
    ),
    Rule(
        "REG-04",
        INTEGRITY,
        "Binary Authorization requires attestation and blocks with an audit log",
        (POLICY,),
        policy_enforced,
    ),
    Rule(
        "REG-05", INTEGRITY, "the attestor verifies with the Cloud KMS signing key", (ATTESTOR,), attestor_has_kms_key
    ),
    Rule(
        "REG-06",
        "45 CFR 164.308(a)(1)(ii)(B)",
        "a remote repository has an ALLOW VPC-SC config in its location, so mirrors serve patched upstreams",
        stack_check=remote_reaches_upstream,
        scope=(REPOSITORY,),
    ),
]
