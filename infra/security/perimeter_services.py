"""What the VPC Service Controls perimeter restricts and lets out, defined once for the component, rules and tests.

Plain data, no Pulumi. Every service below is on Google's list of VPC-SC supported products
(https://cloud.google.com/vpc-service-controls/docs/supported-products) and is used by the platform;
with VPC accessible services set to RESTRICTED-SERVICES, this list is also everything the VPC can call.
"""

from __future__ import annotations

import re

# service -> why the platform needs it restricted (and reachable from the VPC).
RESTRICTED_SERVICES: dict[str, str] = {
    "aiplatform.googleapis.com": "Vertex AI models and private endpoints",
    "artifactregistry.googleapis.com": "images, Python packages and upstream mirrors (pkg.dev, gcr.io)",
    "bigquery.googleapis.com": "the warehouse, incl. the Storage Read API it fronts",
    "bigquerydatapolicy.googleapis.com": "column masking policies on PHI columns",
    "binaryauthorization.googleapis.com": "deploy-time attestation policy for GKE",
    "certificatemanager.googleapis.com": "the API's TLS certificate and its issuance config",
    "cloudbuild.googleapis.com": "the pipeline's private pool builds",
    "cloudkms.googleapis.com": "CMEK keys and the image signing key",
    "compute.googleapis.com": "VMs, disks and snapshots of Dataproc, Workbench and GKE nodes",
    "container.googleapis.com": "the private GKE cluster",
    "containeranalysis.googleapis.com": "attestations and vulnerability occurrences",
    "datacatalog.googleapis.com": "policy tags behind BigQuery column-level security",
    "dataproc.googleapis.com": "PySpark batch clusters",
    "dns.googleapis.com": "the private zones that steer Google APIs to the restricted VIP",
    "iamcredentials.googleapis.com": "Workload Identity token minting for GKE pods",
    "logging.googleapis.com": "audit and workload logs, and the sink to the SIEM project",
    "monitoring.googleapis.com": "HIPAA metrics and alerting",
    "notebooks.googleapis.com": "Vertex AI Workbench instances",
    "privateca.googleapis.com": "the API's private CA pool and root CA (Certificate Authority Service)",
    "pubsub.googleapis.com": "notifications to the security team's topic",
    "secretmanager.googleapis.com": "pipeline secrets and the MRN pseudonymization key",
    "storage.googleapis.com": "HIPAA buckets, staging, compliance reports and the Kerberos password",
    "sts.googleapis.com": "Workload Identity token exchange for GKE pods",
}
# Not restricted, on purpose: servicenetworking.googleapis.com only manages the peering itself and
# carries no data; the producer side is locked down by the peering's own VPC-SC setting (Network).

VPC_ACCESSIBLE_SERVICES = ("RESTRICTED-SERVICES",)

# Egress: the only ways data may leave, each to one project, for one purpose.
LOGGING_SERVICE = "logging.googleapis.com"
PUBSUB_SERVICE = "pubsub.googleapis.com"
STORAGE_SERVICE = "storage.googleapis.com"
KMS_SERVICE = "cloudkms.googleapis.com"
EGRESS_SERVICES = (LOGGING_SERVICE, PUBSUB_SERVICE, STORAGE_SERVICE, KMS_SERVICE)
# The notification to hipaa-deployments is a publish and nothing else.
PUBSUB_PUBLISH_METHOD = "google.pubsub.v1.Publisher.Publish"
# Pulumi's state (gs://<security project>-pulumi-state) and the key its secrets are encrypted with
# live in the security project. The CLI reads, lists, writes and deletes state objects (checkpoints,
# backups, locks) and encrypts and decrypts secrets; nothing else is needed of either service.
STATE_METHODS: dict[str, tuple[str, ...]] = {
    STORAGE_SERVICE: (
        "google.storage.objects.get",
        "google.storage.objects.list",
        "google.storage.objects.create",
        "google.storage.objects.delete",
    ),
    KMS_SERVICE: (
        "google.cloud.kms.v1.KeyManagementService.Encrypt",
        "google.cloud.kms.v1.KeyManagementService.Decrypt",
    ),
}
# Every service whose egress is limited to named methods, and those methods.
EGRESS_METHODS: dict[str, tuple[str, ...]] = {PUBSUB_SERVICE: (PUBSUB_PUBLISH_METHOD,), **STATE_METHODS}

PERIMETER_TYPE = "PERIMETER_TYPE_REGULAR"
PROJECT_RESOURCE = re.compile(r"^projects/[0-9]+$")
IAM_IDENTITY = re.compile(r"^(serviceAccount|user):[^@\s]+@[^@\s]+\.[^@\s]+$")


def logging_agent(project_number: str) -> str:
    """The project's Cloud Logging service agent: the writer identity of its log sinks."""
    return f"serviceAccount:service-{project_number}@gcp-sa-logging.iam.gserviceaccount.com"


def monitoring_notification_agent(project_number: str) -> str:
    """The agent that publishes Cloud Monitoring alerts to a Pub/Sub notification channel."""
    return f"serviceAccount:service-{project_number}@gcp-sa-monitoring-notification.iam.gserviceaccount.com"
