"""Faults in the running platform: drift from what the program defines, as someone might cause it
in the console, and findings the scanners would report. Each changes one thing in the world."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.simulate.violations.fault import Fault, FaultContext

State = dict[str, Any]
SYNTHETIC_SSN = "512-34-6789"  # made up; shaped like an SSN so the PHI scanner must find it


def world(change: Callable[[State], None]) -> Callable[[FaultContext], None]:
    def apply(context: FaultContext) -> None:
        with context.world() as state:
            change(state)

    return apply


def _key(state: State, purpose: str) -> dict[str, Any]:
    return next(k for p, k in state["kms"]["keys"].items() if p.endswith(f"/cryptoKeys/{purpose}"))


def _dataset(state: State, suffix: str) -> dict[str, Any]:
    return next(d for k, d in state["bigquery"]["datasets"].items() if k.endswith(suffix))


def _bucket(state: State, suffix: str) -> str:
    return str(next(name for name in state["storage"]["buckets"] if name.endswith(suffix)))


def rotation_400_days(state: State) -> None:
    _key(state, "storage-cmek")["rotationPeriod"] = "34560000s"


def public_access_prevention_off(state: State) -> None:
    state["storage"]["buckets"][_bucket(state, "-phi-raw")]["public_access_prevention"] = "inherited"
    state["orgPolicies"]["storage.publicAccessPrevention"]["spec"]["rules"] = [{"enforce": False}]


def dataset_all_users(state: State) -> None:
    _dataset(state, "_deidentified")["access"].append({"role": "READER", "iamMember": "allUsers"})


def bucket_all_users(state: State) -> None:
    policy = state["storage"]["iam"][_bucket(state, "-curated")]
    policy["bindings"].append({"role": "roles/storage.objectViewer", "members": ["allUsers"]})


def audit_config_missing(state: State) -> None:
    state["iamPolicies"][state["env"]["project"]].pop("auditConfigs", None)


def _perimeter_config(perimeter: dict[str, Any]) -> dict[str, Any]:
    """The enforced config, or the dry-run spec of a perimeter that has only that (dev)."""
    config: dict[str, Any] = perimeter.get("status") or perimeter["spec"]
    return config


def perimeter_missing_service(state: State) -> None:
    for perimeter in state["perimeters"].values():
        services = _perimeter_config(perimeter)["restrictedServices"]
        services.remove("bigquery.googleapis.com")


def perimeter_egress_open(state: State) -> None:
    for perimeter in state["perimeters"].values():
        _perimeter_config(perimeter)["egressPolicies"][0]["egressTo"]["resources"] = ["*"]


def user_managed_key(state: State) -> None:
    account = next(a for a in state["serviceAccounts"] if "cloudbuild" in a["email"])
    state["accountKeys"][account["email"]].append(
        {"keyType": "USER_MANAGED", "name": f"{account['name']}/keys/leaked0001"}
    )


def owner_granted_to_user(state: State) -> None:
    bindings = state["iamPolicies"][state["env"]["project"]]["bindings"]
    bindings.append({"role": "roles/owner", "members": ["user:contractor@example.test"]})


def siem_sink_disabled(state: State) -> None:
    for sink in state["logging"]["sinks"][state["env"]["project"]]:
        if state["env"]["siem_project"] in sink["destination"]:
            sink["disabled"] = True


def audit_retention_short(state: State) -> None:
    for path, bucket in state["logging"]["buckets"].items():
        if path.startswith(f"projects/{state['env']['siem_project']}/"):
            bucket["retentionDays"] = 7


def vm_external_ip(state: State) -> None:
    instance = state["machines"]["instances"][0]
    instance["networkInterfaces"][0]["accessConfigs"] = [
        {"name": "External NAT", "natIP": "203.0.113.7", "type": "ONE_TO_ONE_NAT"}
    ]


def dataset_without_cmek(state: State) -> None:
    _dataset(state, "_raw")["defaultEncryptionConfiguration"] = {}


def row_policy_missing(state: State) -> None:
    curated = next(k for k in state["bigquery"]["rowAccessPolicies"] if "_curated.patients" in k)
    del state["bigquery"]["rowAccessPolicies"][curated]


def policy_tag_missing(state: State) -> None:
    table = next(t for k, t in state["bigquery"]["tables"].items() if k.endswith("_curated.patients"))
    for column in table["schema"]["fields"]:
        if column["name"] == "ssn":
            column.pop("policyTags", None)


def internet_route(state: State) -> None:
    network = state["network"]["networks"][0]["selfLink"]
    gateway = network.split("/global/")[0] + "/global/gateways/default-internet-gateway"
    state["network"]["routes"].append(
        {
            "destRange": "0.0.0.0/0",
            "name": "default-internet",
            "network": network,
            "nextHopGateway": gateway,
            "priority": 1000,
        }
    )


def image_high_cve(state: State) -> None:
    state["scanners"]["vulnerabilities"].append(
        {
            "VulnerabilityID": "CVE-2026-10002",
            "PkgName": "libssl3",
            "Severity": "HIGH",
            "FixedVersion": "",
            "Status": "affected",
            "Title": "synthetic HIGH finding in the base image's OpenSSL",
        }
    )


def ubla_off(state: State) -> None:
    state["storage"]["buckets"][_bucket(state, "-artifacts")]["uniform_bucket_level_access"] = False


def phi_in_build_log(state: State) -> None:
    state["scanners"]["buildOutputLeak"] = f"ERROR enrollment rejected for ssn {SYNTHETIC_SSN}"


def curated_patient_without_id(state: State) -> None:
    table = next(t for k, t in state["bigquery"]["tables"].items() if k.endswith("_curated.patients"))
    table["rows"][3]["patient_id"] = None


def alert_policy_disabled(state: State) -> None:
    policies = state["monitoring"]["policies"][state["env"]["project"]]
    policies[0]["enabled"] = False


def backups_versioning_off(state: State) -> None:
    state["storage"]["buckets"][_bucket(state, "-backups")]["versioning_enabled"] = False


def dast_high_alert(state: State) -> None:
    state["scanners"]["zapAlerts"].append(
        {
            "pluginid": "40018",
            "alert": "SQL Injection",
            "name": "SQL Injection",
            "riskcode": "3",
            "confidence": "2",
            "riskdesc": "High (Medium)",
            "instances": [{"method": "GET"}],
        }
    )


FAULTS = (
    # env-validation compares the keys with the inventory (the planned 90-day rotation) and, unlike the
    # encryption gate, stops the build at once: it is the gate this fault meets first.
    Fault("kms-rotation-400-days", "env-validation", "a CMEK key rotates every 400 days", world(rotation_400_days)),
    Fault(
        "bucket-public-access-prevention-off",
        "env-validation",
        "a PHI bucket without public access prevention, the project constraint off",
        world(public_access_prevention_off),
    ),
    Fault("dataset-all-users", "access-controls", "allUsers reads the de-identified dataset", world(dataset_all_users)),
    Fault("bucket-all-users", "access-controls", "allUsers reads the curated bucket", world(bucket_all_users)),
    Fault(
        "audit-config-missing",
        "audit-logs",
        "the project's Data Access audit config is gone",
        world(audit_config_missing),
    ),
    Fault(
        "perimeter-missing-service",
        "vpcsc-egress",
        "the perimeter no longer restricts BigQuery",
        world(perimeter_missing_service),
    ),
    Fault(
        "perimeter-egress-open",
        "vpcsc-egress",
        "an egress rule of the perimeter allows every resource",
        world(perimeter_egress_open),
    ),
    Fault(
        "user-managed-sa-key", "access-controls", "the build account has a user-managed key", world(user_managed_key)
    ),
    Fault(
        "owner-granted-to-user",
        "access-controls",
        "roles/owner granted to an individual user",
        world(owner_granted_to_user),
    ),
    Fault(
        "siem-sink-disabled", "audit-logs", "the audit sink to the SIEM project is disabled", world(siem_sink_disabled)
    ),
    Fault(
        "audit-retention-7-days", "audit-logs", "the SIEM audit bucket keeps logs 7 days", world(audit_retention_short)
    ),
    Fault("vm-external-ip", "env-validation", "a VM has an external IP", world(vm_external_ip)),
    Fault(
        "dataset-without-cmek", "encryption", "the raw dataset lost its CMEK default key", world(dataset_without_cmek)
    ),
    Fault(
        "row-access-policy-missing",
        "bigquery-governance",
        "curated patients has no row access policy",
        world(row_policy_missing),
    ),
    Fault(
        "policy-tag-missing",
        "bigquery-governance",
        "the SSN column of curated patients has no policy tag",
        world(policy_tag_missing),
    ),
    Fault("internet-route", "vpcsc-egress", "a 0.0.0.0/0 route to the internet gateway", world(internet_route)),
    Fault("image-high-cve", "trivy", "a HIGH CVE in the API image's base", world(image_high_cve)),
    Fault(
        "bucket-uniform-access-off",
        "prowler",
        "uniform bucket-level access off on the artifacts bucket",
        world(ubla_off),
    ),
    Fault(
        "phi-in-build-log", "phi-detection", "a build step prints a patient's SSN to the log", world(phi_in_build_log)
    ),
    Fault(
        "curated-patient-without-id",
        "data-quality",
        "a curated patient row has no patient_id",
        world(curated_patient_without_id),
    ),
    Fault(
        "alert-policy-disabled",
        "monitoring",
        "a HIPAA alert policy is disabled (post-deploy gate)",
        world(alert_policy_disabled),
    ),
    Fault(
        "backups-versioning-off",
        "backup-restore",
        "the backups bucket lost object versioning (post-deploy gate)",
        world(backups_versioning_off),
    ),
    Fault(
        "dast-high-alert",
        "dast",
        "ZAP finds a High-risk alert in the deployed API (post-deploy gate)",
        world(dast_high_alert),
    ),
)
