"""Catalogue entries the maintainers attest to, where no machine-readable source we may vendor shows them.

Every role and VPC-SC service below is one the platform uses and Google documents, but neither a
registry package nor the part of Google's pages our search index returns lists it (`evidence.py`
holds what a source does show). The maintainers wrote each entry against the Google page it names,
on the date below; the permissions are the ones the plan's grants rely on, not the role's full list.

Their source string says so (it starts with ATTESTATION), tests count them, and the API's complete
lists replace them the first time `python -m infra catalogues refresh` runs with a gcloud login. An
entry that is wrong makes the plan green where Google would refuse: that is why they are few, named
and reviewed, and why `refresh` must run before the first `pulumi up` of a stack.
"""

from __future__ import annotations

from infra.catalogues.evidence import RoleEvidence, ServiceEvidence

ATTESTED_ON = "2026-12-07"
_ROLES_PAGE = "https://cloud.google.com/iam/docs/roles-permissions/"
_VPCSC_PAGE = "https://cloud.google.com/vpc-service-controls/docs/supported-products"


ATTESTATION = "maintainers' attestation"


def _attested(page: str) -> str:
    return f"{ATTESTATION} {ATTESTED_ON} against {page} (not machine-read; refresh replaces it)"


def _role(role: str, service_page: str, permissions: tuple[str, ...]) -> RoleEvidence:
    return RoleEvidence(role, _attested(_ROLES_PAGE + service_page), permissions)


ROLES: tuple[RoleEvidence, ...] = (
    _role("roles/logging.bucketWriter", "logging", ("logging.buckets.write",)),
    _role("roles/logging.logWriter", "logging", ("logging.logEntries.create", "logging.logEntries.route")),
    _role(
        "roles/logging.viewer",
        "logging",
        ("logging.logEntries.list", "logging.logs.list", "logging.sinks.get", "logging.sinks.list"),
    ),
    _role(
        "roles/logging.configWriter",
        "logging",
        ("logging.sinks.create", "logging.sinks.update", "logging.buckets.create", "logging.exclusions.create"),
    ),
    _role("roles/bigquery.metadataViewer", "bigquery", ("bigquery.datasets.get", "bigquery.tables.list")),
    _role("roles/cloudbuild.workerPoolUser", "cloudbuild", ("cloudbuild.workerpools.use",)),
    _role(
        "roles/cloudbuild.workerPoolOwner",
        "cloudbuild",
        ("cloudbuild.workerpools.create", "cloudbuild.workerpools.update", "cloudbuild.workerpools.use"),
    ),
    _role(
        "roles/cloudkms.viewer",
        "cloudkms",
        ("cloudkms.keyRings.get", "cloudkms.keyRings.list", "cloudkms.cryptoKeys.get", "cloudkms.cryptoKeys.list"),
    ),
    # BigQuery's KEYS.NEW_WRAPPED_KEYSET wraps a new column keyset as the caller: encrypt only, never decrypt.
    _role("roles/cloudkms.cryptoKeyEncrypter", "cloudkms", ("cloudkms.cryptoKeyVersions.useToEncrypt",)),
    _role(
        "roles/containeranalysis.occurrences.editor",
        "containeranalysis",
        ("containeranalysis.occurrences.create", "containeranalysis.occurrences.get"),
    ),
    _role(
        "roles/containeranalysis.notes.editor",
        "containeranalysis",
        ("containeranalysis.notes.create", "containeranalysis.notes.get", "containeranalysis.notes.update"),
    ),
    _role("roles/iam.securityReviewer", "iam", ("iam.roles.get", "resourcemanager.projects.getIamPolicy")),
    _role(
        "roles/monitoring.alertPolicyEditor",
        "monitoring",
        ("monitoring.alertPolicies.create", "monitoring.alertPolicies.update"),
    ),
    _role("roles/monitoring.viewer", "monitoring", ("monitoring.alertPolicies.list", "monitoring.timeSeries.list")),
    _role("roles/monitoring.metricWriter", "monitoring", ("monitoring.timeSeries.create",)),
    _role("roles/orgpolicy.policyViewer", "orgpolicy", ("orgpolicy.policy.get", "orgpolicy.policies.list")),
    _role("roles/serviceusage.serviceUsageConsumer", "serviceusage", ("serviceusage.services.use",)),
    _role("roles/stackdriver.resourceMetadata.writer", "stackdriver", ("stackdriver.resourceMetadata.write",)),
    _role(
        "roles/binaryauthorization.policyEditor",
        "binaryauthorization",
        ("binaryauthorization.policy.get", "binaryauthorization.policy.update"),
    ),
    _role("roles/datacatalog.categoryFineGrainedReader", "datacatalog", ("datacatalog.categories.fineGrainedGet",)),
    # Held by the Certificate Manager service agent on the API's CA pool, as Google's page on
    # Google-managed certificates from CA Service says (certificate-manager/docs/deploy-google-managed-cas).
    _role("roles/privateca.certificateRequester", "privateca", ("privateca.certificates.create",)),
)

SERVICES: tuple[ServiceEvidence, ...] = tuple(
    ServiceEvidence(service, _attested(_VPCSC_PAGE))
    for service in (
        "artifactregistry.googleapis.com",
        "bigquerydatapolicy.googleapis.com",
        "binaryauthorization.googleapis.com",
        # Certificate Manager and Certificate Authority Service: the API's certificate and its private CA.
        "certificatemanager.googleapis.com",
        "cloudbuild.googleapis.com",
        "cloudkms.googleapis.com",
        "container.googleapis.com",
        "containeranalysis.googleapis.com",
        "datacatalog.googleapis.com",
        "dataproc.googleapis.com",
        "dns.googleapis.com",
        "iamcredentials.googleapis.com",
        "logging.googleapis.com",
        "monitoring.googleapis.com",
        "notebooks.googleapis.com",
        "privateca.googleapis.com",
        "pubsub.googleapis.com",
        "secretmanager.googleapis.com",
    )
)
