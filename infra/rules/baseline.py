"""The HIPAA baseline the rules judge a plan against: owned by the rules, never by the components.

Every list here is written from the regulation (45 CFR Part 164, Subpart C) and Google's published
guidance, not imported from the code that builds the platform: a component that drops an item from
its own list then fails the plan instead of redefining what passes. Nothing here imports Pulumi or
any component, so the policy pack loads it cheaply; `tests/infra/rules/test_baseline.py` keeps it so.

Sources cited below:
- HIPAA-GUIDE: Google Cloud, "HIPAA compliance on Google Cloud" and its implementation guide
  (cloud.google.com/security/compliance/hipaa).
- BLUEPRINT: Google Cloud, "Enterprise foundations blueprint" (cloud.google.com/architecture/
  security-foundations), its organization policies, logging and VPC Service Controls chapters.
- VPCSC: "VPC Service Controls supported products and limitations"
  (cloud.google.com/vpc-service-controls/docs/supported-products).
- AUDIT-LOGS: "Cloud Audit Logs overview" (cloud.google.com/logging/docs/audit).
- PGA: "Configure Private Google Access", restricted.googleapis.com
  (cloud.google.com/vpc/docs/configure-private-google-access#config-domain).
"""

from __future__ import annotations

import re

# --- VPC Service Controls (45 CFR 164.312(e)(1) transmission security, 164.312(a)(1) access control) ---

# The services every perimeter of a PHI environment restricts, whatever the plan holds: where PHI is
# stored or processed (the mission's GCS, BigQuery, Dataproc, Vertex AI, GKE), the keys that protect
# it, the audit trail, and the supply chain that deploys into it. HIPAA-GUIDE recommends a perimeter
# around every project holding PHI; each service is GA on VPCSC. The plan adds the services its
# resources use (infra/rules/services.py), so this is a floor, not the whole list.
REQUIRED_RESTRICTED_SERVICES: dict[str, str] = {
    "storage.googleapis.com": "Cloud Storage holds raw PHI extracts and compliance reports",
    "bigquery.googleapis.com": "BigQuery holds the PHI warehouse",
    "dataproc.googleapis.com": "Dataproc processes PHI",
    "aiplatform.googleapis.com": "Vertex AI trains on and serves from PHI-derived data",
    "container.googleapis.com": "GKE runs the API over the warehouse",
    "cloudkms.googleapis.com": "Cloud KMS holds the keys that encrypt PHI (164.312(a)(2)(iv))",
    "logging.googleapis.com": "Cloud Logging holds the audit trail (164.312(b))",
    "pubsub.googleapis.com": "Pub/Sub carries the security notifications",
    "secretmanager.googleapis.com": "Secret Manager holds the de-identification key",
    "artifactregistry.googleapis.com": "Artifact Registry holds the images that run on PHI",
    "cloudbuild.googleapis.com": "Cloud Build deploys into the environment (VPCSC: private pools only)",
}
# VPCSC: with this value, the VPC can reach exactly the restricted services and nothing else.
VPC_ACCESSIBLE_SERVICES = ("RESTRICTED-SERVICES",)
# A regular perimeter protects projects; a bridge only lets two perimeters talk (VPCSC).
PERIMETER_TYPE = "PERIMETER_TYPE_REGULAR"
# Perimeter resources are written `projects/<number>`; a project id is refused by the API.
PROJECT_RESOURCE = re.compile(r"^projects/[0-9]+$")
# An ingress or egress rule names users or service accounts, never a group, domain or wildcard.
IAM_IDENTITY = re.compile(r"^(serviceAccount|user):[^@\s]+@[^@\s]+\.[^@\s]+$")

# The only ways data may leave the perimeter (164.312(e)(1)), each limited to the calls it needs.
LOGGING_SERVICE = "logging.googleapis.com"  # the audit sink into the SIEM project (164.312(b))
PUBSUB_SERVICE = "pubsub.googleapis.com"  # the deployment notification to the security project
STORAGE_SERVICE = "storage.googleapis.com"  # Pulumi's state bucket in the security project
KMS_SERVICE = "cloudkms.googleapis.com"  # the key Pulumi encrypts its secrets with
EGRESS_SERVICES = (LOGGING_SERVICE, PUBSUB_SERVICE, STORAGE_SERVICE, KMS_SERVICE)
# Log routing has no method to select (the sink's writer identity is the limit); the others do.
EGRESS_METHODS: dict[str, tuple[str, ...]] = {
    PUBSUB_SERVICE: ("google.pubsub.v1.Publisher.Publish",),
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

# --- Audit controls (45 CFR 164.312(b)) ---

# HIPAA-GUIDE: turn on Data Access audit logs for every service; Admin Activity is always on, the
# three below are what an `allServices` audit config must list (AUDIT-LOGS).
AUDIT_LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")
# AUDIT-LOGS: the four Cloud Audit Log streams; the SIEM sink must take every one of them.
AUDIT_LOG_IDS = (
    "cloudaudit.googleapis.com/activity",
    "cloudaudit.googleapis.com/data_access",
    "cloudaudit.googleapis.com/system_event",
    "cloudaudit.googleapis.com/policy",
)
# Logs an investigator of a breach needs besides the audit streams (164.308(a)(6)(ii), response and
# reporting; BLUEPRINT centralizes the same ones): Google staff access, network flows, firewall
# decisions and DNS lookups, where exfiltration shows.
INVESTIGATION_LOG_IDS = (
    "cloudaudit.googleapis.com/access_transparency",
    "compute.googleapis.com/vpc_flows",
    "compute.googleapis.com/firewall",
    "dns.googleapis.com/dns_queries",
)
# 164.316(b)(2)(i): documentation is kept six years (2190 days) where PHI lives. Lower environments
# hold synthetic data only; their floors are this project's own policy, not the regulation's.
MIN_LOG_RETENTION_DAYS = {"dev": 30, "staging": 365, "prod": 2190}

# --- Network (164.312(e)(1)) ---

# PGA: restricted.googleapis.com, the VIP that serves only APIs VPC Service Controls can protect.
RESTRICTED_VIP_RANGE = "199.36.153.4/30"
# The next hop that leaves Google's network for the internet.
INTERNET_GATEWAY = "default-internet-gateway"
# Firewall Rules Logging with every field, so a log line names the VM and network (164.312(b)).
FIREWALL_LOG_METADATA = "INCLUDE_ALL_METADATA"

# --- Labels (164.308(a)(1)(ii)(A) risk analysis: know where ePHI is) ---

# The labels every labelled resource of a PHI environment carries, so an inventory (Cloud Asset
# Inventory, billing export, Security Command Center) finds it; `environment` is the stack's own.
REQUIRED_LABELS: dict[str, str] = {"compliance": "hipaa", "data-classification": "phi"}
ENVIRONMENT_LABEL = "environment"
