"""What the Dataproc cluster needs before it exists: its identity, CMEK buckets and Kerberos password bucket.

The Kerberos root principal password is passed as the Dataproc API documents it, and no other way:
`rootPrincipalPasswordUri` is "The Cloud Storage URI of a KMS encrypted file containing the root
principal password" (KerberosConfig, Dataproc v1; https://cloud.google.com/python/docs/reference/dataproc/
latest/google.cloud.dataproc_v1.types.KerberosConfig), and gcloud's flag "Must be a Cloud Storage URL
beginning with 'gs://'" (`gcloud dataproc clusters create --help`, SDK 528). No Dataproc page accepts a
Secret Manager version there: Secret Manager reaches Dataproc clusters only as the Hadoop credential
provider (`gsm://`, https://cloud.google.com/dataproc/docs/guides/hadoop-google-secret-manager-credential-provider).
So the password is a KMS-encrypted object in a CMEK bucket of its own. Dataproc's security page has
the password encrypted with a Cloud KMS key, stored in a bucket the cluster's service account can read,
and that account granted roles/cloudkms.cryptoKeyDecrypter: the cluster's VMs decrypt it as that
account, not the Dataproc service agent
(https://cloud.google.com/dataproc/docs/concepts/configuring-clusters/security).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.data.buckets import delete_after, hipaa_bucket
from infra.interface import register_declared
from infra.naming import child_opts, resource_name
from infra.placement import Placement

# roles/dataproc.worker covers the cluster's own staging/temp objects and agent duties; BigQuery
# access is per dataset, granted by the Warehouse as dataset access entries (a DatasetIamMember here
# and the Warehouse's DatasetAccess on one dataset would overwrite each other), plus jobUser to run
# queries and readSessionUser for the connector's Storage Read API sessions.
PROJECT_ROLES = ("roles/dataproc.worker", "roles/bigquery.jobUser", "roles/bigquery.readSessionUser")
TEMP_OBJECT_AGE_DAYS = 30


@dataclass(frozen=True)
class DataprocSupportArgs:
    placement: Placement
    """Environment (names, protection), workload project and region (bucket location), labels."""
    storage_key_id: pulumi.Input[str]
    """CMEK key of the staging and temp buckets."""
    kerberos_key_id: pulumi.Input[str]
    """The key the Kerberos root principal password object is encrypted with; the account may decrypt with it."""
    kerberos: bool
    """Create the Kerberos password bucket and the account's access to it and its key (secure mode)."""


class DataprocSupport(pulumi.ComponentResource):
    """What the Dataproc cluster needs before it exists: its least-privilege identity, CMEK buckets, Kerberos bucket.

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
            # Holds one object, written out of band: the password encrypted with `kerberos_key_id`.
            kerberos_bucket = hipaa_bucket(
                f"{name}-dataproc-kerberos",
                placement,
                purpose="dataproc-kerberos",
                key_id=args.storage_key_id,
                parent=self,
            )
            gcp.storage.BucketIAMMember(
                f"{name}-kerberos-reader",
                bucket=kerberos_bucket.name,
                role="roles/storage.objectViewer",
                member=account.member,
                opts=child_opts(self),
            )
            # Decrypter only, as a member: Kms holds the authoritative encrypter/decrypter binding.
            gcp.kms.CryptoKeyIAMMember(
                f"{name}-kerberos-key-decrypter",
                crypto_key_id=args.kerberos_key_id,
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
