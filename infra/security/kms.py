"""Cloud KMS: one keyring per environment, one CMEK key per purpose, least-privilege grants."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.config import MAX_ROTATION_DAYS
from infra.interface import register_declared
from infra.naming import COLUMN_KEK_NAME, child_opts, cmek_key_name, data_opts, keyring_name
from infra.placement import Placement

ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
# The Cloud Logging service agent that encrypts a project's CMEK log buckets, a template over the number
# of the project holding the bucket. Google reports it as `kmsServiceAccountId` (logging settings).
LOGGING_AGENT = "service-{}@gcp-sa-logging.iam.gserviceaccount.com"
# `{l}`: the SIEM project (its audit log bucket); `{w}`: this environment's project (its build-log bucket).
LOGGING_CMEK_AGENT = LOGGING_AGENT.format("{l}")
WORKLOAD_LOGGING_CMEK_AGENT = LOGGING_AGENT.format("{w}")

# Service agents that encrypt with each key, as email templates over the project number.
# The agents are Google-managed identities; granting them (and only them) is what CMEK needs.
KEY_USERS: dict[str, tuple[str, ...]] = {
    "storage": ("service-{n}@gs-project-accounts.iam.gserviceaccount.com",),
    "bigquery": ("bq-{n}@bigquery-encryption.iam.gserviceaccount.com",),
    "compute": (
        "service-{n}@compute-system.iam.gserviceaccount.com",
        "service-{n}@dataproc-accounts.iam.gserviceaccount.com",
    ),
    "gke": ("service-{n}@container-engine-robot.iam.gserviceaccount.com",),
    # Log bucket CMEK is applied by the Cloud Logging agent of the project that holds the bucket: the
    # SIEM project's for the audit log bucket, this environment's for the build-log bucket (delivery).
    "logging": (LOGGING_CMEK_AGENT, WORKLOAD_LOGGING_CMEK_AGENT),
    "pubsub": ("service-{s}@gcp-sa-pubsub.iam.gserviceaccount.com",),
    "artifacts": ("service-{n}@gcp-sa-artifactregistry.iam.gserviceaccount.com",),
    # Workbench instances keep their boot and data disks under this key: Compute Engine encrypts
    # the disks and the Notebooks agent manages the instance, so both need the key, not only Vertex.
    "vertex": (
        "service-{n}@gcp-sa-aiplatform.iam.gserviceaccount.com",
        "service-{n}@compute-system.iam.gserviceaccount.com",
        "service-{n}@gcp-sa-notebooks.iam.gserviceaccount.com",
    ),
    "secrets": ("service-{n}@gcp-sa-secretmanager.iam.gserviceaccount.com",),
    # The API's private CA pool (certificates it issued, revocation lists) is encrypted by CA Service.
    "privateca": ("service-{n}@gcp-sa-privateca.iam.gserviceaccount.com",),
}
# Services whose agents must exist before they can be granted; created explicitly.
AGENT_SERVICES = (
    "pubsub.googleapis.com",
    "artifactregistry.googleapis.com",
    "aiplatform.googleapis.com",
    "notebooks.googleapis.com",
    "secretmanager.googleapis.com",
    "privateca.googleapis.com",
)


class AgentMismatchError(Exception):
    """Google reports a different CMEK agent than the one this program grants."""


def _members(users: tuple[str, ...], numbers: list[str]) -> list[str]:
    """Agent emails for a key: `{n}` environment project, `{s}` security project, `{l}` SIEM project's and
    `{w}` environment project's logging agent numbers (both checked against what Google reports)."""
    named = dict(zip("nslw", numbers, strict=False))
    return ["serviceAccount:" + user.format(**named) for user in users]


def checked_logging_agent(number: str, reported: str, whose: str = "SIEM project's") -> str:
    """A project's logging CMEK agent, refused unless Google reports that very identity.

    Projects whose agent predates the `service-<number>` format report another email; granting the
    templated one would leave the log bucket unable to encrypt, so the plan stops here instead.
    """
    expected = LOGGING_AGENT.format(number)
    if reported != expected:
        raise AgentMismatchError(
            f"{whose} Cloud Logging CMEK agent is {reported or 'unknown'}, expected {expected}; "
            "grant the reported agent on the logging key after review"
        )
    return number


_DURATION = re.compile(r"^[1-9][0-9]*s$")


@dataclass(frozen=True)
class KmsArgs:
    placement: Placement
    """Environment, workload project (keyring, keys, agents) and region (the keyring's location)."""
    security_project_id: str
    """The security project, whose Pub/Sub agent encrypts the security topic with the `pubsub` key."""
    siem_project_id: str
    """The SIEM project, whose Cloud Logging agent encrypts the audit log bucket with the `logging` key."""
    rotation_period: str
    """Rotation period of every symmetric key in the KMS API's duration format (`7776000s`); at most 90 days."""

    def __post_init__(self) -> None:
        if not _DURATION.match(self.rotation_period):
            raise ValueError(f"KmsArgs.rotation_period {self.rotation_period!r} is not a duration in seconds")
        if int(self.rotation_period[:-1]) > MAX_ROTATION_DAYS * 86400:
            raise ValueError(f"KmsArgs.rotation_period {self.rotation_period} exceeds {MAX_ROTATION_DAYS} days")


