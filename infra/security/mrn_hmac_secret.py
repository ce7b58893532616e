"""The Secret Manager secret holding the key the PySpark job pseudonymizes MRNs with (keyed HMAC).

Pulumi creates the secret, never a version: the key value must not enter Pulumi state. The operator
adds it once per environment, from a random key generated on the spot and never written to disk:

    openssl rand 64 | gcloud secrets versions add hipaa-<env>-mrn-hmac-key \\
        --project=<environment project> --data-file=-

The pipeline hands the job one pinned, enabled version (scripts/lib/dataproc.sh), never `latest`: a
new version re-keys every pseudonym, so rotating is a decision, not a side effect of adding one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.interface import register_declared
from infra.naming import child_opts, data_opts, mrn_hmac_secret_id
from infra.placement import Placement

ACCESSOR_ROLE = "roles/secretmanager.secretAccessor"
# A destroyed version makes earlier pseudonyms irreproducible: keep a recovery window, longest in prod.
VERSION_DESTROY_TTL = {"dev": "86400s", "staging": "604800s", "prod": "2592000s"}


@dataclass(frozen=True)
class MrnHmacSecretArgs:
    placement: Placement
    """Environment (name, version TTL, protection), workload project and region (the one replica), labels."""
    secrets_key_id: pulumi.Input[str]
    """CMEK key of the secret's replica."""
    accessor: pulumi.Input[str]
    """The member (`serviceAccount:EMAIL`) the PySpark job runs as: the only identity granted to read."""


class MrnHmacSecret(pulumi.ComponentResource):
    """The secret (CMEK, one replica in the platform region) and its one reader, the Dataproc account."""

    TYPE_TOKEN = "hipaa:security:MrnHmacSecret"

    secret_name: pulumi.Output[str]
    """The secret's resource name (`projects/P/secrets/hipaa-<env>-mrn-hmac-key`); versions are added out of band."""

    def __init__(self, name: str, args: MrnHmacSecretArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        replica = gcp.secretmanager.SecretReplicationUserManagedReplicaArgs(
            location=placement.region,
            customer_managed_encryption=gcp.secretmanager.SecretReplicationUserManagedReplicaCustomerManagedEncryptionArgs(
                kms_key_name=args.secrets_key_id
            ),
        )
        secret = gcp.secretmanager.Secret(
            f"{name}-secret",
            secret_id=mrn_hmac_secret_id(placement),
            project=placement.project_id,
            replication=gcp.secretmanager.SecretReplicationArgs(
                user_managed=gcp.secretmanager.SecretReplicationUserManagedArgs(replicas=[replica])
            ),
            version_destroy_ttl=VERSION_DESTROY_TTL[placement.environment],
            deletion_protection=placement.is_prod,
            labels={**placement.labels, "secret-purpose": "mrn-hmac-key"},
            opts=data_opts(placement, self),
        )
        # On this secret only: a project-level accessor grant would open every secret of the project.
        gcp.secretmanager.SecretIamMember(
            f"{name}-accessor",
            project=placement.project_id,
            secret_id=secret.secret_id,
            role=ACCESSOR_ROLE,
            member=args.accessor,
            opts=child_opts(self),
        )
        self.secret_name = secret.name
        register_declared(self)
