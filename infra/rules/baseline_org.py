"""The organization policy constraints every workload project of a PHI environment carries.

Owned by the rules (see infra/rules/baseline.py for why). Sources: Google's "Organization policy
constraints" reference (cloud.google.com/resource-manager/docs/organization-policy/org-policy-
constraints) for each name and type; the enterprise foundations blueprint (BLUEPRINT), which sets
most of them on every project; the HIPAA Security Rule section each serves.

Kinds: `enforce` (boolean constraint on), `deny_all` (list constraint, nothing allowed), `allow`
(list constraint, an explicit allow-list; with values, only those values) and `deny` (list
constraint, at least the listed values refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["enforce", "deny_all", "allow", "deny"]

# 164.312(a)(2)(iv) encryption: services that keep data in the workload project must use CMEK
# (HIPAA-GUIDE: customer-managed keys for PHI). Each is a service `gcp.restrictNonCmekServices`
# accepts. Cloud Logging is not listed: a project's _Default bucket predates any policy, and the
# audit bucket lives, CMEK-encrypted, in the SIEM project. Cloud Build keeps nothing here.
CMEK_REQUIRED_SERVICES = (
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
# 164.312(e)(2)(ii): TLS 1.0 and 1.1 are broken (NIST SP 800-52r2 requires 1.2 or later); the
# values `gcp.restrictTLSVersion` takes for them.
REFUSED_TLS_VERSIONS = ("TLS_VERSION_1", "TLS_VERSION_1_1")


@dataclass(frozen=True)
class RequiredConstraint:
    name: str
    kind: Kind
    why: str
    values: tuple[str, ...] = ()


REQUIRED_CONSTRAINTS: tuple[RequiredConstraint, ...] = (
    # 164.312(e)(1): nothing gets a public address or a path around the private network.
    RequiredConstraint("compute.vmExternalIpAccess", "deny_all", "no VM gets a public IP (BLUEPRINT)"),
    RequiredConstraint("compute.disableVpcExternalIpv6", "enforce", "no external IPv6 (BLUEPRINT)"),
    RequiredConstraint("sql.restrictPublicIp", "enforce", "no Cloud SQL public IP (BLUEPRINT)"),
    RequiredConstraint(
        "compute.restrictLoadBalancerCreationForTypes", "allow", "internal load balancers only", ("in:INTERNAL",)
    ),
    RequiredConstraint(
        "compute.restrictProtocolForwardingCreationForTypes", "allow", "internal forwarding only", ("is:INTERNAL",)
    ),
    # 164.312(a)(1) access control: no public data, no long-lived keys, no silent Editor grants.
    RequiredConstraint("storage.publicAccessPrevention", "enforce", "no public bucket or object (BLUEPRINT)"),
    RequiredConstraint("storage.uniformBucketLevelAccess", "enforce", "bucket access by IAM only (BLUEPRINT)"),
    RequiredConstraint("iam.disableServiceAccountKeyCreation", "enforce", "no service account keys (BLUEPRINT)"),
    RequiredConstraint("iam.disableServiceAccountKeyUpload", "enforce", "no uploaded service account keys"),
    RequiredConstraint(
        "iam.automaticIamGrantsForDefaultServiceAccounts", "enforce", "no automatic Editor grants (BLUEPRINT)"
    ),
    RequiredConstraint("compute.requireOsLogin", "enforce", "SSH by IAM, audited (BLUEPRINT)"),
    RequiredConstraint("compute.disableSerialPortAccess", "enforce", "no serial console (BLUEPRINT)"),
    # 164.312(c)(1) integrity: what boots is what was built.
    RequiredConstraint("compute.requireShieldedVm", "enforce", "secure boot and integrity monitoring"),
    RequiredConstraint("compute.disableNestedVirtualization", "enforce", "no hidden hypervisors (BLUEPRINT)"),
    # 164.312(a)(2)(iv) encryption and 164.312(e)(2)(ii) encryption in transit.
    RequiredConstraint("gcp.restrictNonCmekServices", "deny", "data services use CMEK", CMEK_REQUIRED_SERVICES),
    RequiredConstraint("gcp.restrictCmekCryptoKeyProjects", "allow", "keys only from the environment's project"),
    RequiredConstraint("gcp.restrictTLSVersion", "deny", "Google APIs refuse weak TLS", REFUSED_TLS_VERSIONS),
    # 164.308(a)(1)(ii)(B) risk management: data stays where the organization decided.
    RequiredConstraint("gcp.resourceLocations", "allow", "resources only in the configured locations"),
    RequiredConstraint("cloudbuild.allowedWorkerPools", "allow", "builds only on the private pool"),
)


def required_constraint(name: str) -> RequiredConstraint:
    for candidate in REQUIRED_CONSTRAINTS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no required constraint {name!r}")
