"""What the Dataproc cluster needs before it exists: its identity, CMEK buckets and Kerberos secret."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.data.buckets import delete_after, hipaa_bucket
from infra.interface import register_declared
from infra.naming import Stack, child_opts, data_opts, resource_name
from infra.placement import Placement

# roles/dataproc.worker covers the cluster's own staging/temp objects and agent duties; BigQuery
# access is per dataset, granted by the Warehouse as dataset access entries (a DatasetIamMember here
# and the Warehouse's DatasetAccess on one dataset would overwrite each other), plus jobUser to run
# queries and readSessionUser for the connector's Storage Read API sessions.
PROJECT_ROLES = ("roles/dataproc.worker", "roles/bigquery.jobUser", "roles/bigquery.readSessionUser")
TEMP_OBJECT_AGE_DAYS = 30


def kerberos_secret_version(config: Stack) -> str:
    """The root principal password version; added out of band so the password never enters state."""
    return f"projects/{config.project_id}/secrets/{resource_name(config, 'dataproc-kerberos-root')}/versions/1"


@dataclass(frozen=True)
class DataprocSupportArgs:
    placement: Placement
    """Environment (names, protection), workload project and region (bucket and secret location), labels."""
    storage_key_id: pulumi.Input[str]
    """CMEK key of the staging and temp buckets."""
    secrets_key_id: pulumi.Input[str]
    """CMEK key of the Kerberos root principal secret, which the account may also decrypt with."""
    kerberos: bool
    """Create the Kerberos root principal secret and the account's access to it (secure mode)."""


class DataprocSupport(pulumi.ComponentResource):
    """What the Dataproc cluster needs before it exists: its least-privilege identity, CMEK buckets, Kerberos secret.

    A cluster that `depends_on` this component waits for every one of its grants."""

    TYPE_TOKEN = "hipaa:compute:DataprocSupport"

    service_account_id: pulumi.Output[str]
    """The cluster's service account (`projects/P/serviceAccounts/EMAIL`), for grants on the account itself."""
    service_account_email: pulumi.Output[str]
    """The cluster's service account email, as the cluster config names it."""
    service_account_member: pulumi.Output[str]
    """The same account as an IAM member (`serviceAccount:EMAIL`), for grants on data."""
    staging_bucket_name: pulumi.Output[str]
    """The cluster's CMEK staging (config) bucket."""
    temp_bucket_name: pulumi.Output[str]
    """The cluster's CMEK temp bucket; objects expire after 30 days."""

    def __init__(self, name: str, args: DataprocSupportArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        placement = args.placement
        account = gcp.serviceaccount.Account(
            f"{name}-sa",
            account_id=resource_name(placement, "dataproc"),
            display_name="Dataproc cluster (least privilege)",
            project=placement.project_id,
            opts=child_opts(self),
        )
        for role in PROJECT_ROLES:
            gcp.projects.IAMMember(
                f"{name}-sa-{role.rsplit('/', maxsplit=1)[-1].replace('.', '-')}",
                project=placement.project_id,
                role=role,
                member=account.member,
                opts=child_opts(self),
            )
        staging_bucket = hipaa_bucket(
            f"{name}-dataproc-staging", placement, purpose="dataproc-staging", key_id=args.storage_key_id, parent=self
        )
        temp_bucket = hipaa_bucket(
            f"{name}-dataproc-temp",
            placement,
            purpose="dataproc-temp",
            key_id=args.storage_key_id,
            parent=self,
            lifecycle_rules=[delete_after(TEMP_OBJECT_AGE_DAYS)],
        )
        if args.kerberos:
            kerberos_secret = gcp.secretmanager.Secret(
                f"{name}-kerberos-root",
                secret_id=resource_name(placement, "dataproc-kerberos-root"),
                project=placement.project_id,
                replication=gcp.secretmanager.SecretReplicationArgs(
                    user_managed=gcp.secretmanager.SecretReplicationUserManagedArgs(
                        replicas=[
                            gcp.secretmanager.SecretReplicationUserManagedReplicaArgs(
                                location=placement.region,
                                customer_managed_encryption=gcp.secretmanager.SecretReplicationUserManagedReplicaCustomerManagedEncryptionArgs(
                                    kms_key_name=args.secrets_key_id
                                ),
                            )
                        ]
                    )
                ),
                labels=placement.labels,
                opts=data_opts(placement, self),
            )
            gcp.secretmanager.SecretIamMember(
                f"{name}-kerberos-accessor",
                project=placement.project_id,
                secret_id=kerberos_secret.secret_id,
                role="roles/secretmanager.secretAccessor",
                member=account.member,
                opts=child_opts(self),
            )
            # Kerberos secure mode decrypts its generated secrets with this key on the cluster VMs.
            # Decrypter only, as a member: Kms holds the authoritative encrypter/decrypter binding.
            gcp.kms.CryptoKeyIAMMember(
                f"{name}-kerberos-key-decrypter",
                crypto_key_id=args.secrets_key_id,
                role="roles/cloudkms.cryptoKeyDecrypter",
                member=account.member,
                opts=child_opts(self),
            )
        self.service_account_id = account.id
        self.service_account_email = account.email
        self.service_account_member = account.member
        self.staging_bucket_name = staging_bucket.name
        self.temp_bucket_name = temp_bucket.name
        register_declared(self)
