"""The Secret Manager secret holding the key the PySpark job pseudonymizes MRNs with (keyed HMAC).

Pulumi creates the secret, never a version: the key value must not enter Pulumi state. The operator
adds it once per environment, from a random key generated on the spot and never written to disk:

    openssl rand 64 | gcloud secrets versions add hipaa-<env>-mrn-hmac-key \\
        --project=<environment project> --data-file=-

The pipeline hands the job one pinned, enabled version (scripts/lib/dataproc.sh), never `latest`: a
new version re-keys every pseudonym, so rotating is a decision, not a side effect of adding one.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.config import PlatformConfig
from infra.naming import child_opts, data_opts, mrn_hmac_secret_id

ACCESSOR_ROLE = "roles/secretmanager.secretAccessor"
# A destroyed version makes earlier pseudonyms irreproducible: keep a recovery window, longest in prod.
VERSION_DESTROY_TTL = {"dev": "86400s", "staging": "604800s", "prod": "2592000s"}


class MrnHmacSecret(pulumi.ComponentResource):
    """The secret (CMEK, one replica in the platform region) and its one reader, the Dataproc account."""

    def __init__(
        self,
        name: str,
        config: PlatformConfig,
        *,
        secrets_key_id: pulumi.Input[str],
        accessor: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`accessor`: the member (serviceAccount:...) the job runs as; the only identity granted to read."""
        super().__init__("hipaa:security:MrnHmacSecret", name, None, opts)
        replica = gcp.secretmanager.SecretReplicationUserManagedReplicaArgs(
            location=config.region,
            customer_managed_encryption=gcp.secretmanager.SecretReplicationUserManagedReplicaCustomerManagedEncryptionArgs(
                kms_key_name=secrets_key_id
            ),
        )
        self.secret = gcp.secretmanager.Secret(
            f"{name}-secret",
            secret_id=mrn_hmac_secret_id(config),
            project=config.project_id,
            replication=gcp.secretmanager.SecretReplicationArgs(
                user_managed=gcp.secretmanager.SecretReplicationUserManagedArgs(replicas=[replica])
            ),
            version_destroy_ttl=VERSION_DESTROY_TTL[config.environment],
            deletion_protection=config.is_prod,
            labels={**config.labels, "secret-purpose": "mrn-hmac-key"},
            opts=data_opts(config, self),
        )
        # On this secret only: a project-level accessor grant would open every secret of the project.
        self.accessor_grant = gcp.secretmanager.SecretIamMember(
            f"{name}-accessor",
            project=config.project_id,
            secret_id=self.secret.secret_id,
            role=ACCESSOR_ROLE,
            member=accessor,
            opts=child_opts(self),
        )
        self.register_outputs({"secret": self.secret.name, "accessor": accessor})
