"""A subset of Prowler 5's GCP checks that its hipaa_gcp framework maps, evaluated over the world.

Each check id is Prowler's own; each finding is an OCSF Detection Finding in the fields the gate
reads (status_code, metadata.event_code, resources[].uid, severity). The checks are re-implemented
here from their documented intent, not Prowler's code: a finding the real Prowler would add or
word differently is not modelled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_ROTATION_SECONDS = 90 * 86400
PUBLIC = ("allUsers", "allAuthenticatedUsers")


def _finding(check: str, resource: str, passed: bool, severity: str, project: str) -> dict[str, Any]:
    return {
        "metadata": {"event_code": check, "product": {"name": "Prowler", "vendor_name": "Prowler", "version": "5.0.0"}},
        "resources": [{"uid": resource, "name": resource.rsplit("/", maxsplit=1)[-1], "cloud_partition": "gcp"}],
        "severity": severity,
        "status_code": "PASS" if passed else "FAIL",
        "cloud": {"account": {"uid": project}, "provider": "gcp"},
    }


def _checks(state: dict[str, Any]) -> Iterator[tuple[str, str, bool, str]]:
    for name, key in sorted(state["kms"]["keys"].items()):
        if key.get("purpose") == "ENCRYPT_DECRYPT":
            period = int(str(key.get("rotationPeriod", "0s")).rstrip("s") or 0)
            yield "kms_key_rotation_enabled", name, 0 < period <= MAX_ROTATION_SECONDS, "High"
    for name, policy in sorted(state["storage"]["iam"].items()):
        public = any(m in PUBLIC for b in policy.get("bindings", []) for m in b.get("members", []))
        yield "cloudstorage_bucket_public_access", f"gs://{name}", not public, "Critical"
    for name, bucket in sorted(state["storage"]["buckets"].items()):
        yield (
            "cloudstorage_bucket_uniform_bucket_level_access",
            f"gs://{name}",
            bool(bucket.get("uniform_bucket_level_access")),
            "Medium",
        )
    for key, dataset in sorted(state["bigquery"]["datasets"].items()):
        public = any((a.get("iamMember") or a.get("specialGroup")) in PUBLIC for a in dataset.get("access", []))
        yield "bigquery_dataset_public_access", key, not public, "Critical"
        yield (
            "bigquery_dataset_cmk_encryption",
            key,
            bool((dataset.get("defaultEncryptionConfiguration") or {}).get("kmsKeyName")),
            "Medium",
        )
    project = state["env"]["project"]
    configs = state["iamPolicies"].get(project, {}).get("auditConfigs", [])
    types = {
        c.get("logType") for a in configs if a.get("service") == "allServices" for c in a.get("auditLogConfigs", [])
    }
    yield "iam_audit_logs_enabled", f"projects/{project}", {"ADMIN_READ", "DATA_READ", "DATA_WRITE"} <= types, "High"
    for instance in state["machines"]["instances"]:
        public = any(i.get("accessConfigs") for i in instance.get("networkInterfaces", []))
        yield "compute_instance_public_ip", instance["name"], not public, "High"
    for account, keys in sorted(state["accountKeys"].items()):
        yield "iam_sa_user_managed_key_unused", account, not any(k["keyType"] == "USER_MANAGED" for k in keys), "Medium"


def findings(state: dict[str, Any]) -> list[dict[str, Any]]:
    project = state["env"]["project"]
    return [
        _finding(check, resource, passed, severity, project) for check, resource, passed, severity in _checks(state)
    ]
