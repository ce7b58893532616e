"""What the Dataproc cluster needs before it exists: its identity, CMEK buckets and Kerberos secret."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.config import PlatformConfig
from infra.data.buckets import delete_after, hipaa_bucket
from infra.naming import child_opts, data_opts, resource_name

# roles/dataproc.worker covers the cluster's own staging/temp objects and agent duties; BigQuery
# access is per dataset, granted by the Warehouse as dataset access entries (a DatasetIamMember here
# and the Warehouse's DatasetAccess on one dataset would overwrite each other), plus jobUser to run
# queries and readSessionUser for the connector's Storage Read API sessions.
PROJECT_ROLES = ("roles/dataproc.worker", "roles/bigquery.jobUser", "roles/bigquery.readSessionUser")
TEMP_OBJECT_AGE_DAYS = 30


def kerberos_secret_version(config: PlatformConfig) -> str:
    """The root principal password version; added out of band so the password never enters state."""
    return f"projects/{config.project_id}/secrets/{resource_name(config, 'dataproc-kerberos-root')}/versions/1"


class DataprocSupport(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        config: PlatformConfig,
        *,
        storage_key_id: pulumi.Input[str],
        secrets_key_id: pulumi.Input[str],
        kerberos: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("hipaa:compute:DataprocSupport", name, None, opts)
        self.account = gcp.serviceaccount.Account(
            f"{name}-sa",
            account_id=resource_name(config, "dataproc"),
            display_name="Dataproc cluster (least privilege)",
            project=config.project_id,
            opts=child_opts(self),
        )
        self.grants: list[pulumi.Resource] = [
            gcp.projects.IAMMember(
                f"{name}-sa-{role.split('/')[-1].replace('.', '-')}",
                project=config.project_id,
                role=role,
                member=self.account.member,
                opts=child_opts(self),
            )
            for role in PROJECT_ROLES
        ]
        self.staging_bucket = hipaa_bucket(
            f"{name}-dataproc-staging", config, purpose="dataproc-staging", key_id=storage_key_id, parent=self
        )
        self.temp_bucket = hipaa_bucket(
            f"{name}-dataproc-temp",
            config,
            purpose="dataproc-temp",
            key_id=storage_key_id,
            parent=self,
            lifecycle_rules=[delete_after(TEMP_OBJECT_AGE_DAYS)],
        )
        self.kerberos_secret: gcp.secretmanager.Secret | None = None
        if kerberos:
            self.kerberos_secret = gcp.secretmanager.Secret(
                f"{name}-kerberos-root",
                secret_id=resource_name(config, "dataproc-kerberos-root"),
                project=config.project_id,
                replication=gcp.secretmanager.SecretReplicationArgs(
                    user_managed=gcp.secretmanager.SecretReplicationUserManagedArgs(
                        replicas=[
                            gcp.secretmanager.SecretReplicationUserManagedReplicaArgs(
                                location=config.region,
                                customer_managed_encryption=gcp.secretmanager.SecretReplicationUserManagedReplicaCustomerManagedEncryptionArgs(
                                    kms_key_name=secrets_key_id
                                ),
                            )
                        ]
                    )
                ),
                labels=config.labels,
                opts=data_opts(config, self),
            )
            self.grants.append(
                gcp.secretmanager.SecretIamMember(
                    f"{name}-kerberos-accessor",
                    project=config.project_id,
                    secret_id=self.kerberos_secret.secret_id,
                    role="roles/secretmanager.secretAccessor",
                    member=self.account.member,
                    opts=child_opts(self),
                )
            )
            # Kerberos secure mode decrypts its generated secrets with this key on the cluster VMs.
            # Decrypter only, as a member: Kms holds the authoritative encrypter/decrypter binding.
            self.grants.append(
                gcp.kms.CryptoKeyIAMMember(
                    f"{name}-kerberos-key-decrypter",
                    crypto_key_id=secrets_key_id,
                    role="roles/cloudkms.cryptoKeyDecrypter",
                    member=self.account.member,
                    opts=child_opts(self),
                )
            )
        self.register_outputs(
            {
                "serviceAccount": self.account.email,
                "stagingBucket": self.staging_bucket.name,
                "tempBucket": self.temp_bucket.name,
            }
        )
