"""Hand-read evidence for the vendored role and VPC-SC catalogues, each record with the source that shows it.

Only what a source states is recorded: a role's permissions as the page or package lists them (a task
page lists the permissions a role holds for that task, not all of them), a service as a supported or
restricted VPC-SC service. Sources are Google's documentation pages (read through a search index, so
the date is the day they were read) and files of pinned registry packages. `vendor.py` merges these
records with the package sources it reads itself; a role or service missing here and there is not in
the catalogue, so the checks fail on it until it is added with its source or refreshed from the APIs.
"""

from __future__ import annotations

from dataclasses import dataclass

READ_ON = "2026-12-07"
_IAM_PAGES = "https://cloud.google.com/iam/docs/roles-permissions/"
_STORAGE_ROLES = "https://developers.google.cn/storage/docs/access-control/iam-roles"
_JAVA_STORAGE_ROLES = (
    "https://cloud.google.com/java/docs/reference/google-cloud-storage/latest/com.google.cloud.storage.StorageRoles"
)
_GCLOUD_AR = "gcloud 528.0.0 lib/googlecloudsdk/command_lib/artifacts/upgrade_util.py (_AR_PERMISSIONS_TO_ROLES)"


@dataclass(frozen=True)
class RoleEvidence:
    role: str
    source: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class ServiceEvidence:
    service: str
    source: str


