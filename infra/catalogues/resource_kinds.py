"""The kind of resource each planned IAM grant is made on, as the permission prefixes that act on it.

A role granted on a resource must hold at least one permission on that kind of resource, or the grant
gives nothing there (Google accepts it all the same). `None` marks a grant on the project itself,
where any permission of the role applies. A planned grant type missing here fails CAT-03.
"""

from __future__ import annotations

RESOURCE_KINDS: dict[str, tuple[str, ...] | None] = {
    "gcp:projects/iAMMember:IAMMember": None,
    "gcp:projects/iAMBinding:IAMBinding": None,
    "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding": ("cloudkms.cryptoKeys", "cloudkms.cryptoKeyVersions"),
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": ("cloudkms.cryptoKeys", "cloudkms.cryptoKeyVersions"),
    "gcp:kms/keyRingIAMMember:KeyRingIAMMember": (
        "cloudkms.keyRings",
        "cloudkms.cryptoKeys",
        "cloudkms.cryptoKeyVersions",
    ),
    "gcp:storage/bucketIAMMember:BucketIAMMember": (
        "storage.buckets",
        "storage.objects",
        "storage.multipartUploads",
        "storage.managedFolders",
    ),
    "gcp:pubsub/topicIAMMember:TopicIAMMember": ("pubsub.topics",),
    "gcp:secretmanager/secretIamMember:SecretIamMember": ("secretmanager.secrets", "secretmanager.versions"),
    "gcp:serviceaccount/iAMMember:IAMMember": ("iam.serviceAccounts",),
    "gcp:datacatalog/policyTagIamMember:PolicyTagIamMember": ("datacatalog.categories",),
    "gcp:bigquerydatapolicy/dataPolicyIamMember:DataPolicyIamMember": ("bigquery.dataPolicies",),
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": ("artifactregistry.repositories",),
    "gcp:bigquery/datasetIamMember:DatasetIamMember": ("bigquery.datasets", "bigquery.tables"),
    # Dataset access entries: basic dataset roles or predefined roles, on the dataset and its tables.
    "gcp:bigquery/datasetAccess:DatasetAccess": ("bigquery.datasets", "bigquery.tables"),
    "gcp:bigquery/dataset:Dataset": ("bigquery.datasets", "bigquery.tables"),
}

# The basic roles a dataset access entry may name, and the predefined role BigQuery grants for each
# (https://cloud.google.com/bigquery/docs/access-control-basic-roles#dataset-basic-roles).
DATASET_BASIC_ROLES = {
    "OWNER": "roles/bigquery.dataOwner",
    "WRITER": "roles/bigquery.dataEditor",
    "READER": "roles/bigquery.dataViewer",
}
