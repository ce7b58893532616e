"""Artifact Registry (images and upstream mirrors) and the Binary Authorization gate on deployments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import (
    attestor_name,
    child_opts,
    data_opts,
    docker_mirror_repository,
    docker_repository,
    python_mirror_repository,
)
from infra.placement import Placement

KEEP_RECENT_VERSIONS = 20
UNTAGGED_MAX_AGE = f"{30 * 86400}s"
SIGNING_KEY_VERSION = 1
# The algorithm of kms.signing_key (EC_SIGN_P256_SHA256) as Binary Authorization names it.
SIGNATURE_ALGORITHM = "ECDSA_P256_SHA256"
# Upstreams mirrored inside the perimeter: the pipeline's tool images (Docker Hub, GHCR) and the API
# image's bases (python on Docker Hub, distroless on gcr.io); the no-egress pool pulls only from these.
DOCKER_UPSTREAMS = {"dockerhub": None, "ghcr": "https://ghcr.io", "gcr": "https://gcr.io"}


def first_pem(keys: Sequence[gcp.kms.outputs.GetKMSCryptoKeyVersionPublicKeyResult] | None) -> str:
    """The key version's PEM; an attestor without a key would admit nothing, so fail loudly."""
    if not keys or not keys[0].pem:
        raise ValueError("signing key version returned no public key")
    return str(keys[0].pem)