ROLES: tuple[RoleEvidence, ...] = (
    RoleEvidence(
        "roles/storage.objectCreator",
        _STORAGE_ROLES,
        (
            "orgpolicy.policy.get",
            "resourcemanager.projects.get",
            "resourcemanager.projects.list",
            "storage.objects.create",
            "storage.managedFolders.create",
            "storage.multipartUploads.create",
            "storage.multipartUploads.abort",
            "storage.multipartUploads.listParts",
        ),
    ),
    RoleEvidence(
        "roles/storage.objectViewer",
        _STORAGE_ROLES,
        (
            "resourcemanager.projects.get",
            "resourcemanager.projects.list",
            "storage.managedFolders.get",
            "storage.managedFolders.list",
            "storage.objects.get",
            "storage.objects.list",
        ),
    ),
    RoleEvidence("roles/storage.objectCreator", _JAVA_STORAGE_ROLES, ("storage.objects.create",)),
    RoleEvidence("roles/storage.objectViewer", _JAVA_STORAGE_ROLES, ("storage.objects.list", "storage.objects.get")),
    # The Java client's StorageRoles: "Grants the following permissions", wildcards as the page shows them.
    RoleEvidence("roles/storage.objectAdmin", _JAVA_STORAGE_ROLES, ("storage.objects.*",)),
    RoleEvidence("roles/storage.admin", _JAVA_STORAGE_ROLES, ("storage.buckets.*", "storage.objects.*")),
    # "This predefined role contains the permissions required to retrieve a public key".
    RoleEvidence(
        "roles/cloudkms.publicKeyViewer",
        "https://cloud.google.com/kms/docs/retrieve-public-key",
        (
            "cloudkms.cryptoKeyVersions.viewPublicKey",
            "cloudkms.locations.get",
            "cloudkms.locations.list",
            "resourcemanager.projects.get",
        ),
    ),
    RoleEvidence(
        "roles/cloudkms.admin",
        _IAM_PAGES + "cloudkms",
        (
            "cloudkms.autokeyConfigs.get",
            "cloudkms.cryptoKeyVersions.create",
            "cloudkms.cryptoKeys.create",
            "cloudkms.ekmConfigs.get",
            "cloudkms.ekmConnections.create",
        ),
    ),
    RoleEvidence(
        "roles/logging.admin",
        _IAM_PAGES + "logging",
        (
            "logging.buckets.create",
            "logging.exclusions.create",
            "logging.logEntries.create",
            "logging.logMetrics.create",
        ),
    ),
    RoleEvidence(
        "roles/datacatalog.admin",
        _IAM_PAGES + "datacatalog",
        (
            "bigquery.datasets.get",
            "bigquery.tables.get",
            "datacatalog.categories.getIamPolicy",
            "datacatalog.entries.get",
        ),
    ),
    RoleEvidence(
        "roles/dns.admin",
        _IAM_PAGES + "dns",
        (
            "compute.networks.get",
            "compute.networks.list",
            "dns.changes.create",
            "dns.managedZones.create",
            "dns.policies.create",
            "dns.resourceRecordSets.create",
        ),
    ),
    RoleEvidence(
        "roles/monitoring.admin",
        _IAM_PAGES + "monitoring",
        (
            "cloudnotifications.activities.list",
            "monitoring.alertPolicies.create",
            "monitoring.dashboards.create",
            "monitoring.groups.create",
            "monitoring.metricDescriptors.create",
        ),
    ),
    RoleEvidence(
        "roles/servicenetworking.networksAdmin",
        _IAM_PAGES + "servicenetworking",
        ("servicenetworking.operations.get", "servicenetworking.services.addPeering", "servicenetworking.services.get"),
    ),
    RoleEvidence(
        "roles/bigquerydatapolicy.maskedReader", _IAM_PAGES + "bigquerydatapolicy", ("bigquery.dataPolicies.maskedGet",)
    ),
    # The S3NS-hosted copy of Google's page; cloud.google.com's copy was cut before this role's permissions.
    RoleEvidence(
        "roles/binaryauthorization.attestorsViewer",
        "https://documentation.s3ns.fr/iam/docs/roles-permissions/binaryauthorization",
        ("binaryauthorization.attestors.get",),
    ),
    RoleEvidence(
        "roles/cloudbuild.builds.approver",
        _IAM_PAGES + "cloudbuild",
        (
            "cloudbuild.builds.approve",
            "cloudbuild.builds.get",
            "cloudbuild.builds.list",
            "cloudbuild.locations.get",
            "cloudbuild.operations.get",
            "remotebuildexecution.blobs.get",
            "resourcemanager.projects.get",
        ),
    ),
    RoleEvidence(
        "roles/cloudbuild.builds.viewer",
        "https://cloud.google.com/build/docs/iam-roles-permissions",
        (
            "cloudbuild.builds.get",
            "cloudbuild.builds.list",
            "cloudbuild.locations.get",
            "cloudbuild.operations.get",
            "remotebuildexecution.blobs.get",
            "resourcemanager.projects.get",
        ),
    ),
    RoleEvidence(
        "roles/serviceusage.serviceUsageAdmin",
        _IAM_PAGES + "serviceusage",
        (
            "monitoring.timeSeries.list",
            "serviceusage.consumerpolicy.get",
            "serviceusage.effectivepolicy.get",
            "serviceusage.groups.list",
        ),
    ),
    # "must have the `pubsub.topics.publish` permission (which is typically included in
    # `roles/pubsub.publisher` role)": NotificationConfig.pubsubTopic in the Healthcare API.
    RoleEvidence(
        "roles/pubsub.publisher",
        "google-api-python-client 2.202.0 (PyPI) googleapiclient/discovery_cache/documents/healthcare.v1.json",
        ("pubsub.topics.publish",),
    ),
    # gcloud maps each Artifact Registry permission used over gcr.io to the role that grants it.
    RoleEvidence("roles/artifactregistry.reader", _GCLOUD_AR, ("artifactregistry.repositories.downloadArtifacts",)),
    RoleEvidence("roles/artifactregistry.writer", _GCLOUD_AR, ("artifactregistry.repositories.uploadArtifacts",)),
    RoleEvidence("roles/artifactregistry.repoAdmin", _GCLOUD_AR, ("artifactregistry.repositories.deleteArtifacts",)),
)

_PULUMI_PERIMETER = "pulumi-gcp 10.2.0 (PyPI) pulumi_gcp/accesscontextmanager/service_perimeter.py examples"
SERVICES: tuple[ServiceEvidence, ...] = (
    # The page's example of a SERVICE_ADDRESS in `gcloud access-context-manager supported-services list`.
    ServiceEvidence(
        "aiplatform.googleapis.com", "https://cloud.google.com/vpc-service-controls/docs/supported-products"
    ),
    ServiceEvidence("storage.googleapis.com", _PULUMI_PERIMETER),
    # "VPC Service Controls let you define a service perimeter for your Compute Engine resources";
    # the service name is the rootUrl of compute.v1.json in google-api-python-client 2.202.0.
    ServiceEvidence(
        "compute.googleapis.com",
        "https://cloud.google.com/compute/docs/instances/protecting-resources-vpc-service-controls",
    ),
    # "You can use VPC Service Controls to help secure ... Security Token Service API" (sts.v1.json rootUrl).
    ServiceEvidence("sts.googleapis.com", "https://cloud.google.com/iam/docs/secure-iam-vpc-sc"),
    ServiceEvidence("bigquery.googleapis.com", _PULUMI_PERIMETER),
    ServiceEvidence("bigtable.googleapis.com", _PULUMI_PERIMETER),
)