class Kms(pulumi.ComponentResource):
    """Keyring, one CMEK key per purpose granted to exactly its service agents, and the image-signing key."""

    TYPE_TOKEN = "hipaa:security:Kms"

    keyring_id: pulumi.Output[str]
    """The keyring (`projects/P/locations/R/keyRings/hipaa-<env>-keyring`)."""
    key_ids: dict[str, pulumi.Output[str]]
    """CMEK key id per purpose (the keys of `KEY_USERS`: `storage`, `bigquery`, `logging`, ...); each resolves
    only once that purpose's service agents hold the key, so a CMEK resource created from it waits for the
    grant instead of failing on a key its agent cannot use yet."""
    signing_key_id: pulumi.Output[str]
    """The asymmetric key (EC P-256) Cosign signs images with and Binary Authorization verifies."""
    column_kek_id: pulumi.Output[str]
    """The key-encryption key (`phi-columns-kek`) that wraps the warehouse's column keysets. No service agent
    holds it: BigQuery unwraps keysets as the querying user, so the warehouse grants it to the people and
    identities that encrypt or decrypt columns (infra/data/warehouse/column_encryption.py)."""

    def __init__(self, name: str, args: KmsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        project_number = gcp.organizations.get_project_output(project_id=placement.project_id).number
        security_number = gcp.organizations.get_project_output(project_id=args.security_project_id).number
        siem_number = gcp.organizations.get_project_output(project_id=args.siem_project_id).number
        # Reading the SIEM project's CMEK settings also provisions its logging agent, which Google
        # otherwise creates lazily; a grant to an agent that does not exist yet fails.
        siem_logging = gcp.logging.get_project_cmek_settings_output(project=args.siem_project_id)
        siem_agent_number = pulumi.Output.all(siem_number, siem_logging.service_account_id).apply(
            lambda values: checked_logging_agent(str(values[0]), str(values[1] or ""))
        )
        # The same for this project's agent, which encrypts the build-log bucket (infra/delivery/delivery.py).
        own_logging = gcp.logging.get_project_cmek_settings_output(project=placement.project_id)
        own_agent_number = pulumi.Output.all(project_number, own_logging.service_account_id).apply(
            lambda values: checked_logging_agent(str(values[0]), str(values[1] or ""), "this project's")
        )
        agents = [
            gcp.projects.ServiceIdentity(
                f"{name}-agent-{service.split('.', maxsplit=1)[0]}",
                project=placement.project_id,
                service=service,
                opts=child_opts(self),
            )
            for service in AGENT_SERVICES
        ]
        keyring = gcp.kms.KeyRing(
            f"{name}-keyring",
            name=keyring_name(placement),
            project=placement.project_id,
            location=placement.region,
            opts=data_opts(placement, self),
        )
        protection = "HSM" if placement.is_prod else "SOFTWARE"
        self.key_ids = {}
        for purpose, users in KEY_USERS.items():
            key = self._symmetric_key(f"{name}-{purpose}", cmek_key_name(purpose), purpose, keyring, args)
            numbers = [project_number, security_number]
            if any("{l}" in user or "{w}" in user for user in users):
                numbers.extend([siem_agent_number, own_agent_number])
            members = pulumi.Output.all(*numbers).apply(functools.partial(_members, users))
            grant = gcp.kms.CryptoKeyIAMBinding(
                f"{name}-{purpose}-users",
                crypto_key_id=key.id,
                role=ENCRYPTER_DECRYPTER,
                members=members,
                opts=child_opts(self, depends_on=agents),
            )
            self.key_ids[purpose] = pulumi.Output.all(key.id, grant.id).apply(lambda ids: str(ids[0]))
        # Asymmetric key Cosign and Binary Authorization sign container images with.
        signing_key = gcp.kms.CryptoKey(
            f"{name}-image-signing",
            name="image-signing",
            key_ring=keyring.id,
            purpose="ASYMMETRIC_SIGN",
            destroy_scheduled_duration="2592000s" if placement.is_prod else "86400s",
            version_template=gcp.kms.CryptoKeyVersionTemplateArgs(
                algorithm="EC_SIGN_P256_SHA256", protection_level=protection
            ),
            labels={**placement.labels, "key-purpose": "image-signing"},
            opts=data_opts(placement, self),
        )
        # Wraps the column keysets; the only grants on it are made by the warehouse, to who encrypts or decrypts.
        column_kek = self._symmetric_key(f"{name}-phi-columns-kek", COLUMN_KEK_NAME, "phi-columns", keyring, args)
        self.keyring_id = keyring.id
        self.signing_key_id = signing_key.id
        self.column_kek_id = column_kek.id
        register_declared(self)

    def _symmetric_key(
        self, name: str, key_name: str, purpose: str, keyring: gcp.kms.KeyRing, args: KmsArgs
    ) -> gcp.kms.CryptoKey:
        placement = args.placement
        return gcp.kms.CryptoKey(
            name,
            name=key_name,
            key_ring=keyring.id,
            purpose="ENCRYPT_DECRYPT",
            rotation_period=args.rotation_period,
            # A destroyed key makes its data unreadable; keep the recovery window long in prod.
            destroy_scheduled_duration="2592000s" if placement.is_prod else "86400s",
            version_template=gcp.kms.CryptoKeyVersionTemplateArgs(
                algorithm="GOOGLE_SYMMETRIC_ENCRYPTION", protection_level="HSM" if placement.is_prod else "SOFTWARE"
            ),
            labels={**placement.labels, "key-purpose": purpose},
            opts=data_opts(placement, self),
        )
