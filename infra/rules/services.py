"""Which Google API each planned resource uses, so the perimeter can be judged against the plan itself.

Owned by the rules (see infra/rules/baseline.py). A pulumi-gcp type token `gcp:<module>/<name>:<Name>`
belongs to one module, and each module wraps one Google API: `MODULE_SERVICES` names it. A type whose
resource also calls other APIs at run time lists them in `EXTRA_SERVICES`. A planned `gcp:` type of
a module missing here is a violation of its own (rule VPC-08): a new kind of resource must be
classified before it can pass. Non-`gcp:` tokens (components, other providers) call no Google API.
"""

from __future__ import annotations

MODULE_SERVICES: dict[str, str] = {
    "accesscontextmanager": "accesscontextmanager.googleapis.com",
    "artifactregistry": "artifactregistry.googleapis.com",
    "bigquery": "bigquery.googleapis.com",
    "bigquerydatapolicy": "bigquerydatapolicy.googleapis.com",
    "binaryauthorization": "binaryauthorization.googleapis.com",
    "cloudbuild": "cloudbuild.googleapis.com",
    "compute": "compute.googleapis.com",
    "container": "container.googleapis.com",
    "containeranalysis": "containeranalysis.googleapis.com",
    "datacatalog": "datacatalog.googleapis.com",
    "dataproc": "dataproc.googleapis.com",
    "dns": "dns.googleapis.com",
    "kms": "cloudkms.googleapis.com",
    "logging": "logging.googleapis.com",
    "monitoring": "monitoring.googleapis.com",
    "organizations": "cloudresourcemanager.googleapis.com",
    "orgpolicy": "orgpolicy.googleapis.com",
    "projects": "cloudresourcemanager.googleapis.com",
    "pubsub": "pubsub.googleapis.com",
    "secretmanager": "secretmanager.googleapis.com",
    "serviceaccount": "iam.googleapis.com",
    "servicenetworking": "servicenetworking.googleapis.com",
    "sql": "sqladmin.googleapis.com",
    "storage": "storage.googleapis.com",
    "vertex": "aiplatform.googleapis.com",
    "workbench": "notebooks.googleapis.com",
}

# Resources that call more than their module's API once they run.
EXTRA_SERVICES: dict[str, tuple[str, ...]] = {
    # Nodes are Compute Engine VMs; Workload Identity (rule GKE-04 requires it) exchanges pod tokens
    # through STS and mints Google tokens through IAM Credentials.
    "gcp:container/cluster:Cluster": (
        "compute.googleapis.com",
        "sts.googleapis.com",
        "iamcredentials.googleapis.com",
    ),
    "gcp:container/nodePool:NodePool": ("compute.googleapis.com",),
    # Dataproc VMs, and the staging and temp buckets every cluster reads and writes.
    "gcp:dataproc/cluster:Cluster": ("compute.googleapis.com", "storage.googleapis.com"),
    # A Workbench instance is a Compute Engine VM.
    "gcp:workbench/instance:Instance": ("compute.googleapis.com",),
    # Service identities are created by Service Usage, not Resource Manager.
    "gcp:projects/serviceIdentity:ServiceIdentity": ("serviceusage.googleapis.com",),
    "gcp:projects/service:Service": ("serviceusage.googleapis.com",),
}

# Control-plane APIs a resource of the plan uses that the perimeter need not restrict: none stores
# or serves PHI, and each is left out for a stated reason. Every other service a plan uses must be
# restricted (VPC-08).
UNRESTRICTED_SERVICES: dict[str, str] = {
    "accesscontextmanager.googleapis.com": "the perimeter's own API; access policies are organization resources",
    "cloudresourcemanager.googleapis.com": "project IAM and audit configuration; administrators outside the "
    "perimeter (break-glass) must be able to repair them",
    "iam.googleapis.com": "service accounts and their grants; VPC-SC support for the IAM API is Preview, not for "
    "production perimeters",
    "orgpolicy.googleapis.com": "organization policies are set by organization administrators and hold no data",
    "serviceusage.googleapis.com": "enables APIs and creates service agents; holds no data",
    "servicenetworking.googleapis.com": "manages the peering itself; the producer network is restricted by "
    "servicenetworking VPC Service Controls (rule NET-12)",
}


def module_of(type_token: str) -> str | None:
    """`gcp:<module>/<name>:<Name>` -> `<module>`; None for a token of another provider or a component."""
    provider, _, rest = type_token.partition(":")
    if provider != "gcp" or "/" not in rest:
        return None
    return rest.split("/", 1)[0]


def services_of(type_token: str) -> tuple[str, ...] | None:
    """The APIs a planned resource of this type uses; () for non-gcp tokens, None when unclassified."""
    module = module_of(type_token)
    if module is None:
        return ()
    if module not in MODULE_SERVICES:
        return None
    return (MODULE_SERVICES[module], *EXTRA_SERVICES.get(type_token, ()))