def signing_public_key(signing_key_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """The PEM of the Cosign/Binary Authorization signing key's first version, read from Cloud KMS."""
    version = gcp.kms.get_kms_crypto_key_version_output(crypto_key=signing_key_id, version=SIGNING_KEY_VERSION)
    pem: pulumi.Output[str] = version.public_keys.apply(first_pem)
    return pem


def cleanup_policies() -> list[gcp.artifactregistry.RepositoryCleanupPolicyArgs]:
    return [
        gcp.artifactregistry.RepositoryCleanupPolicyArgs(
            id="keep-recent",
            action="KEEP",
            most_recent_versions=gcp.artifactregistry.RepositoryCleanupPolicyMostRecentVersionsArgs(
                keep_count=KEEP_RECENT_VERSIONS
            ),
        ),
        gcp.artifactregistry.RepositoryCleanupPolicyArgs(
            id="delete-old-untagged",
            action="DELETE",
            condition=gcp.artifactregistry.RepositoryCleanupPolicyConditionArgs(
                tag_state="UNTAGGED", older_than=UNTAGGED_MAX_AGE
            ),
        ),
    ]


def _docker_upstream(upstream: str | None) -> gcp.artifactregistry.RepositoryRemoteRepositoryConfigDockerRepositoryArgs:
    if upstream is None:
        return gcp.artifactregistry.RepositoryRemoteRepositoryConfigDockerRepositoryArgs(public_repository="DOCKER_HUB")
    return gcp.artifactregistry.RepositoryRemoteRepositoryConfigDockerRepositoryArgs(
        custom_repository=gcp.artifactregistry.RepositoryRemoteRepositoryConfigDockerRepositoryCustomRepositoryArgs(
            uri=upstream
        )
    )


@dataclass(frozen=True)
class RegistryArgs:
    placement: Placement
    """Environment (names, protection), workload project and region (every repository's location), labels."""
    artifacts_key_id: pulumi.Input[str]
    """CMEK key of every repository; pass one that resolves once Artifact Registry's agent holds it."""
    signing_key_id: pulumi.Input[str]
    """The Cloud KMS image-signing key whose first version the attestor trusts."""
    public_key_pem: pulumi.Input[str]
    """PEM of that key version's public key (`signing_public_key(signing_key_id)` reads it from Cloud KMS)."""


class Registry(pulumi.ComponentResource):
    """Artifact Registry (signed images and upstream mirrors) and the Binary Authorization gate on deployments."""

    TYPE_TOKEN = "hipaa:delivery:Registry"

    images_repository_id: pulumi.Output[str]
    """The immutable-tag Docker repository the pipeline pushes signed images to."""
    mirror_repository_ids: list[pulumi.Output[str]]
    """The pull-through caches (Docker Hub, GHCR, gcr.io, PyPI) the no-egress build pool pulls from."""
    attestor_name: pulumi.Output[str]
    """The Binary Authorization attestor whose attestation every deployed image needs."""
    policy_id: pulumi.Output[str]
    """The project's Binary Authorization policy (require attestation, block and audit-log)."""

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        common = {"project": placement.project_id, "location": placement.region, "kms_key_name": args.artifacts_key_id}
        images = gcp.artifactregistry.Repository(
            f"{name}-images",
            repository_id=docker_repository(placement),
            format="DOCKER",
            mode="STANDARD_REPOSITORY",
            description="Signed application images",
            docker_config=gcp.artifactregistry.RepositoryDockerConfigArgs(immutable_tags=True),
            cleanup_policies=cleanup_policies(),
            cleanup_policy_dry_run=False,
            labels=placement.labels,
            opts=data_opts(placement, self),
            **common,
        )
        # Inside a VPC-SC perimeter a remote repository reaches its upstream only when the project's
        # Artifact Registry VPC-SC policy for that location says ALLOW (the default DENY blocks every
        # pull); the mirrors fetch public packages only, and what the pool pulls still comes from them.
        vpcsc = gcp.artifactregistry.VpcscConfig(
            f"{name}-vpcsc-config",
            project=placement.project_id,
            location=placement.region,
            vpcsc_policy="ALLOW",
            opts=child_opts(self),
        )
        mirrors = [
            gcp.artifactregistry.Repository(
                f"{name}-{upstream}-mirror",
                repository_id=docker_mirror_repository(placement, upstream),
                format="DOCKER",
                mode="REMOTE_REPOSITORY",
                description=f"Pull-through cache of {upstream} images for the no-egress build pool",
                remote_repository_config=gcp.artifactregistry.RepositoryRemoteRepositoryConfigArgs(
                    docker_repository=_docker_upstream(uri)
                ),
                # A cache is bounded like our own images; a deleted copy is fetched again on the next pull.
                cleanup_policies=cleanup_policies(),
                cleanup_policy_dry_run=False,
                labels=placement.labels,
                opts=child_opts(self, depends_on=[vpcsc]),
                **common,
            )
            for upstream, uri in DOCKER_UPSTREAMS.items()
        ]
        pypi = gcp.artifactregistry.Repository(
            f"{name}-pypi-mirror",
            repository_id=python_mirror_repository(placement),
            format="PYTHON",
            mode="REMOTE_REPOSITORY",
            description="Pull-through cache of PyPI for the no-egress build pool",
            remote_repository_config=gcp.artifactregistry.RepositoryRemoteRepositoryConfigArgs(
                python_repository=gcp.artifactregistry.RepositoryRemoteRepositoryConfigPythonRepositoryArgs(
                    public_repository="PYPI"
                )
            ),
            cleanup_policies=cleanup_policies(),
            cleanup_policy_dry_run=False,
            labels=placement.labels,
            opts=child_opts(self, depends_on=[vpcsc]),
            **common,
        )
        note = gcp.containeranalysis.Note(
            f"{name}-attestation-note",
            name=f"hipaa-{placement.environment}-image-signed",
            project=placement.project_id,
            attestation_authority=gcp.containeranalysis.NoteAttestationAuthorityArgs(
                hint=gcp.containeranalysis.NoteAttestationAuthorityHintArgs(
                    human_readable_name="Image signed by the HIPAA pipeline (Cosign, Cloud KMS)"
                )
            ),
            opts=child_opts(self),
        )
        attestor = gcp.binaryauthorization.Attestor(
            f"{name}-attestor",
            name=attestor_name(placement),
            project=placement.project_id,
            attestation_authority_note=gcp.binaryauthorization.AttestorAttestationAuthorityNoteArgs(
                note_reference=note.name,
                public_keys=[
                    gcp.binaryauthorization.AttestorAttestationAuthorityNotePublicKeyArgs(
                        id=pulumi.Output.concat(
                            "//cloudkms.googleapis.com/v1/",
                            args.signing_key_id,
                            f"/cryptoKeyVersions/{SIGNING_KEY_VERSION}",
                        ),
                        pkix_public_key=gcp.binaryauthorization.AttestorAttestationAuthorityNotePublicKeyPkixPublicKeyArgs(
                            public_key_pem=args.public_key_pem, signature_algorithm=SIGNATURE_ALGORITHM
                        ),
                    )
                ],
            ),
            opts=child_opts(self),
        )
        policy = gcp.binaryauthorization.Policy(
            f"{name}-binauthz-policy",
            project=placement.project_id,
            description="Only images attested by the HIPAA pipeline may run",
            # Google-maintained system images stay admissible; everything else needs our attestation.
            global_policy_evaluation_mode="ENABLE",
            default_admission_rule=gcp.binaryauthorization.PolicyDefaultAdmissionRuleArgs(
                evaluation_mode="REQUIRE_ATTESTATION",
                enforcement_mode="ENFORCED_BLOCK_AND_AUDIT_LOG",
                require_attestations_bies=[attestor.name],
            ),
            opts=child_opts(self),
        )
        self.images_repository_id = images.id
        self.mirror_repository_ids = [mirror.id for mirror in [*mirrors, pypi]]
        self.attestor_name = attestor.name
        self.policy_id = policy.id
        register_declared(self)
