"""The organization policy constraints every workload project carries, defined once.

Read by the OrgPolicies component, its HIPAA rules and their tests. Pure data, no Pulumi import.
Kinds: `enforce` (boolean constraint on), `deny_all` (list constraint, nothing allowed), `allow`
(list constraint, only the listed values; the project's list replaces the parent's) and `deny`
(list constraint, the listed values refused on top of whatever the parent refuses).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["enforce", "deny_all", "allow", "deny"]
# Where the values of an `allow` constraint come from when they depend on the stack.
Source = Literal["", "allowed_locations", "own_project", "build_pool"]

# Services the platform keeps data in; each must use CMEK in the workload project. Logging is not
# listed: the project's own _Default bucket predates any policy, and the audit bucket (CMEK) lives in
# the SIEM project. Cloud Build is not listed: builds run on the private pool, not in this project.
CMEK_SERVICES = (
    "aiplatform.googleapis.com",
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "dataproc.googleapis.com",
    "pubsub.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
)
# TLS versions Google APIs must refuse for requests into this project.
WEAK_TLS = ("TLS_VERSION_1", "TLS_VERSION_1_1")


@dataclass(frozen=True)
class Constraint:
    name: str
    kind: Kind
    reason: str
    values: tuple[str, ...] = ()
    source: Source = ""


CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("compute.vmExternalIpAccess", "deny_all", "no VM (GKE, Dataproc, Workbench) gets a public IP"),
    Constraint("storage.publicAccessPrevention", "enforce", "no bucket or object can be made public"),
    Constraint("storage.uniformBucketLevelAccess", "enforce", "bucket access is IAM only, no per-object ACLs"),
    Constraint("iam.disableServiceAccountKeyCreation", "enforce", "no long-lived service account keys to leak"),
    Constraint("iam.disableServiceAccountKeyUpload", "enforce", "no externally minted keys for service accounts"),
    Constraint(
        "iam.automaticIamGrantsForDefaultServiceAccounts",
        "enforce",
        "default service accounts created by later API enablement get no Editor role",
    ),
    Constraint("gcp.restrictNonCmekServices", "deny", "data services must use customer-managed keys", CMEK_SERVICES),
    Constraint(
        "gcp.restrictCmekCryptoKeyProjects",
        "allow",
        "CMEK keys come only from this environment's own keyring project",
        source="own_project",
    ),
    Constraint("gcp.resourceLocations", "allow", "data stays in the configured locations", source="allowed_locations"),
    Constraint("gcp.restrictTLSVersion", "deny", "Google APIs refuse TLS 1.0 and 1.1 for this project", WEAK_TLS),
    Constraint("compute.requireOsLogin", "enforce", "SSH access is IAM-controlled and audited, no metadata keys"),
    Constraint("compute.requireShieldedVm", "enforce", "every VM boots with secure boot and integrity monitoring"),
    Constraint("compute.disableSerialPortAccess", "enforce", "no interactive serial console bypassing the network"),
    Constraint("compute.disableNestedVirtualization", "enforce", "no hypervisors hiding workloads inside VMs"),
    Constraint("compute.disableVpcExternalIpv6", "enforce", "no external IPv6 path around the private network"),
    Constraint(
        "compute.restrictLoadBalancerCreationForTypes",
        "allow",
        "only internal load balancers: the API is reached from inside the network",
        ("in:INTERNAL",),
    ),
    Constraint(
        "compute.restrictProtocolForwardingCreationForTypes",
        "allow",
        "forwarding rules stay internal",
        ("is:INTERNAL",),
    ),
    Constraint("sql.restrictPublicIp", "enforce", "any future Cloud SQL instance stays private"),
    Constraint(
        "cloudbuild.allowedWorkerPools",
        "allow",
        "builds run only on the private pool with no public egress",
        source="build_pool",
    ),
)
# Left out on purpose, because the platform needs what they forbid or the value is organization-wide:
# compute.restrictVpcPeering (Vertex, service networking and the build pool peer), compute.vmCanIpForward
# (GKE nodes forward pod traffic), compute.trustedImageProjects (GKE, Dataproc and Workbench images come
# from Google projects that change), iam.allowedPolicyMemberDomains (needs the organization's customer id).


def constraint(name: str) -> Constraint:
    for candidate in CONSTRAINTS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown constraint {name!r}")
